//! `Condvar`: std-shaped condition variable over the facade [`Mutex`](super::Mutex).
//!
//! A wait releases the mutex and blocks until a notify, exactly as std's does; spurious wakeups
//! are allowed, so always wait in a loop on the predicate (or use [`Condvar::wait_while`]).
//! A condvar and a guard from different backends are a clear panic, not undefined behaviour.

use std::fmt;
use std::panic::Location;
use std::sync::PoisonError;

use super::mutex::{LoomGuard, ModelGuard, MutexGuard};
use crate::rt::{self, check_backend, loom_callable, Backend};

enum Inner {
    Std(std::sync::Condvar),
    Loom(loom::sync::Condvar),
    Shuttle(shuttle::sync::Condvar),
}

/// A condition variable; see the [module docs](crate::sync).
pub struct Condvar {
    inner: Inner,
    created_at: &'static Location<'static>,
}

impl Condvar {
    /// A new condition variable for the backend of the current runner.
    #[track_caller]
    pub fn new() -> Self {
        let inner = match rt::construction_backend() {
            Backend::Std => Inner::Std(std::sync::Condvar::new()),
            Backend::Loom => Inner::Loom(loom::sync::Condvar::new()),
            Backend::Shuttle => Inner::Shuttle(shuttle::sync::Condvar::new()),
        };
        Condvar {
            inner,
            created_at: Location::caller(),
        }
    }

    /// The backend this condvar was built for.
    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Std(_) => Backend::Std,
            Inner::Loom(_) => Backend::Loom,
            Inner::Shuttle(_) => Backend::Shuttle,
        }
    }

    /// How reports name this condvar.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("condvar", self.created_at)
    }

    /// Releases the guard's mutex, blocks until notified, and locks it again.
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait_as("Condvar::wait", || self.object(), guard, Location::caller())
    }

    /// Waits until `condition` is false, re-checking after every wakeup.
    #[track_caller]
    pub fn wait_while<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        let at = Location::caller();
        while condition(&mut guard) {
            guard = self.wait_as("Condvar::wait", || self.object(), guard, at);
        }
        guard
    }

    /// A wait that reports as `op` on `object` (channels and WaitGroups name themselves).
    #[track_caller]
    pub(crate) fn wait_as<'a, T, O: Into<rt::Object>>(
        &self,
        op: &'static str,
        object: impl FnOnce() -> O,
        guard: MutexGuard<'a, T>,
        at: &'static Location<'static>,
    ) -> MutexGuard<'a, T> {
        check_backend(self.backend(), "Condvar");
        if rt::loom_unwinding() {
            // Spurious wakeup: loom may not be called, and blocking would hang the process.
            // A destructor that waits in a loop for a condition spins here; see the crate docs.
            return guard;
        }
        let MutexGuard { data, model, mutex } = guard;
        match (&self.inner, model) {
            (Inner::Std(cv), ModelGuard::Std) => {
                let _blocked = rt::blocking(op, object, at);
                let data = cv.wait(data).unwrap_or_else(PoisonError::into_inner);
                MutexGuard {
                    data,
                    model: ModelGuard::Std,
                    mutex,
                }
            }
            (Inner::Loom(cv), ModelGuard::Loom(mut lg)) => {
                drop(data);
                let model = lg.0.take().expect("loom guard present outside unwinding");
                let model = {
                    let _blocked = rt::blocking(op, object, at);
                    cv.wait(model).unwrap_or_else(PoisonError::into_inner)
                };
                rt::note_running();
                MutexGuard {
                    data: mutex.lock_data(),
                    model: ModelGuard::Loom(LoomGuard(Some(model))),
                    mutex,
                }
            }
            (Inner::Shuttle(cv), ModelGuard::Shuttle(model)) => {
                drop(data);
                let model = {
                    let _blocked = rt::blocking(op, object, at);
                    cv.wait(model).unwrap_or_else(PoisonError::into_inner)
                };
                rt::note_running();
                MutexGuard {
                    data: mutex.lock_data(),
                    model: ModelGuard::Shuttle(model),
                    mutex,
                }
            }
            (_, model) => {
                let guard_backend = match model {
                    ModelGuard::Std => Backend::Std,
                    ModelGuard::Loom(_) => Backend::Loom,
                    ModelGuard::Shuttle(_) => Backend::Shuttle,
                };
                let mut v = crate::violation::Violation::new(
                    crate::violation::ViolationKind::Misuse,
                    format!(
                        "mixed backends: a {} condvar waited with a guard of a {guard_backend} \
                         mutex; build the mutex and the condvar in the same runner",
                        self.backend()
                    ),
                );
                v.sites.push(crate::violation::Site::from(at));
                rt::violation(v);
            }
        }
    }

    /// Wakes one waiter, if any.
    #[track_caller]
    pub fn notify_one(&self) {
        check_backend(self.backend(), "Condvar");
        match &self.inner {
            Inner::Std(cv) => cv.notify_one(),
            Inner::Loom(cv) if loom_callable() => cv.notify_one(),
            Inner::Loom(_) => {}
            Inner::Shuttle(cv) => cv.notify_one(),
        }
        rt::note_running();
    }

    /// Wakes every waiter.
    #[track_caller]
    pub fn notify_all(&self) {
        check_backend(self.backend(), "Condvar");
        match &self.inner {
            Inner::Std(cv) => cv.notify_all(),
            Inner::Loom(cv) if loom_callable() => cv.notify_all(),
            Inner::Loom(_) => {}
            Inner::Shuttle(cv) => cv.notify_all(),
        }
        rt::note_running();
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar")
            .field("backend", &self.backend())
            .field("created_at", &self.created_at)
            .finish()
    }
}
