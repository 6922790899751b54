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
//! | `handoff_wakes_its_receiver` | a value sent while receivers block reaches one of them, even when another receiver starts to wait before the first one runs (capacity 0 and 1) |
//! | `double_close_is_refused` | a second `close` is refused |
//! | `send_after_close_is_refused` | a `send` on a closed channel is refused |
//!
//! "Refused", as in Go (where both panic): your `close` or `send` must panic, or, if your
//! channel wraps [`go::channel`], let it report [`DoubleClose`](ViolationKind::DoubleClose) or
//! [`SendAfterClose`](ViolationKind::SendAfterClose).
//! A misuse that returns normally fails the property (see [`Expect::Refusal`]).
//!
//! Dropping every sender does not close a channel (Go's rule, and [`go::channel`]'s): the
//! bodies always close explicitly.

use std::any::type_name;

use super::report::{Expect, SuiteReport, ACCEPTED};
use super::{spawn, Property};
use crate::check::{Check, Checker};
use crate::go;
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::Arc;
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
            name: "handoff_wakes_its_receiver",
            requirement: "a value sent while receivers block reaches one of them, even when \
                          another receiver starts to wait before the first one runs \
                          (capacity 0 and 1)",
            expect: Expect::NoViolation,
            body: handoff_wakes::<C>,
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
fn handoff_wakes<C: Channel>() {
    for cap in [0, 1] {
        let (tx, rx) = C::with_capacity(cap);
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
            "the one value sent, received once (capacity {cap})"
        );
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
