//! Verdicts that used to be wrong, each under loom and shuttle: the violation's kind and its
//! named cause must say what happened.
//!
//! - A negative WaitGroup counter is explained by the `done` that took it below zero, not as
//!   an `add` racing a `wait`.
//! - A lock cycle through an `RwLock` names the `RwLock`'s holder.
//! - A task that holds a lock while it waits on a condvar, and a task blocked on that lock,
//!   are a deadlock (nested monitor lockout), not a lost wakeup.
//! - A `notify_one` that wakes the wrong kind of waiter on a shared condvar is named as the
//!   cause of the lost wakeup, not a notify that came before the wait.
//! - A task stuck on a timer's channel is traced, so its leak has a cause and an interleaving.

use concheck::check::{Check, Checker, Report};
use concheck::go::WaitGroup;
use concheck::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use concheck::thread;
use concheck::time;
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
/// 'waiter' locks `outer`, then waits on `cv` (releasing only `inner`); 'notifier' must lock
/// `outer` before it can notify, so it blocks behind the waiter forever.
fn wait_while_holding_a_lock() {
    let outer = Arc::new(Mutex::new(()));
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let (outer2, pair2) = (Arc::clone(&outer), Arc::clone(&pair));
    let waiter = thread::Builder::new().name("waiter").spawn(move || {
        let _held = outer2.lock();
        let mut ready = pair2.0.lock();
        while !*ready {
            ready = pair2.1.wait(ready);
        }
    });
    let notifier = thread::Builder::new().name("notifier").spawn(move || {
        let _held = outer.lock();
        *pair.0.lock() = true;
        pair.1.notify_one();
    });
    waiter.join().unwrap();
    notifier.join().unwrap();
}

#[test]
fn condvar_wait_holding_a_wanted_lock_is_a_deadlock_with_its_cycle() {
    for checker in checkers() {
        let report = Check::new(wait_while_holding_a_lock).run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let cause = cause(&report);
        assert!(
            cause.contains("'waiter'")
                && cause.contains("'notifier'")
                && cause.contains("holds mutex")
                && cause.contains("waits on condvar"),
            "{checker:?}: the cause does not show the cycle through the wait: {cause}\n{report}"
        );
    }
}

/// A queue of capacity 1 whose producer and consumers wait on one condvar, notified with
/// `notify_one` (the seeded bug of examples/bounded_queue, whose body this is): a notify meant
/// for the producer can wake a consumer, which waits again, and the producer sleeps forever.
fn shared_condvar_queue() {
    let queue = Arc::new((Mutex::new(Vec::<u32>::new()), Condvar::new()));
    let producer = {
        let queue = Arc::clone(&queue);
        thread::Builder::new().name("producer").spawn(move || {
            for item in [1, 2] {
                let mut items = queue.0.lock();
                while !items.is_empty() {
                    items = queue.1.wait(items);
                }
                items.push(item);
                queue.1.notify_one();
            }
        })
    };
    let consumers: Vec<_> = (0..2)
        .map(|i| {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name(format!("consumer-{i}"))
                .spawn(move || {
                    let mut items = queue.0.lock();
                    while items.is_empty() {
                        items = queue.1.wait(items);
                    }
                    items.pop();
                    queue.1.notify_one();
                })
        })
        .collect();
    producer.join().unwrap();
    for c in consumers {
        c.join().unwrap();
    }
}

#[test]
fn shared_condvar_lost_wakeup_names_the_notify_that_woke_the_wrong_waiter() {
    for checker in checkers() {
        let report = Check::new(shared_condvar_queue).run(&checker);
        report.assert_finds(ViolationKind::LostWakeup);
        let cause = cause(&report);
        assert!(
            cause.contains("notify_one at")
                && cause.contains("waits again")
                && cause.contains("was never woken"),
            "{checker:?}: the cause does not say which waiter the notify woke: {cause}\n{report}"
        );
        assert!(
            !cause.contains("woke nobody"),
            "{checker:?}: a notify that woke a waiter is said to have woken nobody: {cause}"
        );
    }
}

/// 'waiter' stops a timer, then receives from its channel: a stopped timer never fires, so the
/// task outlives the body (Go's classic `if !t.Stop() { <-t.C }` drained once too often).
fn receive_from_a_stopped_timer() {
    let waiter = thread::Builder::new().name("waiter").spawn(|| {
        let timer = time::Timer::new(Duration::from_millis(5));
        timer.stop();
        timer.receiver().recv();
    });
    drop(waiter);
}

#[test]
fn a_leak_on_a_timer_channel_has_a_cause_and_an_interleaving() {
    for checker in checkers() {
        let report = Check::new(receive_from_a_stopped_timer).run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let cause = cause(&report);
        assert!(
            cause.contains("'waiter'") && cause.contains("timer from tests/suite/verdicts.rs"),
            "{checker:?}: the cause does not name the timer's channel: {cause}\n{report}"
        );
        assert!(
            report.to_string().contains("interleaving"),
            "{checker:?}: no interleaving:\n{report}"
        );
    }
}
