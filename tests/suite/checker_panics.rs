//! A panic raised inside loom's or shuttle's own source that is not one of their verdicts is a
//! misuse reported at the body's line, not the task's panic at the checker's file.
//!
//! Both checkers assert that a fence is not `Relaxed` in their own code (loom's
//! `rt/atomic.rs`, shuttle's `sync/atomic/mod.rs`); the facade passes the ordering through, as
//! std's `fence` does, so the body reaches each checker's assertion through the public API.

use concheck::check::{Check, Checker, LoomConfig, Report, ShuttleConfig};
use concheck::sync::atomic::{fence, Ordering};
use concheck::ViolationKind;

/// A body whose only task fences with `Relaxed`.
fn relaxed_fence() -> Check {
    Check::new(|| {
        fence(Ordering::Relaxed);
    })
}

/// The report is a misuse at this file's line, naming the checker's text and its meaning.
fn assert_internal(report: &Report, checker: &str) {
    report.assert_finds(ViolationKind::Misuse);
    let v = report.violation().unwrap();
    assert!(
        v.message
            .starts_with(&format!("{checker} failed inside its own code"))
            && v.message.contains("relaxed fence")
            && v.message.contains("use Acquire, Release, AcqRel or SeqCst"),
        "the report should say the checker failed and what the text means: {report}"
    );
    assert!(
        !v.sites.is_empty()
            && v.sites
                .iter()
                .all(|s| s.file.ends_with("checker_panics.rs")),
        "the site should be the body's fence, not the checker's file: {report}"
    );
}

#[test]
fn relaxed_fence_under_loom_is_misuse_at_the_body() {
    // One execution, about a millisecond.
    let report = relaxed_fence().run(&Checker::Loom(LoomConfig::new().preemption_bound(Some(1))));
    assert_internal(&report, "loom");
}

#[test]
fn relaxed_fence_under_shuttle_is_misuse_at_the_body() {
    // Fails in its first schedule.
    let report = relaxed_fence().run(&Checker::Shuttle(ShuttleConfig::random().iterations(200)));
    assert_internal(&report, "shuttle");
}
