//! Ported from Go's `test/chan/select5.go`, a generator: it enumerates every way its templates
//! phrase one send or one receive (a plain operation, or a `select` with the real case, a
//! `default` before or after it, never-ready dummy cases on an unbuffered channel nobody uses,
//! never-ready nil-channel cases) and emits one straight-line program per combination. Here
//! the combinations are data ([`RecvShape`], [`SendShape`], [`NonblockShape`]), every one is
//! run in one check, and no program text is generated.
//!
//! What maps how:
//! - Go's five receive forms (`x = <-c`, `*f(&x) = <-c`, `y := <-c`, interface and map
//!   assignment) are five case bodies that store the value in those ways ([`Into`]).
//! - `default` before or after the cases is one `or_else` (its position in Go's source only
//!   changes what the compiler rewrites); instead the real case goes before or after the
//!   dummies, which changes the order of concheck's case list.
//! - nil-channel cases are left out: concheck has no nil channel, and a case that can never
//!   be ready is the dummy channel's case already.
//! - `recvOrder`/`sendOrder` check that a select evaluates every case's channel and value
//!   before it runs a body (the receive's left-hand side is evaluated after the receive): here
//!   every operand is counted as it is evaluated, and the chosen body checks that all were.
//!
//! Like Go's, the program is one task on a buffered channel: the test is of select's choice
//! and plumbing, not of interleavings. It still runs under every checker, since under loom
//! and shuttle every select is a choice point of the checker's own.

use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;

use concheck::check::Check;
use concheck::go::{self, Receiver, Select, Sender};

use super::{passes, Budget};

/// How a receive case's body stores the value into `x` (select5.go's five receive forms).
#[derive(Clone, Copy, Debug)]
enum Into {
    Direct,
    Indirect,
    Fresh,
    Interface,
    Map,
}

#[derive(Clone, Copy, Debug)]
struct Cases {
    default: bool,
    real_first: bool,
    dummy_send: bool,
    dummy_recv: bool,
}

#[derive(Clone, Copy, Debug)]
enum RecvShape {
    Plain,
    Select(Into, Cases),
}

#[derive(Clone, Copy, Debug)]
enum SendShape {
    Plain,
    Select(Cases),
}

#[derive(Clone, Copy, Debug)]
struct NonblockShape {
    dummy_send: bool,
    dummy_recv: bool,
    dummy_recv_into_x: bool,
}

fn bools() -> [bool; 2] {
    [false, true]
}

fn all_cases() -> Vec<Cases> {
    let mut v = Vec::new();
    for default in bools() {
        for real_first in bools() {
            for dummy_send in bools() {
                for dummy_recv in bools() {
                    v.push(Cases {
                        default,
                        real_first,
                        dummy_send,
                        dummy_recv,
                    });
                }
            }
        }
    }
    v
}

/// select5.go's package state: `c` has a one-slot buffer so the program is one task, `dummy`
/// is unbuffered and never used by anyone else, `n` is the next value to move.
struct World {
    c_tx: Sender<i64>,
    c_rx: Receiver<i64>,
    dummy_tx: Sender<i64>,
    dummy_rx: Receiver<i64>,
    n: i64,
    /// How many case operands (channels and values) have been evaluated in this select.
    evaluated: Cell<u32>,
}

impl World {
    fn new() -> Self {
        let (c_tx, c_rx) = go::channel(1);
        let (dummy_tx, dummy_rx) = go::channel(0);
        World {
            c_tx,
            c_rx,
            dummy_tx,
            dummy_rx,
            n: 1,
            evaluated: Cell::new(0),
        }
    }

    /// An operand of a case, counted as it is evaluated (select5.go's `fc`/`fn`).
    fn operand<T>(&self, v: T) -> T {
        self.evaluated.set(self.evaluated.get() + 1);
        v
    }

    /// Adds the never-ready dummy cases `cases` asks for.
    fn dummies<'a>(&'a self, mut s: Select<'a, ()>, cases: Cases) -> Select<'a, ()> {
        if cases.dummy_send {
            s = s.send(self.operand(&self.dummy_tx), self.operand(1), || {
                panic!("dummy send")
            });
        }
        if cases.dummy_recv {
            s = s.recv(self.operand(&self.dummy_rx), |_| panic!("dummy receive"));
        }
        s
    }

    fn operands(cases: Cases, real: u32) -> u32 {
        real + 2 * u32::from(cases.dummy_send) + u32::from(cases.dummy_recv)
    }

    /// Ends a select: blocking, or with a `default` that must not run (the real case is ready).
    fn finish(s: Select<'_, ()>, cases: Cases) {
        if cases.default {
            s.or_else(|| panic!("nonblock: default ran with the real case ready"));
        } else {
            s.wait();
        }
    }

    /// select5.go's `recv` and `recvOrder` templates: send n, receive it in the shape's way.
    fn recv(&mut self, shape: RecvShape) {
        self.c_tx.send(self.n);
        let x = match shape {
            RecvShape::Plain => self.c_rx.recv().expect("c is never closed"),
            RecvShape::Select(into, cases) => self.select_recv(into, cases),
        };
        assert_eq!(x, self.n, "have {x} want {}: {shape:?}", self.n);
        self.n += 1;
    }

