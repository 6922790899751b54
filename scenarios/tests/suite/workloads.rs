//! Workload properties: proptest draws workloads (how many workers, items, how much buffering,
//! when the consumer cancels), builds a concheck body from each, and runs it under the model
//! checkers. A reference pattern must show no violation for any workload; a buggy variant fails
//! for some, and proptest shrinks the failure to the smallest workload that still fails, with
//! the concheck report (violation kind, tasks, replay string) as the failure message.
//!
//! # Writing your own workload property
//!
//! This file is the worked example; the steps are:
//!
//! 1. Describe a workload as a plain `Copy` struct and give it a [`Strategy`] built from ranges
//!    ([`workload`]). Put the dimension that matters most first: proptest shrinks a tuple one
//!    field at a time, in order, and does not go back to a field once it has moved on, so the
//!    shrunk workload is minimal field by field. When the failing workloads have one smallest
//!    member, that is where it ends; when they have several (see [`ADD_INSIDE_TASK`]), it
//!    ends at one of them. Use `prop_oneof!` for choices, simplest first (it shrinks towards
//!    the first).
//! 2. Write the body as a function of the workload ([`Pattern::body`]): it creates every
//!    primitive itself, runs the pattern, and asserts what must hold for that workload (the
//!    expected results are computed from the workload, outside the model).
//! 3. Say how many tasks the body spawns and how many may be alive at once
//!    ([`Pattern::spawned`], [`Pattern::max_live`]): the second becomes `max_live_tasks`, the
//!    first decides whether loom can run it (at most [`LOOM_MAX_TASKS`] spawned tasks).
//! 4. Build a [`Check`] per workload and run the checkers; turn a report with a violation into
//!    a `TestCaseError` carrying the whole report ([`verify`]): proptest then prints the shrunk
//!    workload beside the violation and its `replay:` line.
//! 5. Run it with `proptest!` and a config with a small `cases` (each case is a model-checking
//!    run, not a function call) and `failure_persistence: None`.
//!
//! ```ignore
//! proptest! {
//!     #![proptest_config(config(48))]
//!     #[test]
//!     fn my_pattern_passes_every_workload(w in workload()) {
//!         verify(&MY_PATTERN, w, &checkers(&MY_PATTERN, w))?;
//!     }
//! }
//! ```
//!
//! To debug a failure, copy the `replay:` string from the message and run
//! `concheck::check::replay(&pattern.check(shrunk_workload), "shuttle:...")` on it: it runs the
//! failing schedule once, under a debugger or with `println!`.
//!
//! # What the workload reaches
//!
//! The references take the knobs their APIs expose: `worker_pool::run` takes workers and items
//! (its channels are sized inside); `pipeline::first_squares` takes items and cancels after
//! `take` results; `map_bounded` takes items and a limit (the workers); the cancellable workers
//! take all four (the jobs channel's capacity is the caller's). Capacity and cancellation that a
//! pattern ignores shrink to their simplest values.

use std::sync::Arc;

use concheck::check::{Check, Checker, LoomConfig, ShuttleConfig};
use concheck::go::{self, Context, ContextError};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::thread;
use concheck::ViolationKind;
use concheck_scenarios::bounded_parallel::map_bounded;
use concheck_scenarios::{cancellable_worker, pipeline, worker_pool};
use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};

/// When the consumer cancels the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cancel {
    /// Never: every result is wanted.
    Never,
    /// After the consumer has this many results (all of them if there are fewer).
    AfterResults(usize),
}

/// One workload: the knobs a pattern is run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Workload {
    /// Worker tasks (the limit, for bounded parallelism).
    workers: usize,
    /// Jobs handed to the pattern: `1..=items`.
    items: usize,
    /// Capacity of the channel the caller creates (the jobs channel), where the pattern takes one.
    capacity: usize,
    /// When the consumer cancels.
    cancel: Cancel,
}

impl Workload {
    fn jobs(&self) -> Vec<u32> {
        (1..=self.items as u32).collect()
    }

    fn squares(&self) -> Vec<u32> {
        self.jobs().into_iter().map(square).collect()
    }

    /// How many results the consumer takes before it cancels.
    fn wanted(&self) -> usize {
        match self.cancel {
            Cancel::Never => self.items,
            Cancel::AfterResults(k) => k.min(self.items),
        }
    }
}

/// Workers first, then items: shrinking settles the task count before the amount of work.
fn workload() -> impl Strategy<Value = Workload> {
    let cancel = prop_oneof![
        Just(Cancel::Never),
        (0..=4usize).prop_map(Cancel::AfterResults)
    ];
    (1..=3usize, 0..=4usize, 0..=2usize, cancel).prop_map(|(workers, items, capacity, cancel)| {
        Workload {
            workers,
            items,
            capacity,
            cancel,
        }
    })
}

