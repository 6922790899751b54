//! `RwLock`: many readers or one writer, backed by std, loom or shuttle.
//!
//! As with [`Mutex`](super::Mutex), the data lives in a std `RwLock` and a model `RwLock<()>`
//! does the scheduling under a checker. No poisoning. Fairness (whether a queued writer blocks
//! new readers) is the backend's: std's depends on the platform; do not rely on either.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{PoisonError, TryLockError};

use crate::flavors::lock::{self, Guard};
use crate::rt::{self, check_backend, Backend};

/// A reader-writer lock over `T`; see the [module docs](crate::sync).
pub struct RwLock<T> {
    model: lock::RwLock,
    data: std::sync::RwLock<T>,
    created_at: &'static Location<'static>,
}

/// Shared access; releases on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T> {
    data: std::sync::RwLockReadGuard<'a, T>,
    _model: Guard<'a>,
    /// The registry's note that the running task holds it for reading (model backends).
    _held: rt::Held,
}

impl<T: std::fmt::Debug> std::fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.data, f)
    }
}

/// Exclusive access; releases on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T> {
    data: std::sync::RwLockWriteGuard<'a, T>,
    _model: Guard<'a>,
    /// The registry's note that the running task holds it for writing (model backends).
    _held: rt::Held,
}

impl<T: std::fmt::Debug> std::fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.data, f)
    }
}

impl<T> rt::coverage::Traced for RwLock<T> {
    fn traced(&self) -> rt::Object {
        self.object()
    }
}

impl<T> RwLock<T> {
    /// A new unlocked lock for the backend of the current runner.
    #[track_caller]
    pub fn new(value: T) -> Self {
        RwLock {
            model: lock::RwLock::new(),
            data: std::sync::RwLock::new(value),
            created_at: Location::caller(),
        }
    }

    /// The backend this lock was built for.
    pub fn backend(&self) -> Backend {
        self.model.backend()
    }

    /// How reports name this lock.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("rwlock", self.created_at)
    }

    fn address(&self) -> usize {
        std::ptr::from_ref(self).cast::<()>() as usize
    }

    /// Shared access, blocking while a writer holds it.
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        let at = Location::caller();
        check_backend(self.backend(), self.model.execution(), "RwLock");
        if rt::loom_unwinding() {
            return self.read_unwinding();
        }
        if self.model.is_std() {
            let data = match self.data.try_read() {
                Ok(d) => d,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    let _blocked = rt::blocking(rt::op::READ, || self.label(), at);
                    self.data.read().unwrap_or_else(PoisonError::into_inner)
                }
            };
            return RwLockReadGuard {
                data,
                _model: Guard::std(),
                _held: rt::Held::NONE,
            };
        }
        // One lookup of the running task for every step below (see `rt::Running`).
        let me = rt::running();
        let model = if self.model.loom_uncallable() {
            Guard::std()
        } else {
            let _blocked = rt::begin_lock(
                me.as_ref(),
                self.address(),
                rt::LockMode::Read,
                || self.object(),
                at,
            );
            self.model.read()
        };
        rt::note_running_by(me.as_ref());
        rt::coverage::after_note(self.backend(), self, rt::coverage::READ, at);
        let data = self.data.read().unwrap_or_else(PoisonError::into_inner);
        RwLockReadGuard {
            data,
            _held: if model.is_std() {
                rt::Held::NONE
            } else {
                rt::held_by(me, self.address(), true, Some(at))
            },
            _model: model,
        }
    }

    /// Exclusive access, blocking while anyone holds it.
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        let at = Location::caller();
        check_backend(self.backend(), self.model.execution(), "RwLock");
        if rt::loom_unwinding() {
            return self.write_unwinding();
        }
        if self.model.is_std() {
            let data = match self.data.try_write() {
                Ok(d) => d,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    let _blocked = rt::blocking(rt::op::WRITE, || self.label(), at);
                    self.data.write().unwrap_or_else(PoisonError::into_inner)
                }
            };
            return RwLockWriteGuard {
                data,
                _model: Guard::std(),
                _held: rt::Held::NONE,
            };
        }
        // One lookup of the running task for every step below (see `rt::Running`).
        let me = rt::running();
        let model = if self.model.loom_uncallable() {
            Guard::std()
        } else {
            let _blocked = rt::begin_lock(
                me.as_ref(),
                self.address(),
                rt::LockMode::Write,
                || self.object(),
                at,
            );
            self.model.write()
        };
        rt::note_running_by(me.as_ref());
        rt::coverage::after_note(self.backend(), self, rt::coverage::WRITE, at);
        let data = self.data.write().unwrap_or_else(PoisonError::into_inner);
        RwLockWriteGuard {
            data,
            _held: if model.is_std() {
                rt::Held::NONE
            } else {
                rt::held_by(me, self.address(), false, Some(at))
            },
            _model: model,
        }
    }

    /// Reading while a loom execution unwinds: no loom, and no blocking (see `Mutex`).
    fn read_unwinding(&self) -> RwLockReadGuard<'_, T> {
        match self.data.try_read() {
            Ok(data) => RwLockReadGuard {
                data,
                _model: Guard::std(),
                _held: rt::Held::NONE,
            },
            Err(TryLockError::Poisoned(p)) => RwLockReadGuard {
                data: p.into_inner(),
                _model: Guard::std(),
                _held: rt::Held::NONE,
            },
            Err(TryLockError::WouldBlock) => unwinding_deadend(&self.label()),
        }
    }

    /// Writing while a loom execution unwinds: no loom, and no blocking (see `Mutex`).
    fn write_unwinding(&self) -> RwLockWriteGuard<'_, T> {
        match self.data.try_write() {
            Ok(data) => RwLockWriteGuard {
                data,
                _model: Guard::std(),
                _held: rt::Held::NONE,
            },
            Err(TryLockError::Poisoned(p)) => RwLockWriteGuard {
                data: p.into_inner(),
                _model: Guard::std(),
                _held: rt::Held::NONE,
            },
            Err(TryLockError::WouldBlock) => unwinding_deadend(&self.label()),
        }
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.data
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn unwinding_deadend(label: &str) -> ! {
    super::mutex::unwinding_deadend(label)
}

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLock")
            .field("backend", &self.backend())
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    /// A write through the guard by the body is progress (see `rt::progress`).
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        if !self._model.is_std() {
            rt::progress::made();
        }
        &mut self.data
    }
}
