//! Lock verdicts that used to be wrong, each under loom, shuttle random and shuttle PCT.
//!
//! - A task that waits on a condvar while it holds an `RwLock` (read or write) another blocked
//!   task wants is a deadlock with its cycle, as with a held `Mutex` (not a lost wakeup).
//! - A lock cycle between tasks of the same name names each task by its id too.
//! - Locking a lock the task already holds (a recursive `Mutex::lock`, a recursive
//!   `RwLock::read`, a write under one's own read) is named at the user's line with the task,
//!   never as loom's or shuttle's own panic.

use concheck::check::{Check, Checker, Report};
use concheck::sync::{Arc, Condvar, Mutex, RwLock};
use concheck::thread;
use concheck::ViolationKind;

/// The model checkers each verdict is checked under (default bounds: each body has at most
/// three tasks and a handful of operations; the whole module runs in well under a second).
fn checkers() -> [Checker; 3] {
    [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
    ]
}

fn cause(report: &Report) -> String {
    let text = report.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("cause: "))
        .unwrap_or_else(|| panic!("the report names no cause:\n{report}"))
        .to_owned()
}

/// 'waiter' holds `outer` (an RwLock, read or write) while it waits on the condvar; 'notifier'
/// must write-lock `outer` before it can notify.
fn wait_holding_rwlock(read: bool) {
    let outer = Arc::new(RwLock::new(()));
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let (outer2, pair2) = (Arc::clone(&outer), Arc::clone(&pair));
    let waiter = thread::Builder::new().name("waiter").spawn(move || {
        let _r;
        let _w;
        if read {
            _r = outer2.read();
        } else {
            _w = outer2.write();
        }
        let mut ready = pair2.0.lock();
        while !*ready {
            ready = pair2.1.wait(ready);
        }
    });
    let notifier = thread::Builder::new().name("notifier").spawn(move || {
        let _held = outer.write();
        *pair.0.lock() = true;
        pair.1.notify_one();
    });
    waiter.join().unwrap();
    notifier.join().unwrap();
}

#[test]
fn condvar_wait_holding_a_wanted_rwlock_is_a_deadlock_with_its_cycle() {
    for read in [true, false] {
        for checker in checkers() {
            let report = Check::new(move || wait_holding_rwlock(read)).run(&checker);
            report.assert_finds(ViolationKind::Deadlock);
            let cause = cause(&report);
            assert!(
                cause.contains("'waiter'")
                    && cause.contains("'notifier'")
                    && cause.contains("holds rwlock")
                    && cause.contains("waits on condvar"),
                "{checker:?} (read: {read}): the cause does not show the cycle through the \
                 wait: {cause}\n{report}"
            );
        }
    }
}

/// AB-BA between two tasks both named 'worker'.
fn ab_ba_same_names() {
    let a = Arc::new(Mutex::new(0));
    let b = Arc::new(Mutex::new(0));
    let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
    let first = thread::Builder::new().name("worker").spawn(move || {
        let _a = a2.lock();
        *b2.lock() += 1;
    });
    let second = thread::Builder::new().name("worker").spawn(move || {
        let _b = b.lock();
        *a.lock() += 1;
    });
    first.join().unwrap();
    second.join().unwrap();
}

#[test]
fn a_lock_cycle_names_tasks_of_the_same_name_by_their_ids() {
    for checker in checkers() {
        let report = Check::new(ab_ba_same_names).run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let cause = cause(&report);
        assert!(
            cause.starts_with("lock cycle:")
                && cause.contains("#1 'worker' holds")
                && cause.contains("#2 'worker' holds"),
            "{checker:?}: the cycle does not tell the two workers apart: {cause}\n{report}"
        );
    }
}

/// The place of the call marked `// <marker>` in this file, as a report prints it.
fn here(marker: &str) -> String {
    let line = include_str!("verdicts_locks.rs")
        .lines()
        .position(|l| l.trim_end().ends_with(&format!("// {marker}")))
        .unwrap_or_else(|| panic!("no line marked {marker}"));
    format!("tests/suite/verdicts_locks.rs:{}:", line + 1)
}

/// Asserts `report` is a `kind` whose message names 'relocker' and the call marked `marker`,
/// whose first site is that call, and which never blames loom's or shuttle's source.
fn assert_named_at(report: &Report, kind: ViolationKind, marker: &str, words: &str) {
    let checker = &report.checker;
    report.assert_finds(kind);
    let v = report.violation().expect("a violation");
    assert!(
        v.message.contains("#1 'relocker'")
            && v.message.contains(&here(marker))
            && v.message.contains(words),
        "{checker}: the message does not name the task, the call and what it means:\n{report}"
    );
    let first = v.sites.first().map(ToString::to_string).unwrap_or_default();
    assert!(
        first.starts_with(&here(marker)),
        "{checker}: the first site is not the user's call: {first}\n{report}"
    );
    let text = report.to_string();
    assert!(
        !text.contains("loom-0") && !text.contains("shuttle-"),
        "{checker}: the report blames the model checker's own source:\n{text}"
    );
}

fn recursive_mutex_lock() {
    let m = Arc::new(Mutex::new(0));
    let relocker = thread::Builder::new().name("relocker").spawn(move || {
        let _first = m.lock();
        let _second = m.lock(); // RELOCK_LINE
    });
    relocker.join().unwrap();
}

#[test]
fn a_recursive_mutex_lock_is_a_deadlock_at_the_users_line() {
    for checker in checkers() {
        let report = Check::new(recursive_mutex_lock).run(&checker);
        assert_named_at(
            &report,
            ViolationKind::Deadlock,
            "RELOCK_LINE",
            "already holds",
        );
    }
}

fn recursive_read() {
    let rw = Arc::new(RwLock::new(0));
    let relocker = thread::Builder::new().name("relocker").spawn(move || {
        let _first = rw.read();
        let _second = rw.read(); // REREAD_LINE
    });
    relocker.join().unwrap();
}

#[test]
fn a_recursive_read_lock_is_a_misuse_at_the_users_line() {
    for checker in checkers() {
        let report = Check::new(recursive_read).run(&checker);
        assert_named_at(
            &report,
            ViolationKind::Misuse,
            "REREAD_LINE",
            "recursive read",
        );
    }
}

fn write_under_own_read() {
    let rw = Arc::new(RwLock::new(0));
    let relocker = thread::Builder::new().name("relocker").spawn(move || {
        let _first = rw.read();
        let _second = rw.write(); // UPGRADE_LINE
    });
    relocker.join().unwrap();
}

#[test]
fn a_write_lock_under_the_tasks_own_read_is_a_deadlock_at_the_users_line() {
    for checker in checkers() {
        let report = Check::new(write_under_own_read).run(&checker);
        assert_named_at(
            &report,
            ViolationKind::Deadlock,
            "UPGRADE_LINE",
            "already holds",
        );
    }
}
