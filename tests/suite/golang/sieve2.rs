//! Ported from Go's `test/chan/sieve2.go`: an Eratosthenes sieve over odd numbers. A merging
//! task keeps a heap of channels of odd multiples (one producer task per prime, starting at
//! p*p) and sends the composites in increasing order; a sieving task takes the odd candidates
//! that are not among them as primes, and feeds each back to the merger through a proxy task
//! with an unbounded buffer (sieve2.go's `sendproxy`: without it the feedback channel fills
//! and the two block on each other). Every task runs forever; when main has its primes they
//! are all left blocked on a send, as in Go, and declared with `Check::allow_leak`.
//!
//! Scaled down: Go checks the 25 primes below 100 with buffers of 10 and 50; here the first
//! 10 primes (up to 29) with buffers of 2, so an execution is a few hundred steps and the
//! buffers fill (the states the proxy exists for are reached). The proxy's disabled send case
//! (Go's nil channel while its buffer is empty) is a case left out of that round's `Select`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

use concheck::check::{Check, Checker, ShuttleConfig, StdConfig};
use concheck::go::{self, Receiver, Select, Sender};
use concheck::thread;

/// Every task name the sieve leaves blocked.
const TASKS: [&str; 5] = [
    "sieve2-odds",
    "sieve2-multiples",
    "sieve2-proxy",
    "sieve2-merge",
    "sieve2-sieve",
];

/// The buffer size of every channel (Go: 10 and 50).
const CAP: usize = 2;

/// Odd numbers from 5 (sieve2.go's `odds`).
fn odds() -> Receiver<u64> {
    let (tx, rx) = go::named("odds", CAP);
    thread::Builder::new().name(TASKS[0]).spawn(move || {
        let mut n = 5;
        loop {
            tx.send(n);
            n += 2;
        }
    });
    rx
}

/// Odd multiples of `p` from p*p (sieve2.go's `multiples`).
fn multiples(p: u64) -> Receiver<u64> {
    let (tx, rx) = go::named(&format!("multiples-{p}"), CAP);
    thread::Builder::new().name(TASKS[1]).spawn(move || {
        let mut n = p * p;
        loop {
            tx.send(n);
            n += 2 * p;
        }
    });
    rx
}

/// A channel whose sends never block for long: a task moves what arrives on it into an
/// unbounded queue and from there to `out` (sieve2.go's `sendproxy`).
fn send_proxy(out: Sender<u64>) -> Sender<u64> {
    let (tx, rx) = go::named("proxy", CAP);
    thread::Builder::new().name(TASKS[2]).spawn(move || {
        enum Step {
            In(u64),
            Out,
        }
        let mut queue = VecDeque::new();
        loop {
            let mut s =
                Select::new().recv(&rx, |v| Step::In(v.expect("the proxy is never closed")));
            if let Some(&front) = queue.front() {
                s = s.send(&out, front, || Step::Out);
            }
            match s.wait() {
                Step::In(v) => queue.push_back(v),
                Step::Out => {
                    queue.pop_front();
                }
            }
        }
    });
    tx
}

/// The primes, in order, on a channel (sieve2.go's `Sieve`).
fn sieve() -> Receiver<u64> {
    let (out_tx, out_rx) = go::named("out", CAP);
    out_tx.send(2);
    out_tx.send(3);
    let (composites_tx, composites_rx) = go::named::<u64>("composites", CAP);
    let (primes_tx, primes_rx) = go::named::<u64>("primes", CAP);
    primes_tx.send(3);

    // Merges the multiples of every prime fed back into one increasing stream.
    thread::Builder::new().name(TASKS[3]).spawn(move || {
        let recv = |rx: &Receiver<u64>| rx.recv().expect("a producer never closes");
        // (head, index into `chans`), smallest head first.
        let mut heap = BinaryHeap::new();
        let mut chans: Vec<Receiver<u64>> = Vec::new();
        let mut min = 15;
        loop {
            let m = multiples(recv(&primes_rx));
            let head = recv(&m);
            let mut advance = |min: &mut u64| {
                let Reverse((h, i)) = heap.pop().expect("the heap holds min's channel");
                *min = h;
                heap.push(Reverse((recv(&chans[i]), i)));
            };
            while min < head {
                composites_tx.send(min);
                advance(&mut min);
            }
            while min == head {
                advance(&mut min);
            }
            composites_tx.send(head);
            let next = recv(&m);
            chans.push(m);
            heap.push(Reverse((next, chans.len() - 1)));
        }
    });

    // Takes the candidates that are not composites as primes.
    thread::Builder::new().name(TASKS[4]).spawn(move || {
        let primes = send_proxy(primes_tx);
        let candidates = odds();
        let next = || candidates.recv().expect("odds never closes");
        let mut p = next();
        loop {
            let c = composites_rx.recv().expect("the merger never closes");
            while p < c {
                primes.send(p);
                out_tx.send(p);
                p = next();
            }
            if p == c {
                p = next();
            }
        }
    });
    out_rx
}

fn check() -> Check {
    let mut check = Check::new(|| {
        let primes = sieve();
        for want in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29] {
            let got = primes.recv().expect("the sieve never closes");
            assert_eq!(got, want, "the sieve skipped or invented a prime");
        }
    });
    for name in TASKS {
        check = check.allow_leak(name);
    }
    check
}

/// The first 10 primes from sieve2's tasks, every task left blocked and named as an allowed
/// leak. Not under loom: 9 tasks, past its limits.
// Cost: std 2 runs (each the 1 s watchdog, which decides the leaked threads are blocked),
// shuttle random 100 + PCT 100 schedules: 2.3 s together (measured).
#[test]
fn sieve2() {
    let check = check();
    for checker in [
        Checker::Std(
            StdConfig::new()
                .iterations(2)
                .watchdog(Duration::from_secs(1)),
        ),
        Checker::Shuttle(ShuttleConfig::random().iterations(100)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(100)),
    ] {
        let report = check.run(&checker);
        report.assert_no_violation();
        let allowed = report
            .allowed_leaks
            .as_ref()
            .unwrap_or_else(|| panic!("the sieve's blocked tasks must be reported: {report}"));
        assert!(allowed.first.contains("sieve2-merge"), "{report}");
    }
}
