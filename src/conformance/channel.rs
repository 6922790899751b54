//! The channel suite: Go's channel semantics, checked on your channel through [`Channel`].
//!
//! # What your channel must do
//!
//! Each property is a small body (at most three spawned tasks, a few operations) run under
//! every checker you pass; its name is what [`SuiteReport`] and your test use.
//!
//! | property | requires |
//! |---|---|
//! | `rendezvous_at_capacity_0` | on capacity 0 a send returns only once a receiver has taken the value |
//! | `buffers_capacity_values` | on capacity 2 two sends complete with no receiver, and a third waits for a receive |
//! | `fifo_per_sender` | values from one sender arrive in the order it sent them |
//! | `close_drains_then_none_forever` | after a close, receivers get every buffered value, then `None`, and `None` again |
//! | `every_value_delivered_once` | with two senders and two receivers every value is received exactly once |
//! | `close_wakes_blocked_receivers` | a close wakes every receiver blocked in `recv`, and each gets `None` |
//! | `handoff_wakes_its_receiver_at_capacity_0` | a value sent while receivers block in `recv` on a capacity-0 channel reaches one of them, even when another receiver starts to wait before the first one runs |
//! | `handoff_wakes_its_receiver_at_capacity_1` | the same on a capacity-1 channel |
//! | `capacity_0_buffers_nothing` | on capacity 0 a send with no receiver stays blocked, however long the receiver takes to come |
//! | `close_wakes_everybody` | a close wakes every task asleep on the channel, in `recv` or (with [`Channel::SELECT`]) in a select |
//! | `select_chooses_among_ready_cases` | (with [`Channel::SELECT`]) a select with two ready cases can take the second: Go picks uniformly at random, so a select that always takes the first ready case fails |
//! | `double_close_is_refused` | a second `close` is refused |
//! | `send_after_close_is_refused` | a `send` on a closed channel is refused |
//!
//! "Refused", as in Go (where both panic): your `close` or `send` must panic, or, if your
//! channel wraps [`go::channel`], let it report [`DoubleClose`](ViolationKind::DoubleClose) or
//! [`SendAfterClose`](ViolationKind::SendAfterClose).
//! A misuse that returns normally fails the property (see [`Expect::Refusal`]).
//!
//! `capacity_0_buffers_nothing` and `close_wakes_everybody` let the other tasks fall asleep
//! with [`time::sleep`]: under the model checkers time moves only once
//! every task is blocked, so the sleep returns exactly when they are; on std it is a real 2 ms,
//! long enough in practice (a correct channel passes either way).
//!
//! `select_chooses_among_ready_cases` is an [`Expect::Reaches`] property: shuttle's random
//! and PCT schedulers and std's random choice reach the second case; loom cannot branch on a
//! select's choice and says so in its report, which the property accepts.
//!
//! Dropping every sender does not close a channel (Go's rule, and [`go::channel`]'s): the
//! bodies always close explicitly.

use std::any::type_name;

use std::time::Duration;

use super::report::{Expect, SuiteReport, ACCEPTED, REACHED};
use super::{spawn, Property};
use crate::check::{Check, Checker};
use crate::go;
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::Arc;
use crate::time;
use crate::violation::ViolationKind;

