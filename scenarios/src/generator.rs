//! Generator: a function that starts a task producing values and returns only the receiving end
//! of its channel; a context stops the task when the consumer has had enough.
//!
//! Mirrors the "generator" of Rob Pike's "Go Concurrency Patterns" (Google I/O 2012: "function
//! that returns a channel") with the `done`/`ctx` stop that the Go blog's "Pipelines and
//! cancellation" and "Go Concurrency Patterns: Context" add to it:
//!
//! ```go
//! func count(ctx context.Context, from uint64) <-chan uint64 {
//!     out := make(chan uint64)
//!     go func() {
//!         defer close(out)
//!         for v := from; ; v++ {
//!             if ctx.Err() != nil { // cancellation first (select alone picks at random)
//!                 return
//!             }
//!             select {
//!             case <-ctx.Done():
//!                 return
//!             case out <- v:
//!             }
//!         }
//!     }()
//!     return out
//! }
//! ```
//!
//! # Guarantees
//!
//! - The consumer receives `from, from + 1, ...` in order, none skipped or repeated.
//! - It terminates: the generator only ever blocks in a `select` on its send *and* on
//!   cancellation, so once the consumer cancels, the generator returns at its next step and
//!   closes the channel. After the cancel at most one more value is delivered (by the select
//!   the generator was already in: with both cases ready, Go's select picks either, so each
//!   step checks the context before it selects); draining the channel after the cancel
//!   therefore ends, and waits for the generator to stop.
//! - When the counter reaches `u64::MAX` the generator sends it and closes the channel.
//!
//! # Twins
//!
//! - [`without_done`]: the generator has no way to be stopped: the consumer takes two values and
//!   returns, and the generator stays blocked forever on its next send (a task leak, the most
//!   common goroutine leak there is).

use concheck::go::{self, Context, Receiver, Select};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Starts a task that sends `from`, `from + 1`, ... on the returned channel until `ctx` is
/// cancelled (or `u64::MAX` has been sent), then closes it.
///
/// The channel is unbuffered: the generator computes a value only when the consumer is ready
/// for it. Cancel `ctx` when done; to wait for the generator to stop, drain the channel after
/// cancelling (it closes when the generator returns; at most one value arrives after the
/// cancel).
///
/// # Examples
///
/// ```
/// use concheck::go::Context;
/// use concheck_scenarios::generator::count;
///
/// let (ctx, cancel) = Context::background().with_cancel();
/// let numbers = count(ctx, 10);
/// assert_eq!(numbers.recv(), Some(10));
/// assert_eq!(numbers.recv(), Some(11));
/// cancel.cancel();
/// assert!(numbers.iter().count() <= 1, "stops right after the cancel");
/// ```
pub fn count(ctx: Context, from: u64) -> Receiver<u64> {
    let (tx, rx) = go::named("count", 0);
    thread::Builder::new().name("count").spawn(move || {
        for v in from..=u64::MAX {
            // Cancellation first: once cancelled, no further value is even offered. The select
            // alone would not do it: with the consumer receiving, both of its cases are ready,
            // and it picks either.
            if ctx.err().is_some() {
                break;
            }
            let sent = Select::new()
                .done(&ctx, || false)
                .send(&tx, v, || true)
                .wait();
            if !sent {
                break;
            }
        }
        tx.close();
    });
    rx
}

/// The first `k` numbers from `from`, taken from a [`count`] generator that is then cancelled;
/// returns once the generator has stopped.
///
/// # Examples
///
/// ```
/// assert_eq!(concheck_scenarios::generator::first(3, 7), vec![7, 8, 9]);
/// ```
pub fn first(k: usize, from: u64) -> Vec<u64> {
    let (ctx, cancel) = Context::background().with_cancel();
    let numbers = count(ctx, from);
    let taken = numbers.iter().take(k).collect();
    cancel.cancel();
    // Wait for the generator to stop: the channel closes when it returns.
    for _ in &numbers {}
    taken
}

fn reference() {
    let (ctx, cancel) = Context::background().with_cancel();
    let numbers = count(ctx, 5);
    let taken: Vec<u64> = numbers.iter().take(2).collect();
    assert_eq!(taken, vec![5, 6], "in order, none skipped");
    cancel.cancel();
    let after: Vec<u64> = numbers.iter().collect();
    assert!(
        after.is_empty() || after == vec![7],
        "at most the next value after the cancel, then the close: {after:?}"
    );
}

/// Twin: a generator with no way to stop it; the consumer stops early.
pub fn without_done() {
    let (tx, numbers) = go::named::<u64>("count", 0);
    thread::Builder::new().name("count").spawn(move || {
        for v in 5.. {
            tx.send(v); // BUG: nothing can stop this send once the consumer is gone
        }
    });
    let taken: Vec<u64> = numbers.iter().take(2).collect();
    assert_eq!(taken, vec![5, 6]);
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "generator",
            pattern: "generator",
            role: Role::Reference,
            summary: "consumer takes 2 values, cancels and drains: the generator stops",
            body: Body::Sync(reference),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "generator_without_done",
            pattern: "generator",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "no done/ctx: the consumer takes 2 values and the generator blocks forever",
            body: Body::Sync(without_done),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
