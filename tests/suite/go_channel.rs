//! `go::chan` under every checker: capacity 0 is a rendezvous, capacity N buffers, `try_send` and
//! `try_recv` never block, `close` drains then reports `None` forever, and Go's channel misuses
//! (double close, send after close, a receive nobody will ever satisfy) are reported with their
//! sites and tasks.
//!
//! Semantics are ported from Go's spec ("Channel types", "Close") and `chan_test.go`'s
//! `TestChan` (buffered and unbuffered sends, close then drain).

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};
use std::time::Duration;

use concheck::check::{Check, Checker, LoomConfig, Report, ShuttleConfig, StdConfig};
use concheck::go::chan::{TryRecvError, TrySendError};
use concheck::go::{self, Receiver, Sender};
use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::{Site, TaskState, ViolationKind};

/// Whether `report`'s violation names line `line` of this file among its sites.
fn names_line(report: &Report, line: u32) -> bool {
    let v = report.violation().expect("a violation");
    v.sites
        .iter()
        .any(|s: &Site| s.file == file!() && s.line == line)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        panic!("non-string panic payload")
    }
}

/// The rendezvous probe: a task sends then raises `sent`; main checks `sent` is still down
/// before it receives. On a capacity-0 channel the send cannot return before main takes the
/// value, so the assertion holds in every interleaving; with a buffer it does not.
fn send_then_flag(cap: usize) {
    let (tx, rx) = go::channel::<u32>(cap);
    let sent = Arc::new(AtomicBool::new(false));
    let sent2 = Arc::clone(&sent);
    let sender = thread::Builder::new().name("sender").spawn(move || {
        tx.send(7);
        sent2.store(true, Ordering::SeqCst);
    });
    assert!(
        !sent.load(Ordering::SeqCst),
        "send returned before the receiver took the value"
    );
    assert_eq!(rx.recv(), Some(7));
    sender.join().unwrap();
    assert!(sent.load(Ordering::SeqCst));
}

#[test]
fn channel_unbuffered_send_waits_for_receiver() {
    holds(|| send_then_flag(0));
}

#[test]
fn channel_unbuffered_send_waits_for_receiver_in_every_interleaving() {
    // Unbounded loom: the rendezvous holds in every interleaving, not only within two
    // preemptions. Measured: 20 executions, 1 ms.
    let exhaustive = Checker::Loom(LoomConfig::new().preemption_bound(None));
    let report = Check::new(|| send_then_flag(0)).run(&exhaustive);
    report.assert_no_violation();
    assert!(report.verified(), "the search was cut short: {report}");
}

#[test]
fn channel_buffered_send_does_not_wait_for_receiver() {
    // The same body with one slot of buffer: the send may return before main receives, and
    // loom finds the schedule where it does. This is what makes the test above able to fail.
    let report = Check::new(|| send_then_flag(1)).run(&Checker::loom());
    report.assert_finds(ViolationKind::AssertionFailed);
    let v = report.violation().unwrap();
    assert!(
        v.message
            .contains("send returned before the receiver took the value"),
        "{report}"
    );
}

#[test]
fn channel_buffer_holds_capacity_values_without_receiver() {
    // The sends run in a task that main joins before it receives anything: they must complete
    // on buffer room alone, or the join never returns.
    for cap in [1usize, 3] {
        holds(move || {
            let (tx, rx) = go::channel::<String>(cap);
            let filler = thread::Builder::new().name("filler").spawn(move || {
                for i in 0..cap {
                    tx.send(format!("v{i}"));
                }
                let refused = tx.try_send("extra".to_owned());
                (tx, refused)
            });
            let (tx, refused) = filler.join().unwrap();
            assert_eq!(
                refused,
                Err(TrySendError("extra".to_owned())),
                "a full buffer refuses and gives the value back"
            );
            assert_eq!(rx.recv().as_deref(), Some("v0"), "FIFO");
            tx.try_send("after".to_owned())
                .expect("one slot was freed by the recv");
            let rest: Vec<String> = (0..cap).map(|_| rx.recv().unwrap()).collect();
            let mut expected: Vec<String> = (1..cap).map(|i| format!("v{i}")).collect();
            expected.push("after".to_owned());
            assert_eq!(rest, expected, "FIFO");
        });
    }
}