/// A multi-producer, multi-consumer channel with Go's semantics, as the suite drives it.
///
/// Implement it on any type you like (a marker type is fine): the suite only calls these
/// associated functions. Build the channel from concheck's facade ([`crate::sync`],
/// [`crate::go`]) so the model checkers control its every step; loom and shuttle cannot see
/// or schedule std's primitives, so a channel built on them belongs under the std checker only.
///
/// The suite sends `u32`s; implement it for your channel of `u32`.
///
/// # Examples
///
/// concheck's own channel, through the adapter this module provides:
///
/// ```
/// use concheck::check::Checker;
/// use concheck::conformance::{check_channel, GoChannel};
///
/// check_channel::<GoChannel>(&[Checker::shuttle_random()]).assert_passed();
/// ```
pub trait Channel: 'static {
    /// The sending half; cloned for a second sender.
    type Sender: Clone + Send + 'static;
    /// The receiving half; cloned for a second receiver.
    type Receiver: Clone + Send + 'static;

    /// A new open channel that buffers `cap` values (0: every send is a rendezvous).
    fn with_capacity(cap: usize) -> (Self::Sender, Self::Receiver);

    /// Sends `value`, blocking while the buffer is full (or, at capacity 0, until a receiver
    /// takes it). On a closed channel it must panic (or report
    /// [`SendAfterClose`](ViolationKind::SendAfterClose)).
    fn send(tx: &Self::Sender, value: u32);

    /// Receives the oldest value, blocking until there is one; `None` once the channel is
    /// closed and drained, and forever after.
    fn recv(rx: &Self::Receiver) -> Option<u32>;

    /// Closes the channel. A second close must panic (or report
    /// [`DoubleClose`](ViolationKind::DoubleClose)).
    fn close(tx: &Self::Sender);

    /// Whether the channel has a select ([`Channel::select_recv`]); the select properties run
    /// only if it has. Default: no.
    const SELECT: bool = false;

    /// Go's `select` over a receive on `a` and a receive on `b`: blocks until one of them is
    /// ready, then returns which (0 for `a`, 1 for `b`) and what it received (`None`: that
    /// channel is closed and drained). With both ready it must be free to take either, as Go
    /// picks uniformly at random. Called only if [`Channel::SELECT`] is true.
    fn select_recv(a: &Self::Receiver, b: &Self::Receiver) -> (usize, Option<u32>) {
        let _ = (a, b);
        unreachable!("select_recv is called only when Channel::SELECT is true")
    }
}

/// [`Channel`] for concheck's own [`go::channel`]: the suite holds on it.
#[derive(Clone, Copy, Debug, Default)]
pub struct GoChannel;

impl Channel for GoChannel {
    type Sender = go::Sender<u32>;
    type Receiver = go::Receiver<u32>;

    #[track_caller]
    fn with_capacity(cap: usize) -> (Self::Sender, Self::Receiver) {
        go::channel(cap)
    }

    #[track_caller]
    fn send(tx: &Self::Sender, value: u32) {
        tx.send(value);
    }

    #[track_caller]
    fn recv(rx: &Self::Receiver) -> Option<u32> {
        rx.recv()
    }

    #[track_caller]
    fn close(tx: &Self::Sender) {
        tx.close();
    }

    const SELECT: bool = true;

    #[track_caller]
    fn select_recv(a: &Self::Receiver, b: &Self::Receiver) -> (usize, Option<u32>) {
        go::Select::new()
            .recv(a, |v| (0, v))
            .recv(b, |v| (1, v))
            .wait()
    }
}

/// Runs every channel property on `C` under each of `checkers`.
///
/// Use [`Checker::defaults`] in a test; a failing property names the checker, the violation
/// and, under loom or shuttle, the replay string for [`channel_property`].
pub fn check_channel<C: Channel>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("channel", type_name::<C>(), "channel_property");
    for p in properties::<C>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the channel property `name` as a [`Check`], to run alone or to pass to
