//! `RwLock`: many readers or one writer, backed by std, loom or shuttle.
//!
//! As with [`Mutex`](super::Mutex), the data lives in a std `RwLock` and a model `RwLock<()>`
//! does the scheduling under a checker. No poisoning. Fairness (whether a queued writer blocks
//! new readers) is the backend's: std's depends on the platform; do not rely on either.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{PoisonError, TryLockError};

use super::mutex::LoomGuard;
use crate::rt::{self, check_backend, loom_callable, Backend};

enum Model {
    Std,
    Loom(loom::sync::RwLock<()>),
    // Boxed: with shuttle's vector clocks (which `cell::UnsafeCell` reads) its lock is several
    // times the size of loom's, and every std rwlock would pay for the space.
    Shuttle(Box<shuttle::sync::RwLock<()>>),
}

/// A reader-writer lock over `T`; see the [module docs](crate::sync).
pub struct RwLock<T> {
    model: Model,
    data: std::sync::RwLock<T>,
    created_at: &'static Location<'static>,
}

/// Shared access; releases on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T> {
    data: std::sync::RwLockReadGuard<'a, T>,
    _model: ReadModel<'a>,
    /// The registry's note that the running task holds it for reading (model backends).
    _held: rt::Held,
}

/// Exclusive access; releases on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T> {
    data: std::sync::RwLockWriteGuard<'a, T>,
    _model: WriteModel<'a>,
    /// The registry's note that the running task holds it for writing (model backends).
    _held: rt::Held,
}

enum ReadModel<'a> {
    Std,
    Loom(#[allow(dead_code)] LoomGuard<loom::sync::RwLockReadGuard<'a, ()>>),
    Shuttle(#[allow(dead_code)] shuttle::sync::RwLockReadGuard<'a, ()>),
}

enum WriteModel<'a> {
    Std,
    Loom(#[allow(dead_code)] LoomGuard<loom::sync::RwLockWriteGuard<'a, ()>>),
    Shuttle(#[allow(dead_code)] shuttle::sync::RwLockWriteGuard<'a, ()>),
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
        let model = match rt::construction_backend() {
            Backend::Std => Model::Std,
            Backend::Loom => Model::Loom(loom::sync::RwLock::new(())),
            Backend::Shuttle => Model::Shuttle(Box::new(shuttle::sync::RwLock::new(()))),
        };
        RwLock {
            model,
            data: std::sync::RwLock::new(value),
            created_at: Location::caller(),
        }
    }

    /// The backend this lock was built for.
    pub fn backend(&self) -> Backend {
        match self.model {
            Model::Std => Backend::Std,
            Model::Loom(_) => Backend::Loom,
            Model::Shuttle(_) => Backend::Shuttle,
        }
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

    /// The registry's note that the running task holds this lock for reading, taken at `at`
    /// through a model lock (nothing for a std one: see `rt::held`).
    fn read_held(&self, model: &ReadModel<'_>, at: &'static Location<'static>) -> rt::Held {
        match model {
            ReadModel::Std => rt::Held::NONE,
            _ => rt::held(self.address(), true, Some(at)),
        }
    }

    /// Shared access, blocking while a writer holds it.
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        let at = Location::caller();
        check_backend(self.backend(), "RwLock");
        if rt::loom_unwinding() {
            return self.read_unwinding();
        }
        let model = match &self.model {
            Model::Std => {
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
                    _model: ReadModel::Std,
                    _held: rt::Held::NONE,
                };
            }
            Model::Loom(_) if !loom_callable() => ReadModel::Std,
            Model::Loom(l) => {
                rt::relock(self.address(), rt::LockMode::Read, || self.object(), at);
                let _blocked =
                    rt::blocking_on_lock(rt::op::READ, self.address(), || self.object(), at);
                ReadModel::Loom(LoomGuard::new(
                    l.read().unwrap_or_else(PoisonError::into_inner),
                ))
            }
            Model::Shuttle(l) => {
                rt::relock(self.address(), rt::LockMode::Read, || self.object(), at);
                let _blocked =
                    rt::blocking_on_lock(rt::op::READ, self.address(), || self.object(), at);
                ReadModel::Shuttle(l.read().unwrap_or_else(PoisonError::into_inner))
            }
        };
        rt::note_running();
        rt::coverage::after_note(self.backend(), self, rt::coverage::READ, at);
        let data = self.data.read().unwrap_or_else(PoisonError::into_inner);
        RwLockReadGuard {
            data,
            _held: self.read_held(&model, at),
            _model: model,
        }
    }

    /// Exclusive access, blocking while anyone holds it.
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        let at = Location::caller();
        check_backend(self.backend(), "RwLock");
        if rt::loom_unwinding() {
            return self.write_unwinding();
        }
        let model = match &self.model {
            Model::Std => {
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
                    _model: WriteModel::Std,
                    _held: rt::Held::NONE,
                };
            }
            Model::Loom(_) if !loom_callable() => WriteModel::Std,
            Model::Loom(l) => {
                rt::relock(self.address(), rt::LockMode::Write, || self.object(), at);
                let _blocked =
                    rt::blocking_on_lock(rt::op::WRITE, self.address(), || self.object(), at);
                WriteModel::Loom(LoomGuard::new(
                    l.write().unwrap_or_else(PoisonError::into_inner),
                ))
            }
            Model::Shuttle(l) => {
                rt::relock(self.address(), rt::LockMode::Write, || self.object(), at);
                let _blocked =
                    rt::blocking_on_lock(rt::op::WRITE, self.address(), || self.object(), at);
                WriteModel::Shuttle(l.write().unwrap_or_else(PoisonError::into_inner))
            }
        };
        rt::note_running();
        rt::coverage::after_note(self.backend(), self, rt::coverage::WRITE, at);
        let data = self.data.write().unwrap_or_else(PoisonError::into_inner);
        RwLockWriteGuard {
            data,
            _held: if matches!(model, WriteModel::Std) {
                rt::Held::NONE
            } else {
                rt::held(self.address(), false, Some(at))
            },
            _model: model,
        }
    }

    /// Reading while a loom execution unwinds: no loom, and no blocking (see `Mutex`).
    fn read_unwinding(&self) -> RwLockReadGuard<'_, T> {
        match self.data.try_read() {
            Ok(data) => RwLockReadGuard {
                data,
                _model: ReadModel::Std,
                _held: rt::Held::NONE,
            },
            Err(TryLockError::Poisoned(p)) => RwLockReadGuard {
                data: p.into_inner(),
                _model: ReadModel::Std,
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
                _model: WriteModel::Std,
                _held: rt::Held::NONE,
            },
            Err(TryLockError::Poisoned(p)) => RwLockWriteGuard {
                data: p.into_inner(),
                _model: WriteModel::Std,
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
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    /// A write through the guard by the body is progress (see `rt::progress`).
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        if !matches!(self._model, WriteModel::Std) {
            rt::progress::made();
        }
        &mut self.data
    }
}
