//! A one-shot wakeup that cannot be lost: the flag stays set until the waiter consumes it.
//!
//! `select` registers one signal with every channel and context it waits on, re-checks its
//! cases, and only then waits; whatever changes after registration sets the flag, so a change
//! between the check and the wait is never missed.

use std::panic::Location;
use std::sync::Arc;

use crate::rt::Object;
use crate::sync::{Condvar, Mutex};

pub(crate) struct Signal {
    fired: Mutex<bool>,
    cv: Condvar,
}

impl Signal {
    #[track_caller]
    pub(crate) fn new() -> Arc<Signal> {
        Arc::new(Signal {
            fired: Mutex::new(false),
            cv: Condvar::new(),
        })
    }

    pub(crate) fn fire(&self) {
        let mut fired = self.fired.lock();
        *fired = true;
        self.cv.notify_one();
    }

    /// Blocks until fired, reporting the task as blocked in `op` on `object`.
    pub(crate) fn wait<O: Into<Object>>(
        &self,
        op: &'static crate::rt::Op,
        object: impl Fn() -> O,
        at: &'static Location<'static>,
    ) {
        let mut fired = self.fired.lock();
        while !*fired {
            fired = self.cv.wait_as(op, &object, fired, at);
        }
    }
}

/// Signals registered with one channel or context; fired (after its lock is released) on every
/// change of state.
#[derive(Default)]
pub(crate) struct Watchers(Vec<Arc<Signal>>);

impl Watchers {
    pub(crate) fn add(&mut self, s: &Arc<Signal>) {
        self.0.push(Arc::clone(s));
    }

    pub(crate) fn remove(&mut self, s: &Arc<Signal>) {
        self.0.retain(|w| !Arc::ptr_eq(w, s));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The signals to fire once the caller has released its lock.
    pub(crate) fn snapshot(&self) -> Vec<Arc<Signal>> {
        self.0.clone()
    }
}

pub(crate) fn fire_all(signals: Vec<Arc<Signal>>) {
    for s in signals {
        s.fire();
    }
}
