//! The WaitGroup suite: Go's `sync.WaitGroup` semantics, checked on your type through [`Latch`].
//!
//! # What your WaitGroup must do
//!
//! | property | requires |
//! |---|---|
//! | `wait_returns_after_every_done` | `wait` returns only after every `done` the `add`s called for |
//! | `waiters_released_at_zero` | `wait` at zero returns at once, and the `done` that reaches zero releases every blocked waiter |
//! | `done_wakes_every_waiter` | with two waiters asleep in `wait`, the `done` that reaches zero wakes both (a `notify_one` wakes one) |
//! | `reusable_after_zero` | once `wait` has returned, the same WaitGroup counts a new round |
//! | `done_below_zero_is_refused` | a `done` with the counter at zero is refused |
//!
//! "Refused", as in Go (which panics with "sync: negative WaitGroup counter"): your `done` must
//! panic, or, if your type wraps [`go::WaitGroup`], let it report
//! [`WaitGroupMisuse`](ViolationKind::WaitGroupMisuse). A `done` that returns normally fails the
//! property (see [`Expect::Refusal`]). Every `add` in the bodies happens before the tasks it
//! counts are spawned, as Go requires.

use std::any::type_name;

use super::report::{Expect, SuiteReport, ACCEPTED};
use super::{spawn, Property};
use crate::check::{Check, Checker};
use crate::go;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;
use crate::violation::ViolationKind;

/// A Go-style WaitGroup (a counting latch), as the suite drives it.
///
/// Build it from concheck's facade ([`crate::sync`]) so the model checkers control its every
/// step. The suite shares it between tasks in an `Arc`.
///
/// # Latch vs `go::WaitGroup`
///
/// [`go::WaitGroup`] is concheck's own WaitGroup; `Latch` is the trait
/// this suite checks, and `go::WaitGroup` implements it, so the suite holds on it.
pub trait Latch: Send + Sync + Sized + 'static {
    /// A new latch at zero.
    fn new() -> Self;

    /// Adds `n` to the counter.
    fn add(&self, n: usize);

    /// Takes one from the counter; at zero, releases every waiter. At zero already it must
    /// panic (or report [`WaitGroupMisuse`](ViolationKind::WaitGroupMisuse)).
    fn done(&self);

    /// Blocks until the counter is zero; returns at once if it is.
    fn wait(&self);
}

impl Latch for go::WaitGroup {
    #[track_caller]
    fn new() -> Self {
        go::WaitGroup::new()
    }

    #[track_caller]
    fn add(&self, n: usize) {
        let delta = i64::try_from(n).expect("a WaitGroup delta fits in an i64");
        go::WaitGroup::add(self, delta);
    }

    #[track_caller]
    fn done(&self) {
        go::WaitGroup::done(self);
    }

    #[track_caller]
    fn wait(&self) {
        go::WaitGroup::wait(self);
    }
}

/// Runs every WaitGroup property on `L` under each of `checkers`.
pub fn check_wait_group<L: Latch>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("wait group", type_name::<L>(), "wait_group_property");
    for p in properties::<L>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the WaitGroup property `name` as a [`Check`], to run alone or to
/// [`replay`](crate::check::replay); `None` if there is no such property.
pub fn wait_group_property<L: Latch>(name: &str) -> Option<Check> {
    properties::<L>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<L: Latch>() -> Vec<Property> {
    vec![
        Property {
            name: "wait_returns_after_every_done",
            requirement: "wait returns only after every done the adds called for",
            expect: Expect::NoViolation,
            body: after_every_done::<L>,
        },
        Property {
            name: "waiters_released_at_zero",
            requirement: "wait at zero returns at once, and the done that reaches zero releases \
                          every blocked waiter",
            expect: Expect::NoViolation,
            body: released_at_zero::<L>,
        },
        Property {
            name: "done_wakes_every_waiter",
            requirement: "with two waiters asleep in wait, the done that reaches zero wakes both",
            expect: Expect::NoViolation,
            body: wakes_every_waiter::<L>,
        },
        Property {
            name: "reusable_after_zero",
            requirement: "once wait has returned, the same WaitGroup counts a new round",
            expect: Expect::NoViolation,
            body: reusable::<L>,
        },
        Property {
            name: "done_below_zero_is_refused",
            requirement: "a done with the counter at zero panics (or reports a waitgroup \
                          misuse), as in Go",
            expect: Expect::Refusal(ViolationKind::WaitGroupMisuse),
            body: below_zero::<L>,
        },
    ]
}

/// Two workers each record their work, then `done`; main waits and must see both records.
fn after_every_done<L: Latch>() {
    let wg = Arc::new(L::new());
    let worked = Arc::new(AtomicUsize::new(0));
    wg.add(2);
    let workers: Vec<_> = (1..=2)
        .map(|i| {
            let (wg, worked) = (Arc::clone(&wg), Arc::clone(&worked));
            spawn(&format!("worker-{i}"), move || {
                worked.fetch_add(1, Ordering::SeqCst);
                wg.done();
            })
        })
        .collect();
    wg.wait();
    assert_eq!(
        worked.load(Ordering::SeqCst),
        2,
        "wait returned before every worker called done"
    );
    for w in workers {
        w.join().unwrap();
    }
}

/// Main waits at zero (returns at once), adds one, starts two waiters, and calls `done`: both
/// waiters must return.
fn released_at_zero<L: Latch>() {
    let wg = Arc::new(L::new());
    wg.wait();
    wg.add(1);
    let waiters: Vec<_> = (1..=2)
        .map(|i| {
            let wg = Arc::clone(&wg);
            spawn(&format!("waiter-{i}"), move || wg.wait())
        })
        .collect();
    wg.done();
    for w in waiters {
        w.join().unwrap();
    }
}

/// Two waiters fall asleep in `wait` (main sleeps until both are blocked: under a model checker
/// time moves only then; on std it is a real 2 ms), then main calls the `done` that reaches
/// zero: both must return. A `done` that wakes one waiter with `notify_one` strands the other.
fn wakes_every_waiter<L: Latch>() {
    let wg = Arc::new(L::new());
    wg.add(1);
    let waiters: Vec<_> = (1..=2)
        .map(|i| {
            let wg = Arc::clone(&wg);
            spawn(&format!("waiter-{i}"), move || wg.wait())
        })
        .collect();
    crate::time::sleep(std::time::Duration::from_millis(2));
    wg.done();
    for w in waiters {
        w.join().unwrap();
    }
}

/// Two rounds on one WaitGroup, each one worker: the second wait must wait for the second
/// worker.
fn reusable<L: Latch>() {
    let wg = Arc::new(L::new());
    let worked = Arc::new(AtomicUsize::new(0));
    for round in 1..=2 {
        wg.add(1);
        let (w, count) = (Arc::clone(&wg), Arc::clone(&worked));
        let worker = spawn(&format!("worker-{round}"), move || {
            count.fetch_add(1, Ordering::SeqCst);
            w.done();
        });
        wg.wait();
        assert_eq!(
            worked.load(Ordering::SeqCst),
            round,
            "wait of round {round} returned before that round's done"
        );
        worker.join().unwrap();
    }
}

fn below_zero<L: Latch>() {
    let wg = L::new();
    wg.add(1);
    wg.done();
    wg.done();
    panic!(
        "{ACCEPTED}: done with the counter at zero returned normally; it must panic, as Go's \
         does (\"sync: negative WaitGroup counter\")"
    );
}
