//! Linear pipeline with cancellation: generate -> square -> consume, where the consumer may stop
//! early and cancel, and every stage then returns instead of blocking forever.
//!
//! Mirrors `gen` and `sq` from the Go blog's "Pipelines and cancellation" (the version with a
//! `done` channel, here a [`Context`]): each stage closes its output when it returns, and every
//! send selects on the output and on cancellation.
//!
//! # Guarantees
//!
//! - Values arrive in order, each squared once.
//! - Cancellation at any point ends every stage: a stage blocked on a send wakes on cancellation,
//!   so no stage outlives the consumer (the leak the twin shows).
//!
//! # Twin
//!
//! [`early_return_leaks`]: the consumer takes one value and returns without cancelling; the
//! generator is blocked forever on an unbuffered send.

use concheck::go::{self, CancelFunc, Context, Receiver, Select};
use concheck::thread::{self, JoinHandle};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Sends `values` in order until done or cancelled, then closes its output.
pub fn generate(ctx: Context, values: Vec<u32>) -> (Receiver<u32>, JoinHandle<()>) {
    let (tx, rx) = go::named("generated", 0);
    let handle = thread::Builder::new().name("generate").spawn(move || {
        for v in values {
            let sent = Select::new()
                .send(&tx, v, || true)
                .done(&ctx, || false)
                .wait();
            if !sent {
                break;
            }
        }
        tx.close();
    });
    (rx, handle)
}

/// Squares every input value until the input closes or the context is cancelled, then closes
/// its output.
pub fn square(ctx: Context, input: Receiver<u32>) -> (Receiver<u32>, JoinHandle<()>) {
    let (tx, rx) = go::named("squared", 0);
    let handle = thread::Builder::new().name("square").spawn(move || {
        for v in &input {
            let sent = Select::new()
                .send(&tx, v * v, || true)
                .done(&ctx, || false)
                .wait();
            if !sent {
                break;
            }
        }
        tx.close();
    });
    (rx, handle)
}

/// Runs the pipeline over `values`, keeping the first `take` squares, then cancels and waits for
/// every stage to end.
pub fn first_squares(values: Vec<u32>, take: usize) -> Vec<u32> {
    let (ctx, cancel): (Context, CancelFunc) = Context::background().with_cancel();
    let (generated, gen_handle) = generate(ctx.clone(), values);
    let (squared, sq_handle) = square(ctx, generated);
    let out: Vec<u32> = squared.iter().take(take).collect();
    cancel.cancel();
    gen_handle.join().expect("generate panicked");
    sq_handle.join().expect("square panicked");
    out
}

fn reference() {
    assert_eq!(
        first_squares(vec![1, 2, 3], 1),
        vec![1],
        "stops early and cancels"
    );
}

fn reference_drained() {
    assert_eq!(
        first_squares(vec![2, 3], 5),
        vec![4, 9],
        "every value in order"
    );
}

/// Twin: the consumer returns after one value without cancelling anything.
pub fn early_return_leaks() {
    let (tx, rx) = go::named::<u32>("generated", 0);
    thread::Builder::new().name("generate").spawn(move || {
        for v in [1, 2, 3] {
            tx.send(v); // BUG: no way out once the consumer stops receiving
        }
        tx.close();
    });
    let first = rx.recv();
    assert_eq!(first, Some(1));
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "pipeline_cancel",
            pattern: "pipeline",
            role: Role::Reference,
            summary: "generate -> square -> consume 1 of 3, then cancel: every stage ends",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "pipeline_drain",
            pattern: "pipeline",
            role: Role::Reference,
            summary: "generate -> square -> consume all: outputs closed in order",
            body: Body::Sync(reference_drained),
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "pipeline_early_return",
            pattern: "pipeline",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary:
                "consumer returns after 1 value without cancelling: the generator blocks forever",
            body: Body::Sync(early_return_leaks),
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