fn square(x: u32) -> u32 {
    x * x
}

/// A body parametrized by a workload, with the task counts the checkers need.
struct Pattern {
    name: &'static str,
    body: fn(Workload),
    /// Tasks the body spawns in one execution, in all.
    spawned: fn(Workload) -> usize,
    /// Tasks the pattern may have alive at once (the check's `max_live_tasks`).
    max_live: fn(Workload) -> usize,
}

impl Pattern {
    fn check(&self, w: Workload) -> Check {
        let body = self.body;
        Check::new(move || body(w)).max_live_tasks((self.max_live)(w))
    }
}

/// loom models at most 4 spawned tasks per execution (5 threads with the body).
const LOOM_MAX_TASKS: usize = 4;

/// The main checker: 200 random schedules (the catalog's 1,000 per body, divided over the many
/// workloads a property runs; seeded, so a run explores the same schedules every time).
fn shuttle() -> Checker {
    Checker::Shuttle(ShuttleConfig::random().iterations(200))
}

/// shuttle for every workload, then loom for every body loom can model: at preemption bound 2
/// for the smallest (spawned tasks + items <= 3), bound 1 otherwise, each capped at 2,000
/// iterations. Measured (debug test build, 2 cores): shuttle's 200 schedules take 10-70 ms for
/// any workload here; loom at bound 1 takes 0.001-0.5 s except the largest worker pool (3
/// workers, 4 items: 82,311 iterations, 21 s), which the cap cuts to about 0.5 s and reports
/// incomplete. The catalog (tests/catalog.rs) runs the fixed bodies at bound 2 uncapped.
fn checkers(pattern: &Pattern, w: Workload) -> Vec<Checker> {
    let mut checkers = vec![shuttle()];
    let spawned = (pattern.spawned)(w);
    if spawned <= LOOM_MAX_TASKS {
        let bound = if spawned + w.items <= 3 { 2 } else { 1 };
        checkers.push(Checker::Loom(
            LoomConfig::new()
                .preemption_bound(Some(bound))
                .iterations(Some(2_000)),
        ));
    }
    checkers
}

/// Runs `pattern` on `w` under each checker; the first violation fails the case with its report,
/// which names the violation kind and carries the `replay:` string.
fn verify(pattern: &Pattern, w: Workload, checkers: &[Checker]) -> Result<(), TestCaseError> {
    let check = pattern.check(w);
    for checker in checkers {
        let report = check.run(checker);
        if let Some(kind) = report.kind() {
            return Err(TestCaseError::fail(format!(
                "{}: {kind} for {w:?} under {}\n{report}",
                pattern.name,
                checker.short_name()
            )));
        }
    }
    Ok(())
}

// ---- the references ----

/// `worker_pool::run`: every job's result exactly once.
const WORKER_POOL: Pattern = Pattern {
    name: "worker_pool",
    body: |w| {
        let mut out = worker_pool::run(w.jobs(), w.workers, square).expect("workers >= 1");
        out.sort_unstable();
        assert_eq!(out, w.squares(), "every job's result exactly once");
    },
    // The workers and the closer.
    spawned: |w| w.workers + 1,
    max_live: |w| w.workers + 1,
};

/// `pipeline::first_squares`: the first `wanted` squares, in order; cancelling ends every stage.
const PIPELINE: Pattern = Pattern {
    name: "pipeline",
    body: |w| {
        let take = match w.cancel {
            Cancel::Never => usize::MAX,
            Cancel::AfterResults(k) => k,
        };
        let out = pipeline::first_squares(w.jobs(), take);
        assert_eq!(
            out,
            w.squares()[..w.wanted()],
            "the first squares, in order"
        );
    },
    // generate and square.
    spawned: |_| 2,
    max_live: |_| 2,
};

/// `map_bounded` with `limit = workers`: results in input order, never more than `limit` calls
/// of `f` at once.
const BOUNDED_PARALLEL: Pattern = Pattern {
    name: "bounded_parallel",
    body: |w| {
        let (working, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let f = {
            let peak = Arc::clone(&peak);
            move |x: u32| {
                let now = working.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                working.fetch_sub(1, Ordering::SeqCst);
                square(x)
            }
        };
        let out = map_bounded(w.jobs(), w.workers, f).expect("limit >= 1");
        assert_eq!(out, w.squares(), "every result, in input order");
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            peak <= w.workers,
            "{peak} calls at once, limit {}",
            w.workers
        );
    },
    // One task per item, at most `limit` alive.
    spawned: |w| w.items,
    max_live: |w| w.workers,
};

