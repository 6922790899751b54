//! `reorder_N`: N-1 setters each write `a = 1` then `b = -1`; a checker reads `a` then `b` and
//! asserts it saw both writes or neither. It fails only if the checker runs between one
//! setter's two writes: the more setters there are ahead of it, the rarer that is for a random
//! scheduler, and the study's PCT misses it at 20.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/reorder_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16; run as `reorder_N_bad` with N-1 setters
//! and 1 checker, N+1 threads with `main`), rewritten. The fix writes and reads the pair under
//! one lock.

use std::sync::Arc;

use concheck::sync::atomic::{AtomicI32, Ordering::SeqCst};
use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

fn consistent(a: i32, b: i32) -> bool {
    (a == 0 && b == 0) || (a == 1 && b == -1)
}

fn run_bad(setters: usize) {
    let a = Arc::new(AtomicI32::new(0));
    let b = Arc::new(AtomicI32::new(0));
    let mut tasks: Vec<_> = (0..setters)
        .map(|i| {
            let (a, b) = (Arc::clone(&a), Arc::clone(&b));
            spawn(format!("set-{i}"), move || {
                a.store(1, SeqCst);
                b.store(-1, SeqCst);
            })
        })
        .collect();
    tasks.push(spawn("check", move || {
        let (a, b) = (a.load(SeqCst), b.load(SeqCst));
        assert!(
            consistent(a, b),
            "the checker saw a = {a}, b = {b}: half of a setter's writes"
        );
    }));
    join_all(tasks);
}

fn run_ok(setters: usize) {
    let pair = Arc::new(Mutex::new((0, 0)));
    let mut tasks: Vec<_> = (0..setters)
        .map(|i| {
            let pair = Arc::clone(&pair);
            spawn(format!("set-{i}"), move || {
                let mut p = pair.lock();
                p.0 = 1;
                p.1 = -1;
            })
        })
        .collect();
    tasks.push(spawn("check", move || {
        let (a, b) = *pair.lock();
        assert!(
            consistent(a, b),
            "the checker saw a = {a}, b = {b}: half of a setter's writes"
        );
    }));
    join_all(tasks);
}

macro_rules! sizes {
    ($($n:literal => $bad:ident, $ok:ident, $threads:literal, $points:literal;)*) => {
        $(
            #[doc = concat!("`reorder_", $n, "_bad`: ", $n, " - 1 setters and a checker.")]
            pub fn $bad() {
                run_bad($n - 1);
            }

            #[doc = concat!("`reorder_", $n, "` with the pair under one lock.")]
            pub fn $ok() {
                run_ok($n - 1);
            }
        )*

        /// The benchmarks: 3, 4, 5, 10 and 20.
        pub fn programs() -> Vec<Program> {
            vec![$(
                Program {
                    buggy: buggy(
                        concat!("sct_reorder_", $n),
                        concat!($n, " - 1 setters write a then b; a checker sees half a write"),
                        ASSERTS,
                        $bad,
                        $n,
                    ),
                    fixed: Some(fixed(
                        concat!("sct_reorder_", $n, "_fixed"),
                        "the pair written and read under one lock",
                        $ok,
                        $n,
                    )),
                    origin: "benchmarks/concurrent-software-benchmarks/reorder_bad.c.skip",
                    study: Some(Study { threads: $threads, points: $points }),
                    tasks: $n,
                },
            )*]
        }
    };
}

sizes! {
    3 => bad_3, ok_3, 4, 12;
    4 => bad_4, ok_4, 5, 16;
    5 => bad_5, ok_5, 6, 20;
    10 => bad_10, ok_10, 11, 40;
    20 => bad_20, ok_20, 21, 89;
}
