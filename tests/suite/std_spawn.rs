//! A `std::thread::spawn` inside a checked body is a misuse named as such, with the fix.
//!
//! loom and shuttle schedule only the tasks spawned through the facade; a std thread runs
//! beside the model, and its first touch of a model primitive is reported in the execution that
//! built the primitive, ahead of the hang or the failed join that follows. A primitive that
//! really escaped its run (kept in a static, used after the check) still says it escaped.

use std::panic::{catch_unwind, AssertUnwindSafe};

use concheck::check::{Check, Checker, LoomConfig, Report, ShuttleConfig};
use concheck::go;
use concheck::sync::{Arc, Condvar, Mutex};
use concheck::ViolationKind;

/// loom at preemption bound 1 (each body fails in its first execution, in about a millisecond
/// plus the report's wait for the std thread, `rt::live::STRAY_GRACE`).
fn loom() -> Checker {
    Checker::Loom(LoomConfig::new().preemption_bound(Some(1)))
}

/// shuttle random, 200 schedules (each body fails in its first).
fn shuttle() -> Checker {
    Checker::Shuttle(ShuttleConfig::random().iterations(200))
}

/// The report is the misuse of a std thread, naming the cause and the fix at the test's line.
fn assert_std_spawn(report: &Report, what: &str) {
    report.assert_finds(ViolationKind::Misuse);
    let v = report.violation().unwrap();
    assert!(
        v.message.contains(&format!("a {what} built for"))
            && v.message.contains("std::thread::spawn")
            && v.message.contains("concheck::thread::spawn"),
        "the report should name std::thread::spawn and the fix: {report}"
    );
    assert!(
        v.sites.iter().any(|s| s.file.ends_with("std_spawn.rs")),
        "the site should be the body's line: {report}"
    );
}

/// The body joins a std thread that locks a model mutex.
fn joined_lock() -> Check {
    Check::new(|| {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let h = std::thread::spawn(move || {
            *m2.lock() += 1;
        });
        // The join fails (the std thread panicked): unwrapping it panics the body too.
        h.join().unwrap();
    })
}

#[test]
fn joined_std_thread_is_misuse_under_loom() {
    assert_std_spawn(&joined_lock().run(&loom()), "Mutex");
}

#[test]
fn joined_std_thread_is_misuse_under_shuttle() {
    assert_std_spawn(&joined_lock().run(&shuttle()), "Mutex");
}

#[test]
fn ignored_failed_join_is_still_misuse() {
    // The body ignores the failed join and returns: the misuse still fails the execution.
    let check = Check::new(|| {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let _ = std::thread::spawn(move || {
            *m2.lock() += 1;
        })
        .join();
    });
    for checker in [loom(), shuttle()] {
        assert_std_spawn(&check.run(&checker), "Mutex");
    }
}

/// A real rendezvous between the body and the std thread it spawns, before either touches a
/// model primitive: the test then does not depend on how soon a loaded machine starts the
/// thread. Without it the std thread's first touch races the model's finding of the hang, and
/// the report waits `rt::live::STRAY_GRACE` (20 ms) for it; a thread started later than that
/// gets the hang's report instead, which is what a test on a busy CI machine must not depend on.
fn started() -> (
    std::sync::Arc<std::sync::Barrier>,
    std::sync::Arc<std::sync::Barrier>,
) {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    (std::sync::Arc::clone(&barrier), barrier)
}

/// The body waits on a channel that only the std thread would send on: the model finds the
/// body blocked, but the report is the std thread's misuse, not a deadlock.
fn unjoined_channel() -> Check {
    Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let (here, there) = started();
        std::thread::spawn(move || {
            there.wait();
            tx.send(1);
        });
        here.wait();
        rx.recv();
    })
}

#[test]
fn unjoined_std_thread_sending_is_misuse_not_deadlock() {
    for checker in [loom(), shuttle()] {
        assert_std_spawn(&unjoined_channel().run(&checker), "Mutex");
    }
}

#[test]
fn unjoined_std_thread_notifying_is_misuse_not_lost_wakeup() {
    let check = Check::new(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let pair2 = Arc::clone(&pair);
        let (here, there) = started();
        std::thread::spawn(move || {
            there.wait();
            *pair2.0.lock() = true;
            pair2.1.notify_one();
        });
        here.wait();
        let mut ready = pair.0.lock();
        while !*ready {
            ready = pair.1.wait(ready);
        }
    });
    for checker in [loom(), shuttle()] {
        assert_std_spawn(&check.run(&checker), "Mutex");
    }
}

#[test]
fn primitive_kept_past_its_run_still_escaped() {
    static KEPT: std::sync::Mutex<Option<Mutex<u32>>> = std::sync::Mutex::new(None);
    for checker in [loom(), shuttle()] {
        let check = Check::new(|| {
            *KEPT.lock().unwrap() = Some(Mutex::new(0));
        });
        let _ = check.run(&checker);
        let kept = KEPT.lock().unwrap().take().unwrap();
        let message = catch_unwind(AssertUnwindSafe(|| {
            drop(kept.lock());
        }))
        .map(|_| String::new())
        .unwrap_or_else(|p| p.downcast_ref::<String>().cloned().unwrap_or_default());
        assert!(
            message.contains("escaped its checker run"),
            "a mutex used after its run ended should say it escaped: {message:?}"
        );
        // Forgotten: its model lock belongs to a run that is over.
        std::mem::forget(kept);
    }
}