/// [`replay`](crate::check::replay) with a failing report's replay string; `None` if there is
/// no such property.
pub fn channel_property<C: Channel>(name: &str) -> Option<Check> {
    properties::<C>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<C: Channel>() -> Vec<Property> {
    let mut all = all_properties::<C>();
    if !C::SELECT {
        all.retain(|p| p.name != "select_chooses_among_ready_cases");
    }
    all
}

fn all_properties<C: Channel>() -> Vec<Property> {
    vec![
        Property {
            name: "rendezvous_at_capacity_0",
            requirement: "on capacity 0 a send returns only once a receiver has taken the value",
            expect: Expect::NoViolation,
            body: rendezvous::<C>,
        },
        Property {
            name: "buffers_capacity_values",
            requirement: "on capacity 2 two sends complete with no receiver, and a third waits \
                          for a receive",
            expect: Expect::NoViolation,
            body: buffers::<C>,
        },
        Property {
            name: "fifo_per_sender",
            requirement: "values from one sender arrive in the order it sent them",
            expect: Expect::NoViolation,
            body: fifo_per_sender::<C>,
        },
        Property {
            name: "close_drains_then_none_forever",
            requirement: "after a close, receivers get every buffered value, then None, and \
                          None again",
            expect: Expect::NoViolation,
            body: close_drains::<C>,
        },
        Property {
            name: "every_value_delivered_once",
            requirement: "with two senders and two receivers every value is received exactly \
                          once",
            expect: Expect::NoViolation,
            body: delivered_once::<C>,
        },
        Property {
            name: "close_wakes_blocked_receivers",
            requirement: "a close wakes every receiver blocked in recv, and each gets None",
            expect: Expect::NoViolation,
            body: close_wakes::<C>,
        },
        Property {
            name: "handoff_wakes_its_receiver_at_capacity_0",
            requirement: "a value sent while receivers block on a capacity-0 channel reaches \
                          one of them, even when another receiver starts to wait before the \
                          first one runs",
            expect: Expect::NoViolation,
            body: handoff_wakes::<C, 0>,
        },
        // Two properties, not one body over both capacities: the capacities share nothing,
        // and loom explores one body's two halves as a product (measured on concheck's own
        // channel: 12,639 schedules for both in one body, 711 + 552 apart).
        Property {
            name: "handoff_wakes_its_receiver_at_capacity_1",
            requirement: "a value sent while receivers block on a capacity-1 channel reaches \
                          one of them, even when another receiver starts to wait before the \
                          first one runs",
            expect: Expect::NoViolation,
            body: handoff_wakes::<C, 1>,
        },
        Property {
            name: "capacity_0_buffers_nothing",
            requirement: "on capacity 0 a send with no receiver stays blocked, however long the \
                          receiver takes to come",
            expect: Expect::NoViolation,
            body: buffers_nothing::<C>,
        },
        Property {
            name: "close_wakes_everybody",
            requirement: "a close wakes every task asleep on the channel, in recv or in a select",
            expect: Expect::NoViolation,
            body: close_wakes_everybody::<C>,
        },
        Property {
            name: "select_chooses_among_ready_cases",
            requirement: "a select with two ready cases can take the second (Go picks uniformly \
                          at random)",
            expect: Expect::Reaches,
            body: select_chooses::<C>,
        },
        Property {
            name: "double_close_is_refused",
            requirement: "a second close panics (or reports a double close), as in Go",
            expect: Expect::Refusal(ViolationKind::DoubleClose),
            body: double_close::<C>,
        },
        Property {
            name: "send_after_close_is_refused",
            requirement: "a send on a closed channel panics (or reports a send after close), \
                          as in Go",
            expect: Expect::Refusal(ViolationKind::SendAfterClose),
            body: send_after_close::<C>,
        },
    ]
}

/// A task sends then raises `sent`; main checks `sent` is still down before it receives. On a
/// rendezvous channel the send cannot return before main takes the value, in any schedule.
fn rendezvous<C: Channel>() {
    let (tx, rx) = C::with_capacity(0);
    let sent = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&sent);
    let sender = spawn("sender", move || {
        C::send(&tx, 7);
        flag.store(true, Ordering::SeqCst);
    });
    assert!(
        !sent.load(Ordering::SeqCst),
        "a send on a capacity-0 channel returned before any receiver took the value"
    );
    assert_eq!(C::recv(&rx), Some(7), "the value sent");
    sender.join().unwrap();
}

/// Two sends complete on buffer room alone (main joins the filler before any receive); a third
/// cannot complete until main receives.
fn buffers<C: Channel>() {
    let (tx, rx) = C::with_capacity(2);
    let filler_tx = tx.clone();
    let filler = spawn("filler", move || {
        C::send(&filler_tx, 1);
        C::send(&filler_tx, 2);
    });
    filler.join().unwrap();
    let sent = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&sent);
    let overflow = spawn("overflow", move || {
        C::send(&tx, 3);
        flag.store(true, Ordering::SeqCst);
    });
    assert!(
        !sent.load(Ordering::SeqCst),
        "a third send on a capacity-2 channel holding 2 values returned before any receive"
    );
    assert_eq!(C::recv(&rx), Some(1), "the oldest buffered value");
    overflow.join().unwrap();
    assert_eq!(C::recv(&rx), Some(2), "the next buffered value");
    assert_eq!(C::recv(&rx), Some(3), "the value that waited for room");
}

