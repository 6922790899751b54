//! shuttle's per-schedule stderr lines (`Test deadlocked, and SHUTTLE_CAPTURE_BACKTRACE is not
//! set...`, `test panicked in task '...'`) stay out of a test's output, as the docs promise:
//! the report says it all. The check runs in a child process of this test binary with
//! `--nocapture` (libtest's capture would hide the lines anyway), the way the bounded_queue
//! example's README runs its tests.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use concheck::check::{Check, Checker};
use concheck::ViolationKind;

use crate::common::lost_wakeup;

const CHILD: &str = "CONCHECK_QUIET_STDERR_CHILD";
const NAME: &str = "quiet_stderr::shuttle_schedule_lines_stay_out_of_stderr";

/// In the child: a shuttle search that fails schedules (the lost wakeup is a deadlock for
/// shuttle), with a line of the body's own on stderr that must still get through.
fn child() {
    static SAID: AtomicBool = AtomicBool::new(false);
    eprintln!("child: before the check");
    let report = Check::new(|| {
        if !SAID.swap(true, Ordering::SeqCst) {
            eprintln!("child: the body's own line");
        }
    })
    .run(&Checker::shuttle_random());
    report.assert_no_violation();
    // 50 schedules, a few ms: enough for the search, its shrinking and its trace to fail
    // dozens of schedules.
    let report = lost_wakeup().run(&Checker::Shuttle(
        concheck::check::ShuttleConfig::random().iterations(50),
    ));
    report.assert_finds(ViolationKind::LostWakeup);
    eprintln!("child: after the check");
}

fn stderr_of_child(show_panics: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("CONCHECK_SHOW_PANICS", show_panics)
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run this test binary again");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the child failed:\n{stderr}");
    stderr
}

#[test]
fn shuttle_schedule_lines_stay_out_of_stderr() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let quiet = stderr_of_child("0");
    for line in ["Test deadlocked, and SHUTTLE", "test panicked in task"] {
        assert!(!quiet.contains(line), "{line:?} printed:\n{quiet}");
    }
    for line in [
        "child: before the check",
        "child: the body's own line",
        "child: after the check",
    ] {
        assert!(quiet.contains(line), "{line:?} lost:\n{quiet}");
    }
    // With CONCHECK_SHOW_PANICS=1 shuttle's lines are there: the filter is what removed them.
    let loud = stderr_of_child("1");
    assert!(
        loud.contains("Test deadlocked, and SHUTTLE_CAPTURE_BACKTRACE is not set"),
        "{loud}"
    );
}
