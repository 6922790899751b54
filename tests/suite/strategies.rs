//! The strategies beyond shuttle's random and PCT (POS, iterative-deepening PCT, random delay
//! bounding, delay-bounded DFS, coverage-guided, the portfolio): each finds a bug that PCT at
//! the same budget misses, delay-bounded DFS counts its schedules, and the strategy list names
//! each once. The catalog's twins and references under every strategy are in the scenarios
//! crate's suite (`scenarios/tests/suite/strategies.rs`).

use crate::common::shrunk_and_replayed;
use concheck::check::{Check, Checker, Completeness, Report, ShuttleConfig, Strategy};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::Arc;
use concheck::thread;
use concheck::ViolationKind;

/// Two tasks swap a shared word `rounds` times each, writing 1, 3, 5, ... and 2, 4, 6, ...;
/// the assertion fails only when the swaps strictly alternated, first task first (each swap
/// then returns the value written just before it), which needs `2 * rounds - 1` switches
/// between tasks that could both go on.
fn alternation(rounds: usize) -> Check {
    Check::new(move || {
        let x = Arc::new(AtomicUsize::new(0));
        let swaps = |first: usize| {
            let x = Arc::clone(&x);
            thread::spawn(move || {
                (0..rounds)
                    .map(|i| x.swap(first + 2 * i, Ordering::SeqCst))
                    .collect::<Vec<_>>()
            })
        };
        let (a, b) = (swaps(1), swaps(2));
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let alternated = (0..rounds).all(|i| a[i] == 2 * i && b[i] == 2 * i + 1);
        assert!(!alternated, "the swaps alternated");
    })
}

/// Schedules each strategy gets on [`alternation`]: 500. Measured from seeds 0 to 4 at 2,000
/// schedules (debug build): with 3 rounds, POS failed after 16 to 89 schedules (median 41) and
/// PCT deepening after 23 to 180 (median 66), while PCT at depth 3 found nothing in 2,000 on
/// at least three of the five seeds; with 4 rounds POS failed after 7 to 593 (median 47), and
/// PCT, PCT deepening and delay bounding (2 delays) found nothing in 2,000 on any seed.
const ALTERNATION_BUDGET: u64 = 500;

fn search(check: &Check, config: ShuttleConfig) -> Report {
    check.run(&Checker::Shuttle(config.iterations(ALTERNATION_BUDGET)))
}

/// PCT at depth 3 changes priorities twice per run: with a free switch at a spawn or a join it
/// makes at most three of the switches the alternation needs. POS re-samples the priorities of
/// both tasks after every swap (each conflicts with the other's), so it reaches any order of
/// the conflicting swaps.
#[test]
fn pos_finds_an_alternation_pct_misses() {
    let check = alternation(4);
    search(&check, ShuttleConfig::pct()).assert_no_violation();
    let report = search(&check, ShuttleConfig::pos());
    report.assert_finds(ViolationKind::AssertionFailed);
    shrunk_and_replayed(&check, &report);
}

/// Five switches are past PCT at depth 3 but within depths 5 and 6, which the deepening
/// rotation runs on a third of its schedules.
#[test]
fn pct_deepening_finds_an_alternation_pct_at_depth_3_misses() {
    let check = alternation(3);
    search(&check, ShuttleConfig::pct()).assert_no_violation();
    let report = search(&check, ShuttleConfig::pct_deepening());
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(
        report.checker.contains("found by running pct depth"),
        "{report}"
    );
    shrunk_and_replayed(&check, &report);
}

