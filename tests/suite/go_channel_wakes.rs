//! The channel's wake accounting (`concheck::go::chan`'s module docs, "Wakeups") under the
//! model checkers: shapes where a notify sent to the wrong task, or not passed on, leaves a
//! task blocked for good. (Moved here from a unit test in `src/go/chan.rs`: a facade module's
//! tests must not need the checkers above it.)

use concheck::check::{Check, Checker, ShuttleConfig};
use concheck::go::{channel, Select};
use concheck::thread;

/// Two senders with two values each and two receivers (main and a task) draining until a
/// closer, which joins the senders, closes: every value arrives once. At capacity 1 a
/// woken sender can hand its value to a receiver instead of using the room it was woken
/// for; at 0 each take completes one particular sender of two.
fn two_by_two(cap: usize) -> Check {
    Check::new(move || {
        let (tx, rx) = channel::<u32>(cap);
        let senders: Vec<_> = [10, 20]
            .into_iter()
            .map(|first| {
                let tx = tx.clone();
                thread::spawn(move || {
                    tx.send(first);
                    tx.send(first + 1);
                })
            })
            .collect();
        let rx2 = rx.clone();
        let receiver = thread::spawn(move || rx2.iter().collect::<Vec<_>>());
        let closer = thread::spawn(move || {
            senders.into_iter().for_each(|s| s.join().unwrap());
            tx.close();
        });
        let mut got: Vec<u32> = rx.iter().collect();
        got.extend(receiver.join().unwrap());
        closer.join().unwrap();
        got.sort_unstable();
        assert_eq!(got, vec![10, 11, 20, 21], "every value exactly once");
    })
}

/// One plain receiver and one select receiver share a channel fed by one sender.
fn recv_beside_select(cap: usize) -> Check {
    Check::new(move || {
        let (tx, rx) = channel::<u32>(cap);
        let rx2 = rx.clone();
        let selecting = thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(v) = Select::new().recv(&rx2, |v| v).wait() {
                got.push(v);
            }
            got
        });
        let sender = thread::spawn(move || {
            (1..=3).for_each(|v| tx.send(v));
            tx.close();
        });
        let mut got: Vec<u32> = rx.iter().collect();
        got.extend(selecting.join().unwrap());
        sender.join().unwrap();
        got.sort_unstable();
        assert_eq!(got, vec![1, 2, 3], "every value exactly once");
    })
}

// Cost: 1.1 s for the 12 searches of 1,000 schedules (test profile, 2 cores). Each known
// mistake in the accounting (a one-of-many wake sent with notify_one, a close that wakes
// one receiver, a woken sender's unused room not passed on) fails it within 8 schedules.
// loom runs smaller shapes of the same races in the channel conformance suite
// (`fifo_per_sender`, `every_value_delivered_once`); these at 5 tasks take it 15 s at
// preemption bound 1, too slow for a unit test.
#[test]
fn chan_wakes_lose_no_task_under_shuttle() {
    for cap in [0, 1, 2] {
        for checker in [
            Checker::Shuttle(ShuttleConfig::random().iterations(1_000)),
            Checker::Shuttle(ShuttleConfig::pct().iterations(1_000)),
        ] {
            two_by_two(cap).run(&checker).assert_no_violation();
            recv_beside_select(cap).run(&checker).assert_no_violation();
        }
    }
}
