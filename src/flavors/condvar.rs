//! The condition variable under a facade `Condvar`: std's, loom's or shuttle's.

use std::sync::PoisonError;

use super::lock::{Guard, Held};
use crate::rt::{self, Backend};

pub(crate) enum Condvar {
    Std(std::sync::Condvar),
    /// loom's condvar, and the id of the execution it was built in (see `rt::check_backend`).
    Loom(loom::sync::Condvar, u64),
    Shuttle(shuttle::sync::Condvar, u64),
}

impl Condvar {
    /// The condvar for the backend a primitive constructed now gets.
    #[track_caller]
    pub(crate) fn new() -> Self {
        match rt::construction_backend() {
            Backend::Std => Condvar::Std(std::sync::Condvar::new()),
            Backend::Loom => Condvar::Loom(loom::sync::Condvar::new(), rt::execution_id()),
            Backend::Shuttle => Condvar::Shuttle(shuttle::sync::Condvar::new(), rt::execution_id()),
        }
    }

    #[inline]
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Condvar::Std(_) => Backend::Std,
            Condvar::Loom(..) => Backend::Loom,
            Condvar::Shuttle(..) => Backend::Shuttle,
        }
    }

    /// The id of the execution a model condvar was built in (0 for std).
    #[inline]
    pub(crate) fn execution(&self) -> u64 {
        match self {
            Condvar::Std(_) => 0,
            Condvar::Loom(_, e) | Condvar::Shuttle(_, e) => *e,
        }
    }

    /// std's condvar, which waits with the facade's data guard itself.
    #[inline]
    pub(crate) fn as_std(&self) -> Option<&std::sync::Condvar> {
        match self {
            Condvar::Std(cv) => Some(cv),
            _ => None,
        }
    }

    /// Waits on a model condvar with `guard`, a guard of a model mutex of the same backend
    /// (the facade checks that first): releases the lock, blocks until notified, and returns
    /// the guard of the lock taken again.
    #[track_caller]
    pub(crate) fn wait<'a>(&self, mut guard: Guard<'a>) -> Guard<'a> {
        match (self, guard.take()) {
            (Condvar::Loom(cv, _), Held::LoomMutex(g)) => Guard::model(Held::LoomMutex(
                cv.wait(g).unwrap_or_else(PoisonError::into_inner),
            )),
            (Condvar::Shuttle(cv, _), Held::ShuttleMutex(g)) => Guard::model(Held::ShuttleMutex(
                cv.wait(g).unwrap_or_else(PoisonError::into_inner),
            )),
            _ => unreachable!("a model condvar waits with a mutex guard of its own backend"),
        }
    }

    /// Wakes one waiter. A loom condvar is not called while loom cannot be (its execution
    /// unwinds): nobody waits any more then.
    #[track_caller]
    pub(crate) fn notify_one(&self) {
        match self {
            Condvar::Std(cv) => cv.notify_one(),
            Condvar::Loom(cv, _) if rt::loom_callable_unwinding() => cv.notify_one(),
            Condvar::Loom(..) => {}
            Condvar::Shuttle(cv, _) => cv.notify_one(),
        }
    }

    /// Wakes every waiter (see [`Condvar::notify_one`]).
    #[track_caller]
    pub(crate) fn notify_all(&self) {
        match self {
            Condvar::Std(cv) => cv.notify_all(),
            Condvar::Loom(cv, _) if rt::loom_callable_unwinding() => cv.notify_all(),
            Condvar::Loom(..) => {}
            Condvar::Shuttle(cv, _) => cv.notify_all(),
        }
    }
}
