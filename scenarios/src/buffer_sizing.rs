//! Channel buffer sizing: 0 is a handoff, 1 is a slot for a sender that may be abandoned, N is
//! a planned depth of one slot per value that may never be received.
//!
//! Mirrors the rule of "Channel Buffer Sizing" in the usual Go guidance: "Default to
//! unbuffered. Use a buffer of 1 when the sender might be abandoned. Use larger buffers only
//! with explicit capacity planning." Each size is a reference here, and each misjudged size a
//! twin whose bug the checkers find.
//!
//! # Guarantees
//!
//! - [`handoff`] (capacity 0): when `send` returns, the receiver has taken the value; the
//!   sender may rely on it (here: the receiver's state before its receive is visible).
//! - [`reply_slot`] (capacity 1): a caller that stops waiting for its reply (its context was
//!   cancelled) abandons the replier, whose one send still completes into the slot: the
//!   replier ends.
//! - [`planned_depth`] (capacity N): N validators each send one verdict; the caller stops at the
//!   first rejection. One slot per validator means every send completes whatever the caller
//!   read: all N end.
//!
//! # Twins
//!
//! - [`handoff_buffered`]: the handoff with capacity 1. `send` returns before the receiver has
//!   taken anything, and the sender's assumption fails (assertion failed).
//! - [`unbuffered_reply`]: the reply slot with capacity 0. The abandoned replier blocks on its
//!   send forever (a task leak).
//! - [`depth_unplanned`]: three validators, capacity 1. When the rejection comes first the
//!   caller returns, and of the two verdicts left one finds no slot (a task leak).

use concheck::go::{self, Context, Select};
use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::Arc;
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// A receiver marks that it reached its receive, then receives; the sender checks the mark
/// once its send returned: true for a handoff (capacity 0) in every interleaving.
fn handoff_on(capacity: usize) {
    let (tx, rx) = go::named::<u32>("handoff", capacity);
    let arrived = Arc::new(AtomicBool::new(false));
    let mark = Arc::clone(&arrived);
    let receiver = thread::Builder::new().name("receiver").spawn(move || {
        mark.store(true, Ordering::SeqCst);
        rx.recv()
    });
    tx.send(7);
    assert!(
        arrived.load(Ordering::SeqCst),
        "send returned before the receiver reached its receive: the channel is not a handoff"
    );
    assert_eq!(receiver.join().expect("receiver panicked"), Some(7));
}

/// Reference: capacity 0, a synchronous handoff.
pub fn handoff() {
    handoff_on(0);
}

/// Twin: capacity 1 where the sender relies on a handoff.
pub fn handoff_buffered() {
    handoff_on(1);
}

/// The caller asks a replier for a value and gives up when its context is cancelled, which
/// the client does before the reply comes (a closed connection, a deadline).
fn abandoned_reply_on(capacity: usize) {
    let (ctx, cancel) = Context::background().with_cancel();
    let (reply_tx, reply_rx) = go::named::<u32>("reply", capacity);
    thread::Builder::new()
        .name("replier")
        .spawn(move || reply_tx.send(42));
    cancel.cancel();
    let got = Select::new()
        .recv(&reply_rx, |v| v)
        .done(&ctx, || None)
        .wait();
    // The caller returns either way; the replier must still be able to end.
    if let Some(v) = got {
        assert_eq!(v, 42);
    }
}

/// Reference: capacity 1, a slot for a sender that may be abandoned.
pub fn reply_slot() {
    abandoned_reply_on(1);
}

/// Twin: capacity 0 for a sender that may be abandoned.
pub fn unbuffered_reply() {
    abandoned_reply_on(0);
}

/// How many validators each body starts: with the caller, loom's limit of 4 threads.
const VALIDATORS: usize = 3;

/// Validators 1..N accept, validator 0 rejects; the caller returns at the first rejection,
/// with the validator that sent it.
fn validators_on(capacity: usize) -> usize {
    let (tx, rx) = go::named::<(usize, bool)>("verdicts", capacity);
    for i in 0..VALIDATORS {
        let tx = tx.clone();
        thread::Builder::new()
            .name(format!("validator-{i}"))
            .spawn(move || tx.send((i, i != 0)));
    }
    for _ in 0..VALIDATORS {
        if let Some((who, false)) = rx.recv() {
            return who; // rejected: the remaining verdicts are not needed
        }
    }
    panic!("validator 0 always rejects: the caller must have seen its verdict");
}

/// Reference: one slot per validator, capacity planned for every verdict never read.
pub fn planned_depth() {
    assert_eq!(validators_on(VALIDATORS), 0, "validator 0's rejection");
}

/// Twin: three validators, one slot.
pub fn depth_unplanned() {
    validators_on(1);
}

/// This pattern's scenarios. All at loom bound 2; measured (release): the references take 6
/// (handoff), 3 (reply slot) and 1,749 (planned depth, 3 validators: 0.16 s) iterations, and
/// every twin is found in its first.
pub fn scenarios() -> Vec<Scenario> {
    let twin =
        |name, summary, body, expects: &'static [ViolationKind], assertion, tasks| Scenario {
            name,
            pattern: "channel buffer sizing",
            role: Role::Twin { expects, assertion },
            summary,
            body: Body::Sync(body),
            max_live_tasks: Some(tasks),
            loom_preemption_bound: LOOM_BOUND,
        };
    let reference = |name, summary, body, tasks| Scenario {
        name,
        pattern: "channel buffer sizing",
        role: Role::Reference,
        summary,
        body: Body::Sync(body),
        max_live_tasks: Some(tasks),
        loom_preemption_bound: LOOM_BOUND,
    };
    vec![
        reference(
            "buffer_sizing_handoff",
            "capacity 0: send returns once the receiver has taken the value",
            handoff as fn(),
            1,
        ),
        reference(
            "buffer_sizing_reply_slot",
            "capacity 1: a replier whose caller gave up still ends",
            reply_slot,
            1,
        ),
        reference(
            "buffer_sizing_planned_depth",
            "capacity 3 for 3 validators: the caller stops at a rejection, all 3 end",
            planned_depth,
            VALIDATORS,
        ),
        twin(
            "buffer_sizing_handoff_buffered",
            "capacity 1 where the sender relies on a handoff: send returns too early",
            handoff_buffered as fn(),
            &[ViolationKind::AssertionFailed],
            Some("send returned before the receiver reached its receive"),
            1,
        ),
        twin(
            "buffer_sizing_unbuffered_reply",
            "capacity 0 for a replier whose caller gave up: its send blocks forever",
            unbuffered_reply,
            &[ViolationKind::Leak],
            None,
            1,
        ),
        twin(
            "buffer_sizing_depth_unplanned",
            "capacity 1 for 3 validators: after an early rejection a verdict finds no slot",
            depth_unplanned,
            &[ViolationKind::Leak],
            None,
            VALIDATORS,
        ),
    ]
}
