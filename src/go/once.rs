//! `Once`: Go's `sync.Once`, a function run exactly once however many tasks ask.
//!
//! # Semantics, as in Go
//!
//! - [`Once::call`] (Go's `Do`) runs `f` in the first caller only; every other call returns
//!   without running its `f`.
//! - A caller that comes while `f` runs waits until `f` has finished: when any `call` returns,
//!   the effects of `f` are visible.
//! - If `f` panics, the `Once` counts as done all the same (Go: "if f panics, Do considers it to
//!   have returned; future calls of Do return without calling f"): the panic goes on to the
//!   first caller, the waiting callers are released, and no later call runs `f` again.
//! - A `call` from inside `f` on the same `Once` waits for itself: a deadlock, reported as one.
//!
//! # `go::Once` vs `sync::Lazy` and `std::sync::Once`
//!
//! `std::sync::Once` poisons on a panic (later calls panic too) and cannot be explored by the
//! model checkers; [`crate::sync::Lazy`] computes a value. `go::Once` has Go's rules and is
//! built on the facade, so every checker explores who runs `f` and who waits.

use std::fmt;
use std::panic::Location;

use crate::rt;
use crate::sync::{Condvar, Mutex};

/// Runs one function once; see the [module docs](self).
pub struct Once {
    state: Mutex<State>,
    cv: Condvar,
    created_at: &'static Location<'static>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Running,
    Done,
}

/// Marks the `Once` done when `f` returns or unwinds, and releases the waiting callers.
struct Finish<'a>(&'a Once);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        *self.0.state.lock() = State::Done;
        crate::rt::progress::made();
        self.0.cv.notify_all();
    }
}

impl Once {
    /// A `Once` whose function has not run.
    #[track_caller]
    pub fn new() -> Self {
        Once {
            state: Mutex::internal(State::New),
            cv: Condvar::new(),
            created_at: Location::caller(),
        }
    }

    /// Runs `f` if no call has run its function yet (Go's `Do`); otherwise waits until that
    /// one has finished and returns without running `f`.
    ///
    /// # Panics
    ///
    /// If `f` panics, with its panic; the `Once` is done nonetheless.
    #[track_caller]
    pub fn call(&self, f: impl FnOnce()) {
        let at = Location::caller();
        let mut s = self.state.lock();
        match *s {
            State::Done => return,
            State::Running => {
                while *s == State::Running {
                    s = self
                        .cv
                        .wait_as(crate::rt::op::ONCE_CALL, || self.object(), s, at);
                }
                return;
            }
            State::New => *s = State::Running,
        }
        drop(s);
        let _finish = Finish(self);
        f();
    }

    /// Whether a call's function has finished (returned or panicked).
    pub fn is_done(&self) -> bool {
        *self.state.lock() == State::Done
    }

    /// How reports name this `Once`.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("once", self.created_at)
    }
}

impl Default for Once {
    #[track_caller]
    fn default() -> Self {
        Once::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once")
            .field("created_at", &self.created_at)
            .field("done", &self.is_done())
            .finish()
    }
}
