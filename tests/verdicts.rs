//! Verdicts that used to be wrong, each under loom and shuttle: the violation's kind and its
//! named cause must say what happened.
//!
//! - A negative WaitGroup counter is explained by the `done` that took it below zero, not as
//!   an `add` racing a `wait`.
//! - A lock cycle through an `RwLock` names the `RwLock`'s holder.

use concheck::check::{Check, Checker, Report};
use concheck::go::WaitGroup;
use concheck::sync::{Arc, Mutex, RwLock};
use concheck::thread;
use concheck::ViolationKind;

/// The model checkers every verdict is checked under (default bounds: each body below has at
/// most three tasks and a handful of operations; all of them together run in well under a
/// second).
fn checkers() -> [Checker; 2] {
    [Checker::loom(), Checker::shuttle_random()]
}

fn cause(report: &Report) -> String {
    let text = report.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("cause: "))
        .unwrap_or_else(|| panic!("the report names no cause:\n{report}"))
        .to_owned()
}

/// One add, two dones: the second done takes the counter to -1 while main waits.
fn one_done_too_many() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    for i in 0..2 {
        let wg = Arc::clone(&wg);
        thread::Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || wg.done());
    }
    wg.wait();
}

#[test]
fn negative_wait_group_is_explained_by_the_done_that_took_it_below_zero() {
    for checker in checkers() {
        let report = Check::new(one_done_too_many).run(&checker);
        report.assert_finds(ViolationKind::WaitGroupMisuse);
        let cause = cause(&report);
        assert!(
            cause.contains("done at") && cause.contains("below zero"),
            "{checker:?}: the cause does not name the done that went below zero: {cause}\n{report}"
        );
        assert!(
            !cause.contains("called add"),
            "{checker:?}: a negative counter explained as an add racing a wait: {cause}"
        );
    }
}

/// 'writer' holds the RwLock for writing and wants the mutex; 'locker' holds the mutex and
/// wants the RwLock.
fn rwlock_ab_ba() {
    let rw = Arc::new(RwLock::new(0));
    let m = Arc::new(Mutex::new(0));
    let (rw2, m2) = (Arc::clone(&rw), Arc::clone(&m));
    let writer = thread::Builder::new().name("writer").spawn(move || {
        let _w = rw2.write();
        *m2.lock() += 1;
    });
    let locker = thread::Builder::new().name("locker").spawn(move || {
        let _g = m.lock();
        *rw.write() += 1;
    });
    writer.join().unwrap();
    locker.join().unwrap();
}

#[test]
fn rwlock_holder_appears_in_the_lock_cycle() {
    for checker in checkers() {
        let report = Check::new(rwlock_ab_ba).run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let cause = cause(&report);
        assert!(
            cause.starts_with("lock cycle:")
                && cause.contains("'writer' holds rwlock")
                && cause.contains("'locker' holds mutex"),
            "{checker:?}: the cycle leaves out a holder: {cause}\n{report}"
        );
    }
}
