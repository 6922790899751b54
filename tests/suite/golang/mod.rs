//! Go's own concurrency tests, ported onto `concheck::go` as a public suite (as
//! crossbeam-channel does in its `tests/golang.rs`): programs from Go's runtime
//! `src/runtime/chan_test.go`, from `test/chan/*.go`, and from `src/sync/*_test.go` where
//! concheck has the type. Each test names the Go file and test it comes from; none copies
//! Go's code, and each says how it scaled Go's constants down.
//!
//! Every program runs on std threads AND under shuttle random and PCT, and under loom where
//! it fits (at most 4 spawned tasks, a small body), each with explicit bounded iterations and
//! its measured cost (debug test profile, the project's shared 2-core machine) beside it.
//! Goroutines Go's tests leave blocked on purpose (the prime sieve's) are declared with
//! `Check::allow_leak`, and the report must say so.

mod allow_leak;
mod chan_test;
mod once_test;
mod programs;
mod select5;
mod sieve2;
mod sync_test;

use std::time::Duration;

use concheck::check::{Check, Checker, LoomConfig, Report, ShuttleConfig, StdConfig};

/// How many schedules / runs a port asks of each checker.
#[derive(Clone, Copy)]
pub(crate) struct Budget {
    /// std runs.
    pub std: u64,
    /// shuttle random and PCT schedules (each).
    pub shuttle: u64,
    /// loom's preemption bound, or `None` where the program does not fit loom.
    pub loom: Option<usize>,
}

/// The checkers of a port, bounded by `b`: std, shuttle random, shuttle PCT, and loom if asked.
pub(crate) fn checkers(b: Budget) -> Vec<Checker> {
    let mut v = vec![
        Checker::Std(
            StdConfig::new()
                .iterations(b.std)
                .watchdog(Duration::from_secs(10)),
        ),
        Checker::Shuttle(ShuttleConfig::random().iterations(b.shuttle)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(b.shuttle)),
    ];
    if let Some(bound) = b.loom {
        v.push(Checker::Loom(
            LoomConfig::new().preemption_bound(Some(bound)),
        ));
    }
    v
}

/// Runs `check` under every checker of `b` and asserts that none finds a violation.
#[track_caller]
pub(crate) fn passes(check: &Check, b: Budget) -> Vec<Report> {
    check.assert_no_violation(&checkers(b))
}
