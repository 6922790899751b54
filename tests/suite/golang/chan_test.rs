//! Ports of Go's `src/runtime/chan_test.go`.

use std::any::Any;
use std::time::Duration;

use concheck::check::{Check, Checker, StdConfig};
use concheck::go::{self, chan::TryRecvError, Select, WaitGroup};
use concheck::sync::Arc;
use concheck::thread;
use std::sync::atomic::Ordering;

use super::{passes, Budget};

/// Ported from chan_test.go, TestChan: for each capacity, a receive from an empty channel and
/// a send to a full one do not complete without a partner, a closed channel drains then
/// yields nothing, and values arrive in the order sent. Go runs capacities 0..20 and 100
/// values; here 0..=2 and 4 values.
// Cost: std 20 runs, shuttle 200+200 schedules, loom bound 1: ~1 s together.
#[test]
fn test_chan() {
    let check = Check::new(|| {
        for cap in 0..=2 {
            let (tx, rx) = go::channel::<u32>(cap);
            assert!(matches!(rx.try_recv(), Err(TryRecvError::Empty)));
            for i in 0..cap as u32 {
                tx.send(i);
            }
            assert!(
                tx.try_send(99).is_err(),
                "cap {cap}: a send past the buffer completed"
            );
            for i in 0..cap as u32 {
                assert_eq!(rx.recv(), Some(i));
            }
            // FIFO through a concurrent sender, then close.
            let sender = {
                let tx = tx.clone();
                thread::Builder::new().name("sender").spawn(move || {
                    for i in 0..4 {
                        tx.send(i);
                    }
                    tx.close();
                })
            };
            for i in 0..4 {
                assert_eq!(rx.recv(), Some(i), "cap {cap}: out of order");
            }
            assert_eq!(rx.recv(), None, "cap {cap}: a closed, drained channel");
            sender.join().unwrap();
        }
    });
    passes(
        &check,
        Budget {
            std: 20,
            shuttle: 200,
            loom: Some(1),
        },
    );
}

/// Ported from chan_test.go, TestNonblockRecvRace: a non-blocking receive on a channel that
/// holds a value, racing with its close, must see the value or the close, never "not ready".
/// Go repeats it 10,000 times; the checkers explore the race instead.
// Cost: std 50 runs, shuttle 300+300, loom bound 2: ~0.5 s.
#[test]
fn test_nonblock_recv_race() {
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(1);
        tx.send(1);
        let rx2 = rx.clone();
        let t = thread::Builder::new()
            .name("poller")
            .spawn(move || Select::new().recv(&rx2, |_| true).or_else(|| false));
        tx.close();
        let _ = rx.recv();
        assert!(
            t.join().unwrap(),
            "the channel was ready, but the select took default"
        );
    });
    passes(
        &check,
        Budget {
            std: 50,
            shuttle: 300,
            loom: Some(2),
        },
    );
}

/// Ported from chan_test.go, TestSelfSelect: two tasks each select between sending their id
/// and receiving on the same channel; on an unbuffered channel a task must never receive its
/// own send. Go runs 1,000 rounds on 2 tasks for capacities 0 and 10; here 3 rounds, 0 and 1.
// Cost: std 20 runs, shuttle 300+300: ~0.5 s (loom: the select loop is too large).
#[test]
fn test_self_select() {
    for cap in [0, 1] {
        let check = Check::new(move || {
            let (tx, rx) = go::channel::<usize>(cap);
            let wg = Arc::new(WaitGroup::new());
            let rounds = 3;
            for p in 0..2 {
                wg.add(1);
                let (tx, rx, wg) = (tx.clone(), rx.clone(), Arc::clone(&wg));
                thread::Builder::new()
                    .name(format!("self-{p}"))
                    .spawn(move || {
                        for i in 0..rounds {
                            // Alternate the case order, as Go's test does with its two selects.
                            let got = if (p + i) % 2 == 0 {
                                Select::new().send(&tx, p, || None).recv(&rx, |v| v).wait()
                            } else {
                                Select::new().recv(&rx, |v| v).send(&tx, p, || None).wait()
                            };
                            if cap == 0 {
                                assert_ne!(got, Some(p), "task {p} received its own send");
                            }
                        }
                        wg.done();
                    });
            }
            wg.wait();
        });
        passes(
            &check,
            Budget {
                std: 20,
                shuttle: 300,
                loom: None,
            },
        );
    }
}

/// Ported from chan_test.go, TestChanSendInterface: sends of interface values (here boxed
/// `dyn Any`) through a plain send and through select sends with a default.
// Cost: trivial (one task): std 10, shuttle 50+50, loom bound 1.
#[test]
fn test_chan_send_interface() {
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<Box<dyn Any + Send>>(1);
        tx.send(Box::new(1_u32));
        Select::new().send(&tx, Box::new("x"), || ()).or_else(|| ());
        Select::new()
            .send(&tx, Box::new(2.0_f64), || ())
            .or_else(|| ());
        let v = rx.recv().unwrap();
        assert_eq!(v.downcast_ref::<u32>(), Some(&1));
    });
    // PCT may report "never two tasks runnable": the body spawns none, which is fine.
    passes(
        &check,
        Budget {
            std: 10,
            shuttle: 50,
            loom: Some(1),
        },
    );
}

