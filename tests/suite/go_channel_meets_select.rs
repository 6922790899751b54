//! A plain non-blocking operation on an unbuffered channel meets a `select` blocked on the other
//! side: Go's `select` with a `default` case (our `try_send`/`try_recv`) completes a rendezvous
//! with any waiting partner, plain or select (Go's runtime takes a blocked select's `sendq` or
//! `recvq` entry the same way as a plain goroutine's: `chansend`/`chanrecv`, `block == false`).

use concheck::check::{Check, Checker, ShuttleConfig};
use concheck::go::chan::{TryRecvError, TrySendError};
use concheck::go::{self, Select};
use concheck::thread;

/// How many times main tries before it calls the rendezvous lost. The select needs a handful of
/// its own steps (poll, register, wait) to be waiting; under shuttle's random scheduler each
/// yield of main lets it run with probability about 1/2, so 1,000 tries miss only if the
/// scheduler starves it on every one of them.
const TRIES: u32 = 1_000;

/// Shuttle's random scheduler, 200 schedules: main spins with `yield_now`, which PCT may
/// deprioritize for good, and loom would explore every count of spins. Cost: both tests
/// together 0.02 s (`--profile dev`, 2 cores at load 7).
fn shuttle() -> Checker {
    Checker::Shuttle(ShuttleConfig::random().iterations(200))
}

#[test]
fn channel_try_send_completes_a_blocked_select_receive() {
    Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let selecting = thread::Builder::new()
            .name("selecting")
            .spawn(move || Select::new().recv(&rx, |v| v).wait());
        let mut value = 4;
        let mut sent = false;
        for _ in 0..TRIES {
            match tx.try_send(value) {
                Ok(()) => {
                    sent = true;
                    break;
                }
                Err(TrySendError(back)) => value = back,
            }
            thread::yield_now();
        }
        assert!(sent, "try_send never met the select waiting to receive");
        assert_eq!(selecting.join().unwrap(), Some(4));
    })
    .run(&shuttle())
    .assert_no_violation();
}

#[test]
fn channel_try_recv_takes_a_blocked_select_send() {
    Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let selecting = thread::Builder::new()
            .name("selecting")
            .spawn(move || Select::new().send(&tx, 6, || "sent").wait());
        let mut got = Err(TryRecvError::Empty);
        for _ in 0..TRIES {
            got = rx.try_recv();
            if got.is_ok() {
                break;
            }
            thread::yield_now();
        }
        assert_eq!(got, Ok(6), "try_recv never met the select waiting to send");
        assert_eq!(selecting.join().unwrap(), "sent");
    })
    .run(&shuttle())
    .assert_no_violation();
}

/// Three receivers blocked on an unbuffered channel, a select sending and two plain sends, one
/// before the select is joined and one after: each value reaches one receiver, and none is left
/// blocked. A receiver woken by a wake meant for another (two unnotified waiters get
/// `notify_all`) may find the select's offer and take it itself; its registration must then
/// leave with it, and only it: a registration left behind takes the last value for a receiver
/// that is gone, and one removed with it hides a receiver from the last sender.
#[test]
fn channel_receivers_meet_plain_senders_and_a_select_sender() {
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let receivers: Vec<_> = (0..3)
            .map(|i| {
                let rx = rx.clone();
                thread::Builder::new()
                    .name(format!("receiver-{i}"))
                    .spawn(move || rx.recv())
            })
            .collect();
        let selecting = {
            let tx = tx.clone();
            thread::Builder::new()
                .name("selecting")
                .spawn(move || Select::new().send(&tx, 2, || ()).wait())
        };
        tx.send(1);
        selecting.join().unwrap();
        tx.send(3);
        let mut got: Vec<u32> = receivers
            .into_iter()
            .map(|r| r.join().unwrap().expect("the channel is never closed"))
            .collect();
        got.sort_unstable();
        assert_eq!(got, [1, 2, 3], "each value reaches one receiver");
    });
    // Shuttle random and PCT, 1,000 schedules each.
    for checker in [
        Checker::Shuttle(ShuttleConfig::random().iterations(1_000)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(1_000)),
    ] {
        check.run(&checker).assert_no_violation();
    }
}
