//! The Once suite: Go's `sync.Once` semantics, checked on your type through [`OnceLike`].
//!
//! # What your Once must do
//!
//! | property | requires |
//! |---|---|
//! | `runs_exactly_once` | with two tasks calling at once, the function runs exactly once |
//! | `callers_wait_for_the_function` | a call that did not run the function returns only after the one that did has finished it |
//! | `panic_counts_as_done` | a function that panics counts as run: after the panic is recovered, a later call runs nothing (Go: "if f panics, Do considers it to have returned") |
//!
//! `panic_counts_as_done` recovers the panic with `catch_unwind`, Go's `recover`. loom cannot
//! release a lock while a panic unwinds, so its search stops at the recovered panic and says
//! so (no violation, incomplete); shuttle and std check the property.

use std::any::type_name;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::report::SuiteReport;
use super::{spawn, Expect, Property};
use crate::check::{Check, Checker};
use crate::go;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;

/// A Go-style Once, as the suite drives it; build it from concheck's facade.
pub trait OnceLike: Send + Sync + Sized + 'static {
    /// A Once whose function has not run.
    fn new() -> Self;

    /// Go's `Do`: runs `f` if no call has run its function, else waits for that one to finish
    /// and returns. If `f` panics, the panic goes on to the caller and the Once is done.
    fn call(&self, f: &mut dyn FnMut());
}

impl OnceLike for go::Once {
    #[track_caller]
    fn new() -> Self {
        go::Once::new()
    }

    #[track_caller]
    fn call(&self, f: &mut dyn FnMut()) {
        go::Once::call(self, f);
    }
}

/// Runs every Once property on `O` under each of `checkers`.
pub fn check_once<O: OnceLike>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("once", type_name::<O>(), "once_property");
    for p in properties::<O>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the Once property `name` as a [`Check`]; `None` if there is no such property.
pub fn once_property<O: OnceLike>(name: &str) -> Option<Check> {
    properties::<O>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<O: OnceLike>() -> Vec<Property> {
    vec![
        Property {
            name: "runs_exactly_once",
            requirement: "with two tasks calling at once, the function runs exactly once",
            expect: Expect::NoViolation,
            body: exactly_once::<O>,
        },
        Property {
            name: "callers_wait_for_the_function",
            requirement: "a call that did not run the function returns only after the one that \
                          did has finished it",
            expect: Expect::NoViolation,
            body: callers_wait::<O>,
        },
        Property {
            name: "panic_counts_as_done",
            requirement: "a function that panics counts as run: after the panic is recovered, \
                          a later call runs nothing",
            expect: Expect::NoViolation,
            body: panic_done::<O>,
        },
    ]
}

/// Two tasks call with a counting function; afterwards the count is one.
fn exactly_once<O: OnceLike>() {
    let once = Arc::new(O::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (1..=2)
        .map(|i| {
            let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
            spawn(&format!("caller-{i}"), move || {
                once.call(&mut || {
                    runs.fetch_add(1, Ordering::SeqCst);
                })
            })
        })
        .collect();
    for c in callers {
        c.join().unwrap();
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "the function of a Once ran more than once"
    );
}

/// The function writes in two steps; each caller, once its call returns, must see both.
fn callers_wait<O: OnceLike>() {
    let once = Arc::new(O::new());
    let steps = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (1..=2)
        .map(|i| {
            let (once, steps) = (Arc::clone(&once), Arc::clone(&steps));
            spawn(&format!("caller-{i}"), move || {
                once.call(&mut || {
                    steps.fetch_add(1, Ordering::SeqCst);
                    steps.fetch_add(1, Ordering::SeqCst);
                });
                assert_eq!(
                    steps.load(Ordering::SeqCst),
                    2,
                    "a call returned before the Once's function had finished: callers that do \
                     not run it must wait for it"
                );
            })
        })
        .collect();
    for c in callers {
        c.join().unwrap();
    }
}

/// The first function panics and main recovers; a second call must not run its function.
fn panic_done<O: OnceLike>() {
    let once = O::new();
    let recovered = catch_unwind(AssertUnwindSafe(|| {
        once.call(&mut || panic!("the Once's function panics"));
    }));
    assert!(
        recovered.is_err(),
        "the function's panic reaches its caller"
    );
    let mut ran_again = false;
    once.call(&mut || ran_again = true);
    assert!(
        !ran_again,
        "a Once ran its function again after the first one panicked: in Go a panic counts as \
         done; mark the Once done even when the function unwinds"
    );
}
