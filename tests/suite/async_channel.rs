//! `future::channel` under every checker: capacity 0 is a rendezvous and capacity N buffers,
//! values arrive in order, `close` drains then ends the receive, Go's misuses (double close,
//! send after close, a send pending at the close) are reported with their sites, and a
//! cancelled send or receive loses and duplicates nothing.

use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};

use concheck::check::{Check, Checker, LoomConfig, Report, StdConfig};
use concheck::future::{self, channel, race, CancellationToken, Either};
use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::Arc;
use concheck::{Site, ViolationKind};

fn holds(body: impl Fn() + Send + Sync + 'static) -> Vec<Report> {
    Check::new(body).assert_no_violation(&Checker::defaults())
}

fn exhaustive() -> Checker {
    Checker::Loom(LoomConfig::new().preemption_bound(None))
}

/// Whether `report`'s violation names line `line` of this file among its sites.
fn names_line(report: &Report, line: u32) -> bool {
    let v = report.violation().expect("a violation");
    v.sites
        .iter()
        .any(|s: &Site| s.file == file!() && s.line == line)
}

/// A task sends then raises `sent`; main checks `sent` is still down before it receives. On a
/// capacity-0 channel the send cannot complete before main takes the value, so the assertion
/// holds in every interleaving; with a buffer it does not.
fn send_then_flag(cap: usize) {
    let (tx, rx) = channel::named::<u32>("handoff", cap);
    let sent = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&sent);
    let sender = future::Builder::new().name("sender").spawn(async move {
        tx.send(7).await;
        flag.store(true, Ordering::SeqCst);
    });
    assert!(
        !sent.load(Ordering::SeqCst),
        "send completed before the receiver took the value"
    );
    assert_eq!(future::block_on(rx.recv()), Some(7));
    sender.join().unwrap();
}

#[test]
fn channel_unbuffered_send_waits_for_the_receiver_in_every_interleaving() {
    // Measured: 36 loom executions, 2 ms.
    let report = Check::new(|| send_then_flag(0)).run(&exhaustive());
    report.assert_no_violation();
    assert!(report.verified(), "the search was cut short: {report}");
    holds(|| send_then_flag(0));
}

#[test]
fn channel_buffered_send_does_not_wait_for_the_receiver() {
    // The same body with one slot: the send may complete first, and loom finds it. This is what
    // makes the test above able to fail.
    let report = Check::new(|| send_then_flag(1)).run(&Checker::loom());
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(
        report.to_string().contains("send completed before"),
        "{report}"
    );
}

#[test]
fn channel_values_arrive_in_order_and_close_ends_the_receive() {
    for cap in [0, 1, 3] {
        holds(move || {
            let (tx, rx) = channel::named::<u32>("values", cap);
            let producer = future::Builder::new().name("producer").spawn(async move {
                for v in 1..=3 {
                    tx.send(v).await;
                }
                tx.close();
            });
            let got = future::block_on(async move {
                let mut got = Vec::new();
                while let Some(v) = rx.recv().await {
                    got.push(v);
                }
                assert_eq!(rx.recv().await, None, "closed and drained stays so");
                got
            });
            assert_eq!(got, vec![1, 2, 3]);
            producer.join().unwrap();
        });
    }
}

#[test]
fn channel_buffer_holds_capacity_values_without_a_receiver() {
    // The sends run in a task that main joins before it receives: they complete on room alone.
    holds(|| {
        let (tx, rx) = channel::named::<u32>("buffer", 2);
        let filler = future::spawn(async move {
            tx.send(1).await;
            tx.send(2).await;
            tx.close();
        });
        filler.join().unwrap();
        let got = future::block_on(async move { (rx.recv().await, rx.recv().await) });
        assert_eq!(
            got,
            (Some(1), Some(2)),
            "buffered values survive the close, in order"
        );
    });
}

#[test]
fn channel_double_close_names_both_sites() {
    static FIRST: AtomicU32 = AtomicU32::new(0);
    static SECOND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (tx, _rx) = channel::named::<u32>("results", 1);
        let tx2 = tx.clone();
        let closer = future::Builder::new().name("closer").spawn(async move {
            FIRST.store(line!() + 1, StdOrdering::Relaxed);
            tx2.close();
        });
        closer.join().unwrap();
        SECOND.store(line!() + 1, StdOrdering::Relaxed);
        tx.close();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::DoubleClose);
        assert!(
            names_line(&report, FIRST.load(StdOrdering::Relaxed)),
            "{report}"
        );
        assert!(
            names_line(&report, SECOND.load(StdOrdering::Relaxed)),
            "{report}"
        );
        assert!(
            report.to_string().contains("async channel 'results'"),
            "{report}"
        );
    }
}

