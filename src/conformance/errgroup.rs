//! The errgroup suite: `golang.org/x/sync/errgroup` semantics, checked on your type through
//! [`Group`].
//!
//! # What your error group must do
//!
//! | property | requires |
//! |---|---|
//! | `wait_returns_first_error` | `wait` waits for every task and returns the first error |
//! | `first_error_cancels_the_context` | the first error cancels the group's context: a sibling waiting on it stops, and its own error is not the one returned |
//! | `wait_cancels_the_context` | once `wait` has returned, the group's context is cancelled, as in Go |
//! | `limit_bounds_running_tasks` | with `set_limit(1)`, two tasks never run at once |

use std::any::type_name;

use super::report::SuiteReport;
use super::{Expect, Property};
use crate::check::{Check, Checker};
use crate::go::{self, Context};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;

/// An error group with errors of type `u32`, as the suite drives it.
pub trait Group: Sized + 'static {
    /// A group and its context, derived from `parent`.
    fn with_context(parent: &Context) -> (Self, Context);
    /// At most `n` tasks alive at once: `go` blocks for a slot. Called before any `go`.
    fn set_limit(&mut self, n: usize);
    /// Runs `f` in a new task with the group's context.
    fn go(&mut self, f: Box<dyn FnOnce(Context) -> Result<(), u32> + Send>);
    /// Waits for every task; the first error, or `Ok(())`.
    fn wait(self) -> Result<(), u32>;
}

impl Group for go::ErrGroup<u32> {
    fn with_context(parent: &Context) -> (Self, Context) {
        go::ErrGroup::with_context(parent)
    }
    fn set_limit(&mut self, n: usize) {
        go::ErrGroup::set_limit(self, n).expect("a limit of at least one, before any go");
    }
    fn go(&mut self, f: Box<dyn FnOnce(Context) -> Result<(), u32> + Send>) {
        go::ErrGroup::go(self, f);
    }
    fn wait(self) -> Result<(), u32> {
        go::ErrGroup::wait(self)
    }
}

/// Runs every errgroup property on `G` under each of `checkers`.
pub fn check_errgroup<G: Group>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("errgroup", type_name::<G>(), "errgroup_property");
    for p in properties::<G>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the errgroup property `name` as a [`Check`]; `None` if there is no such
/// property.
pub fn errgroup_property<G: Group>(name: &str) -> Option<Check> {
    properties::<G>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<G: Group>() -> Vec<Property> {
    vec![
        Property {
            name: "wait_returns_first_error",
            requirement: "wait waits for every task and returns the first error",
            expect: Expect::NoViolation,
            body: first_error::<G>,
        },
        Property {
            name: "first_error_cancels_the_context",
            requirement: "the first error cancels the group's context: a sibling waiting on it \
                          stops, and its own error is not the one returned",
            expect: Expect::NoViolation,
            body: error_cancels::<G>,
        },
        Property {
            name: "wait_cancels_the_context",
            requirement: "once wait has returned, the group's context is cancelled",
            expect: Expect::NoViolation,
            body: wait_cancels::<G>,
        },
        Property {
            name: "limit_bounds_running_tasks",
            requirement: "with set_limit(1), two tasks never run at once",
            expect: Expect::NoViolation,
            body: limit::<G>,
        },
    ]
}

/// One task succeeds after recording its work, one fails: `wait` sees the work and the error.
fn first_error<G: Group>() {
    let (mut g, _ctx) = G::with_context(&Context::background());
    let worked = Arc::new(AtomicUsize::new(0));
    let w = Arc::clone(&worked);
    g.go(Box::new(move |_| {
        w.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }));
    g.go(Box::new(|_| Err(1)));
    assert_eq!(g.wait(), Err(1), "wait returns the group's error");
    assert_eq!(
        worked.load(Ordering::SeqCst),
        1,
        "wait returned before every task had finished"
    );
}

/// A task fails; its sibling waits for the group's context and then fails with 2 (caused by the
/// cancel): `wait` returns 1. A group that does not cancel strands the sibling.
fn error_cancels<G: Group>() {
    let (mut g, _ctx) = G::with_context(&Context::background());
    g.go(Box::new(|_| Err(1)));
    g.go(Box::new(|ctx| {
        ctx.done();
        Err(2)
    }));
    assert_eq!(
        g.wait(),
        Err(1),
        "the first error, not the error its cancellation caused"
    );
}

fn wait_cancels<G: Group>() {
    let (mut g, ctx) = G::with_context(&Context::background());
    g.go(Box::new(|_| Ok(())));
    assert_eq!(g.wait(), Ok(()));
    assert!(
        ctx.err().is_some(),
        "the group's context is still live after wait returned: Go's wait cancels it"
    );
}

/// Limit 1, two tasks, each counting itself while it runs: never two at once.
fn limit<G: Group>() {
    let (mut g, _ctx) = G::with_context(&Context::background());
    g.set_limit(1);
    let running = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        let running = Arc::clone(&running);
        g.go(Box::new(move |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            assert!(
                now <= 1,
                "{now} tasks ran at once in a group limited to 1: go must block until a slot \
                 is free"
            );
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        }));
    }
    assert_eq!(g.wait(), Ok(()));
}