#[test]
fn channel_try_send_returns_value_when_full() {
    holds(|| {
        let (tx, rx) = go::channel::<Vec<u8>>(1);
        let sender = thread::Builder::new().name("sender").spawn(move || {
            tx.send(vec![1]);
            match tx.try_send(vec![2, 3]) {
                Err(TrySendError(back)) => back,
                Ok(()) => panic!("try_send succeeded on a full channel"),
            }
        });
        assert_eq!(
            sender.join().unwrap(),
            vec![2, 3],
            "the same value comes back"
        );
        assert_eq!(rx.try_recv(), Ok(vec![1]));
        assert_eq!(
            rx.try_recv(),
            Err(TryRecvError::Empty),
            "the refused value was not queued"
        );
    });
}

#[test]
fn channel_unbuffered_try_send_without_receiver_returns_value() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let sender = thread::Builder::new()
            .name("sender")
            .spawn(move || tx.try_send(1));
        assert_eq!(sender.join().unwrap(), Err(TrySendError(1)));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    });
}

#[test]
fn channel_unbuffered_try_send_hands_to_blocked_receiver() {
    // A try_send succeeds on capacity 0 exactly when a receiver is blocked in recv; the sender
    // retries (yielding) until the receiver has got there.
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let receiver = thread::Builder::new()
            .name("receiver")
            .spawn(move || rx.recv());
        let mut value = 5;
        loop {
            match tx.try_send(value) {
                Ok(()) => break,
                Err(TrySendError(back)) => {
                    value = back;
                    thread::yield_now();
                }
            }
        }
        assert_eq!(receiver.join().unwrap(), Some(5));
    });
}

#[test]
fn channel_try_recv_reports_empty_then_closed() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(2);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        let closer = thread::Builder::new().name("closer").spawn(move || {
            tx.send(1);
            tx.close();
        });
        closer.join().unwrap();
        assert_eq!(rx.try_recv(), Ok(1), "a closed channel is drained first");
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
        assert_eq!(
            rx.try_recv(),
            Err(TryRecvError::Closed),
            "closed stays closed"
        );
    });
    assert_eq!(
        TryRecvError::Empty.to_string(),
        "receiving on an empty channel"
    );
    assert_eq!(
        TryRecvError::Closed.to_string(),
        "receiving on a closed and drained channel"
    );
    assert_eq!(TrySendError(0u8).to_string(), "sending on a full channel");
}

#[test]
fn channel_close_drains_buffer_then_none_forever() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(3);
        let tx2 = tx.clone();
        let closer = thread::Builder::new().name("closer").spawn(move || {
            tx2.send(1);
            tx2.send(2);
            assert!(!tx2.is_closed());
            tx2.close();
        });
        closer.join().unwrap();
        assert!(tx.is_closed(), "every sender sees the close");
        assert_eq!(rx.recv(), Some(1));
        assert_eq!(rx.recv(), Some(2));
        assert_eq!(rx.recv(), None);
        assert_eq!(rx.recv(), None, "None forever");
    });
}

#[test]
fn channel_range_ends_at_close() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(1);
        let producer = thread::Builder::new().name("producer").spawn(move || {
            for v in 1..=3 {
                tx.send(v);
            }
            tx.close();
        });
        let mut got = Vec::new();
        for v in &rx {
            got.push(v);
        }
        assert_eq!(
            got,
            vec![1, 2, 3],
            "every value, in order, then the loop ends"
        );
        producer.join().unwrap();
    });
}

