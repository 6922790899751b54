//! `wronglock_N`: one task increments a counter under `data_lock` and asserts the increment
//! took; N others increment it under a different lock, so one can land between its read and
//! its check (a lost update's other face).
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/wronglock_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16; `wronglock` runs 1 + 7 tasks,
//! `wronglock_3` 1 + 3), rewritten. The counter is plain memory in the C: a `SeqCst` atomic
//! here, read and written in separate steps as `x++` is. The fix takes the same lock.

use std::sync::Arc;

use concheck::sync::atomic::{AtomicI32, Ordering::SeqCst};
use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

fn run(others: usize, same_lock: bool) {
    let data_lock = Arc::new(Mutex::new(()));
    let this_lock = if same_lock {
        Arc::clone(&data_lock)
    } else {
        Arc::new(Mutex::new(()))
    };
    let value = Arc::new(AtomicI32::new(0));
    let (lock, v) = (Arc::clone(&data_lock), Arc::clone(&value));
    let mut tasks = vec![spawn("func_a", move || {
        let _g = lock.lock();
        let x = v.load(SeqCst);
        let now = v.load(SeqCst);
        v.store(now + 1, SeqCst);
        let after = v.load(SeqCst);
        assert_eq!(
            after,
            x + 1,
            "another task changed the counter inside func_a's lock"
        );
    })];
    for i in 0..others {
        let (lock, v) = (Arc::clone(&this_lock), Arc::clone(&value));
        tasks.push(spawn(format!("func_b-{i}"), move || {
            let _g = lock.lock();
            let now = v.load(SeqCst);
            v.store(now + 1, SeqCst);
        }));
    }
    join_all(tasks);
}

/// `wronglock`: 7 tasks on the wrong lock.
pub fn bad_7() {
    run(7, false);
}

/// `wronglock` on the right lock.
pub fn ok_7() {
    run(7, true);
}

/// `wronglock_3`: 3 tasks on the wrong lock.
pub fn bad_3() {
    run(3, false);
}

/// `wronglock_3` on the right lock.
pub fn ok_3() {
    run(3, true);
}

/// The benchmarks.
pub fn programs() -> Vec<Program> {
    vec![
        Program {
            buggy: buggy(
                "sct_wronglock_3",
                "3 tasks increment under the wrong lock, inside func_a's read-check window",
                ASSERTS,
                bad_3,
                4,
            ),
            fixed: Some(fixed(
                "sct_wronglock_3_fixed",
                "all under data_lock",
                ok_3,
                4,
            )),
            origin: "benchmarks/concurrent-software-benchmarks/wronglock_3_bad.c",
            study: Some(Study {
                threads: 5,
                points: 25,
            }),
            tasks: 4,
        },
        Program {
            buggy: buggy(
                "sct_wronglock",
                "7 tasks increment under the wrong lock, inside func_a's read-check window",
                ASSERTS,
                bad_7,
                8,
            ),
            fixed: Some(fixed("sct_wronglock_fixed", "all under data_lock", ok_7, 8)),
            origin: "benchmarks/concurrent-software-benchmarks/wronglock_bad.c",
            study: Some(Study {
                threads: 9,
                points: 49,
            }),
            tasks: 8,
        },
    ]
}
