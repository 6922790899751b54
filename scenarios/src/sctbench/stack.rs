//! `stack`: a pusher pushes 10 values, each under a lock, and sets a "pushed" flag; a popper
//! pops once per turn whenever the flag is set, so once it has popped more than was pushed so
//! far the stack underflows.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/stack_bad.c` (CS, Thomson,
//! Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The fix pops only when the stack is
//! not empty.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, spawn, Program, Study, ASSERTS};

const SIZE: usize = 10;

struct Stack {
    items: [u32; SIZE],
    top: usize,
    pushed: bool,
}

fn run(pop_when_nonempty: bool) {
    let stack = Arc::new(Mutex::new(Stack {
        items: [0; SIZE],
        top: 0,
        pushed: false,
    }));
    let s = Arc::clone(&stack);
    let pusher = spawn("push", move || {
        for i in 0..SIZE {
            let mut s = s.lock();
            assert!(s.top < SIZE, "stack overflow");
            let top = s.top;
            s.items[top] = i as u32;
            s.top += 1;
            s.pushed = true;
        }
    });
    let s = stack;
    let popper = spawn("pop", move || {
        for _ in 0..SIZE {
            let mut s = s.lock();
            let go = if pop_when_nonempty {
                s.top > 0
            } else {
                s.pushed
            };
            if go {
                assert!(s.top > 0, "stack underflow: popped more than was pushed");
                s.top -= 1;
                let _ = s.items[s.top];
            }
        }
    });
    let _ = pusher.join();
    let _ = popper.join();
}

/// The C program: pops whenever anything was ever pushed.
pub fn bad() {
    run(false);
}

/// Pops only a non-empty stack.
pub fn ok() {
    run(true);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_stack",
            "popper pops once per turn after the first push: it overtakes the pusher",
            ASSERTS,
            bad,
            2,
        ),
        fixed: Some(fixed(
            "sct_stack_fixed",
            "pops only a non-empty stack",
            ok,
            2,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/stack_bad.c",
        study: Some(Study {
            threads: 3,
            points: 43,
        }),
        tasks: 2,
    }
}