#[test]
fn channel_close_wakes_every_blocked_receiver() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let receivers: Vec<_> = (0..2)
            .map(|i| {
                let rx: Receiver<u32> = rx.clone();
                thread::Builder::new()
                    .name(format!("receiver-{i}"))
                    .spawn(move || rx.recv())
            })
            .collect();
        tx.close();
        for r in receivers {
            assert_eq!(r.join().unwrap(), None, "every receiver sees the close");
        }
        assert_eq!(rx.recv(), None);
    });
}

#[test]
fn channel_close_ends_every_receivers_range() {
    // Two ranging receivers share the values; each loop ends at the close, and no value is lost
    // or received twice.
    holds(|| {
        let (tx, rx) = go::channel::<u32>(1);
        let total = Arc::new(Mutex::new(Vec::new()));
        let receivers: Vec<_> = (0..2)
            .map(|i| {
                let rx = rx.clone();
                let total = Arc::clone(&total);
                thread::Builder::new()
                    .name(format!("receiver-{i}"))
                    .spawn(move || {
                        for v in &rx {
                            total.lock().push(v);
                        }
                    })
            })
            .collect();
        tx.send(1);
        tx.send(2);
        tx.close();
        for r in receivers {
            r.join().unwrap();
        }
        let mut got = total.lock().clone();
        got.sort_unstable();
        assert_eq!(got, vec![1, 2]);
    });
}

#[test]
fn channel_close_keeps_completed_rendezvous() {
    // A value handed to a blocked receiver is delivered even if the channel closes right after
    // the send returns: a completed send is never taken back.
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let receiver = thread::Builder::new()
            .name("receiver")
            .spawn(move || rx.recv());
        tx.send(9);
        tx.close();
        assert_eq!(receiver.join().unwrap(), Some(9));
    });
}

#[test]
fn channel_close_twice_is_double_close() {
    static FIRST: AtomicU32 = AtomicU32::new(0);
    static SECOND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (tx, _rx) = go::named::<u32>("twice", 1);
        FIRST.store(line!() + 1, StdOrdering::Relaxed);
        tx.close();
        SECOND.store(line!() + 1, StdOrdering::Relaxed);
        tx.close();
    });
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::DoubleClose);
        let v = report.violation().unwrap();
        assert!(
            names_line(&report, FIRST.load(StdOrdering::Relaxed)),
            "{report}"
        );
        assert!(
            names_line(&report, SECOND.load(StdOrdering::Relaxed)),
            "{report}"
        );
        assert!(v.message.contains("channel 'twice'"), "{report}");
        assert!(v.message.contains("and again at"), "{report}");
        assert_eq!(
            v.tasks.first().map(|t| t.name.as_str()),
            Some("main"),
            "{report}"
        );
    }
}

#[test]
fn channel_close_in_two_tasks_is_double_close() {
    static CLOSE: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];
    let check = Check::new(|| {
        let (tx, _rx) = go::channel::<u32>(0);
        let tx2: Sender<u32> = tx.clone();
        let closer = thread::Builder::new().name("closer").spawn(move || {
            CLOSE[0].store(line!() + 1, StdOrdering::Relaxed);
            tx2.close();
        });
        CLOSE[1].store(line!() + 1, StdOrdering::Relaxed);
        tx.close();
        let _ = closer.join();
    });
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::DoubleClose);
        for close in &CLOSE {
            assert!(
                names_line(&report, close.load(StdOrdering::Relaxed)),
                "{report}"
            );
        }
    }
}

#[test]
fn channel_send_after_close_is_send_after_close() {
    static CLOSE: AtomicU32 = AtomicU32::new(0);
    static SEND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (tx, _rx) = go::named::<u32>("closed-early", 1);
        CLOSE.store(line!() + 1, StdOrdering::Relaxed);
        tx.close();
        SEND.store(line!() + 1, StdOrdering::Relaxed);
        tx.send(1);
    });
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::SendAfterClose);
        let v = report.violation().unwrap();
        let (close, send) = (
            CLOSE.load(StdOrdering::Relaxed),
            SEND.load(StdOrdering::Relaxed),
        );
        assert_eq!(
            v.sites.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![close, send],
            "the close site, then the send site: {report}"
        );
        assert!(v.sites.iter().all(|s| s.file == file!()), "{report}");
        assert!(v.message.contains("sent after it closed"), "{report}");
        assert!(v.message.contains("channel 'closed-early'"), "{report}");
    }
}