/// Ported from chan_test.go, TestPseudoRandomSend: a select sending 0 or 1 on the same
/// unbuffered channel must pick both over many rounds. Go sends 100 and wants each > 10; here
/// 20 rounds, each value at least once. A select that blocks before its receiver waits
/// offers its cases in a random order, as Go enqueues them (its lock order is built from the
/// random poll order), so the receiver's pick is random too. Before that, a blocked select
/// offered its cases in declared order: a schedule that runs the sender first (PCT's
/// priorities; std under load) sent 0 every time, and PCT failed this test. loom does not
/// draw (it polls and offers in declared order) and is not run on it.
// Cost: std 10 runs, shuttle random and PCT 100 each: ~0.6 s (20 cap-0 handoffs per schedule).
#[test]
fn test_pseudo_random_send() {
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let n = 20;
        let counter = thread::Builder::new().name("receiver").spawn(move || {
            let mut seen = [0_u32; 2];
            for _ in 0..n {
                seen[rx.recv().unwrap() as usize] += 1;
            }
            seen
        });
        for _ in 0..n {
            Select::new().send(&tx, 0, || ()).send(&tx, 1, || ()).wait();
        }
        let seen = counter.join().unwrap();
        assert!(
            seen[0] > 0 && seen[1] > 0,
            "select sends not random: {seen:?}"
        );
    });
    check.assert_no_violation(&[
        Checker::Std(StdConfig::new().iterations(10)),
        Checker::Shuttle(concheck::check::ShuttleConfig::random().iterations(100)),
        Checker::Shuttle(concheck::check::ShuttleConfig::pct().iterations(100)),
    ]);
}

/// Ported from chan_test.go, TestMultiConsumer: workers take values from a shared buffered
/// channel and pass them on to a results channel; the sum and count must match. Go runs 23
/// workers over 271,828 values; here 3 workers over 12.
// Cost: std 20 runs, shuttle 100+100: ~1 s.
#[test]
fn test_multi_consumer() {
    let check = Check::new(|| {
        let (work_tx, work_rx) = go::channel::<u64>(3);
        let (res_tx, res_rx) = go::channel::<u64>(3);
        let wg = Arc::new(WaitGroup::new());
        for w in 0..3 {
            wg.add(1);
            let (work_rx, res_tx, wg) = (work_rx.clone(), res_tx.clone(), Arc::clone(&wg));
            thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    for v in &work_rx {
                        res_tx.send(v);
                    }
                    wg.done();
                });
        }
        thread::Builder::new().name("closer").spawn(move || {
            wg.wait();
            res_tx.close();
        });
        let n = 12;
        let producer = thread::Builder::new().name("producer").spawn(move || {
            for i in 0..n {
                work_tx.send(i);
            }
            work_tx.close();
        });
        let (count, sum) = res_rx.iter().fold((0, 0), |(c, s), v| (c + 1, s + v));
        producer.join().unwrap();
        assert_eq!((count, sum), (n, n * (n - 1) / 2));
    });
    passes(
        &check,
        Budget {
            std: 20,
            shuttle: 100,
            loom: None,
        },
    );
}

/// Ported from chan_test.go, TestSelectFairness: with two ready cases, each is taken about
/// half the time. A statistical test, so std only (under shuttle the choice is the
/// scheduler's draw, checked in go_select_semantics). Go takes 10,000 picks and allows
/// 4,500..5,500 (5 sigma); here 1,000 picks, 400..600 (6 sigma).
// Cost: one std run, ~10 ms.
#[test]
fn test_select_fairness() {
    use std::sync::atomic::AtomicU64;
    let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let c = Arc::clone(&counts);
    let check = Check::new(move || {
        let (a_tx, a_rx) = go::channel::<u32>(1);
        let (b_tx, b_rx) = go::channel::<u32>(1);
        for _ in 0..1000 {
            a_tx.send(0);
            b_tx.send(1);
            let got = Select::new().recv(&a_rx, |v| v).recv(&b_rx, |v| v).wait();
            c[got.unwrap() as usize].fetch_add(1, Ordering::Relaxed);
            // Drain the other one so both are ready again next round.
            let _ = a_rx.try_recv();
            let _ = b_rx.try_recv();
        }
    });
    check
        .run(&Checker::Std(
            StdConfig::new()
                .iterations(1)
                .watchdog(Duration::from_secs(10)),
        ))
        .assert_no_violation();
    let a = counts[0].load(Ordering::Relaxed);
    assert!(
        (400..=600).contains(&a),
        "first case taken {a} of 1000 times"
    );
}

/// After chan_test.go, TestSelectStress: a select sender feeds an unbuffered and a buffered
/// channel, removing each case once it has sent its share, while a select receiver drains
/// both. Go uses 4 channels, 10,000 values each and plain senders/receivers too; here 2
/// channels, 3 values each.
// Cost: std 20 runs, shuttle 200+200: ~1 s.
#[test]
fn test_select_stress() {
    let check = Check::new(|| {
        let (c0_tx, c0_rx) = go::channel::<u32>(0);
        let (c1_tx, c1_rx) = go::channel::<u32>(1);
        let n = 3;
        let sender = thread::Builder::new().name("select-sender").spawn(move || {
            let mut sent = [0, 0];
            while sent[0] < n || sent[1] < n {
                let mut s = Select::new();
                if sent[0] < n {
                    s = s.send(&c0_tx, sent[0], || 0);
                }
                if sent[1] < n {
                    s = s.send(&c1_tx, sent[1], || 1);
                }
                let which = s.wait();
                sent[which] += 1;
            }
        });
        let mut next = [0, 0];
        while next[0] < n || next[1] < n {
            let mut s = Select::new();
            if next[0] < n {
                s = s.recv(&c0_rx, |v| (0, v));
            }
            if next[1] < n {
                s = s.recv(&c1_rx, |v| (1, v));
            }
            let (which, v) = s.wait();
            assert_eq!(v, Some(next[which]), "channel {which} out of order");
            next[which] += 1;
        }
        sender.join().unwrap();
    });
    passes(
        &check,
        Budget {
            std: 20,
            shuttle: 200,
            loom: None,
        },
    );
}
