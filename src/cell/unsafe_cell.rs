//! The `UnsafeCell` type; see the [module docs](super).

use std::fmt;
use std::panic::Location;
use std::sync::{Mutex, PoisonError, RwLock, TryLockError};

use super::race::{self, Access, Log};
use crate::rt::{self, check_backend, loom_callable, Backend};

/// The checkers' half of a cell, boxed: a cell on std is then its data's lock and two words, and
/// a model checker's cell stays small on the stack too (loom runs a body on a fixed 32 KiB stack,
/// and a crate's block of cells, built there before it is boxed, overflowed it when the access
/// log was inline: concurrent-queue's `Unbounded` block of 31 slots did).
struct Model {
    kind: ModelKind,
    /// The id of the execution the cell was built in (see `rt::check_backend`).
    execution: u64,
    log: Mutex<Log>,
}

enum ModelKind {
    /// loom's own cell, of `()`: it tracks the accesses, the data stays in the `RwLock`.
    Loom(loom::cell::UnsafeCell<()>),
    Shuttle,
}

/// A cell whose accesses the checkers test for data races; see the [module docs](super).
///
/// # Examples
///
/// ```
/// use concheck::cell::UnsafeCell;
///
/// let cell = UnsafeCell::new(1);
/// cell.with_mut(|p| {
///     let _p: *mut i32 = p; // `unsafe { *p += 1 }` in the caller's crate
/// });
/// assert_eq!(cell.into_inner(), 1);
/// ```
pub struct UnsafeCell<T> {
    data: RwLock<T>,
    /// `None` on std: no detection there, so nothing to allocate or record.
    model: Option<Box<Model>>,
    created_at: &'static Location<'static>,
}

impl<T> UnsafeCell<T> {
    /// A new cell for the backend of the current runner.
    #[track_caller]
    pub fn new(value: T) -> Self {
        let kind = match rt::construction_backend() {
            Backend::Std => None,
            Backend::Loom => Some(ModelKind::Loom(loom::cell::UnsafeCell::new(()))),
            Backend::Shuttle => Some(ModelKind::Shuttle),
        };
        UnsafeCell {
            data: RwLock::new(value),
            model: kind.map(|kind| {
                Box::new(Model {
                    kind,
                    execution: rt::execution_id(),
                    log: Mutex::new(Log::default()),
                })
            }),
            created_at: Location::caller(),
        }
    }

    /// The backend this cell was built for.
    #[inline]
    pub fn backend(&self) -> Backend {
        match self.model.as_deref().map(|m| &m.kind) {
            None => Backend::Std,
            Some(ModelKind::Loom(_)) => Backend::Loom,
            Some(ModelKind::Shuttle) => Backend::Shuttle,
        }
    }

    /// Reads through a `*const T` valid for the closure's duration; under a checker, a read not
    /// ordered after the last write of another task is a reported data race.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        self.access(false, Location::caller());
        let guard = match self.data.try_read() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => self.busy(false, Location::caller(), || {
                self.data.read().unwrap_or_else(PoisonError::into_inner)
            }),
        };
        f(&*guard as *const T)
    }

    /// Writes through a `*mut T` valid for the closure's duration; under a checker, a write
    /// not ordered after every earlier access of another task is a reported data race.
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        self.access(true, Location::caller());
        let mut guard = match self.data.try_write() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => self.busy(true, Location::caller(), || {
                self.data.write().unwrap_or_else(PoisonError::into_inner)
            }),
        };
        f(&mut *guard as *mut T)
    }

    /// Mutable access: `&mut self` proves no other access.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> T {
        self.data
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks and records one access on the model backend.
    #[track_caller]
    fn access(&self, write: bool, at: &'static Location<'static>) {
        let Some(model) = self.model.as_deref() else {
            // Outside a runner the check is one thread-local read; it turns a cell built before
            // the runner started into the misuse report instead of an unchecked access.
            return check_backend(Backend::Std, 0, "UnsafeCell");
        };
        match &model.kind {
            // While a loom execution unwinds loom may not be called; nothing races any more.
            ModelKind::Loom(_) if !loom_callable() => {}
            ModelKind::Loom(shadow) => {
                check_backend(Backend::Loom, model.execution, "UnsafeCell");
                if write {
                    rt::progress::made();
                }
                let access = Access::now(write, at, None);
                let raced = rt::catch_loom_panic(|| {
                    if write {
                        shadow.with_mut(|_| ());
                    } else {
                        shadow.with(|_| ());
                    }
                });
                let mut log = model.log.lock().unwrap_or_else(PoisonError::into_inner);
                if raced {
                    let other = log.conflicting(&access).cloned();
                    drop(log);
                    race::report(&access, other.as_ref(), self.created_at);
                }
                log.record(access);
            }
            ModelKind::Shuttle => {
                check_backend(Backend::Shuttle, model.execution, "UnsafeCell");
                if write {
                    rt::progress::made();
                }
                let access = Access::now(write, at, race::shuttle_stamp());
                let mut log = model.log.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(other) = log.unordered(&access).cloned() {
                    drop(log);
                    race::report(&access, Some(&other), self.created_at);
                }
                log.record(access);
            }
        }
    }

    /// The data is held by another access's closure: on std, wait for it; under a checker the
    /// two accesses overlap, which no synchronisation orders, so it is a data race.
    #[track_caller]
    fn busy<G>(&self, write: bool, at: &'static Location<'static>, wait: impl FnOnce() -> G) -> G {
        let Some(model) = self.model.as_deref() else {
            return wait();
        };
        if rt::loom_unwinding() {
            return wait();
        }
        let access = Access::now(write, at, None);
        let log = model.log.lock().unwrap_or_else(PoisonError::into_inner);
        let other = log.conflicting(&access).cloned();
        drop(log);
        race::report(&access, other.as_ref(), self.created_at)
    }
}

impl<T: Default> Default for UnsafeCell<T> {
    #[track_caller]
    fn default() -> Self {
        UnsafeCell::new(T::default())
    }
}

impl<T> fmt::Debug for UnsafeCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsafeCell")
            .field("backend", &self.backend())
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
