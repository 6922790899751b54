//! `RwMutex`: Go's `sync.RWMutex`, writer-preferring, locked and unlocked by calls.
//!
//! # Writer preference, as in Go
//!
//! Once a writer waits in [`RwMutex::lock`], a new [`RwMutex::rlock`] blocks until that writer
//! has locked and unlocked, even while other readers still hold the lock: readers cannot keep
//! a writer out forever. The readers that blocked behind a writer are let in when it unlocks,
//! before the next writer, so writers cannot starve readers either.
//!
//! The price is Go's documented rule: a task must not take the read lock recursively. If a
//! writer queues between a task's first `rlock` and its second, the second waits for the
//! writer, which waits for the first to be released: a deadlock, which the checkers report.
//! [`crate::sync::RwLock`] leaves fairness to its backend and cannot show this.
//!
//! # Violations
//!
//! `runlock` with no reader inside and `unlock` with no writer inside are Go's fatal errors
//! ("sync: RUnlock of unlocked RWMutex", "sync: Unlock of unlocked RWMutex"): here reported
//! [`ViolationKind::Misuse`](crate::ViolationKind::Misuse).

use std::fmt;
use std::panic::Location;

use super::mutex::fatal;
use crate::rt;
use crate::sync::{Condvar, Mutex};

/// A readers-writer lock with Go's writer preference; see the [module docs](self).
pub struct RwMutex {
    state: Mutex<State>,
    cv: Condvar,
    created_at: &'static Location<'static>,
}

struct State {
    /// Readers inside, counting those let in by a writer's unlock that have not run yet.
    readers: usize,
    writer: bool,
    /// Writers blocked in `lock`: while any waits, new readers queue.
    writers_waiting: usize,
    /// Readers blocked in `rlock`.
    readers_waiting: usize,
    /// Writer unlocks so far: a blocked reader is in once this moves past the value it saw.
    released: u64,
}

impl RwMutex {
    /// An unlocked `RwMutex`.
    #[track_caller]
    pub fn new() -> Self {
        RwMutex {
            state: Mutex::internal(State {
                readers: 0,
                writer: false,
                writers_waiting: 0,
                readers_waiting: 0,
                released: 0,
            }),
            cv: Condvar::new(),
            created_at: Location::caller(),
        }
    }

    /// Takes the read lock; blocks while a writer holds the lock or waits for it.
    #[track_caller]
    pub fn rlock(&self) {
        let at = Location::caller();
        let mut s = self.state.lock();
        if !s.writer && s.writers_waiting == 0 {
            s.readers += 1;
            return;
        }
        s.readers_waiting += 1;
        let seen = s.released;
        // The unlocking writer counts this reader in `readers` when it lets it in.
        while s.released == seen {
            s = self
                .cv
                .wait_as(crate::rt::op::GO_RLOCK, || self.object(), s, at);
        }
    }

    /// Takes the read lock if that needs no wait: no writer holds it or waits for it.
    pub fn try_rlock(&self) -> bool {
        let mut s = self.state.lock();
        let free = !s.writer && s.writers_waiting == 0;
        if free {
            s.readers += 1;
        }
        free
    }

    /// Releases a read lock.
    ///
    /// # Panics
    ///
    /// With no reader inside: a [`ViolationKind::Misuse`](crate::ViolationKind::Misuse).
    #[track_caller]
    pub fn runlock(&self) {
        let at = Location::caller();
        let mut s = self.state.lock();
        if s.readers == 0 {
            drop(s);
            fatal(
                &self.label(),
                "runlock with no read lock held (Go's fatal \"sync: RUnlock of unlocked \
                 RWMutex\"): every runlock must follow the rlock it releases",
                at,
            );
        }
        s.readers -= 1;
        let wake = s.readers == 0 && s.writers_waiting > 0;
        drop(s);
        if wake {
            self.cv.notify_all();
        }
    }

    /// Takes the write lock: waits for the current writer and readers to leave; meanwhile new
    /// readers queue behind it.
    #[track_caller]
    pub fn lock(&self) {
        let at = Location::caller();
        let mut s = self.state.lock();
        s.writers_waiting += 1;
        while s.writer || s.readers > 0 {
            s = self
                .cv
                .wait_as(crate::rt::op::GO_WLOCK, || self.object(), s, at);
        }
        s.writers_waiting -= 1;
        s.writer = true;
    }

    /// Takes the write lock if it is free now.
    pub fn try_lock(&self) -> bool {
        let mut s = self.state.lock();
        let free = !s.writer && s.readers == 0;
        if free {
            s.writer = true;
        }
        free
    }

    /// Releases the write lock, letting in every reader that queued behind it.
    ///
    /// # Panics
    ///
    /// With no writer inside: a [`ViolationKind::Misuse`](crate::ViolationKind::Misuse).
    #[track_caller]
    pub fn unlock(&self) {
        let at = Location::caller();
        let mut s = self.state.lock();
        if !s.writer {
            drop(s);
            fatal(
                &self.label(),
                "unlock with no write lock held (Go's fatal \"sync: Unlock of unlocked \
                 RWMutex\"): every unlock must follow the lock it releases",
                at,
            );
        }
        s.writer = false;
        s.readers += std::mem::take(&mut s.readers_waiting);
        s.released += 1;
        drop(s);
        self.cv.notify_all();
    }

    /// How reports name this lock.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("rwmutex", self.created_at)
    }
}

impl Default for RwMutex {
    #[track_caller]
    fn default() -> Self {
        RwMutex::new()
    }
}

impl fmt::Debug for RwMutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwMutex")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
