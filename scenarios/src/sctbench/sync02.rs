//! `sync02`: a producer and a consumer of 2 items each hand over through a count that starts at
//! 2 instead of 0: the consumer takes the 2 phantom items and leaves, and the producer's second
//! item waits forever for room. It blocks in every schedule.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/sync02_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The fix starts the count at 0.

use std::sync::Arc;

use concheck::sync::{Condvar, Mutex};

use super::{buggy, fixed, spawn, Program, Study, BLOCKS};

const ITEMS: u32 = 2;

struct Shared {
    num: Mutex<u32>,
    empty: Condvar,
    full: Condvar,
}

fn run(start: u32) {
    let shared = Arc::new(Shared {
        num: Mutex::new(start),
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
    let consumer = spawn("consumer", move || {
        for _ in 0..ITEMS {
            let mut num = s.num.lock();
            while *num == 0 {
                num = s.full.wait(num);
            }
            *num -= 1;
            drop(num);
            s.empty.notify_one();
        }
    });
    let _ = producer.join();
    let _ = consumer.join();
}

/// The C program: the count starts at 2.
pub fn bad() {
    run(2);
}

/// The count starts at 0.
pub fn ok() {
    run(0);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_sync02",
            "count starts at 2: the consumer takes phantom items, the producer waits forever",
            BLOCKS,
            bad,
            2,
        ),
        fixed: Some(fixed("sct_sync02_fixed", "the count starts at 0", ok, 2)),
        origin: "benchmarks/concurrent-software-benchmarks/sync02_bad.c",
        study: Some(Study {
            threads: 3,
            points: 18,
        }),
        tasks: 2,
    }
}
