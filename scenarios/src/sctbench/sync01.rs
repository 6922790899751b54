//! `sync01`: a producer waits on a condvar for the count to drop to 0; the consumer, which
//! should decrement it, does not, so the producer waits forever (or its wakeup is lost, if the
//! consumer signals first). It blocks in every schedule.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/sync01_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The fix is the consumer's
//! decrement (`sync01_ok.c` in the repository).

use std::sync::Arc;

use concheck::sync::{Condvar, Mutex};

use super::{buggy, fixed, spawn, Program, Study, BLOCKS};

struct Shared {
    num: Mutex<u32>,
    empty: Condvar,
    full: Condvar,
}

fn run(consume: bool) {
    let shared = Arc::new(Shared {
        num: Mutex::new(1),
        empty: Condvar::new(),
        full: Condvar::new(),
    });
    let s = Arc::clone(&shared);
    let producer = spawn("producer", move || {
        let mut num = s.num.lock();
        while *num > 0 {
            num = s.empty.wait(num);
        }
        *num += 1;
        drop(num);
        s.full.notify_one();
    });
    let s = shared;
    let consumer = spawn("consumer", move || {
        let mut num = s.num.lock();
        while *num == 0 {
            num = s.full.wait(num);
        }
        if consume {
            *num -= 1;
        }
        drop(num);
        s.empty.notify_one();
    });
    let _ = producer.join();
    let _ = consumer.join();
}

/// The C program: the consumer never decrements.
pub fn bad() {
    run(false);
}

/// The consumer decrements.
pub fn ok() {
    run(true);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_sync01",
            "producer waits for the count to drop; the consumer never decrements it",
            BLOCKS,
            bad,
            2,
        ),
        fixed: Some(fixed("sct_sync01_fixed", "the consumer decrements", ok, 2)),
        origin: "benchmarks/concurrent-software-benchmarks/sync01_bad.c",
        study: Some(Study {
            threads: 3,
            points: 9,
        }),
        tasks: 2,
    }
}
