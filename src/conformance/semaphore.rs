//! The semaphore suite: `golang.org/x/sync/semaphore`'s weighted semaphore, checked on your type
//! through [`WeightedSemaphore`].
//!
//! # What your semaphore must do
//!
//! | property | requires |
//! |---|---|
//! | `never_more_than_size` | units held at once never exceed the size |
//! | `fifo_no_barging` | while a waiter is queued, neither `try_acquire` nor a smaller `acquire` behind it takes units, even units enough for them; the head is served first |
//! | `cancelled_waiter_takes_nothing` | a waiter whose context is cancelled returns the context's error and holds no units |
//! | `release_more_than_held_is_refused` | releasing more than is held is refused (x/sync panics) |
//!
//! `fifo_no_barging` lets tasks fall asleep with [`time::sleep`](crate::time::sleep): under a
//! model checker time moves only once every task is blocked, so the waiters are queued when it
//! returns. On std it is a real 2 ms after which a waiter may not have queued yet, so there the
//! body checks only that everybody is served in the end: FIFO itself is checked by the model
//! checkers.

use super::report::{SuiteReport, ACCEPTED};
use super::{settle, spawn, Expect, Property};
use crate::check::{Check, Checker};
use crate::go::{self, Context, ContextError};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;
use crate::violation::ViolationKind;
use std::any::type_name;

/// A weighted semaphore, as the suite drives it; build it from the facade.
pub trait WeightedSemaphore: Send + Sync + Sized + 'static {
    /// A semaphore of `size` units, all free.
    fn new(size: usize) -> Self;
    /// Takes `n` units, waiting (first in, first out) until they are free or `ctx` is done.
    fn acquire(&self, ctx: &Context, n: usize) -> Result<(), ContextError>;
    /// Takes `n` units if they are free and nobody waits; never blocks.
    fn try_acquire(&self, n: usize) -> bool;
    /// Returns `n` units; more than held must panic (or report a misuse).
    fn release(&self, n: usize);
}

impl WeightedSemaphore for go::Weighted {
    #[track_caller]
    fn new(size: usize) -> Self {
        go::Weighted::new(size)
    }
    #[track_caller]
    fn acquire(&self, ctx: &Context, n: usize) -> Result<(), ContextError> {
        go::Weighted::acquire(self, ctx, n)
    }
    fn try_acquire(&self, n: usize) -> bool {
        go::Weighted::try_acquire(self, n)
    }
    #[track_caller]
    fn release(&self, n: usize) {
        go::Weighted::release(self, n);
    }
}

/// Runs every semaphore property on `S` under each of `checkers`.
pub fn check_semaphore<S: WeightedSemaphore>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("semaphore", type_name::<S>(), "semaphore_property");
    for p in properties::<S>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the semaphore property `name` as a [`Check`]; `None` if there is no such
/// property.
pub fn semaphore_property<S: WeightedSemaphore>(name: &str) -> Option<Check> {
    properties::<S>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<S: WeightedSemaphore>() -> Vec<Property> {
    vec![
        Property {
            name: "never_more_than_size",
            requirement: "units held at once never exceed the size",
            expect: Expect::NoViolation,
            body: never_more::<S>,
        },
        Property {
            name: "fifo_no_barging",
            requirement: "while a waiter is queued, neither try_acquire nor a smaller acquire \
                          behind it takes units; the head is served first",
            expect: Expect::NoViolation,
            body: fifo::<S>,
        },
        Property {
            name: "cancelled_waiter_takes_nothing",
            requirement: "a waiter whose context is cancelled returns its error and holds no \
                          units",
            expect: Expect::NoViolation,
            body: cancelled::<S>,
        },
        Property {
            name: "release_more_than_held_is_refused",
            requirement: "releasing more than is held panics (or reports a misuse)",
            expect: Expect::Refusal(ViolationKind::Misuse),
            body: over_release::<S>,
        },
    ]
}

/// Size 2; tasks take 2 and 1 units, each counting what is held while it holds: never over 2.
fn never_more<S: WeightedSemaphore>() {
    let sem = Arc::new(S::new(2));
    let held = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = [2, 1]
        .into_iter()
        .map(|n| {
            let (sem, held) = (Arc::clone(&sem), Arc::clone(&held));
            spawn(&format!("acquire-{n}"), move || {
                sem.acquire(&Context::background(), n).unwrap();
                let now = held.fetch_add(n, Ordering::SeqCst) + n;
                assert!(now <= 2, "{now} units held at once on a semaphore of 2");
                held.fetch_sub(n, Ordering::SeqCst);
                sem.release(n);
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
}

/// Size 2, main holds 1. A task asks for 2 and queues; then `try_acquire(1)` must fail, and a
/// task asking for 1 must queue behind the first, though 1 unit is free. Main releases: the
/// large waiter goes first, then the small one.
fn fifo<S: WeightedSemaphore>() {
    let sem = Arc::new(S::new(2));
    let order = Arc::new(AtomicUsize::new(0));
    sem.acquire(&Context::background(), 1).unwrap();
    let (s, o) = (Arc::clone(&sem), Arc::clone(&order));
    let large = spawn("acquire-2", move || {
        s.acquire(&Context::background(), 2).unwrap();
        let served = o.fetch_add(1, Ordering::SeqCst);
        s.release(2);
        served
    });
    let settled = settle(); // the large waiter is queued
    let barged = sem.try_acquire(1);
    if barged {
        sem.release(1); // legal only on std, where the waiter may not have queued yet
    }
    assert!(
        !(settled && barged),
        "try_acquire took a unit while a waiter was queued: a FIFO semaphore lets no one barge \
         past its queue"
    );
    let (s, o) = (Arc::clone(&sem), Arc::clone(&order));
    let small = spawn("acquire-1", move || {
        s.acquire(&Context::background(), 1).unwrap();
        let served = o.fetch_add(1, Ordering::SeqCst);
        s.release(1);
        served
    });
    let settled = settle(); // the small waiter is queued behind (or, wrongly, served)
    assert_eq!(
        if settled {
            order.load(Ordering::SeqCst)
        } else {
            0
        },
        0,
        "an acquire(1) barged past a queued acquire(2): a FIFO semaphore serves its head first, \
         even when a smaller request behind it would fit"
    );
    sem.release(1);
    let (large, small) = (large.join().unwrap(), small.join().unwrap());
    if settled {
        assert_eq!((large, small), (0, 1), "the head of the queue served first");
    }
}

/// Size 1, main holds it; a task waits with a context main cancels: it gets the error, and
/// afterwards the whole semaphore is free again.
fn cancelled<S: WeightedSemaphore>() {
    let sem = Arc::new(S::new(1));
    sem.acquire(&Context::background(), 1).unwrap();
    let (ctx, cancel) = Context::background().with_cancel();
    let s = Arc::clone(&sem);
    let waiter = spawn("waiter", move || s.acquire(&ctx, 1));
    cancel.cancel();
    let got = waiter.join().unwrap();
    sem.release(1);
    if got.is_ok() {
        // It was served before the cancel: legal, and it holds the unit.
        sem.release(1);
    } else {
        assert_eq!(got, Err(ContextError::Canceled), "the context's error");
    }
    assert!(
        sem.try_acquire(1),
        "a cancelled waiter kept units (or the queue kept it): the semaphore is not free again"
    );
}

fn over_release<S: WeightedSemaphore>() {
    let sem = S::new(2);
    sem.acquire(&Context::background(), 1).unwrap();
    sem.release(2);
    panic!(
        "{ACCEPTED}: releasing more than was held returned normally; it must panic, as \
         x/sync's does (\"semaphore: released more than held\")"
    );
}
