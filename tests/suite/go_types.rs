//! Go's types on the facade: `Once`, `Mutex`, `RwMutex`, the weighted semaphore, channel
//! `len`/`cap` and context causes, each under the checkers where its behaviour matters.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use concheck::check::{Check, Checker, ShuttleConfig};
use concheck::go::{self, Context, ContextError, RwMutex, Weighted};
use concheck::sync::Arc;
use concheck::{thread, time, ViolationKind};

#[test]
fn go_rw_mutex_recursive_read_lock_with_a_queued_writer_deadlocks() {
    // Go's sync docs: a goroutine must not rlock recursively, since a writer queued in between
    // blocks the second rlock while it waits for the first to be released.
    let check = Check::new(|| {
        let l = Arc::new(RwMutex::new());
        l.rlock();
        let lw = Arc::clone(&l);
        let writer = thread::Builder::new().name("writer").spawn(move || {
            lw.lock();
            lw.unlock();
        });
        time::sleep(Duration::from_millis(1)); // the writer queues
        l.rlock(); // waits for the writer, which waits for the first rlock
        l.runlock();
        l.runlock();
        writer.join().unwrap();
    });
    for checker in [
        Checker::loom(),
        Checker::Shuttle(ShuttleConfig::random().iterations(100)),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let text = report.to_string();
        assert!(text.contains("RwMutex::rlock"), "{text}");
        assert!(text.contains("RwMutex::lock"), "{text}");
    }
}

#[test]
fn go_rw_mutex_try_locks_respect_the_holder() {
    // try_rlock fails while a writer holds the lock, try_lock while a reader does.
    let l = RwMutex::new();
    l.lock();
    assert!(!l.try_rlock(), "a writer holds the lock");
    l.unlock();
    assert!(l.try_rlock());
    assert!(!l.try_lock(), "a reader holds the lock");
    l.runlock();
    assert!(l.try_lock());
    l.unlock();
}

#[test]
fn go_mutex_unlock_of_unlocked_is_reported() {
    let check = Check::new(|| {
        let m = go::Mutex::new();
        m.lock();
        assert!(!m.try_lock());
        m.unlock();
        m.unlock();
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::Misuse);
    assert!(
        report
            .violation()
            .unwrap()
            .message
            .contains("unlock of an unlocked mutex"),
        "{report}"
    );
    // The message names the mutex by where it was made, as its label does.
    let message = &report.violation().unwrap().message;
    assert!(
        message.starts_with("go mutex created at tests/suite/go_types.rs:"),
        "{message}"
    );
}

#[test]
fn go_once_panic_counts_as_done_and_releases_waiters() {
    let once = go::Once::new();
    let r = catch_unwind(AssertUnwindSafe(|| once.call(|| panic!("init failed"))));
    assert!(r.is_err(), "the panic reaches the first caller");
    assert!(once.is_done());
    let mut ran = false;
    once.call(|| ran = true);
    assert!(!ran, "no call runs the function again after a panic");
}

#[test]
fn go_semaphore_serves_in_order_and_refuses_over_release() {
    let sem = Weighted::new(3);
    let bg = Context::background();
    assert_eq!(sem.acquire(&bg, 2), Ok(()));
    assert!(!sem.try_acquire(2));
    assert!(sem.try_acquire(1));
    let (ctx, cancel) = bg.with_cancel();
    cancel.cancel();
    assert_eq!(sem.acquire(&ctx, 1), Err(ContextError::Canceled));
    sem.release(3);
    let check = Check::new(|| {
        let sem = Weighted::new(1);
        sem.release(1);
    });
    check
        .run(&Checker::loom())
        .assert_finds(ViolationKind::Misuse);
}

#[test]
fn go_channel_len_and_cap() {
    let (tx, rx) = go::channel::<u32>(2);
    assert_eq!((tx.len(), tx.cap(), rx.len(), rx.cap()), (0, 2, 0, 2));
    tx.send(1);
    assert_eq!((tx.len(), rx.len()), (1, 1));
    assert!(!rx.is_empty());
    assert_eq!(rx.recv(), Some(1));
    assert!(tx.is_empty());
    // Capacity 0: a blocked sender's value is not buffered, so len stays 0, as in Go.
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let rx2 = rx.clone();
        let sender = thread::spawn(move || tx.send(7));
        time::sleep(Duration::from_millis(1)); // the sender blocks
        assert_eq!((rx.len(), rx.cap()), (0, 0));
        assert_eq!(rx2.recv(), Some(7));
        sender.join().unwrap();
    });
    check.run(&Checker::loom()).assert_no_violation();
}

#[test]
fn go_context_cause() {
    let bg = Context::background();
    assert!(bg.cause().is_none());
    let (ctx, cancel) = bg.with_cancel_cause();
    let (child, _cancel_child) = ctx.with_cancel();
    assert!(child.cause().is_none(), "not cancelled yet");
    cancel.cancel("disk full");
    cancel.cancel("second cause, ignored");
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    assert_eq!(ctx.cause().unwrap().to_string(), "disk full");
    assert_eq!(child.cause().unwrap().to_string(), "disk full", "inherited");
    // A child made after the cancel is born with it.
    let (late, _c) = ctx.with_cancel();
    assert_eq!(late.cause().unwrap().to_string(), "disk full");
    // Without a cause, the cause is the error.
    let (plain, cancel) = bg.with_cancel();
    cancel.cancel();
    assert_eq!(plain.cause().unwrap().to_string(), "context canceled");
}

/// Rewritten from golang/sync's semaphore_test.go, `TestAllocCancelDoesntStarve`: a large
/// acquire waiting at the head of the queue is cancelled; the small acquire queued behind it,
/// which fits, must then be served rather than left waiting for a release that never comes.
#[test]
fn go_semaphore_cancelled_head_lets_the_waiter_behind_it_in() {
    let check = Check::new(|| {
        let sem = Arc::new(Weighted::new(10));
        let background = Context::background();
        sem.acquire(&background, 1).unwrap();
        let (ctx, cancel) = background.with_cancel();
        let big = {
            let sem = Arc::clone(&sem);
            thread::Builder::new()
                .name("big")
                .spawn(move || sem.acquire(&ctx, 10))
        };
        let small = {
            let sem = Arc::clone(&sem);
            thread::Builder::new()
                .name("small")
                .spawn(move || sem.acquire(&Context::background(), 1))
        };
        cancel.cancel();
        assert_eq!(big.join().unwrap(), Err(ContextError::Canceled));
        assert_eq!(small.join().unwrap(), Ok(()), "served once the head left");
    });
    // Shuttle random and PCT, 500 schedules each: in about half of them `big` queues first.
    for checker in [
        Checker::Shuttle(ShuttleConfig::random().iterations(500)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(500)),
    ] {
        check.run(&checker).assert_no_violation();
    }
}
