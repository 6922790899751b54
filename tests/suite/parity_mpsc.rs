//! `sync::mpsc` under loom, shuttle random and PCT, and std: std's semantics (order, disconnect
//! both ways, rendezvous) hold in every explored schedule, and a receiver or rendezvous sender
//! blocked forever is reported naming its operation. Cases after std's own channel tests
//! (library/std/src/sync/mpsc/tests.rs: smoke, port_gone, rendezvous behaviour), rewritten.
//!
//! Bounds: loom preemption bound 2 and shuttle 300 schedules (see `loom_parity`); the whole
//! module takes about 1 s in a debug build.

use std::time::Duration;

use concheck::check::Check;
use concheck::sync::mpsc::{self, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use concheck::{thread, ViolationKind};

use super::loom_parity::{assert_clean_everywhere, models};

/// Two producers send one value each; the receiver drains until both senders are dropped.
#[test]
fn two_producers_deliver_everything_then_disconnect() {
    let check = Check::new(|| {
        let (tx, rx) = mpsc::channel::<u32>();
        let tx2 = tx.clone();
        let a = thread::spawn(move || tx.send(1).unwrap());
        let b = thread::spawn(move || tx2.send(2).unwrap());
        let mut got: Vec<u32> = rx.iter().collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2], "a value was lost or duplicated");
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        a.join().unwrap();
        b.join().unwrap();
    });
    assert_clean_everywhere(&check);
}

/// A send racing the receiver's drop either lands (before the drop) or gets its value back.
#[test]
fn send_after_the_receiver_is_dropped_returns_the_value() {
    let check = Check::new(|| {
        let (tx, rx) = mpsc::sync_channel::<String>(1);
        let dropper = thread::spawn(move || drop(rx));
        match tx.send("v".to_owned()) {
            Ok(()) => {}
            Err(SendError(v)) => assert_eq!(v, "v", "the value must come back"),
        }
        dropper.join().unwrap();
        assert_eq!(
            tx.try_send("w".to_owned()),
            Err(TrySendError::Disconnected("w".to_owned()))
        );
    });
    assert_clean_everywhere(&check);
}

/// A rendezvous `send` returns only after the receiver took the value; with the receiver
/// dropped instead, the waiting sender gets its value back.
#[test]
fn rendezvous_send_waits_for_the_receiver() {
    let check = Check::new(|| {
        let (tx, rx) = mpsc::sync_channel::<u32>(0);
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let sender = thread::spawn(move || {
            tx.send(7).unwrap();
            done_tx.send(()).unwrap();
        });
        assert_eq!(
            done_rx.try_recv(),
            Err(TryRecvError::Empty),
            "send returned early"
        );
        assert_eq!(rx.recv(), Ok(7));
        assert_eq!(done_rx.recv(), Ok(()));
        sender.join().unwrap();

        let (tx, rx) = mpsc::sync_channel::<u32>(0);
        let sender = thread::spawn(move || tx.send(8));
        drop(rx);
        assert!(matches!(sender.join().unwrap(), Err(SendError(8)) | Ok(())));
    });
    assert_clean_everywhere(&check);
}

/// A consumer that keeps a clone of the sender never sees the channel disconnect: it is left
/// blocked in `recv` when the body returns, a task leak naming `mpsc::Receiver::recv`. The
/// fixed consumer holds no sender and ends.
fn consumer(keeps_a_sender: bool) -> Check {
    Check::new(move || {
        let (tx, rx) = mpsc::channel::<u32>();
        let kept = keeps_a_sender.then(|| tx.clone());
        thread::Builder::new().name("consumer").spawn(move || {
            let _kept = kept;
            let total: u32 = rx.iter().sum();
            assert_eq!(total, 3);
        });
        tx.send(1).unwrap();
        tx.send(2).unwrap();
    })
}

#[test]
fn a_receiver_blocked_forever_is_a_leak_naming_recv() {
    assert_clean_everywhere(&consumer(false));
    for checker in models() {
        let report = consumer(true).run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("mpsc::Receiver::recv"), "{text}");
        assert!(text.contains("'consumer'"), "{text}");
    }
}

/// A rendezvous send with no receiver ever receiving: every task blocked, a deadlock naming
/// `mpsc::SyncSender::send` and the channel's creation site.
#[test]
fn a_rendezvous_nobody_takes_is_a_deadlock_naming_send() {
    let check = Check::new(|| {
        let (tx, _rx) = mpsc::sync_channel::<u32>(0);
        tx.send(1).unwrap();
    });
    for checker in models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("mpsc::SyncSender::send"), "{text}");
        assert!(text.contains("mpsc channel created at"), "{text}");
    }
}

/// `recv_timeout` times out on the clock (virtual under the checkers) while a sender lives,
/// and says `Disconnected` once none does; `try_recv` says `Empty` before a send.
#[test]
fn recv_timeout_and_try_recv_tell_empty_from_disconnected() {
    let check = Check::new(|| {
        let (tx, rx) = mpsc::channel::<u32>();
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(5)),
            Err(RecvTimeoutError::Timeout)
        );
        let t = thread::spawn(move || tx.send(4).unwrap());
        assert_eq!(rx.recv_timeout(Duration::from_secs(60)), Ok(4));
        t.join().unwrap();
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(5)),
            Err(RecvTimeoutError::Disconnected)
        );
    });
    assert_clean_everywhere(&check);
}

/// Each end's Debug output is std's: the type's name and no contents.
#[test]
fn mpsc_ends_debug_as_std() {
    let (tx, rx) = mpsc::channel::<u32>();
    let (sync_tx, _sync_rx) = mpsc::sync_channel::<u32>(1);
    assert_eq!(format!("{tx:?}"), "Sender { .. }");
    assert_eq!(format!("{sync_tx:?}"), "SyncSender { .. }");
    assert_eq!(format!("{rx:?}"), "Receiver { .. }");
}