    fn select_recv(&self, into: Into, cases: Cases) -> i64 {
        self.evaluated.set(0);
        let all = Self::operands(cases, 1);
        let evaluated = &self.evaluated;
        let body_ok = move || {
            assert_eq!(
                evaluated.get(),
                all,
                "a body ran before every case operand was evaluated"
            )
        };
        let mut x = 0;
        let mut m = HashMap::new();
        let mut s = Select::new();
        if !cases.real_first {
            s = self.dummies(s, cases);
        }
        let c = self.operand(&self.c_rx);
        s = match into {
            Into::Direct => s.recv(c, |v| {
                body_ok();
                x = v.expect("c is never closed");
            }),
            Into::Indirect => s.recv(c, |v| {
                body_ok();
                fn place(p: &mut i64) -> &mut i64 {
                    p
                }
                *place(&mut x) = v.expect("c is never closed");
            }),
            Into::Fresh => s.recv(c, |v| {
                body_ok();
                let y = v.expect("c is never closed");
                x = y;
            }),
            Into::Interface => s.recv(c, |v| {
                body_ok();
                let i: Box<dyn Any> = Box::new(v.expect("c is never closed"));
                x = *i.downcast::<i64>().expect("an i64 went in");
            }),
            Into::Map => s.recv(c, |v| {
                body_ok();
                m.insert(13, v.expect("c is never closed"));
            }),
        };
        if cases.real_first {
            s = self.dummies(s, cases);
        }
        Self::finish(s, cases);
        if let Into::Map = into {
            x = m[&13];
        }
        x
    }

    /// select5.go's `send` and `sendOrder` templates: send n in the shape's way, receive it.
    fn send(&mut self, shape: SendShape) {
        match shape {
            SendShape::Plain => self.c_tx.send(self.n),
            SendShape::Select(cases) => {
                self.evaluated.set(0);
                let all = Self::operands(cases, 2);
                let evaluated = &self.evaluated;
                let mut s = Select::new();
                if !cases.real_first {
                    s = self.dummies(s, cases);
                }
                s = s.send(self.operand(&self.c_tx), self.operand(self.n), || {
                    assert_eq!(
                        evaluated.get(),
                        all,
                        "a body ran before every case operand was evaluated"
                    )
                });
                if cases.real_first {
                    s = self.dummies(s, cases);
                }
                Self::finish(s, cases);
            }
        }
        let x = self.c_rx.recv().expect("c is never closed");
        assert_eq!(x, self.n, "have {x} want {}: {shape:?}", self.n);
        self.n += 1;
    }

    /// select5.go's `nonblock` template: only never-ready cases and a `default`, which must
    /// run, and no receive case may touch `x`.
    fn nonblock(&mut self, shape: NonblockShape) {
        let mut x = self.n;
        let mut s = Select::new();
        if shape.dummy_send {
            s = s.send(&self.dummy_tx, 1, || panic!("dummy <- 1"));
        }
        if shape.dummy_recv {
            s = s.recv(&self.dummy_rx, |_| panic!("<-dummy"));
        }
        if shape.dummy_recv_into_x {
            s = s.recv(&self.dummy_rx, |v| {
                x = v.unwrap_or(-1);
                panic!("<-dummy x")
            });
        }
        let took_default = s.or_else(|| true);
        assert!(took_default, "{shape:?}");
        assert_eq!(
            x, self.n,
            "a receive that did not happen wrote x: {shape:?}"
        );
        self.n += 1;
    }
}

/// Every shape of every template, in select5.go's order (recv, send, nonblock); returns how
/// many programs ran (Go's generator prints its count as its last line).
fn run_all() -> usize {
    let mut w = World::new();
    let mut count = 0;
    let intos = [
        Into::Direct,
        Into::Indirect,
        Into::Fresh,
        Into::Interface,
        Into::Map,
    ];
    w.recv(RecvShape::Plain);
    count += 1;
    for into in intos {
        for cases in all_cases() {
            w.recv(RecvShape::Select(into, cases));
            count += 1;
        }
    }
    w.send(SendShape::Plain);
    count += 1;
    for cases in all_cases() {
        w.send(SendShape::Select(cases));
        count += 1;
    }
    for dummy_send in bools() {
        for dummy_recv in bools() {
            for dummy_recv_into_x in bools() {
                w.nonblock(NonblockShape {
                    dummy_send,
                    dummy_recv,
                    dummy_recv_into_x,
                });
                count += 1;
            }
        }
    }
    assert_eq!(w.n as usize, count + 1, "every program moved one value");
    count
}

/// All 106 programs: 1 + 5 x 16 receives, 1 + 16 sends, 8 non-blocking selects (Go's generator
/// emits more, from the nil-channel cases and `default` positions that collapse here).
// Cost: one task, ~550 channel operations per execution: std 5 runs, shuttle 20+20 schedules,
// loom bound 1 (one task: one execution): 0.2 s together (measured).
#[test]
fn select5_generated_cases() {
    let check = Check::new(|| assert_eq!(run_all(), 106));
    passes(
        &check,
        Budget {
            std: 5,
            shuttle: 20,
            loom: Some(1),
        },
    );
}
