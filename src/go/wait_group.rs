//! `WaitGroup`: wait for a collection of tasks to finish, with Go's misuse rules checked.
//!
//! # WaitGroup vs `JoinHandle::join`
//!
//! Joining needs the handles; a WaitGroup only needs a count, so the task that waits (a closer
//! that closes a results channel, say) need not own the workers. The price is the rule Go
//! documents and programs break: every `add` must happen before the `wait` it is meant for,
//! that is, before the task is spawned, not inside it.
//!
//! # Violations
//!
//! - The counter going negative (`done` more often than `add`) is a
//!   [`ViolationKind::WaitGroupMisuse`](crate::ViolationKind::WaitGroupMisuse).
//! - An `add` from zero while a `wait` is still in progress ("Add called concurrently with
//!   Wait" in Go) is one too.
//!
//! Calling `add` inside the spawned task is often caught not as misuse but as what it causes:
//! the `wait` returns before the task has added, and whatever follows (a `close`) breaks.

use std::fmt;
use std::panic::Location;

use crate::rt;
use crate::sync::{Condvar, Mutex};
use crate::violation::{Site, Violation, ViolationKind};

/// Counts outstanding tasks; see the [module docs](crate::go).
pub struct WaitGroup {
    state: Mutex<State>,
    cv: Condvar,
    created_at: &'static Location<'static>,
}

struct State {
    count: i64,
    /// Tasks inside `wait` (counted until they return, as in Go).
    waiters: usize,
}

impl WaitGroup {
    /// A WaitGroup at zero.
    #[track_caller]
    pub fn new() -> Self {
        WaitGroup {
            state: Mutex::internal(State {
                count: 0,
                waiters: 0,
            }),
            cv: Condvar::new(),
            created_at: Location::caller(),
        }
    }

    /// Adds `delta` (may be negative) to the counter; at zero, releases every waiter.
    ///
    /// # Panics
    ///
    /// [`ViolationKind::WaitGroupMisuse`] if the counter goes negative, or if a positive `add`
    /// from zero happens while a `wait` is in progress.
    #[track_caller]
    pub fn add(&self, delta: i64) {
        let at = Location::caller();
        let op = if delta < 0 {
            rt::coverage::WG_DONE
        } else {
            rt::coverage::WG_ADD
        };
        rt::coverage::op(&self.state, || self.object(), op, at);
        let mut state = self.state.lock();
        if delta > 0 && state.count == 0 && state.waiters > 0 {
            drop(state);
            self.misuse(
                format!(
                    "add({delta}) from zero at {} by {} while a wait was in progress: every add \
                     must happen before the wait it is meant for (add before spawning, not \
                     inside the task)",
                    Site::from(at),
                    rt::current_task_label()
                ),
                at,
            );
        }
        state.count += delta;
        if delta != 0 {
            rt::progress::made();
        }
        if state.count < 0 {
            let count = state.count;
            drop(state);
            self.misuse(
                format!(
                    "counter went negative ({count}) at {} by {}: done was called more times \
                     than add",
                    Site::from(at),
                    rt::current_task_label()
                ),
                at,
            );
        }
        if state.count == 0 {
            drop(state);
            self.cv.notify_all();
        }
    }

    /// Decrements the counter by one.
    ///
    /// # Panics
    ///
    /// [`ViolationKind::WaitGroupMisuse`] if the counter goes negative.
    #[track_caller]
    pub fn done(&self) {
        self.add(-1);
    }

    /// Blocks until the counter is zero.
    #[track_caller]
    pub fn wait(&self) {
        let at = Location::caller();
        rt::coverage::op(&self.state, || self.object(), rt::coverage::WG_WAIT, at);
        let mut state = self.state.lock();
        state.waiters += 1;
        while state.count > 0 {
            state = self.cv.wait_as(rt::op::WG_WAIT, || self.label(), state, at);
        }
        state.waiters -= 1;
    }

    /// How reports name this WaitGroup.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("waitgroup", self.created_at)
    }

    #[track_caller]
    fn misuse(&self, what: String, at: &'static Location<'static>) -> ! {
        let mut v = Violation::new(
            ViolationKind::WaitGroupMisuse,
            format!("{}: {what}", self.label()),
        );
        v.sites = vec![Site::from(at)];
        rt::violation(v)
    }
}

impl Default for WaitGroup {
    #[track_caller]
    fn default() -> Self {
        WaitGroup::new()
    }
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitGroup")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
