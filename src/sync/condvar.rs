//! `Condvar`: std-shaped condition variable over the facade [`Mutex`](super::Mutex).
//!
//! A wait releases the mutex and blocks until a notify, exactly as std's does; spurious wakeups
//! are allowed, so always wait in a loop on the predicate (or use [`Condvar::wait_while`]).
//! A condvar and a guard from different backends are a clear panic, not undefined behaviour.
//!
//! [`Condvar::wait_timeout`] runs on the [`crate::time`] clock: real on std, virtual under a
//! model checker, where the timeout fires only when the clock's [`Policy`](crate::time::Policy)
//! lets time reach it. Under a model a timed waiter waits on a signal of its own rather than on
//! the model's condvar (which cannot time out), so a notify wakes it too: possibly as a spurious
//! wakeup, which std allows and a predicate loop absorbs.

use std::fmt;
use std::panic::Location;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use super::mutex::MutexGuard;
use super::signal::Signal;
use crate::flavors::{self, lock::Guard};
use crate::rt::{self, check_backend};
use crate::time::{self, clock::Clock};

/// A condition variable; see the [module docs](crate::sync).
pub struct Condvar {
    inner: flavors::condvar::Condvar,
    created_at: &'static Location<'static>,
    /// Under a model: the signals of tasks in `wait_timeout`, which every notify fires.
    timed: std::sync::Mutex<Vec<Arc<Signal>>>,
}

/// Whether a [`Condvar::wait_timeout`] returned because its time ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// `true` if the wait ended because the timeout elapsed (it may have been notified too).
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl rt::coverage::Traced for Condvar {
    fn traced(&self) -> rt::Object {
        self.object()
    }
}

impl Condvar {
    /// A new condition variable for the backend of the current runner.
    #[track_caller]
    pub fn new() -> Self {
        Condvar {
            inner: flavors::condvar::Condvar::new(),
            created_at: Location::caller(),
            timed: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The backend this condvar was built for.
    pub fn backend(&self) -> rt::Backend {
        self.inner.backend()
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
        self.wait_as(rt::op::WAIT, || self.object(), guard, Location::caller())
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
            guard = self.wait_as(rt::op::WAIT, || self.object(), guard, at);
        }
        guard
    }

    /// Like [`Condvar::wait`], but gives up after `dur` on the [`crate::time`] clock.
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let at = Location::caller();
        check_backend(self.backend(), self.inner.execution(), "Condvar");
        if rt::loom_unwinding() {
            // The execution is over: report a timeout, so a waiting loop ends.
            return (guard, WaitTimeoutResult(true));
        }
        rt::coverage::record(self.backend(), self, rt::coverage::WAIT, at);
        let MutexGuard {
            data,
            model,
            mutex,
            held,
        } = guard;
        if model.backend() != self.backend() {
            self.mixed(model, at);
        }
        if let Some(cv) = self.inner.as_std() {
            let _blocked = rt::blocking(rt::op::WAIT_TIMEOUT, || self.label(), at);
            let (data, result) = cv
                .wait_timeout(data, dur)
                .unwrap_or_else(PoisonError::into_inner);
            let guard = MutexGuard {
                data,
                model,
                mutex,
                held,
            };
            return (guard, WaitTimeoutResult(result.timed_out()));
        }
        // Registered while the mutex is still held: a notifier changes the state under the
        // mutex first, so no notify meant for this wait can come before it.
        let signal = Signal::new();
        self.timed_waiters().push(Arc::clone(&signal));
        drop(MutexGuard {
            data,
            model,
            mutex,
            held,
        });
        self.wait_timeout_virtual(signal, mutex, dur, at)
    }

