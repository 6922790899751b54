//! `phase01`: two tasks each lock `x`, unlock it, lock it again and never unlock it; whichever
//! comes second blocks on `x` forever, in every schedule.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/phase01_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten; the lock outlives its scope,
//! so it is a [`concheck::go::Mutex`]. The fix adds the missing unlock.

use std::sync::Arc;

use concheck::go;

use super::{buggy, fixed, spawn, Program, Study, BLOCKS};

fn run(unlock_again: bool) {
    let x = Arc::new(go::Mutex::new());
    let y = Arc::new(go::Mutex::new());
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (x, y) = (Arc::clone(&x), Arc::clone(&y));
            spawn(format!("phase-{i}"), move || {
                x.lock();
                x.unlock();
                x.lock();
                if unlock_again {
                    x.unlock();
                }
                y.lock();
                y.unlock();
                y.lock();
                y.unlock();
            })
        })
        .collect();
    super::join_all(tasks);
}

/// The C program: the second lock of `x` is never released.
pub fn bad() {
    run(false);
}

/// Every lock is released.
pub fn ok() {
    run(true);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_phase01",
            "each task locks x twice and releases it once: the second task blocks forever",
            BLOCKS,
            bad,
            2,
        ),
        fixed: Some(fixed("sct_phase01_fixed", "every lock released", ok, 2)),
        origin: "benchmarks/concurrent-software-benchmarks/phase01_bad.c",
        study: Some(Study {
            threads: 3,
            points: 11,
        }),
        tasks: 2,
    }
}
