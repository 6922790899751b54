//! The executor's Waker: a flag on a facade `Mutex` and `Condvar` that stays set until the
//! parked task consumes it, so a wake that comes before the park is not lost.
//!
//! Built on the facade, so under loom and shuttle every wake and park is a scheduling point the
//! checkers explore, and a task parked here is reported blocked on what its future awaits.

use std::sync::Arc;
use std::task::Wake;

use crate::rt::BlockedOn;
use crate::sync::{Condvar, Mutex};

/// One task's wakeup flag; `Waker::from(Arc<Parker>)` is the task's Waker.
pub(crate) struct Parker {
    woken: Mutex<bool>,
    cv: Condvar,
}

impl Parker {
    pub(crate) fn new() -> Arc<Parker> {
        Arc::new(Parker {
            woken: Mutex::internal(false),
            cv: Condvar::new(),
        })
    }

    /// Blocks until the Waker is called (at once if it was called since the last park), and
    /// consumes the wakeup. The task is reported blocked in `on` meanwhile.
    pub(crate) fn park(&self, on: &BlockedOn) {
        let mut woken = self.woken.lock();
        while !*woken {
            if crate::rt::loom_unwinding() {
                // A destructor polling a future while a loom execution unwinds: nothing can wake
                // it and nothing may block; the caller polls again.
                return;
            }
            woken = self.cv.wait_as(on.op, || on.object.clone(), woken, on.at);
        }
        *woken = false;
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut woken = self.woken.lock();
        *woken = true;
        self.cv.notify_one();
    }
}
