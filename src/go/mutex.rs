//! `Mutex`: Go's `sync.Mutex`, locked and unlocked by calls rather than by a guard.
//!
//! # `go::Mutex` vs `sync::Mutex`
//!
//! [`crate::sync::Mutex`] guards data and unlocks when its guard drops, which is what Rust code
//! should use. Go code often locks in one function and unlocks in another (or in another
//! goroutine: a Go mutex belongs to no goroutine), and a port of it needs the same shape:
//! [`Mutex::lock`] and [`Mutex::unlock`] with nothing in between.
//!
//! # Violations
//!
//! Unlocking a mutex that is not locked is Go's `fatal error: sync: unlock of unlocked mutex`,
//! which no `recover` can catch: here it is a reported [`ViolationKind::Misuse`] naming the
//! site (outside a checker, a panic). Locking twice from one task is a self-deadlock, reported
//! as a deadlock like any other.

use std::fmt;
use std::panic::Location;

use crate::rt;
use crate::sync::{Condvar, Mutex as FacadeMutex};
use crate::violation::{Site, Violation, ViolationKind};

/// A mutual exclusion lock without a guard; see the [module docs](self).
pub struct Mutex {
    locked: FacadeMutex<bool>,
    cv: Condvar,
    created_at: &'static Location<'static>,
}

impl Mutex {
    /// An unlocked mutex.
    #[track_caller]
    pub fn new() -> Self {
        Mutex {
            locked: FacadeMutex::internal(false),
            cv: Condvar::new(),
            created_at: Location::caller(),
        }
    }

    /// Blocks until the mutex is free, then locks it.
    #[track_caller]
    pub fn lock(&self) {
        let at = Location::caller();
        let mut locked = self.locked.lock();
        while *locked {
            locked = self
                .cv
                .wait_as(crate::rt::op::GO_LOCK, || self.object(), locked, at);
        }
        *locked = true;
    }

    /// Locks the mutex if it is free now; `false` if it is held (Go's `TryLock`).
    pub fn try_lock(&self) -> bool {
        !std::mem::replace(&mut *self.locked.lock(), true)
    }

    /// Unlocks the mutex; any task may unlock it, as in Go.
    ///
    /// # Panics
    ///
    /// If the mutex is not locked: a [`ViolationKind::Misuse`] (Go's fatal "sync: unlock of
    /// unlocked mutex").
    #[track_caller]
    pub fn unlock(&self) {
        let at = Location::caller();
        let mut locked = self.locked.lock();
        if !*locked {
            drop(locked);
            fatal(
                &self.label(),
                "unlock of an unlocked mutex (Go's fatal \"sync: unlock of unlocked mutex\"): \
                 every unlock must follow the lock it releases",
                at,
            );
        }
        *locked = false;
        drop(locked);
        self.cv.notify_one();
    }

    /// How reports name this mutex.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("go mutex", self.created_at)
    }
}

/// Reports Go's fatal misuse of a lock as a [`ViolationKind::Misuse`] at `at`.
pub(crate) fn fatal(label: &str, what: &str, at: &'static Location<'static>) -> ! {
    let mut v = Violation::new(
        ViolationKind::Misuse,
        format!(
            "{label}: {what}; called at {} by {}",
            Site::from(at),
            rt::current_task_label()
        ),
    );
    v.sites = vec![Site::from(at)];
    rt::violation(v)
}

impl Default for Mutex {
    #[track_caller]
    fn default() -> Self {
        Mutex::new()
    }
}

impl fmt::Debug for Mutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
