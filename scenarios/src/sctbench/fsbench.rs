//! `fsbench`: 27 tasks each claim a free block for their inode under an inode lock and a block
//! lock; the inode index is the task id modulo 32 but there are only 26 inode locks, so task 26
//! indexes past the array. A sequential bug: it fails in every schedule that runs task 26's
//! first step, so the benchmark measures a strategy's cost on 27 tasks, not its search.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/fsbench_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten; the C asserts the index
//! before using it, as here. The fix takes the index modulo the number of inode locks.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

const BLOCKS: usize = 26;
const INODES_BAD: usize = 32;
const TASKS: usize = 27;

struct Fs {
    /// Each inode's block (0: none yet), under the inode's lock.
    inodes: Vec<Mutex<usize>>,
    /// Whether each block is taken, under the block's lock.
    busy: Vec<Mutex<bool>>,
}

fn run(inodes: usize) {
    let fs = Arc::new(Fs {
        inodes: (0..BLOCKS).map(|_| Mutex::new(0)).collect(),
        busy: (0..BLOCKS).map(|_| Mutex::new(false)).collect(),
    });
    let tasks = (0..TASKS)
        .map(|tid| {
            let fs = Arc::clone(&fs);
            spawn(format!("fs-{tid}"), move || {
                let i = tid % inodes;
                assert!(i < BLOCKS, "inode {i} has no lock: there are {BLOCKS}");
                let mut inode = fs.inodes[i].lock();
                if *inode == 0 {
                    let mut b = (i * 2) % BLOCKS;
                    for _ in 0..BLOCKS / 2 {
                        let mut busy = fs.busy[b].lock();
                        if !*busy {
                            *busy = true;
                            *inode = b + 1;
                            break;
                        }
                        drop(busy);
                        b = (b + 1) % BLOCKS;
                    }
                }
            })
        })
        .collect();
    join_all(tasks);
}

/// The C program: 32 inode numbers, 26 inode locks.
pub fn bad() {
    run(INODES_BAD);
}

/// Inode numbers modulo the 26 locks.
pub fn ok() {
    run(BLOCKS);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_fsbench",
            "27 tasks index 26 inode locks by task id mod 32: task 26 is out of bounds",
            ASSERTS,
            bad,
            TASKS,
        ),
        fixed: Some(fixed(
            "sct_fsbench_fixed",
            "inode index mod the number of locks",
            ok,
            TASKS,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/fsbench_bad.c",
        study: Some(Study {
            threads: 28,
            points: 155,
        }),
        tasks: TASKS,
    }
}
