//! Once: run an initialiser exactly once, however many tasks ask at the same time; callers that
//! arrive while it runs wait for it to finish, callers that arrive later return at once.
//!
//! Mirrors Go's `sync.Once` (`once.Do(f)`, and the `sync.Once` section of the Go memory model:
//! "the completion of a single call of f() from once.Do(f) is synchronized before the return of
//! any call of once.Do(f)") and Rust's `std::sync::Once`, built here on the facade's `Mutex` and
//! `Condvar` so the checkers see every step.
//!
//! # Guarantees
//!
//! - The first caller runs `f`; no other call of [`Once::call_once`] runs its `f`.
//! - Every call returns only after `f` finished, and everything `f` wrote is visible to it.
//! - It terminates: callers wait only while `f` runs, and the task running `f` wakes them all
//!   when it ends, on return and on panic alike. Two cases that would hang a naive once are
//!   clear panics instead:
//!   - `f` calling `call_once` on the same `Once` (it would wait for itself): the inner call
//!     panics with "re-entrant Once::call_once".
//!   - `f` panicking: the `Once` is poisoned; waiting and later callers panic instead of waiting
//!     for an initialisation that will never come (std's `Once` does the same; Go's `Do` treats a
//!     panicking `f` as done, which leaves the value uninitialised without saying so).
//!
//! # Twins
//!
//! - [`flag_unsynchronized`]: a `done` flag read, then set after the initialiser, with no lock:
//!   two tasks both see `false` and both initialise. (Go's `sync.Once` source warns about the
//!   next most tempting fix, a compare-and-swap on the flag: `f` then runs once, but a second
//!   caller can return before `f` has *finished*. The lock and the condvar are what make it
//!   wait.)
//! - [`reentrant`]: `f` calls `call_once` on its own `Once`. This reference turns that into a
//!   clear panic (a panic in the body, reported as an assertion failure). Go's `Do` documents
//!   that it deadlocks ("if f causes Do to be called, it will deadlock"); std's
//!   `OnceLock::get_or_init` calls re-entrant initialisation an error with an unspecified outcome
//!   (currently a deadlock).

use std::fmt;
use std::sync::Arc;

use concheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use concheck::sync::{Condvar, Mutex};
use concheck::thread::{self, TaskId};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// Where a [`Once`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nobody has called `call_once` yet.
    New,
    /// This task is running `f`; other callers wait.
    Running(TaskId),
    /// `f` returned: every call returns at once.
    Done,
    /// `f` panicked: every call panics.
    Poisoned,
}

/// Runs an initialiser exactly once; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck_scenarios::once::Once;
///
/// let once = Once::new();
/// let mut runs = 0;
/// once.call_once(|| runs += 1);
/// once.call_once(|| runs += 1);
/// assert_eq!(runs, 1);
/// assert!(once.is_completed());
/// ```
pub struct Once {
    state: Mutex<State>,
    /// Notified (all) when `state` leaves `Running`.
    finished: Condvar,
    /// The fast path: set (Release) after `state` became `Done`. A caller that loads `true`
    /// (Acquire) sees everything `f` wrote without taking the lock; a caller that loads `false`
    /// takes the lock, which orders it after `f` just as well.
    done: AtomicBool,
}

impl Once {
    /// A `Once` whose `call_once` has not run yet.
    #[track_caller]
    pub fn new() -> Self {
        Once {
            state: Mutex::new(State::New),
            finished: Condvar::new(),
            done: AtomicBool::new(false),
        }
    }

    /// Runs `f` if no call has run its `f` yet; otherwise waits until that call finished.
    ///
    /// # Panics
    ///
    /// - If `f` calls `call_once` on this same `Once` (from the task running it): waiting would
    ///   never end.
    /// - If an earlier `f` panicked (the `Once` is poisoned), in this call and in every call that
    ///   was waiting for it.
    /// - If `f` panics: the panic propagates, after poisoning the `Once` and waking the waiters.
    #[track_caller]
    pub fn call_once(&self, f: impl FnOnce()) {
        if self.done.load(Ordering::Acquire) {
            return;
        }
        let me = thread::current_id();
        let mut state = self.state.lock();
        loop {
            match *state {
                State::Done => return,
                State::New => break,
                State::Running(owner) if owner == me => {
                    drop(state);
                    panic!(
                        "re-entrant Once::call_once: f called call_once on the same Once from the \
                         task that is running f, which would wait for itself forever; initialise \
                         what f needs before calling call_once, or use a second Once for it"
                    );
                }
                State::Running(_) => state = self.finished.wait(state),
                State::Poisoned => {
                    drop(state);
                    panic!(
                        "Once::call_once on a poisoned Once: the f of an earlier call panicked, \
                         so nothing was initialised; fix the panic in f, or build a new Once to \
                         try again"
                    );
                }
            }
        }
        *state = State::Running(me);
        drop(state);
        // Ends the run on every exit from `f`: Done on return, Poisoned on unwind, and in both
        // cases every waiter is woken.
        let mut finish = Finish {
            once: self,
            completed: false,
        };
        f();
        finish.completed = true;
    }