    /// Waits while `condition` holds, for at most `dur` in all; the result says whether the time
    /// ran out (the condition may still hold then).
    #[track_caller]
    pub fn wait_timeout_while<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        dur: Duration,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let clock = Clock::current();
        let deadline = clock.now() + dur;
        while condition(&mut guard) {
            let now = clock.now();
            if now >= deadline {
                return (guard, WaitTimeoutResult(true));
            }
            guard = self.wait_timeout(guard, deadline - now).0;
        }
        (guard, WaitTimeoutResult(false))
    }

    /// A timed wait under a model, `signal` registered and the mutex released: wait until a
    /// notify or the timer fires the signal (it keeps a fire that comes before the wait), then
    /// lock again.
    #[track_caller]
    fn wait_timeout_virtual<'a, T>(
        &self,
        signal: Arc<Signal>,
        mutex: &'a super::Mutex<T>,
        dur: Duration,
        at: &'static Location<'static>,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let clock = Clock::current();
        let deadline = clock.now() + dur;
        let (op, object) = (rt::op::WAIT_TIMEOUT, || self.label());
        let timed_out = time::wait_with_timer(&clock, &signal, deadline, op, object, at);
        self.timed_waiters().retain(|s| !Arc::ptr_eq(s, &signal));
        let guard = mutex.lock();
        (guard, WaitTimeoutResult(timed_out))
    }

    fn timed_waiters(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Signal>>> {
        self.timed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every task in a virtual `wait_timeout` on this condvar (model backends only).
    fn wake_timed(&self) {
        let waiters = self.timed_waiters().clone();
        for s in waiters {
            s.fire();
        }
    }

    #[track_caller]
    /// `model` by value: dropped first while the violation unwinds, before the caller's data
    /// guard.
    fn mixed(&self, model: Guard<'_>, at: &'static Location<'static>) -> ! {
        let guard_backend = model.backend();
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

    /// A wait that reports as `op` on `object` (channels and WaitGroups name themselves).
    #[track_caller]
    pub(crate) fn wait_as<'a, T, O: Into<rt::Object>>(
        &self,
        op: &'static rt::Op,
        object: impl FnOnce() -> O,
        guard: MutexGuard<'a, T>,
        at: &'static Location<'static>,
    ) -> MutexGuard<'a, T> {
        check_backend(self.backend(), self.inner.execution(), "Condvar");
        if rt::loom_unwinding() {
            // Spurious wakeup: loom may not be called, and blocking would hang the process.
            // A destructor that waits in a loop for a condition spins here; see the crate docs.
            return guard;
        }
        rt::coverage::record(self.backend(), self, rt::coverage::WAIT, at);
        let MutexGuard {
            data,
            model,
            mutex,
            held,
        } = guard;
        if model.backend() != self.backend() {
            self.mixed(model, at);
        }
        if let Some(cv) = self.inner.as_std() {
            let _blocked = rt::blocking(op, object, at);
            let data = cv.wait(data).unwrap_or_else(PoisonError::into_inner);
            return MutexGuard {
                data,
                model,
                mutex,
                held,
            };
        }
        drop(data);
        // Waiting releases the mutex: the task no longer holds it.
        drop(held);
        let model = {
            let _blocked = rt::blocking(op, object, at);
            self.inner.wait(model)
        };
        rt::note_running();
        MutexGuard {
            data: mutex.lock_data(),
            model,
            mutex,
            held: mutex.held(),
        }
    }

    /// Wakes one waiter, if any.
    #[track_caller]
    pub fn notify_one(&self) {
        check_backend(self.backend(), self.inner.execution(), "Condvar");
        self.inner.notify_one();
        if self.inner.as_std().is_none() && !rt::loom_unwinding() {
            self.wake_timed();
        }
        rt::note_running();
        rt::coverage::after_note_here(self.backend(), self, rt::coverage::NOTIFY_ONE);
    }

    /// Wakes every waiter.
    #[track_caller]
    pub fn notify_all(&self) {
        check_backend(self.backend(), self.inner.execution(), "Condvar");
        self.inner.notify_all();
        if self.inner.as_std().is_none() && !rt::loom_unwinding() {
            self.wake_timed();
        }
        rt::note_running();
        rt::coverage::after_note_here(self.backend(), self, rt::coverage::NOTIFY_ALL);
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
