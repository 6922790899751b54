//! `Mutex`: std-shaped, backed by std, loom or shuttle as the active runner says.
//!
//! The data always lives in a `std::sync::Mutex`; under a checker a model `Mutex<()>` around it
//! does the scheduling. While the model lock is held no other task can reach the data lock, so
//! it is never contended there; and while a loom deadlock unwinds (when loom may not be called)
//! the data is still reachable without loom.
//!
//! Unlike std there is no poisoning: `lock` returns the guard. Under a checker a panic ends the
//! execution anyway, and Go's `sync.Mutex`, which these patterns mirror, has none either.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{PoisonError, TryLockError};

use crate::flavors::lock::{self, Guard};
use crate::rt::{self, check_backend, Backend};

/// A mutual exclusion lock over `T`; see the [module docs](crate::sync).
pub struct Mutex<T> {
    model: lock::Mutex,
    data: std::sync::Mutex<T>,
    created_at: &'static Location<'static>,
    /// The facade's own state lock (a channel's, a WaitGroup's...): a write through its guard
    /// is not the body's progress; the primitive notes its real changes (`rt::progress`).
    internal: bool,
}

/// Holds a [`Mutex`] locked; unlocks on drop.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T> {
    // Field order is drop order: release the data before the model lock, so the next model
    // holder always finds the data lock free.
    pub(crate) data: std::sync::MutexGuard<'a, T>,
    pub(crate) model: Guard<'a>,
    pub(crate) mutex: &'a Mutex<T>,
    /// The registry's note that the running task holds it (model backends).
    pub(crate) held: rt::Held,
}

impl<T> rt::coverage::Traced for Mutex<T> {
    fn traced(&self) -> rt::Object {
        self.object()
    }
}

impl<T> rt::coverage::Guarding for Mutex<T> {
    fn built(&self) -> Backend {
        self.backend()
    }
}

impl<T> Mutex<T> {
    /// A new unlocked mutex for the backend of the current runner (std outside any runner).
    #[track_caller]
    pub fn new(value: T) -> Self {
        Mutex {
            model: lock::Mutex::new(),
            data: std::sync::Mutex::new(value),
            created_at: Location::caller(),
            internal: false,
        }
    }

    /// [`Mutex::new`] for the state of a facade primitive (see the `internal` field).
    #[track_caller]
    pub(crate) fn internal(value: T) -> Self {
        Mutex {
            internal: true,
            ..Mutex::new(value)
        }
    }

    /// The backend this mutex was built for.
    pub fn backend(&self) -> Backend {
        self.model.backend()
    }

    /// How reports name this mutex.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    /// What a task blocked on this mutex waits on, formatted only if a report needs it.
    pub(crate) fn object(&self) -> rt::Object {
        rt::Object::created("mutex", self.created_at)
    }