/// Two tasks; the bug needs two long orders in turn, the second only reachable after the first.
/// Task `a` sets `x`, does `work` steps of its own, then sets `y`; task `b` does `work` steps of
/// its own, then reads `x`, and only if `x` was not set yet reads `y`, asserting it is not set.
/// The bug needs `b` to run `work + 1` steps before `a`'s first, then `a` to run `work + 1`
/// steps before `b`'s next: one in 2^(2 * work + 2) random walks. The read of `y` is code the
/// first order unlocks (as a branch unlocks code for a fuzzer): the schedule that first runs it
/// ran new pairs, is kept, and its pair (`b` reads `y` before `a` sets it) becomes a target.
fn staged(work: usize) -> Check {
    Check::new(move || {
        let x = Arc::new(AtomicUsize::new(0));
        let y = Arc::new(AtomicUsize::new(0));
        let (x2, y2) = (Arc::clone(&x), Arc::clone(&y));
        let a = thread::spawn(move || {
            let own = AtomicUsize::new(0);
            x2.store(1, Ordering::SeqCst);
            for _ in 0..work {
                own.fetch_add(1, Ordering::SeqCst);
            }
            y2.store(1, Ordering::SeqCst);
        });
        let b = thread::spawn(move || {
            let own = AtomicUsize::new(0);
            for _ in 0..work {
                own.fetch_add(1, Ordering::SeqCst);
            }
            if x.load(Ordering::SeqCst) == 0 {
                assert_eq!(y.load(Ordering::SeqCst), 0, "y set while x was not");
            }
        });
        a.join().unwrap();
        b.join().unwrap();
    })
}

/// Schedules each search gets on [`staged`]`(8)`: 100. Measured from seeds 0 to 4 at 2,000
/// schedules (debug build): coverage-guided failed after 3 to 12 (median 4); with its feedback
/// off (the same mutations, every schedule kept, steps picked at random) it failed after 365
/// and 1,988 on two seeds and found nothing in 2,000 on three; shuttle random found nothing in
/// 2,000 on any; PCT at depth 3 failed after 86 to 255 (median 157). About 0.1 s.
const STAGED_BUDGET: u64 = 100;

/// The coverage feedback is what finds [`staged`]: the same fuzzer with it off, and shuttle's
/// random walk, find nothing at the same budget.
#[test]
fn coverage_feedback_finds_a_staged_order_that_random_mutation_misses() {
    let check = staged(8);
    let run = |strategy: Strategy| {
        let config = ShuttleConfig::coverage_guided()
            .iterations(STAGED_BUDGET)
            .strategy(strategy);
        check.run(&Checker::Shuttle(config))
    };
    let seed = concheck::check::DEFAULT_SEED;
    run(Strategy::CoverageGuided {
        seed,
        feedback: false,
    })
    .assert_no_violation();
    run(Strategy::Random { seed }).assert_no_violation();
    let report = run(Strategy::CoverageGuided {
        seed,
        feedback: true,
    });
    report.assert_finds(ViolationKind::TaskPanicked);
    shrunk_and_replayed(&check, &report);
}

/// The facade's tiny body: `main` spawns `t`, each stores to one atomic twice, `main` joins.
/// Hand count of delay-bounded DFS: the round-robin schedule runs `main` to its join, then
/// `t`; it has two steps with a choice (before each of `main`'s stores, with `t` runnable; the
/// spawn is not a scheduling point). Within 1 delay: that schedule, and a delay at either
/// choice, after which `t` runs to its end: 3. Within 2: those, and a second delay at either
/// of `t`'s stores after each first one (`main` is runnable again there): 3 + 2 * 2 = 7.
/// Every schedule (shuttle's DFS counts 10) needs 4.
fn tiny() -> Check {
    Check::new(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let x2 = Arc::clone(&x);
        let t = thread::spawn(move || {
            x2.store(1, Ordering::SeqCst);
            x2.store(3, Ordering::SeqCst);
        });
        x.store(2, Ordering::SeqCst);
        x.store(4, Ordering::SeqCst);
        t.join().unwrap();
    })
}

#[test]
fn delay_bounded_dfs_counts_the_hand_counted_schedules_and_says_where_it_stopped() {
    let check = tiny();
    let walk = |d: usize| check.run(&Checker::Shuttle(ShuttleConfig::delay_bounded_dfs(d)));
    for (d, hand) in [(0, 1), (1, 3), (2, 7)] {
        let report = walk(d);
        report.assert_no_violation();
        assert_eq!(report.iterations, hand, "within {d} delays: {report}");
        let Completeness::Incomplete { bound } = &report.completeness else {
            panic!("a walk cut by its delay bound is not complete: {report}");
        };
        assert!(
            bound.starts_with(&format!("complete within delay bound {d} only")),
            "{bound}"
        );
    }
    let dfs = check.run(&Checker::shuttle_dfs());
    assert_eq!(dfs.iterations, 10, "{dfs}");
    let all = walk(4);
    assert_eq!(all.iterations, 10, "{all}");
    assert_eq!(all.completeness, Completeness::Complete, "{all}");
}