    /// Whether a `call_once` has finished running its `f` (and it did not panic).
    pub fn is_completed(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

impl Default for Once {
    #[track_caller]
    fn default() -> Self {
        Once::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once")
            .field("completed", &self.is_completed())
            .finish_non_exhaustive()
    }
}

/// Leaves `Running` when dropped; see [`Once::call_once`].
struct Finish<'a> {
    once: &'a Once,
    completed: bool,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        let mut state = self.once.state.lock();
        if self.completed {
            *state = State::Done;
            // Under the lock: a caller that sees `done` never finds `state` still Running.
            self.once.done.store(true, Ordering::Release);
        } else {
            *state = State::Poisoned;
        }
        drop(state);
        self.once.finished.notify_all();
    }
}

/// Two tasks call `call_once` with an initialiser that counts its runs and writes a value.
fn reference() {
    let once = Arc::new(Once::new());
    let inits = Arc::new(AtomicUsize::new(0));
    let value = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (once, inits, value) = (Arc::clone(&once), Arc::clone(&inits), Arc::clone(&value));
            thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || {
                    once.call_once(|| {
                        inits.fetch_add(1, Ordering::Relaxed);
                        value.store(42, Ordering::Relaxed);
                    });
                    // Relaxed on purpose: call_once itself must order f's writes before this.
                    assert_eq!(
                        value.load(Ordering::Relaxed),
                        42,
                        "f finished before return"
                    );
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("caller panicked");
    }
    assert_eq!(inits.load(Ordering::Relaxed), 1, "f ran exactly once");
}

/// Twin: a `done` flag checked, then set after initialising, with no lock.
pub fn flag_unsynchronized() {
    let done = Arc::new(AtomicBool::new(false));
    let inits = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (done, inits) = (Arc::clone(&done), Arc::clone(&inits));
            thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || {
                    // BUG: check-then-act: both tasks can load false before either stores true.
                    if !done.load(Ordering::SeqCst) {
                        inits.fetch_add(1, Ordering::SeqCst);
                        done.store(true, Ordering::SeqCst);
                    }
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("caller panicked");
    }
    assert_eq!(inits.load(Ordering::SeqCst), 1, "initialised exactly once");
}

/// Twin: the initialiser calls `call_once` on its own `Once`.
///
/// One task is enough: the bug needs no other task, and a second caller would only add a second
/// face (it would be woken by the poisoning and panic too).
pub fn reentrant() {
    let once = Once::new();
    let config = Mutex::new(0u32);
    // BUG: f needs the Once it is initialising (say, a config loader that reads a setting through
    // the lazily initialised config). A naive once waits for itself here; this one panics,
    // which a report shows as an assertion failure of the body.
    once.call_once(|| {
        once.call_once(|| *config.lock() = 1);
        *config.lock() += 1;
    });
    assert_eq!(*config.lock(), 2);
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "once",
            pattern: "once",
            role: Role::Reference,
            summary: "2 tasks call_once: f runs once and both see its write after returning",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Two tasks, one lock, one condvar: exhaustive loom takes 57 iterations (3 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "once_flag_unsynchronized",
            pattern: "once",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("initialised exactly once"),
            },
            summary: "atomic done flag loaded, then stored after init, no lock: init runs twice",
            body: Body::Sync(flag_unsynchronized),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 1.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "once_reentrant",
            pattern: "once",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("re-entrant Once::call_once"),
            },
            summary: "f calls call_once on its own Once: a clear panic, not a hang",
            body: Body::Sync(reentrant),
            // The body spawns nothing (and the checker refuses a bound of 0).
            max_live_tasks: None,
            // Exhaustive loom finds it on iteration 1.
            loom_preemption_bound: None,
        },
    ]
}
