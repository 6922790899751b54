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

use crate::rt::{self, check_backend, loom_callable, Backend};

enum Model {
    Std,
    Loom(loom::sync::Mutex<()>),
    // Boxed: with shuttle's vector clocks (which `cell::UnsafeCell` reads) its lock is several
    // times the size of loom's, and every std mutex would pay for the space.
    Shuttle(Box<shuttle::sync::Mutex<()>>),
}

/// A mutual exclusion lock over `T`; see the [module docs](crate::sync).
pub struct Mutex<T> {
    model: Model,
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
    pub(crate) model: ModelGuard<'a>,
    pub(crate) mutex: &'a Mutex<T>,
    /// The registry's note that the running task holds it (model backends).
    pub(crate) held: rt::Held,
}

pub(crate) enum ModelGuard<'a> {
    Std,
    Loom(LoomGuard<loom::sync::MutexGuard<'a, ()>>),
    Shuttle(#[allow(dead_code)] shuttle::sync::MutexGuard<'a, ()>),
}

/// A guard of one of loom's locks (a `Mutex<()>` or an `RwLock<()>` guard), released by the
/// one rule every facade lock follows while the thread unwinds.
///
/// - loom has failed (its deadlock detection unwinds the task): releasing would call loom with
///   no active loom thread and abort the process; the guard is forgotten.
/// - The body's own panic unwinds (one it may catch and go on from, as Go's `recover` does)
///   and the guard was taken before it: loom's lock keeps its data in a std lock that it
///   unwraps on every later acquire, and dropping a std guard while a panic unwinds poisons
///   it, so every later lock of this one would panic inside loom. The guard is forgotten, the
///   lock stays held, and the execution notes it: if the body recovers and the lock is wanted
///   again, the loom report says its search was cut there ([`rt::loom_lock_lost`]), never
///   "deadlock". shuttle and std release such a lock as usual.
/// - Otherwise (no panic, or one taken while unwinding already) the guard is dropped: loom
///   releases the lock.
pub(crate) struct LoomGuard<G> {
    guard: Option<G>,
    taken_unwinding: bool,
}

impl<G> LoomGuard<G> {
    pub(crate) fn new(guard: G) -> Self {
        LoomGuard {
            guard: Some(guard),
            taken_unwinding: std::thread::panicking(),
        }
    }

    /// The guard, to hand to loom's condvar; `None` once forgotten.
    pub(crate) fn take(&mut self) -> Option<G> {
        self.guard.take()
    }
}

impl<G> Drop for LoomGuard<G> {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else {
            return;
        };
        if !rt::loom_callable_unwinding() {
            std::mem::forget(guard);
        } else if std::thread::panicking() && !self.taken_unwinding {
            std::mem::forget(guard);
            rt::loom_lock_lost();
        } else {
            drop(guard);
        }
    }
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
        let model = match rt::construction_backend() {
            Backend::Std => Model::Std,
            Backend::Loom => Model::Loom(loom::sync::Mutex::new(())),
            Backend::Shuttle => Model::Shuttle(Box::new(shuttle::sync::Mutex::new(()))),
        };
        Mutex {
            model,
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
        match self.model {
            Model::Std => Backend::Std,
            Model::Loom(_) => Backend::Loom,
            Model::Shuttle(_) => Backend::Shuttle,
        }
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
        if let Model::Std = self.model {
            if rt::backend() == Backend::Std {
                if let Ok(data) = self.data.try_lock() {
                    return self.guard(data, ModelGuard::Std);
                }
            }
        }
        self.lock_slow()
    }

    /// A contended std mutex, or any mutex under a checker.
    #[track_caller]
    #[inline(never)]
    fn lock_slow(&self) -> MutexGuard<'_, T> {
        let at = Location::caller();
        let now = rt::backend();
        check_backend(self.backend(), "Mutex");
        if now == Backend::Loom && !loom_callable() {
            return self.lock_unwinding();
        }
        let model = match &self.model {
            Model::Std => match self.data.try_lock() {
                Ok(data) => return self.guard(data, ModelGuard::Std),
                Err(TryLockError::Poisoned(p)) => {
                    return self.guard(p.into_inner(), ModelGuard::Std)
                }
                Err(TryLockError::WouldBlock) => {
                    let _blocked = rt::blocking_lock(self.address(), || self.object(), at);
                    let data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
                    return self.guard(data, ModelGuard::Std);
                }
            },
            Model::Loom(m) => {
                if !loom_callable() {
                    return self.lock_unwinding();
                }
                rt::relock(self.address(), rt::LockMode::Mutex, || self.object(), at);
                let blocked = rt::blocking_lock(self.address(), || self.object(), at);
                let g = m.lock().unwrap_or_else(PoisonError::into_inner);
                if !blocked.marked() {
                    // Nobody notes this task running when the mark is dropped.
                    drop(blocked);
                    rt::note_running();
                }
                ModelGuard::Loom(LoomGuard::new(g))
            }
            // shuttle can always be asked who runs: nothing to note.
            Model::Shuttle(m) => {
                rt::relock(self.address(), rt::LockMode::Mutex, || self.object(), at);
                let _blocked = rt::blocking_lock(self.address(), || self.object(), at);
                ModelGuard::Shuttle(m.lock().unwrap_or_else(PoisonError::into_inner))
            }
        };
        // The loom arm noted the running task (or its mark's drop did); shuttle is asked.
        rt::coverage::after_note(self.backend(), self, rt::coverage::LOCK, at);
        self.guard(self.lock_data(), model)
    }

    /// Acquires the lock if it is free now.
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        check_backend(self.backend(), "Mutex");
        if rt::loom_unwinding() {
            return Some(self.lock_unwinding());
        }
        let model = match &self.model {
            Model::Std => {
                return match self.data.try_lock() {
                    Ok(d) => Some(self.guard(d, ModelGuard::Std)),
                    Err(TryLockError::Poisoned(p)) => {
                        Some(self.guard(p.into_inner(), ModelGuard::Std))
                    }
                    Err(TryLockError::WouldBlock) => None,
                }
            }
            Model::Loom(m) => {
                if !loom_callable() {
                    return Some(self.lock_unwinding());
                }
                ModelGuard::Loom(LoomGuard::new(m.try_lock().ok()?))
            }
            Model::Shuttle(m) => ModelGuard::Shuttle(m.try_lock().ok()?),
        };
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
    fn guard<'a>(
        &'a self,
        data: std::sync::MutexGuard<'a, T>,
        model: ModelGuard<'a>,
    ) -> MutexGuard<'a, T> {
        let at = Some(Location::caller());
        let held = match model {
            ModelGuard::Std => rt::Held::NONE,
            ModelGuard::Loom(_) | ModelGuard::Shuttle(_) => rt::held(self.address(), false, at),
        };
        MutexGuard {
            data,
            model,
            mutex: self,
            held,
        }
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
            Ok(d) => self.guard(d, ModelGuard::Std),
            Err(TryLockError::Poisoned(p)) => self.guard(p.into_inner(), ModelGuard::Std),
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
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    /// A write through the guard of the body's mutex (not a facade primitive's own state lock)
    /// is progress (see `rt::progress`).
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        if !self.mutex.internal && !matches!(self.model, ModelGuard::Std) {
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