/// Two senders, two values each, on one slot of buffer: each sender's values arrive in order.
fn fifo_per_sender<C: Channel>() {
    let (tx, rx) = C::with_capacity(1);
    let senders: Vec<_> = [10, 20]
        .into_iter()
        .map(|first| {
            let tx = tx.clone();
            spawn(&format!("sender-{first}"), move || {
                C::send(&tx, first);
                C::send(&tx, first + 1);
            })
        })
        .collect();
    let got: Vec<u32> = (0..4)
        .map(|_| C::recv(&rx).expect("an open channel"))
        .collect();
    for s in senders {
        s.join().unwrap();
    }
    for first in [10, 20] {
        let from_sender: Vec<u32> = got
            .iter()
            .copied()
            .filter(|v| v / 10 == first / 10)
            .collect();
        assert_eq!(
            from_sender,
            vec![first, first + 1],
            "the values of one sender out of order (all received: {got:?})"
        );
    }
}

/// A task sends two values and closes while main receives: main gets both, then `None` twice.
fn close_drains<C: Channel>() {
    let (tx, rx) = C::with_capacity(2);
    let closer = spawn("closer", move || {
        C::send(&tx, 1);
        C::send(&tx, 2);
        C::close(&tx);
    });
    assert_eq!(
        C::recv(&rx),
        Some(1),
        "the first value sent before the close"
    );
    assert_eq!(
        C::recv(&rx),
        Some(2),
        "the second value sent before the close"
    );
    assert_eq!(C::recv(&rx), None, "closed and drained");
    assert_eq!(C::recv(&rx), None, "closed and drained, again");
    closer.join().unwrap();
}

/// Two senders and two receivers on one slot of buffer: main sends first (filling the slot),
/// then a task sends (waiting for room) and closes, while main and a second task receive until
/// `None`. Together the receivers get each value exactly once. (Three tasks, not five: loom's
/// search grows steeply with each task, and this shape keeps a blocked sender, two competing
/// receivers and a close racing them.)
fn delivered_once<C: Channel>() {
    let (tx, rx) = C::with_capacity(1);
    C::send(&tx, 1);
    let sender = spawn("sender-2", move || {
        C::send(&tx, 2);
        C::close(&tx);
    });
    let drain = |rx: &C::Receiver| {
        let mut got = Vec::new();
        while let Some(v) = C::recv(rx) {
            got.push(v);
        }
        got
    };
    let rx2 = rx.clone();
    let receiver = spawn("receiver-2", move || drain(&rx2));
    let mut got = drain(&rx);
    got.extend(receiver.join().unwrap());
    sender.join().unwrap();
    got.sort_unstable();
    assert_eq!(
        got,
        vec![1, 2],
        "every value exactly once across both receivers"
    );
}

/// Two receivers block on an empty rendezvous channel; main closes it: both must return `None`.
fn close_wakes<C: Channel>() {
    let (tx, rx) = C::with_capacity(0);
    let receivers: Vec<_> = (1..=2)
        .map(|i| {
            let rx = rx.clone();
            spawn(&format!("receiver-{i}"), move || C::recv(&rx))
        })
        .collect();
    C::close(&tx);
    for r in receivers {
        assert_eq!(
            r.join().unwrap(),
            None,
            "a receiver of a closed empty channel got a value"
        );
    }
}

