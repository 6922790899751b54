//! The strategies beyond shuttle's random and PCT (POS, iterative-deepening PCT, random delay
//! bounding, the portfolio): each finds the catalog's twins, its failures shrink and replay
//! from the report's string, it reports nothing on reference patterns, and the portfolio names
//! the member that found a bug.

use concheck::check::{replay, Check, Checker, Report, ShuttleConfig};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::Arc;
use concheck::thread;
use concheck::ViolationKind;
use concheck_scenarios::{catalog, Scenario};

fn scenario(name: &str) -> Scenario {
    catalog()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name} in the catalog"))
}

/// The new strategies at a small budget: 200 schedules (each twin below falls within 30 under
/// every one of them; the whole test takes about a second in debug builds).
fn strategies() -> [ShuttleConfig; 4] {
    [
        ShuttleConfig::pos(),
        ShuttleConfig::pct_deepening(),
        ShuttleConfig::delay_bounded(),
        ShuttleConfig::portfolio(),
    ]
    .map(|c| c.iterations(200))
}

/// The report's replay string runs the shrunk run it describes.
fn assert_shrunk_and_replays(check: &Check, report: &Report) {
    let shrunk = report
        .shrunk
        .unwrap_or_else(|| panic!("a failing shuttle report says how it shrank: {report}"));
    assert!(
        (shrunk.preemptions_after, shrunk.steps_after)
            <= (shrunk.preemptions_before, shrunk.steps_before),
        "{report}"
    );
    let again = replay(check, report.replay.as_deref().unwrap()).unwrap();
    assert_eq!(again.violation(), report.violation(), "{again}\n{report}");
}

/// A lost wakeup, a check-then-close race, an AB-BA deadlock and a lost update by
/// load-then-store, each needing one preemption.
const TWINS: [(&str, ViolationKind); 4] = [
    ("ready_flag_lost_wakeup", ViolationKind::LostWakeup),
    (
        "channel_hazards_check_then_close",
        ViolationKind::DoubleClose,
    ),
    ("lock_order_ab_ba", ViolationKind::Deadlock),
    ("token_bucket_lost_update", ViolationKind::AssertionFailed),
];

#[test]
fn every_strategy_finds_the_twins_and_its_failures_shrink_and_replay() {
    for (name, kind) in TWINS {
        let check = scenario(name).check();
        for config in strategies() {
            let label = config.strategy.short_name();
            let report = check.run(&Checker::Shuttle(config));
            assert_eq!(report.kind(), Some(kind), "{name} under {label}: {report}");
            assert_shrunk_and_replays(&check, &report);
        }
    }
}

#[test]
fn no_strategy_reports_a_violation_on_the_references() {
    for name in ["ready_flag", "lock_order", "channel_hazards_close_once"] {
        let Some(s) = catalog().into_iter().find(|s| s.name == name) else {
            panic!("no reference scenario {name}");
        };
        let check = s.check();
        for config in strategies() {
            let label = config.strategy.short_name();
            let report = check.run(&Checker::Shuttle(config));
            assert_eq!(report.kind(), None, "{name} under {label}: {report}");
        }
    }
}

#[test]
fn the_portfolio_names_the_member_that_found_the_bug() {
    let check = scenario("ready_flag_lost_wakeup").check();
    let report = check.run(&Checker::Shuttle(
        ShuttleConfig::portfolio().iterations(200).workers(2),
    ));
    report.assert_finds(ViolationKind::LostWakeup);
    let named = ["pct", "pos", "random", "pct-deepening", "delay"]
        .iter()
        .any(|m| report.checker.contains(&format!(" running {m} (seed")));
    assert!(named, "the report names the member: {}", report.checker);
    assert_shrunk_and_replays(&check, &report);
}

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
    assert_shrunk_and_replays(&check, &report);
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
    assert_shrunk_and_replays(&check, &report);
}
