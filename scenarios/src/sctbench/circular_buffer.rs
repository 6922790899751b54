//! `circular_buffer`: a sender and a receiver take turns on a log buffer through two flags under
//! one lock; the receiver asserts that the element it removes is its own loop index, but it
//! counts the turns it skipped too, so any schedule where it finds nothing to receive once
//! breaks the assertion.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/circular_buffer_bad.c`
//! (CS, Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The fix numbers the
//! elements sent and received instead of the loop turns.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, spawn, Program, Study, ASSERTS};

const CAPACITY: usize = 10;
const TURNS: usize = 7;

struct Log {
    buffer: [usize; CAPACITY],
    first: usize,
    next: usize,
    send: bool,
    receive: bool,
}

impl Log {
    fn remove(&mut self) -> Option<usize> {
        if self.next > 0 && self.first < CAPACITY {
            self.first += 1;
            Some(self.buffer[self.first - 1])
        } else {
            None
        }
    }

    fn insert(&mut self, value: usize) {
        if self.next < CAPACITY {
            self.buffer[self.next] = value;
            self.next = (self.next + 1) % CAPACITY;
        }
    }
}

fn run(count_turns: bool) {
    let log = Arc::new(Mutex::new(Log {
        buffer: [0; CAPACITY],
        first: 0,
        next: 0,
        send: true,
        receive: false,
    }));
    let l = Arc::clone(&log);
    let sender = spawn("sender", move || {
        let mut sent = 0;
        for turn in 0..TURNS {
            let mut log = l.lock();
            if log.send {
                log.insert(if count_turns { turn } else { sent });
                sent += 1;
                log.send = false;
                log.receive = true;
            }
        }
    });
    let l = log;
    let receiver = spawn("receiver", move || {
        let mut received = 0;
        for turn in 0..TURNS {
            let mut log = l.lock();
            if log.receive {
                let expected = if count_turns { turn } else { received };
                assert_eq!(
                    log.remove(),
                    Some(expected),
                    "the element received is not the one expected in this turn"
                );
                received += 1;
                log.receive = false;
                log.send = true;
            }
        }
    });
    let _ = sender.join();
    let _ = receiver.join();
}

/// The C program: both sides number elements by loop turn.
pub fn bad() {
    run(true);
}

/// Both sides number elements by the count actually sent and received.
pub fn ok() {
    run(false);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_circular_buffer",
            "receiver expects its loop index, counting turns it received nothing",
            ASSERTS,
            bad,
            2,
        ),
        fixed: Some(fixed(
            "sct_circular_buffer_fixed",
            "elements numbered by count sent and received",
            ok,
            2,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/circular_buffer_bad.c",
        study: Some(Study {
            threads: 3,
            points: 31,
        }),
        tasks: 2,
    }
}