#[test]
fn channel_try_send_after_close_is_send_after_close() {
    static SEND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (tx, _rx) = go::channel::<u32>(1);
        tx.close();
        SEND.store(line!() + 1, StdOrdering::Relaxed);
        let _ = tx.try_send(1);
    });
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::SendAfterClose);
        assert!(
            names_line(&report, SEND.load(StdOrdering::Relaxed)),
            "{report}"
        );
    }
}

/// A sender task blocked in `send` on a channel of capacity `cap` with a full buffer (or
/// none), and main closing it. Records the close and send lines.
fn close_under_blocked_sender(
    cap: usize,
    close_line: &'static AtomicU32,
    send_line: &'static AtomicU32,
) {
    let (tx, rx) = go::named::<u32>("abandoned", cap);
    for v in 0..cap {
        tx.send(v as u32);
    }
    let tx2 = tx.clone();
    let sender = thread::Builder::new().name("sender").spawn(move || {
        send_line.store(line!() + 1, StdOrdering::Relaxed);
        tx2.send(99);
    });
    // Let the sender reach its send first where the checker allows it.
    thread::yield_now();
    close_line.store(line!() + 1, StdOrdering::Relaxed);
    tx.close();
    let _ = sender.join();
    drop(rx);
}

/// Shuttle random, one schedule per seed, over `seeds`: each report is one interleaving.
fn one_schedule_per_seed(check: &Check, seeds: std::ops::Range<u64>) -> Vec<Report> {
    seeds
        .map(|seed| {
            check.run(&Checker::Shuttle(
                ShuttleConfig::random().seed(seed).iterations(1),
            ))
        })
        .collect()
}

#[test]
fn channel_close_under_blocked_unbuffered_send_is_send_after_close() {
    static CLOSE: AtomicU32 = AtomicU32::new(0);
    static SEND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| close_under_blocked_sender(0, &CLOSE, &SEND));
    // Every interleaving is a send after close: either the send finds the channel closed, or
    // it was waiting for a receiver when the close came.
    let mut reports: Vec<Report> = Checker::defaults().iter().map(|c| check.run(c)).collect();
    reports.extend(one_schedule_per_seed(&check, 0..40));
    let mut blocked = 0;
    for report in &reports {
        report.assert_finds(ViolationKind::SendAfterClose);
        let v = report.violation().unwrap();
        let lines: Vec<u32> = v.sites.iter().map(|s| s.line).collect();
        assert_eq!(
            lines,
            vec![
                CLOSE.load(StdOrdering::Relaxed),
                SEND.load(StdOrdering::Relaxed)
            ],
            "the close site, then the send site: {report}"
        );
        assert_eq!(
            v.tasks.first().map(|t| t.name.as_str()),
            Some("sender"),
            "{report}"
        );
        if v.message.contains("was blocked in a send when it closed") {
            blocked += 1;
        } else {
            assert!(v.message.contains("sent after it closed"), "{report}");
        }
    }
    assert!(
        blocked > 0,
        "no schedule closed the channel under a blocked sender: {}",
        reports[0]
    );
}

#[test]
fn channel_close_under_blocked_buffered_send_says_blocked() {
    // Regression: a send waiting for buffer room that wakes to the close used to report
    // "sent after it closed", as if it had started after the close.
    static CLOSE: AtomicU32 = AtomicU32::new(0);
    static SEND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| close_under_blocked_sender(1, &CLOSE, &SEND));
    let reports = one_schedule_per_seed(&check, 0..40);
    let mut blocked = 0;
    for report in &reports {
        report.assert_finds(ViolationKind::SendAfterClose);
        if report
            .violation()
            .unwrap()
            .message
            .contains("was blocked in a send when it closed")
        {
            blocked += 1;
        }
    }
    assert!(
        blocked > 0,
        "a sender blocked on the full buffer was never reported as blocked: {}",
        reports[0]
    );
}

