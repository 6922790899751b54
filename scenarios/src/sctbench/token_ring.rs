//! `token_ring`: three stages each copy the previous stage's value (the first adds 1 mod 4),
//! each in an atomic block, and set a done flag; a fourth asserts, once all three are done,
//! that they agree. They agree only if the stages ran in ring order.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/token_ring_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten; the ESBMC atomic blocks are
//! one lock. The fix passes the token: each stage waits on a condvar for the one before it.

use std::sync::Arc;

use concheck::sync::{Condvar, Mutex};

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

struct Ring {
    x: [u32; 3],
    done: [bool; 3],
}

fn run(in_order: bool) {
    let ring = Arc::new((
        Mutex::new(Ring {
            x: [1, 2, 1],
            done: [false; 3],
        }),
        Condvar::new(),
    ));
    let mut tasks: Vec<_> = (0..3)
        .map(|stage| {
            let ring = Arc::clone(&ring);
            spawn(format!("stage-{stage}"), move || {
                let (lock, turn) = &*ring;
                let mut r = lock.lock();
                if in_order && stage > 0 {
                    r = turn.wait_while(r, |r| !r.done[stage - 1]);
                }
                r.x[stage] = if stage == 0 {
                    (r.x[2] + 1) % 4
                } else {
                    r.x[stage - 1]
                };
                r.done[stage] = true;
                drop(r);
                turn.notify_all();
            })
        })
        .collect();
    tasks.push(spawn("check", move || {
        let r = ring.0.lock();
        if r.done.iter().all(|&d| d) {
            assert!(
                r.x[0] == r.x[1] && r.x[1] == r.x[2],
                "the stages disagree ({:?}): they ran out of ring order",
                r.x
            );
        }
    }));
    join_all(tasks);
}

/// The C program: the stages run in any order.
pub fn bad() {
    run(false);
}

/// Each stage waits for the one before it.
pub fn ok() {
    run(true);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_token_ring",
            "three stages copy their predecessor in any order; the checker asserts they agree",
            ASSERTS,
            bad,
            4,
        ),
        fixed: Some(fixed(
            "sct_token_ring_fixed",
            "each stage waits for its predecessor",
            ok,
            4,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/token_ring_bad.c",
        study: Some(Study {
            threads: 5,
            points: 11,
        }),
        tasks: 4,
    }
}