/// Two receivers loop on `recv` until `None`; main sends one value, waits (on a
/// [`go::WaitGroup`]) until a receiver has it, then closes. Every receiver must return. A
/// channel that hands a value to one particular blocked receiver and wakes it with a plain
/// `notify_one` loses this wakeup: the second receiver, starting to wait between the hand-off
/// and the notify, can absorb the notify, look for a value of its own, find none and wait
/// again, while the receiver that holds the value sleeps until the close, which main never
/// sends. Run at capacity 0 (a rendezvous) and 1 (a hand-off to a waiting receiver skips the
/// buffer).
fn handoff_wakes<C: Channel, const CAP: usize>() {
    let (tx, rx) = C::with_capacity(CAP);
    let received = Arc::new(go::WaitGroup::new());
    received.add(1);
    let receivers: Vec<_> = (1..=2)
        .map(|i| {
            let (rx, received) = (rx.clone(), Arc::clone(&received));
            spawn(&format!("receiver-{i}"), move || {
                let mut got = Vec::new();
                while let Some(v) = C::recv(&rx) {
                    got.push(v);
                    received.done();
                }
                got
            })
        })
        .collect();
    C::send(&tx, 7);
    received.wait();
    C::close(&tx);
    let got: Vec<u32> = receivers
        .into_iter()
        .flat_map(|r| r.join().unwrap())
        .collect();
    assert_eq!(
        got,
        vec![7],
        "the one value sent, received once (capacity {CAP})"
    );
}

/// How long the bodies let other tasks fall asleep: under a model checker the sleep returns
/// once every other task is blocked; on std it is real time.
const SETTLE: Duration = Duration::from_millis(2);

/// A task sends on a rendezvous channel and raises `sent`; main lets it block, then checks
/// `sent` is still down. A channel that buffers one value at capacity 0 lets the send return.
fn buffers_nothing<C: Channel>() {
    let (tx, rx) = C::with_capacity(0);
    let sent = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&sent);
    let sender = spawn("sender", move || {
        C::send(&tx, 7);
        flag.store(true, Ordering::SeqCst);
    });
    time::sleep(SETTLE);
    assert!(
        !sent.load(Ordering::SeqCst),
        "a send on a capacity-0 channel returned with no receiver: the channel buffered the \
         value; a capacity-0 send must wait for a receiver"
    );
    assert_eq!(C::recv(&rx), Some(7), "the value sent");
    sender.join().unwrap();
}

/// A receiver blocks in `recv` and another in a select (in `recv` too without a select); main
/// lets both fall asleep, then closes: both must wake with `None`.
fn close_wakes_everybody<C: Channel>() {
    let (tx, rx) = C::with_capacity(1);
    let (_never_tx, never_rx) = C::with_capacity(0);
    let rx2 = rx.clone();
    let receiver = spawn("receiver", move || C::recv(&rx2));
    let selecter = spawn("selecter", move || {
        if C::SELECT {
            C::select_recv(&never_rx, &rx)
        } else {
            (1, C::recv(&rx))
        }
    });
    time::sleep(SETTLE);
    C::close(&tx);
    assert_eq!(
        receiver.join().unwrap(),
        None,
        "a receiver woken by the close of an empty channel"
    );
    assert_eq!(
        selecter.join().unwrap(),
        (1, None),
        "a select woken by the close of the channel it receives from"
    );
}

/// Both channels hold a value; a select over them takes one. Some schedule must take the
/// second (the body marks it): a select that always takes the first ready case never does.
fn select_chooses<C: Channel>() {
    let (a_tx, a) = C::with_capacity(1);
    let (b_tx, b) = C::with_capacity(1);
    C::send(&a_tx, 1);
    C::send(&b_tx, 2);
    let (case, v) = C::select_recv(&a, &b);
    assert_eq!(v, Some(case as u32 + 1), "the value of the case taken");
    if case == 1 {
        panic!("{REACHED}: the select took its second ready case");
    }
}

fn double_close<C: Channel>() {
    let (tx, _rx) = C::with_capacity(1);
    C::close(&tx);
    C::close(&tx);
    panic!("{ACCEPTED}: a second close returned normally; it must panic, as Go's does");
}

fn send_after_close<C: Channel>() {
    let (tx, _rx) = C::with_capacity(1);
    C::close(&tx);
    C::send(&tx, 1);
    panic!("{ACCEPTED}: a send on a closed channel returned normally; it must panic, as Go's does");
}