    /// Acquires the lock, blocking the task until it is free.
    #[track_caller]
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // The production path, inlined into the caller: a free std mutex outside any checker,
        // one thread-local read more than std's own `lock`.
        if self.model.is_std() && rt::backend() == Backend::Std {
            if let Ok(data) = self.data.try_lock() {
                return self.guard(data, Guard::std());
            }
        }
        self.lock_slow()
    }

    /// A contended std mutex, or any mutex under a checker.
    #[track_caller]
    #[inline(never)]
    fn lock_slow(&self) -> MutexGuard<'_, T> {
        let at = Location::caller();
        check_backend(self.backend(), self.model.execution(), "Mutex");
        if rt::loom_unwinding() || self.model.loom_uncallable() {
            return self.lock_unwinding();
        }
        if self.model.is_std() {
            return match self.data.try_lock() {
                Ok(data) => self.guard(data, Guard::std()),
                Err(TryLockError::Poisoned(p)) => self.guard(p.into_inner(), Guard::std()),
                Err(TryLockError::WouldBlock) => {
                    let _blocked = rt::blocking_lock(self.address(), || self.object(), at);
                    let data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
                    self.guard(data, Guard::std())
                }
            };
        }
        // One lookup of the running task for every step below (see `rt::Running`).
        let me = rt::running();
        let blocked = rt::begin_lock(
            me.as_ref(),
            self.address(),
            rt::LockMode::Mutex,
            || self.object(),
            at,
        );
        let model = self.model.lock();
        let marked = blocked.marked();
        drop(blocked);
        if !marked {
            // Nobody noted this task running when the mark was dropped (loom cannot be asked
            // who runs; shuttle can, and there the note is a no-op).
            rt::note_running_by(me.as_ref());
        }
        rt::coverage::after_note(self.backend(), self, rt::coverage::LOCK, at);
        let data = self.lock_data();
        let held = if model.is_std() {
            rt::Held::NONE
        } else {
            rt::held_by(me, self.address(), false, Some(at))
        };
        MutexGuard {
            data,
            model,
            mutex: self,
            held,
        }
    }

    /// Acquires the lock if it is free now.
    #[track_caller]
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        // The production path, inlined as `lock`'s is: a std mutex outside any checker.
        if self.model.is_std() && rt::backend() == Backend::Std {
            match self.data.try_lock() {
                Ok(data) => return Some(self.guard(data, Guard::std())),
                Err(TryLockError::WouldBlock) => return None,
                Err(TryLockError::Poisoned(_)) => {}
            }
        }
        self.try_lock_slow()
    }

    /// A poisoned std mutex, or any mutex under a checker.
    #[track_caller]
    #[inline(never)]
    fn try_lock_slow(&self) -> Option<MutexGuard<'_, T>> {
        check_backend(self.backend(), self.model.execution(), "Mutex");
        if rt::loom_unwinding() || self.model.loom_uncallable() {
            return Some(self.lock_unwinding());
        }
        if self.model.is_std() {
            return match self.data.try_lock() {
                Ok(d) => Some(self.guard(d, Guard::std())),
                Err(TryLockError::Poisoned(p)) => Some(self.guard(p.into_inner(), Guard::std())),
                Err(TryLockError::WouldBlock) => None,
            };
        }
        let model = self.model.try_lock()?;
        rt::coverage::record_here(self.backend(), self, rt::coverage::TRY_LOCK);
        Some(self.guard(self.lock_data(), model))
    }

    /// Mutable access without locking: `&mut self` proves no one else holds it.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.data
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The guard of a lock taken at the caller's call site (`#[track_caller]` up to the user's
    /// `lock`/`try_lock`), noted in the registry under a model backend.
    #[track_caller]
    #[inline]
    fn guard<'a>(
        &'a self,
        data: std::sync::MutexGuard<'a, T>,
        model: Guard<'a>,
    ) -> MutexGuard<'a, T> {
        let at = Some(Location::caller());
        let held = if model.is_std() {
            rt::Held::NONE
        } else {
            rt::held(self.address(), false, at)
        };
        MutexGuard {
            data,
            model,
            mutex: self,
            held,
        }
    }

    /// The data lock alone, for a facade primitive's own hot path: `Some` exactly when
    /// [`Mutex::lock`]'s production path would return at once (a std mutex outside any checker,
    /// free now), and then the std guard it would have wrapped. A std facade guard holds
    /// nothing besides (no model guard, no registry note), so this is the same lock hold
    /// without building, moving and dropping the facade guard (BENCHMARKS.md, channel).
    /// `None`: take [`Mutex::lock`] (a checker, contention or poison).
    #[inline]
    pub(crate) fn try_lock_std(&self) -> Option<std::sync::MutexGuard<'_, T>> {
        if self.model.is_std() && rt::backend() == Backend::Std {
            return self.data.try_lock().ok();
        }
        None
    }

    /// The facade guard of a hold [`Mutex::try_lock_std`] took, for a primitive that must
    /// wait on a facade `Condvar` after all.
    #[track_caller]
    #[inline]
    pub(crate) fn adopt_std<'a>(&'a self, data: std::sync::MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.guard(data, Guard::std())
    }

    /// Notes in the registry that the running task holds this mutex again (a condvar's
    /// re-lock; see `rt::held`).
    pub(crate) fn held(&self) -> rt::Held {
        rt::held(self.address(), false, None)
    }

    fn address(&self) -> usize {
        std::ptr::from_ref(self).cast::<()>() as usize
    }

    /// The data lock, taken after the model lock: uncontended by construction.
    pub(crate) fn lock_data(&self) -> std::sync::MutexGuard<'_, T> {
        match self.data.try_lock() {
            Ok(d) => d,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                self.data.lock().unwrap_or_else(PoisonError::into_inner)
            }
        }
    }

    /// Locking while a loom execution unwinds: loom may not be called, so only the data lock is
    /// taken. If a task that will never run again holds it, no value can be handed out.
    fn lock_unwinding(&self) -> MutexGuard<'_, T> {
        match self.data.try_lock() {
            Ok(d) => self.guard(d, Guard::std()),
            Err(TryLockError::Poisoned(p)) => self.guard(p.into_inner(), Guard::std()),
            Err(TryLockError::WouldBlock) => unwinding_deadend(&self.label()),
        }
    }
}

/// A destructor running while a loom execution unwinds needs a lock that a task which will never
/// run again holds. Blocking would hang the process (every loom task is on this OS thread) and a
/// panic inside an unwind aborts it; abort with the reason, once.
pub(crate) fn unwinding_deadend(label: &str) -> ! {
    eprintln!(
        "concheck: a destructor running while a loom execution unwinds locks the {label}, which \
         a blocked task holds; it cannot proceed. Make that destructor use try_lock, or check \
         this body with shuttle, which does not run destructors of failed executions"
    );
    std::process::abort()
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("backend", &self.backend())
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    /// A write through the guard of the body's mutex (not a facade primitive's own state lock)
    /// is progress (see `rt::progress`).
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        if !self.model.is_std() && !self.mutex.internal {
            rt::progress::made();
        }
        &mut self.data
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.data, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Mutex;
    use crate::check::{Check, Checker, LoomConfig, ShuttleConfig};

    /// A primitive's std fast path skips the facade guard only where that guard holds nothing:
    /// a free std mutex outside any checker. Held, it must fall back to `lock` (which blocks
    /// and registers the wait); under a checker the model lock must schedule every access.
    #[test]
    fn try_lock_std_only_for_a_free_std_mutex_outside_checkers() {
        let m = Mutex::new(1);
        assert_eq!(m.try_lock_std().map(|g| *g), Some(1));
        let held = m.lock();
        assert!(m.try_lock_std().is_none(), "a held mutex has no fast path");
        drop(held);
        let check = Check::new(|| {
            let m = Mutex::new(0);
            assert!(m.try_lock_std().is_none(), "a model mutex has no fast path");
            *m.lock() += 1;
        });
        // One execution each: the assertion is about the backend, not an interleaving.
        check.assert_no_violation(&[
            Checker::Loom(LoomConfig::new()),
            Checker::Shuttle(ShuttleConfig::random().iterations(1)),
        ]);
    }
}
