//! The Mutex suite: Go's `sync.Mutex` semantics (lock and unlock by call, no guard), checked on
//! your type through [`GoLock`].
//!
//! # What your Mutex must do
//!
//! | property | requires |
//! |---|---|
//! | `mutual_exclusion` | two tasks incrementing under the lock lose no update |
//! | `unlock_from_another_task` | a task may unlock what another locked, and the lock is free again |
//! | `unlock_of_unlocked_is_refused` | an unlock of an unlocked mutex is refused (Go's fatal error) |
//!
//! "Refused", as in Go (`fatal error: sync: unlock of unlocked mutex`): your `unlock` must panic,
//! or, if it wraps [`go::Mutex`], let it report [`Misuse`](ViolationKind::Misuse). An unlock that
//! returns normally fails the property.

use std::any::type_name;

use super::report::{SuiteReport, ACCEPTED};
use super::{spawn, Expect, Property};
use crate::check::{Check, Checker};
use crate::go;
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;
use crate::violation::ViolationKind;

/// A mutex locked and unlocked by call, as the suite drives it; build it from the facade.
pub trait GoLock: Send + Sync + Sized + 'static {
    /// An unlocked mutex.
    fn new() -> Self;
    /// Blocks until the mutex is free, then locks it.
    fn lock(&self);
    /// Unlocks it; any task may. Unlocked already, it must panic (or report a misuse).
    fn unlock(&self);
}

impl GoLock for go::Mutex {
    #[track_caller]
    fn new() -> Self {
        go::Mutex::new()
    }
    #[track_caller]
    fn lock(&self) {
        go::Mutex::lock(self);
    }
    #[track_caller]
    fn unlock(&self) {
        go::Mutex::unlock(self);
    }
}

/// Runs every Mutex property on `M` under each of `checkers`.
pub fn check_mutex<M: GoLock>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("mutex", type_name::<M>(), "mutex_property");
    for p in properties::<M>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the Mutex property `name` as a [`Check`]; `None` if there is no such property.
pub fn mutex_property<M: GoLock>(name: &str) -> Option<Check> {
    properties::<M>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<M: GoLock>() -> Vec<Property> {
    vec![
        Property {
            name: "mutual_exclusion",
            requirement: "two tasks incrementing under the lock lose no update",
            expect: Expect::NoViolation,
            body: exclusion::<M>,
        },
        Property {
            name: "unlock_from_another_task",
            requirement: "a task may unlock what another locked, and the lock is free again",
            expect: Expect::NoViolation,
            body: unlock_elsewhere::<M>,
        },
        Property {
            name: "unlock_of_unlocked_is_refused",
            requirement: "an unlock of an unlocked mutex panics (or reports a misuse), as Go's \
                          is fatal",
            expect: Expect::Refusal(ViolationKind::Misuse),
            body: unlock_unlocked::<M>,
        },
    ]
}

/// Two tasks each read, then write back one more, under the lock: the count ends at two.
fn exclusion<M: GoLock>() {
    let m = Arc::new(M::new());
    let count = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (1..=2)
        .map(|i| {
            let (m, count) = (Arc::clone(&m), Arc::clone(&count));
            spawn(&format!("incrementer-{i}"), move || {
                m.lock();
                let seen = count.load(Ordering::SeqCst);
                count.store(seen + 1, Ordering::SeqCst);
                m.unlock();
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "an update made under the lock was lost: two tasks held the lock at once"
    );
}

/// Main locks; a task unlocks; main locks and unlocks again.
fn unlock_elsewhere<M: GoLock>() {
    let m = Arc::new(M::new());
    m.lock();
    let m2 = Arc::clone(&m);
    spawn("unlocker", move || m2.unlock()).join().unwrap();
    m.lock();
    m.unlock();
}

fn unlock_unlocked<M: GoLock>() {
    let m = M::new();
    m.lock();
    m.unlock();
    m.unlock();
    panic!(
        "{ACCEPTED}: an unlock of an unlocked mutex returned normally; it must panic, as Go's \
         is fatal (\"sync: unlock of unlocked mutex\")"
    );
}
