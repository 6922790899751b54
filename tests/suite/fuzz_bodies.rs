//! `Check` bodies of random shapes (issue 16 item 5): tasks that panic, spin, spawn and join,
//! spawn and never join, or nest `leak::scope`s, to depth 3. The property is "a clear error or a correct report,
//! never a panic, hang or abort": `Check::run` returns, a body with no panic and no leak is
//! clean, and a body whose main task panics is a violation.
//!
//! Cost: 24 shapes, each under shuttle random (20 schedules) and loom (preemption bound 1):
//! under a second in all on the 2-core machine.

use std::sync::Arc;

use concheck::check::{Check, Checker, LoomConfig, ShuttleConfig};
use concheck::thread;
use proptest::prelude::*;

/// One step of a task.
#[derive(Clone, Debug)]
enum Op {
    /// Panics (the rest of the task does not run).
    Panic,
    /// Yields this many times: a spin the scheduler must interleave.
    Spin(u8),
    /// Spawns a task running these steps and joins it, passing on its panic.
    Join(Vec<Op>),
    /// Spawns a task running these steps and never joins it (the run's scope waits for it).
    Leak(Vec<Op>),
    /// Runs these steps in a nested `leak::scope`.
    Scope(Vec<Op>),
}

fn op() -> impl Strategy<Value = Op> {
    let leaf = prop_oneof![Just(Op::Panic), (0u8..4).prop_map(Op::Spin)];
    // Depth 3, at most 3 steps per task: loom's four tasks are enough for most shapes, and
    // a shape that spawns more is the clear misuse report, not a crash.
    leaf.prop_recursive(3, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Op::Join),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Op::Leak),
            prop::collection::vec(inner, 0..3).prop_map(Op::Scope),
        ]
    })
}

fn run(ops: &[Op]) {
    for op in ops {
        match op {
            Op::Panic => panic!("the body's own panic"),
            Op::Spin(n) => (0..*n).for_each(|_| thread::yield_now()),
            Op::Join(inner) => {
                let inner = inner.clone();
                if thread::spawn(move || run(&inner)).join().is_err() {
                    panic!("a joined task panicked");
                }
            }
            Op::Leak(inner) => {
                let inner = inner.clone();
                drop(thread::spawn(move || run(&inner)));
            }
            Op::Scope(inner) => concheck::leak::scope(|| run(inner)),
        }
    }
}

/// Whether running `ops` can panic in the task that runs them.
fn panics(ops: &[Op]) -> bool {
    ops.iter().any(|op| match op {
        Op::Panic => true,
        Op::Join(inner) | Op::Scope(inner) => panics(inner),
        Op::Spin(_) | Op::Leak(_) => false,
    })
}

/// Whether nothing in `ops` (or below) panics. A task never joined that ends is no leak: the
/// run's scope waits for it.
fn clean(ops: &[Op]) -> bool {
    ops.iter().all(|op| match op {
        Op::Panic => false,
        Op::Spin(_) => true,
        Op::Join(inner) | Op::Leak(inner) | Op::Scope(inner) => clean(inner),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_bodies_get_a_report(ops in prop::collection::vec(op(), 0..4)) {
        let ops = Arc::new(ops);
        let body = Arc::clone(&ops);
        let check = Check::new(move || run(&body));
        for checker in [
            Checker::Shuttle(ShuttleConfig::random().iterations(20)),
            Checker::Loom(LoomConfig::default().preemption_bound(Some(1))),
        ] {
            let report = check.run(&checker);
            if clean(&ops) {
                prop_assert!(report.violation().is_none(), "{:?} under {}: {}", ops, checker.short_name(), report);
            } else if panics(&ops) {
                prop_assert!(report.violation().is_some(), "{:?} under {}: {}", ops, checker.short_name(), report);
            }
        }
    }
}