/// `cancellable_worker::run` on `workers` tasks sharing a jobs channel of `capacity`; the caller
/// hands out every job, takes `wanted` results, then cancels.
const CANCELLABLE_WORKERS: Pattern = Pattern {
    name: "cancellable_workers",
    body: |w| {
        let (ctx, cancel) = Context::background().with_cancel();
        let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", w.capacity);
        // Room for every result: a worker never blocks handing one back, so a cancel can only
        // find it in its select, and the caller's sends always complete.
        let (handled_tx, handled_rx) = go::named::<u32>("handled", w.items);
        let workers: Vec<_> = (0..w.workers)
            .map(|i| {
                let (ctx, jobs_rx, handled_tx) = (ctx.clone(), jobs_rx.clone(), handled_tx.clone());
                thread::Builder::new()
                    .name(format!("worker-{i}"))
                    .spawn(move || {
                        cancellable_worker::run(&ctx, &jobs_rx, |j| handled_tx.send(square(j)))
                    })
            })
            .collect();
        // A plain send: on a capacity-0 channel it meets the workers' select receive.
        for job in w.jobs() {
            jobs_tx.send(job);
        }
        jobs_tx.close();
        let mut got: Vec<u32> = (0..w.wanted())
            .map(|_| handled_rx.recv().expect("handled is never closed"))
            .collect();
        if let Cancel::AfterResults(_) = w.cancel {
            cancel.cancel();
        }
        let mut handled_by_ok = 0;
        for h in workers {
            match h.join().expect("worker panicked") {
                Ok(n) => handled_by_ok += n,
                Err(e) => {
                    assert_eq!(e, ContextError::Canceled);
                    assert_ne!(w.cancel, Cancel::Never, "cancelled without a cancel");
                }
            }
        }
        cancel.cancel();
        while let Ok(v) = handled_rx.try_recv() {
            got.push(v);
        }
        got.sort_unstable();
        let all = w.squares();
        assert!(
            got.windows(2).all(|p| p[0] < p[1]) && got.iter().all(|v| all.contains(v)),
            "each job handled at most once: {got:?}"
        );
        assert!(
            handled_by_ok <= got.len(),
            "a worker's count is its results"
        );
        if w.wanted() == w.items {
            assert_eq!(got, all, "every job handled when every result was wanted");
        }
        if w.cancel == Cancel::Never {
            assert_eq!(
                handled_by_ok, w.items,
                "no cancel: every worker ran out of jobs"
            );
        }
    },
    spawned: |w| w.workers,
    max_live: |w| w.workers,
};

/// Every case is a model-checking run; the persistence file is off because it would be written
/// into the source tree (`scenarios/tests/proptest-regressions/`) by any failing run, CI or
/// local: a failure's message already carries the shrunk workload and the replay string, and a
/// workload worth keeping belongs in a named test, not a file the next run silently replays.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn worker_pool_passes_every_workload(w in workload()) {
        verify(&WORKER_POOL, w, &checkers(&WORKER_POOL, w))?;
    }

    #[test]
    fn pipeline_passes_every_workload(w in workload()) {
        verify(&PIPELINE, w, &checkers(&PIPELINE, w))?;
    }

    #[test]
    fn bounded_parallel_passes_every_workload(w in workload()) {
        verify(&BOUNDED_PARALLEL, w, &checkers(&BOUNDED_PARALLEL, w))?;
    }

    #[test]
    fn cancellable_workers_pass_every_workload(w in workload()) {
        verify(&CANCELLABLE_WORKERS, w, &checkers(&CANCELLABLE_WORKERS, w))?;
    }
}

// ---- buggy variants: proptest must find a failing workload and shrink it ----

/// The reference pool with a racy work function: it counts processed jobs with a load and a
/// store instead of one `fetch_add`. Two calls of the work function must overlap for an update
/// to be lost, so it fails exactly when `workers >= 2` and `items >= 2`: one worker runs the
/// calls one after another, and one item is one call. Capacity and cancellation play no part.
/// The smallest failing workload is therefore unique: 2 workers, 2 items, capacity 0, no cancel.
const RACY_COUNT_POOL: Pattern = Pattern {
    name: "worker_pool_racy_count",
    body: |w| {
        let processed = Arc::new(AtomicUsize::new(0));
        let work = {
            let processed = Arc::clone(&processed);
            move |x: u32| {
                // BUG: load, then store: two workers can both load the same count.
                let n = processed.load(Ordering::SeqCst);
                processed.store(n + 1, Ordering::SeqCst);
                square(x)
            }
        };
        let out = worker_pool::run(w.jobs(), w.workers, work).expect("workers >= 1");
        assert_eq!(out.len(), w.items, "every job's result");
        assert_eq!(
            processed.load(Ordering::SeqCst),
            w.items,
            "every processed job counted"
        );
    },
    spawned: |w| w.workers + 1,
    max_live: |w| w.workers + 1,
};