/// One list holds every strategy, each once, so a benchmark can iterate it.
#[test]
fn the_strategy_list_names_every_strategy_once() {
    let names: Vec<&str> = ShuttleConfig::strategies()
        .iter()
        .map(|c| c.get_strategy().short_name())
        .collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    for name in ["shuttle-guided", "shuttle-delay-dfs", "shuttle-portfolio"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}

/// `tasks` tasks wait at a gate `main` holds while it spawns them all, then each adds 1 to a
/// shared counter twice; the assertion fails only on the round-robin order with one delay: the
/// first task interrupted between its two adds while the others each run both of theirs, in
/// spawn order. The gate takes the spawn order out of the race (without it, a `main` of the
/// lowest priority runs each task as it spawns it, and PCT finds the order easily).
/// Round-robin runs the tasks in spawn order, so one delay at the first task's second add is
/// the whole bug; PCT needs its random priorities to put the other `tasks - 1` in spawn order
/// (one draw in `(tasks - 1)!`) and a change point at that same step.
fn interrupted_round_robin(tasks: usize) -> Check {
    Check::new(move || {
        let count = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(concheck::sync::Mutex::new(()));
        let held = gate.lock();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (count, gate) = (Arc::clone(&count), Arc::clone(&gate));
                thread::spawn(move || {
                    drop(gate.lock());
                    let first = count.fetch_add(1, Ordering::SeqCst);
                    (first, count.fetch_add(1, Ordering::SeqCst))
                })
            })
            .collect();
        drop(held);
        let got: Vec<(usize, usize)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let interrupted =
            got[0] == (0, 2 * tasks - 1) && (1..tasks).all(|i| got[i] == (2 * i - 1, 2 * i));
        assert!(
            !interrupted,
            "the first task was interrupted by all the others in turn"
        );
    })
}

/// Tasks in [`interrupted_round_robin`]: 6. Schedules each strategy gets on it: 500. Measured
/// from seeds 0 to 4 at 2,000 schedules (debug build): random delay bounding (2 delays) failed
/// after 5 to 220 (median 165); delay-bounded DFS within 1 delay after 27 (it has no seed);
/// PCT at depth 3 and shuttle random found nothing in 2,000 on any seed. With 5 tasks PCT
/// failed on three seeds of five (245 to 515), so 6 is the smallest count it misses. Both
/// tests together take about a second.
const INTERRUPTED_TASKS: usize = 6;
const INTERRUPTED_BUDGET: u64 = 500;

/// Random delay bounding draws its delays over the steps of a round-robin schedule, so a bug
/// one delay from round-robin is one draw in about the run's length; PCT at the same budget
/// misses it.
#[test]
fn delay_bounding_finds_an_interrupted_round_robin_pct_misses() {
    let check = interrupted_round_robin(INTERRUPTED_TASKS);
    let run =
        |config: ShuttleConfig| check.run(&Checker::Shuttle(config.iterations(INTERRUPTED_BUDGET)));
    run(ShuttleConfig::pct()).assert_no_violation();
    let report = run(ShuttleConfig::delay_bounded());
    report.assert_finds(ViolationKind::AssertionFailed);
    shrunk_and_replayed(&check, &report);
}

/// Delay-bounded DFS within 1 delay walks every placement of one delay, in order: it reaches
/// the bug after a few dozen schedules, where PCT at the same budget finds nothing.
#[test]
fn delay_bounded_dfs_finds_an_interrupted_round_robin_pct_misses() {
    let check = interrupted_round_robin(INTERRUPTED_TASKS);
    let run =
        |config: ShuttleConfig| check.run(&Checker::Shuttle(config.iterations(INTERRUPTED_BUDGET)));
    run(ShuttleConfig::pct()).assert_no_violation();
    let report = run(ShuttleConfig::delay_bounded_dfs(1));
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(report.iterations < 100, "{report}");
    shrunk_and_replayed(&check, &report);
}
