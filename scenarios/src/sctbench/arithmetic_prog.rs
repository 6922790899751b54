//! `arithmetic_prog`: a producer and a consumer hand over 3 items through a count under a lock
//! and two condvars; the consumer sums its indices, and `main` asserts the sum is *not* what it
//! always is.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/arithmetic_prog_bad.c`
//! (CS, Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The assertion fails in
//! every schedule: the benchmark measures how fast a strategy gets through one execution of a
//! condvar handoff.

use std::sync::Arc;

use concheck::sync::{Condvar, Mutex};
use concheck::thread;

use super::{buggy, fixed, spawn, Program, Study, ASSERTS};

const ITEMS: u64 = 3;

struct Shared {
    /// Items produced and not yet consumed.
    num: Mutex<u64>,
    empty: Condvar,
    full: Condvar,
}

/// Runs the handoff and returns the consumer's total.
fn total() -> u64 {
    let shared = Arc::new(Shared {
        num: Mutex::new(0),
        empty: Condvar::new(),
        full: Condvar::new(),
    });
    let s = Arc::clone(&shared);
    let producer = spawn("producer", move || {
        for _ in 0..ITEMS {
            let mut num = s.num.lock();
            while *num > 0 {
                num = s.empty.wait(num);
            }
            *num += 1;
            drop(num);
            s.full.notify_one();
        }
    });
    let s = shared;
    let consumer = thread::Builder::new().name("consumer").spawn(move || {
        let mut total = 0;
        for j in 0..ITEMS {
            let mut num = s.num.lock();
            while *num == 0 {
                num = s.full.wait(num);
            }
            total += j;
            *num -= 1;
            drop(num);
            s.empty.notify_one();
        }
        total + ITEMS
    });
    let _ = producer.join();
    consumer.join().unwrap_or_default()
}

/// The C program: asserts the total differs from 1 + 2 + 3, which it never does.
pub fn bad() {
    let total = total();
    assert_ne!(
        total,
        ITEMS * (ITEMS + 1) / 2,
        "the consumer's total is the sum 1..=3"
    );
}

/// Asserts the total is 1 + 2 + 3.
pub fn ok() {
    let total = total();
    assert_eq!(
        total,
        ITEMS * (ITEMS + 1) / 2,
        "the consumer's total is not the sum 1..=3: an item was lost or consumed twice"
    );
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_arithmetic_prog",
            "condvar handoff of 3 items; main asserts the total is not 6, which it always is",
            ASSERTS,
            bad,
            2,
        ),
        fixed: Some(fixed(
            "sct_arithmetic_prog_fixed",
            "main asserts the total is 6",
            ok,
            2,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/arithmetic_prog_bad.c",
        study: Some(Study {
            threads: 3,
            points: 20,
        }),
        tasks: 2,
    }
}