#[test]
fn channel_send_after_close_is_reported() {
    let check = Check::new(|| {
        let (tx, _rx) = channel::named::<u32>("results", 1);
        tx.close();
        future::block_on(tx.send(1));
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::SendAfterClose);
        assert!(
            report.to_string().contains("sent after it closed"),
            "{report}"
        );
    }
}

#[test]
fn channel_close_while_a_rendezvous_send_waits_is_send_after_close() {
    // Nobody receives: the sender's offer is pending (or not yet made) when main closes. Either
    // way the send fails. Measured: loom finds it in its first execution.
    let check = Check::new(|| {
        let (tx, _rx) = channel::named::<u32>("handoff", 0);
        let closer = tx.clone();
        let sender = future::Builder::new()
            .name("sender")
            .spawn(async move { tx.send(1).await });
        closer.close();
        drop(sender);
    });
    let mut checkers = Checker::models();
    checkers[0] = exhaustive();
    for checker in checkers {
        check
            .run(&checker)
            .assert_finds(ViolationKind::SendAfterClose);
    }
}

#[test]
fn channel_cancelled_rendezvous_send_withdraws_its_value() {
    // The send offers 1, then loses a race to a ready future and is dropped: its offer must be
    // withdrawn, so the receiver gets the next send's 2, never the cancelled 1.
    holds(|| {
        let (tx, rx) = channel::named::<u32>("handoff", 0);
        let lost = future::block_on(race(tx.send(1), std::future::ready(())));
        assert_eq!(
            lost,
            Either::Right(()),
            "nobody receives: the send cannot win"
        );
        let sender = future::spawn(async move {
            tx.send(2).await;
            tx.close();
        });
        assert_eq!(future::block_on(rx.recv()), Some(2));
        sender.join().unwrap();
    });
}

#[test]
fn channel_cancelled_receive_neither_loses_nor_duplicates_a_value() {
    // One receiver races its receive against a cancel, the other receives plainly; the sender
    // sends one value, cancels and closes. Exactly one of them gets the value, whatever the
    // order, and the plain receiver always ends: wakes go to every waiter, so the cancelled
    // receive cannot swallow the plain one's wakeup.
    holds(|| {
        let (tx, rx) = channel::named::<u32>("values", 1);
        let token = CancellationToken::named("stop");
        let (canceller, racer_rx) = (token.clone(), rx.clone());
        let racer = future::Builder::new().name("racer").spawn(async move {
            match race(racer_rx.recv(), token.cancelled()).await {
                Either::Left(Some(_)) => 1,
                Either::Left(None) | Either::Right(()) => 0,
            }
        });
        let sender = future::Builder::new().name("sender").spawn(async move {
            tx.send(5).await;
            canceller.cancel();
            tx.close();
        });
        let plain = future::block_on(async move {
            let mut n = 0;
            while rx.recv().await.is_some() {
                n += 1;
            }
            n
        });
        let raced = racer.join().unwrap();
        sender.join().unwrap();
        assert_eq!(plain + raced, 1, "the one value was received exactly once");
    });
}

#[test]
fn channel_many_producers_and_consumers_on_real_threads() {
    // Real threads, many values: every value exactly once. Under the std runner, so that a lost
    // wakeup is a watchdog report rather than a hung test.
    let real = Checker::Std(StdConfig::new().iterations(5));
    for cap in [0, 4] {
        Check::new(move || {
            let (tx, rx) = channel::named::<u32>("work", cap);
            let producers: Vec<_> = (0..2u32)
                .map(|p| {
                    let tx = tx.clone();
                    future::spawn(async move {
                        for v in 0..200 {
                            tx.send(p * 1000 + v).await;
                        }
                    })
                })
                .collect();
            let consumers: Vec<_> = (0..2)
                .map(|_| {
                    let rx = rx.clone();
                    future::spawn(async move {
                        let mut got = Vec::new();
                        while let Some(v) = rx.recv().await {
                            got.push(v);
                        }
                        got
                    })
                })
                .collect();
            for p in producers {
                p.join().unwrap();
            }
            tx.close();
            let mut all: Vec<u32> = consumers
                .into_iter()
                .flat_map(|c| c.join().unwrap())
                .collect();
            all.sort_unstable();
            let expected: Vec<u32> = (0..2u32)
                .flat_map(|p| (0..200).map(move |v| p * 1000 + v))
                .collect();
            assert_eq!(all, expected, "capacity {cap}: every value exactly once");
        })
        .run(&real)
        .assert_no_violation();
    }
}
