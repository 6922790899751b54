//! `deadlock01`: two tasks take two locks in opposite orders (AB-BA).
//!
//! SCTBench lists `deadlock01_bad` among its CS programs (`benchmarks/buggy.txt`: 3 threads,
//! 11 points; Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16). Its C file
//! (`benchmarks/concurrent-software-benchmarks/deadlock01_bad.c`, from the SV-COMP pthread
//! suite) was not in the copy of the repository read for this port, so this is written from
//! the program's description: each task locks one mutex, then the other, and touches a
//! counter under both. The fix takes them in one order.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, spawn, Program, Study, BLOCKS};

fn run(same_order: bool) {
    let a = Arc::new(Mutex::new(0u32));
    let b = Arc::new(Mutex::new(0u32));
    let (a1, b1) = (Arc::clone(&a), Arc::clone(&b));
    let first = spawn("a_then_b", move || {
        let mut ga = a1.lock();
        let mut gb = b1.lock();
        *ga += 1;
        *gb += 1;
    });
    let second = spawn("b_then_a", move || {
        if same_order {
            let mut ga = a.lock();
            let mut gb = b.lock();
            *ga += 1;
            *gb += 1;
        } else {
            let mut gb = b.lock();
            let mut ga = a.lock();
            *ga += 1;
            *gb += 1;
        }
    });
    let _ = first.join();
    let _ = second.join();
}

/// The C program: the second task locks `b` first.
pub fn bad() {
    run(false);
}

/// Both tasks lock `a` first.
pub fn ok() {
    run(true);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_deadlock01",
            "two tasks lock a, b and b, a: AB-BA deadlock",
            BLOCKS,
            bad,
            2,
        ),
        fixed: Some(fixed("sct_deadlock01_fixed", "both lock a then b", ok, 2)),
        origin: "benchmarks/concurrent-software-benchmarks/deadlock01_bad.c",
        study: Some(Study {
            threads: 3,
            points: 11,
        }),
        tasks: 2,
    }
}
