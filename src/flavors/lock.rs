//! The model lock under a facade `Mutex` or `RwLock`, and the one guard of every model lock.
//!
//! The facade keeps its data in a std lock; under a checker the model lock built here (a
//! `Mutex<()>` or `RwLock<()>` of loom or shuttle) does the scheduling. A std flavor has no
//! model lock: its guard is [`Guard::std`], which holds nothing.

use std::mem::ManuallyDrop;
use std::sync::PoisonError;

use crate::rt::{self, Backend};

/// The model lock under a facade `Mutex`.
pub(crate) enum Mutex {
    Std,
    /// loom's lock, and the id of the execution it was built in (see `rt::check_backend`).
    Loom(loom::sync::Mutex<()>, u64),
    // Boxed: with shuttle's vector clocks (which `cell::UnsafeCell` reads) its lock is several
    // times the size of loom's, and every std mutex would pay for the space.
    Shuttle(Box<shuttle::sync::Mutex<()>>, u64),
}

/// The model lock under a facade `RwLock`.
pub(crate) enum RwLock {
    Std,
    /// loom's lock, and the id of the execution it was built in (see `rt::check_backend`).
    Loom(loom::sync::RwLock<()>, u64),
    // Boxed, as `Mutex`'s is.
    Shuttle(Box<shuttle::sync::RwLock<()>>, u64),
}

impl Mutex {
    /// The model lock for the backend a primitive constructed now gets.
    #[track_caller]
    #[inline]
    pub(crate) fn new() -> Self {
        match rt::construction_backend() {
            Backend::Std => Mutex::Std,
            Backend::Loom => Mutex::Loom(loom::sync::Mutex::new(()), rt::execution_id()),
            Backend::Shuttle => {
                Mutex::Shuttle(Box::new(shuttle::sync::Mutex::new(())), rt::execution_id())
            }
        }
    }

    #[inline]
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Mutex::Std => Backend::Std,
            Mutex::Loom(..) => Backend::Loom,
            Mutex::Shuttle(..) => Backend::Shuttle,
        }
    }

    /// The id of the execution a model lock was built in (0 for std).
    #[inline]
    pub(crate) fn execution(&self) -> u64 {
        match self {
            Mutex::Std => 0,
            Mutex::Loom(_, e) | Mutex::Shuttle(_, e) => *e,
        }
    }

    /// No model lock: the data lock is the lock.
    #[inline]
    pub(crate) fn is_std(&self) -> bool {
        matches!(self, Mutex::Std)
    }

    /// A loom lock that loom may not be asked for now (its execution unwinds): the facade takes
    /// only the data lock.
    #[inline]
    pub(crate) fn loom_uncallable(&self) -> bool {
        matches!(self, Mutex::Loom(..)) && !rt::loom_callable()
    }

    /// Blocks the task until the model lock is free, and takes it ([`Guard::std`] for std).
    #[track_caller]
    pub(crate) fn lock(&self) -> Guard<'_> {
        match self {
            Mutex::Std => Guard::std(),
            Mutex::Loom(m, _) => Guard::model(Held::LoomMutex(
                m.lock().unwrap_or_else(PoisonError::into_inner),
            )),
            Mutex::Shuttle(m, _) => Guard::model(Held::ShuttleMutex(
                m.lock().unwrap_or_else(PoisonError::into_inner),
            )),
        }
    }

    /// Takes the model lock if it is free now.
    #[track_caller]
    pub(crate) fn try_lock(&self) -> Option<Guard<'_>> {
        Some(match self {
            Mutex::Std => Guard::std(),
            Mutex::Loom(m, _) => Guard::model(Held::LoomMutex(m.try_lock().ok()?)),
            Mutex::Shuttle(m, _) => Guard::model(Held::ShuttleMutex(m.try_lock().ok()?)),
        })
    }
}

impl RwLock {
    /// The model lock for the backend a primitive constructed now gets.
    #[track_caller]
    #[inline]
    pub(crate) fn new() -> Self {
        match rt::construction_backend() {
            Backend::Std => RwLock::Std,
            Backend::Loom => RwLock::Loom(loom::sync::RwLock::new(()), rt::execution_id()),
            Backend::Shuttle => {
                RwLock::Shuttle(Box::new(shuttle::sync::RwLock::new(())), rt::execution_id())
            }
        }
    }

    #[inline]
    pub(crate) fn backend(&self) -> Backend {
        match self {
            RwLock::Std => Backend::Std,
            RwLock::Loom(..) => Backend::Loom,
            RwLock::Shuttle(..) => Backend::Shuttle,
        }
    }

    /// The id of the execution a model lock was built in (0 for std).
    #[inline]
    pub(crate) fn execution(&self) -> u64 {
        match self {
            RwLock::Std => 0,
            RwLock::Loom(_, e) | RwLock::Shuttle(_, e) => *e,
        }
    }

    /// No model lock: the data lock is the lock.
    #[inline]
    pub(crate) fn is_std(&self) -> bool {
        matches!(self, RwLock::Std)
    }

