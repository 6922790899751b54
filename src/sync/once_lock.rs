//! `OnceLock` and `LazyLock`: std's write-once cells, with their initialisation on the facade so
//! the checkers explore racing initialisers.
//!
//! The value lives in a `std::sync::OnceLock`; who initialises is decided under a facade
//! `Mutex` (built on first use, for the runner active then), so a `get` racing a
//! `get_or_init`, or two initialisers racing, are steps loom and shuttle order both ways. A task
//! that finds another one initialising waits, reported as blocked in `OnceLock::get_or_init`:
//! a re-entrant initialiser is a `deadlock`. An initialiser that panics leaves the cell empty,
//! as std's does, and the next caller initialises it.
//!
//! Unlike [`Lazy`](super::Lazy) the value is not rebuilt per execution (`get` hands out plain
//! references, which a rebuild would invalidate): build the cell inside the checked body. A
//! cell filled in one checker execution and read in another (a `static`) is a reported
//! `misuse`; one filled outside any runner is a plain value every execution may read.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};

use super::{Condvar, Mutex};
use crate::rt::{self, context};
use crate::violation::{Violation, ViolationKind};

/// The execution id of "outside any runner" ([`context::execution`] is `None`).
const OUTSIDE: u64 = 0;

/// A cell written at most once; see [`std::sync::OnceLock`] and the [module docs](crate::sync).
pub struct OnceLock<T> {
    value: std::sync::OnceLock<T>,
    /// The execution that filled `value` ([`OUTSIDE`] for none).
    filled_in: AtomicU64,
    gate: std::sync::Mutex<Option<Arc<Gate>>>,
}

/// Who is initialising, under a facade mutex of the execution that built it.
struct Gate {
    execution: u64,
    running: Mutex<bool>,
    done: Condvar,
}

fn execution_id() -> u64 {
    context::execution().map_or(OUTSIDE, |e| e.id())
}

impl<T> OnceLock<T> {
    /// An empty cell.
    pub const fn new() -> Self {
        OnceLock {
            value: std::sync::OnceLock::new(),
            filled_in: AtomicU64::new(OUTSIDE),
            gate: std::sync::Mutex::new(None),
        }
    }

    /// The gate of the current execution, built now if this execution has not used the cell.
    fn gate(&self) -> Arc<Gate> {
        let execution = execution_id();
        let mut gate = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
        match &*gate {
            Some(g) if g.execution == execution => Arc::clone(g),
            _ => {
                let g = Arc::new(Gate {
                    execution,
                    running: Mutex::internal(false),
                    done: Condvar::new(),
                });
                *gate = Some(Arc::clone(&g));
                g
            }
        }
    }

    /// The value if filled in this execution (or outside any runner).
    #[track_caller]
    fn filled(&self) -> Option<&T> {
        let value = self.value.get()?;
        let filled_in = self.filled_in.load(Ordering::Acquire);
        let now = execution_id();
        if filled_in != OUTSIDE && now != OUTSIDE && filled_in != now {
            let mut v = Violation::new(
                ViolationKind::Misuse,
                "a OnceLock filled in an earlier checker execution was read in this one (a \
                 static?): its value would carry over between executions; build the OnceLock \
                 inside the checked body, or use concheck::sync::Lazy, which is rebuilt in every \
                 execution"
                    .to_owned(),
            );
            v.sites.push(crate::Site::from(Location::caller()));
            rt::violation(v);
        }
        Some(value)
    }

    /// The value, if the cell is filled. Under a checker it is a step ordered against a racing
    /// initialiser.
    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        if context::execution().is_some() {
            // A step on the gate: the value itself is a std cell the checkers cannot see, so
            // without it no schedule would order this read against a racing `set`.
            drop(self.gate().running.lock());
        }
        self.filled()
    }

    /// The value, mutably (no other task can hold the cell).
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// Fills the cell with `value`, or gives it back if it was filled (or is being filled).
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.get_or_init(|| value.take().expect("the initialiser runs once"));
        match value {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    /// The value, running `f` to fill the cell if it is empty. One initialiser runs at a time;
    /// the others wait for it. If `f` panics the cell stays empty.
    #[track_caller]
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        let at = Location::caller();
        if context::execution().is_none() {
            if let Some(value) = self.filled() {
                return value;
            }
        }
        // Under a checker even a filled cell is read under the gate (see `get`).
        let gate = self.gate();
        let mut running = gate.running.lock();
        loop {
            if let Some(value) = self.filled() {
                return value;
            }
            if !*running {
                break;
            }
            if rt::loom_unwinding() {
                // The execution is over and nobody finishes the initialiser: run it here.
                break;
            }
            let object = || rt::Object::created("OnceLock", at);
            running = gate
                .done
                .wait_as(rt::op::ONCE_LOCK_INIT, object, running, at);
        }
        *running = true;
        drop(running);
        // Clears `running` and wakes the waiters however `f` ends, a panic included.
        let _reset = Reset(&gate);
        let value = f();
        self.filled_in.store(execution_id(), Ordering::Release);
        if self.value.set(value).is_err() {
            unreachable!("only the task that set `running` fills the cell");
        }
        rt::progress::made();
        self.value.get().expect("filled just now")
    }

    /// The value, if any, consuming the cell.
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Empties the cell, returning its value.
    pub fn take(&mut self) -> Option<T> {
        self.value.take()
    }
}

/// Ends an initialisation: `running` false, every waiter woken.
struct Reset<'a>(&'a Gate);

impl Drop for Reset<'_> {
    fn drop(&mut self) {
        *self.0.running.lock() = false;
        self.0.done.notify_all();
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T> From<T> for OnceLock<T> {
    fn from(value: T) -> Self {
        let cell = OnceLock::new();
        let _ = cell.value.set(value);
        cell
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceLock").field(&self.value.get()).finish()
    }
}

/// A value built by `F` on first access; see [`std::sync::LazyLock`] and the
/// [module docs](crate::sync). An initialiser that panics poisons it, as std's does: every later
/// access panics.
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    init: std::sync::Mutex<Option<F>>,
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// A lazy value built by `f` on first access.
    pub const fn new(f: F) -> Self {
        LazyLock {
            cell: OnceLock::new(),
            init: std::sync::Mutex::new(Some(f)),
        }
    }

    /// The value, built now if this is the first access.
    #[track_caller]
    pub fn force(this: &LazyLock<T, F>) -> &T {
        this.cell.get_or_init(|| {
            let f = this
                .init
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match f {
                Some(f) => f(),
                None => panic!(
                    "LazyLock's initialiser panicked on an earlier access, so it has no value: \
                     fix the initialiser's panic"
                ),
            }
        })
    }
}

impl<T, F: FnOnce() -> T> std::ops::Deref for LazyLock<T, F> {
    type Target = T;
    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: Default> Default for LazyLock<T> {
    fn default() -> Self {
        LazyLock::new(T::default)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyLock")
            .field(&self.cell.value.get())
            .finish()
    }
}
