//! `twostage_N`: writers set `data1` under one lock, then `data2 = data1 + 1` under another; a
//! reader that reads `data1` (non-zero) and then `data2` asserts `data2 == data1 + 1`, which
//! fails if it reads between a writer's two stages.
//!
//! SCTBench lists `twostage_bad` (3 threads) and `twostage_100_bad` (101 threads) among its CS
//! programs (`benchmarks/buggy.txt`; Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16). Their C
//! file (`benchmarks/concurrent-software-benchmarks/twostage_bad.c`, from the SV-COMP pthread
//! suite) was not in the copy of the repository read for this port, so this is written from
//! the program's description, with N writers and one reader (the study's thread counts:
//! `twostage` 1 writer, `twostage_100` 99 writers, each with `main`). The fix is two-phase
//! locking: the writer holds `data1`'s lock until `data2` is written, the reader until it is
//! read.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

struct Data {
    one: Mutex<i32>,
    two: Mutex<i32>,
}

fn run(writers: usize, two_phase: bool) {
    let data = Arc::new(Data {
        one: Mutex::new(0),
        two: Mutex::new(0),
    });
    let mut tasks: Vec<_> = (0..writers)
        .map(|i| {
            let d = Arc::clone(&data);
            spawn(format!("writer-{i}"), move || {
                if two_phase {
                    let mut one = d.one.lock();
                    *one = 1;
                    *d.two.lock() = *one + 1;
                } else {
                    let v = {
                        let mut one = d.one.lock();
                        *one = 1;
                        *one
                    };
                    *d.two.lock() = v + 1;
                }
            })
        })
        .collect();
    tasks.push(spawn("reader", move || {
        let one = data.one.lock();
        if *one == 0 {
            return;
        }
        let first = *one;
        let one = if two_phase {
            Some(one)
        } else {
            drop(one);
            None
        };
        let second = *data.two.lock();
        drop(one);
        assert_eq!(
            second,
            first + 1,
            "the reader saw data1 set but data2 not yet"
        );
    }));
    join_all(tasks);
}

macro_rules! sizes {
    ($($name:literal, $writers:literal => $bad:ident, $ok:ident, $study:expr;)*) => {
        $(
            #[doc = concat!("`", $name, "`: ", $writers, " writers and a reader.")]
            pub fn $bad() {
                run($writers, false);
            }

            #[doc = concat!("`", $name, "` with two-phase locking.")]
            pub fn $ok() {
                run($writers, true);
            }
        )*

        /// The benchmarks.
        pub fn programs() -> Vec<Program> {
            vec![$(
                Program {
                    buggy: buggy(
                        concat!("sct_", $name),
                        concat!($writers, " writers set data1, then data2 under another lock; a reader sees the gap"),
                        ASSERTS,
                        $bad,
                        $writers + 1,
                    ),
                    fixed: Some(fixed(
                        concat!("sct_", $name, "_fixed"),
                        "two-phase locking on data1 then data2",
                        $ok,
                        $writers + 1,
                    )),
                    origin: "benchmarks/concurrent-software-benchmarks/twostage_bad.c",
                    study: $study,
                    tasks: $writers + 1,
                },
            )*]
        }
    };
}

sizes! {
    "twostage", 1 => bad_1, ok_1, Some(Study { threads: 3, points: 11 });
    "twostage_20", 20 => bad_20, ok_20, None;
    "twostage_100", 99 => bad_100, ok_100, Some(Study { threads: 101, points: 792 });
}