    /// See [`Mutex::loom_uncallable`].
    #[inline]
    pub(crate) fn loom_uncallable(&self) -> bool {
        matches!(self, RwLock::Loom(..)) && !rt::loom_callable()
    }

    /// Shared access to the model lock, blocking while a writer holds it.
    #[track_caller]
    pub(crate) fn read(&self) -> Guard<'_> {
        match self {
            RwLock::Std => Guard::std(),
            RwLock::Loom(l, _) => Guard::model(Held::LoomRead(
                l.read().unwrap_or_else(PoisonError::into_inner),
            )),
            RwLock::Shuttle(l, _) => Guard::model(Held::ShuttleRead(
                l.read().unwrap_or_else(PoisonError::into_inner),
            )),
        }
    }

    /// Exclusive access to the model lock, blocking while anyone holds it.
    #[track_caller]
    pub(crate) fn write(&self) -> Guard<'_> {
        match self {
            RwLock::Std => Guard::std(),
            RwLock::Loom(l, _) => Guard::model(Held::LoomWrite(
                l.write().unwrap_or_else(PoisonError::into_inner),
            )),
            RwLock::Shuttle(l, _) => Guard::model(Held::ShuttleWrite(
                l.write().unwrap_or_else(PoisonError::into_inner),
            )),
        }
    }
}

/// The guard of a model lock (a mutex, or an rwlock for reading or writing), released by the
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
pub(crate) struct Guard<'a> {
    /// What the guard holds, released by [`Guard`]'s own `Drop` (which leaves [`Held::Std`]):
    /// `ManuallyDrop` gives the field no drop glue, so dropping a std guard is the inline
    /// check in `drop` and nothing else (the glue of six backend guards, out of line, was
    /// about a sixth of a std lock and unlock; BENCHMARKS.md, facade).
    held: ManuallyDrop<Held<'a>>,
    /// The thread was unwinding already when the lock was taken (read for loom locks only).
    taken_unwinding: bool,
}

/// What a [`Guard`] holds. The backend guards are never read: they are held to be released
/// (or forgotten) when the [`Guard`] drops.
#[allow(dead_code)]
pub(super) enum Held<'a> {
    /// Nothing: a std lock (its data guard is the lock), or a loom lock taken while loom could
    /// not be called.
    Std,
    LoomMutex(loom::sync::MutexGuard<'a, ()>),
    LoomRead(loom::sync::RwLockReadGuard<'a, ()>),
    LoomWrite(loom::sync::RwLockWriteGuard<'a, ()>),
    ShuttleMutex(shuttle::sync::MutexGuard<'a, ()>),
    ShuttleRead(shuttle::sync::RwLockReadGuard<'a, ()>),
    ShuttleWrite(shuttle::sync::RwLockWriteGuard<'a, ()>),
}

impl<'a> Guard<'a> {
    /// The guard of a std lock, or of no model lock: holds nothing.
    #[inline]
    pub(crate) const fn std() -> Self {
        Guard {
            held: ManuallyDrop::new(Held::Std),
            taken_unwinding: false,
        }
    }

    pub(super) fn model(held: Held<'a>) -> Self {
        Guard {
            held: ManuallyDrop::new(held),
            taken_unwinding: std::thread::panicking(),
        }
    }

    /// What the guard holds, taken out of it: the guard is left holding nothing.
    pub(super) fn take(&mut self) -> Held<'a> {
        ManuallyDrop::into_inner(std::mem::replace(
            &mut self.held,
            ManuallyDrop::new(Held::Std),
        ))
    }

    /// Holds no model lock.
    #[inline]
    pub(crate) fn is_std(&self) -> bool {
        matches!(*self.held, Held::Std)
    }

    /// The backend of the lock it holds (std if none).
    pub(crate) fn backend(&self) -> Backend {
        match *self.held {
            Held::Std => Backend::Std,
            Held::LoomMutex(_) | Held::LoomRead(_) | Held::LoomWrite(_) => Backend::Loom,
            Held::ShuttleMutex(_) | Held::ShuttleRead(_) | Held::ShuttleWrite(_) => {
                Backend::Shuttle
            }
        }
    }
}

impl Drop for Guard<'_> {
    /// Inline, so that a std guard's drop is one check in the caller; a model guard is released
    /// out of line.
    #[inline]
    fn drop(&mut self) {
        if !self.is_std() {
            self.release();
        }
    }
}

impl Guard<'_> {
    /// Releases (or forgets) a model lock's guard by the rule in [`Guard`]'s docs. Out of line
    /// and by reference, so that what the caller inlines of `drop` stays one check.
    #[cold]
    #[inline(never)]
    fn release(&mut self) {
        match self.take() {
            Held::Std => {}
            held @ (Held::LoomMutex(_) | Held::LoomRead(_) | Held::LoomWrite(_)) => {
                if !rt::loom_callable_unwinding() {
                    std::mem::forget(held);
                } else if std::thread::panicking() && !self.taken_unwinding {
                    std::mem::forget(held);
                    rt::loom_lock_lost();
                } else {
                    drop(held);
                }
            }
            shuttle => drop(shuttle),
        }
    }
}
