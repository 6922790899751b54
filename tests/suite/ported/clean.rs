//! concurrent-queue's loom suite against the vendored crate as published (but for its loom
//! import path): no checker may find a violation.

use concheck::check::{Check, Checker, LoomConfig, ShuttleConfig};
pub(super) use concurrent_queue as queue;

// The suite is compiled twice, against the clean and the seeded crate (`seeded.rs`); its
// vendored loops stay as upstream wrote them.
#[allow(clippy::duplicate_mod, clippy::while_let_loop)]
#[path = "concurrent_queue_loom.rs"]
mod loom_suite;

/// Shuttle schedules per strategy: a few hundred, the bound the suite keeps for `cargo test`.
pub(super) const SCHEDULES: u64 = 300;

/// The checkers each queue of the suite runs under, in order.
pub(super) fn checkers() -> [Checker; 5] {
    [
        // Preemption bound 1: upstream's CI runs these tests with a low preemption bound too;
        // at bound 2 the unbounded queue's run alone takes tens of seconds in a debug build
        // (at bound 1: 1,206 executions, 0.3-0.4 s).
        Checker::Loom(LoomConfig::new().preemption_bound(Some(1))),
        Checker::Shuttle(ShuttleConfig::random().iterations(SCHEDULES)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(SCHEDULES)),
        Checker::Shuttle(ShuttleConfig::pos().iterations(SCHEDULES)),
        Checker::std(),
    ]
}

/// Runs one queue's body under every checker; none may find a violation (a report that did
/// panics with itself and its replay string).
fn run(queue: &str, check: Check) {
    for report in check.assert_no_violation(&checkers()) {
        eprintln!("{queue}: {report}");
    }
}