/// `worker_pool::add_inside_task` with the workload's workers, items and results capacity:
/// `wg.add(1)` inside each worker. It has two smallest failing workloads, neither smaller than
/// the other: 1 worker and 1 item (the closer's wait sees zero and closes `results` before the
/// worker sends: a send after close, or the caller counting 0 results), and 2 workers and 0
/// items (the second worker's add from zero while the closer is still in its wait: a waitgroup
/// misuse). Which one proptest reaches depends on the first failing workload it drew.
const ADD_INSIDE_TASK: Pattern = Pattern {
    name: "worker_pool_add_inside_task",
    body: |w| {
        let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", w.items);
        let (results_tx, results_rx) = go::named::<u32>("results", w.capacity);
        let wg = Arc::new(concheck::go::WaitGroup::new());
        for i in 0..w.workers {
            let (jobs_rx, results_tx, wg) = (jobs_rx.clone(), results_tx.clone(), Arc::clone(&wg));
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    wg.add(1); // BUG: the closer may already have seen zero
                    for job in &jobs_rx {
                        results_tx.send(square(job));
                    }
                    wg.done();
                });
        }
        thread::Builder::new().name("closer").spawn(move || {
            wg.wait();
            results_tx.close();
        });
        for job in w.jobs() {
            jobs_tx.send(job);
        }
        jobs_tx.close();
        assert_eq!(results_rx.iter().count(), w.items, "every job's result");
    },
    spawned: |w| w.workers + 1,
    max_live: |w| w.workers + 1,
};

/// Runs proptest by hand on `pattern` (shuttle only, a fixed proptest seed so the drawn workloads
/// are the same on every run) and returns the shrunk workload with the failure message.
fn shrink_failure(pattern: &Pattern) -> (Workload, String) {
    let mut runner =
        TestRunner::new_with_rng(config(64), TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    match runner.run(&workload(), |w| verify(pattern, w, &[shuttle()])) {
        Err(TestError::Fail(reason, shrunk)) => (shrunk, reason.message().to_owned()),
        Err(TestError::Abort(reason)) => panic!("{}: proptest aborted: {reason}", pattern.name),
        Ok(()) => panic!(
            "{}: no failing workload in 64 cases: the checker no longer finds the bug",
            pattern.name
        ),
    }
}

/// The `replay:` string of a failure message (the report's last line).
fn replay_of(message: &str) -> &str {
    message
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay: "))
        .unwrap_or_else(|| panic!("the failure message carries no replay string:\n{message}"))
}

#[test]
fn worker_pool_racy_count_shrinks_to_the_smallest_workload() {
    let (shrunk, message) = shrink_failure(&RACY_COUNT_POOL);
    let smallest = Workload {
        workers: 2,
        items: 2,
        capacity: 0,
        cancel: Cancel::Never,
    };
    let replay = replay_of(&message);
    assert_eq!(
        shrunk, smallest,
        "shrunk to {shrunk:?}, not the smallest failing workload; replay {replay}\n{message}"
    );
    assert!(
        message.contains(ViolationKind::AssertionFailed.name()),
        "the message names the violation kind:\n{message}"
    );
    // The reasoning behind `smallest`: one fewer worker or item passes.
    for smaller in [
        Workload {
            workers: 1,
            ..smallest
        },
        Workload {
            items: 1,
            ..smallest
        },
    ] {
        let checkers = checkers(&RACY_COUNT_POOL, smaller);
        if let Err(e) = verify(&RACY_COUNT_POOL, smaller, &checkers) {
            panic!("{smaller:?} is smaller and fails too:\n{e}");
        }
    }
    let again = concheck::check::replay(&RACY_COUNT_POOL.check(shrunk), replay)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        again.kind(),
        Some(ViolationKind::AssertionFailed),
        "replaying {replay} on {shrunk:?} reproduces the lost update:\n{again}"
    );
    println!("shrunk workload: {shrunk:?}\nreplay: {replay}\n{message}");
}

#[test]
fn worker_pool_add_inside_task_shrinks_to_a_minimal_workload() {
    let (shrunk, message) = shrink_failure(&ADD_INSIDE_TASK);
    let minimal = |workers, items| Workload {
        workers,
        items,
        capacity: 0,
        cancel: Cancel::Never,
    };
    let replay = replay_of(&message);
    assert!(
        shrunk == minimal(1, 1) || shrunk == minimal(2, 0),
        "shrunk to {shrunk:?}, neither minimal failing workload; replay {replay}\n{message}"
    );
    let again = concheck::check::replay(&ADD_INSIDE_TASK.check(shrunk), replay)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        again.kind().is_some_and(|k| message.contains(k.name())),
        "replaying {replay} on {shrunk:?} reproduces the violation of the message:\n{again}\n{message}"
    );
    println!("shrunk workload: {shrunk:?}\nreplay: {replay}\n{message}");
}