#[test]
fn channel_close_twice_outside_checker_panics() {
    let (tx, _rx) = go::channel::<u32>(0);
    tx.close();
    let payload = panic::catch_unwind(AssertUnwindSafe(|| tx.close()))
        .expect_err("a second close panics outside a checker, as in Go");
    let message = panic_message(payload);
    assert!(message.contains("double close"), "{message}");
    assert!(
        message.contains(file!()),
        "names the close sites: {message}"
    );
}

#[test]
fn channel_send_after_close_outside_checker_panics() {
    let (tx, _rx) = go::channel::<u32>(1);
    tx.close();
    let payload = panic::catch_unwind(AssertUnwindSafe(|| tx.send(1)))
        .expect_err("a send on a closed channel panics outside a checker, as in Go");
    let message = panic_message(payload);
    assert!(message.contains("send after close"), "{message}");
}

#[test]
fn channel_recv_nobody_sends_to_is_leak() {
    static RECV: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (tx, rx) = go::named::<u32>("orphan", 0);
        thread::Builder::new()
            .name("stuck-receiver")
            .spawn(move || {
                RECV.store(line!() + 1, StdOrdering::Relaxed);
                let _ = rx.recv();
            });
        // The sender outlives the body's return but never sends or closes.
        drop(tx);
    });
    let mut checkers = Checker::models();
    checkers.push(Checker::Std(
        StdConfig::new().watchdog(Duration::from_millis(300)),
    ));
    for checker in checkers {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let v = report.violation().unwrap();
        assert_eq!(v.tasks.len(), 1, "{report}");
        let task = &v.tasks[0];
        assert_eq!(task.name, "stuck-receiver", "{report}");
        match &task.state {
            TaskState::Blocked { op, object, at, .. } => {
                assert_eq!(op, "Receiver::recv", "{report}");
                assert!(object.contains("channel 'orphan'"), "{report}");
                assert_eq!(
                    (at.file.as_str(), at.line),
                    (file!(), RECV.load(StdOrdering::Relaxed)),
                    "{report}"
                );
            }
            other => panic!("the receiver should be blocked, not {other}: {report}"),
        }
        assert!(v.message.contains("'stuck-receiver'"), "{report}");
    }
}

#[test]
fn channel_send_nobody_receives_is_leak() {
    let check = Check::new(|| {
        let (tx, rx) = go::named::<u32>("unread", 0);
        thread::Builder::new()
            .name("stuck-sender")
            .spawn(move || tx.send(1));
        drop(rx);
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let v = report.violation().unwrap();
        assert_eq!(v.tasks.len(), 1, "{report}");
        assert_eq!(v.tasks[0].name, "stuck-sender", "{report}");
        assert!(
            matches!(&v.tasks[0].state, TaskState::Blocked { op, .. } if op == "Sender::send"),
            "{report}"
        );
    }
}

#[test]
fn channel_counts_every_value_from_two_senders() {
    // Two senders on one unbuffered channel: every value arrives exactly once.
    holds(|| {
        let (tx, rx) = go::channel::<usize>(0);
        let senders: Vec<_> = (1..=2)
            .map(|v| {
                let tx = tx.clone();
                thread::Builder::new()
                    .name(format!("sender-{v}"))
                    .spawn(move || tx.send(v))
            })
            .collect();
        let mut got = [rx.recv().unwrap(), rx.recv().unwrap()];
        got.sort_unstable();
        for s in senders {
            s.join().unwrap();
        }
        assert_eq!(got, [1, 2]);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    });
}

/// The body shows no violation under any default checker.
fn holds(body: impl Fn() + Send + Sync + 'static) {
    Check::new(body).assert_no_violation(&Checker::defaults());
}
