//! `lazy01`: two tasks add 1 and 2 to a counter under a lock; a third asserts, under the same
//! lock, that the counter is below 3, which fails once both adders ran before it.
//!
//! SCTBench lists `lazy01_bad` among its CS programs (`benchmarks/buggy.txt`: 4 threads, 11
//! points; Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16). Its C file
//! (`benchmarks/concurrent-software-benchmarks/lazy01_bad.c`, from the SV-COMP pthread suite)
//! was not in the copy of the repository read for this port, so this is written from the
//! program's description. The assertion is simply false of the program, so there is no fixed
//! twin.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, join_all, spawn, Program, Study, ASSERTS};

/// The program.
pub fn bad() {
    let data = Arc::new(Mutex::new(0u32));
    let d = Arc::clone(&data);
    let one = spawn("add_1", move || *d.lock() += 1);
    let d = Arc::clone(&data);
    let two = spawn("add_2", move || *d.lock() += 2);
    let check = spawn("check", move || {
        let v = *data.lock();
        assert!(
            v < 3,
            "the counter reached {v}: both adders ran before the check"
        );
    });
    join_all(vec![one, two, check]);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_lazy01",
            "checker asserts counter < 3; fails once both adders ran first",
            ASSERTS,
            bad,
            3,
        ),
        fixed: None,
        origin: "benchmarks/concurrent-software-benchmarks/lazy01_bad.c",
        study: Some(Study {
            threads: 4,
            points: 11,
        }),
        tasks: 3,
    }
}
