//! `Barrier`: `n` tasks wait until all `n` have arrived, on the facade's `Mutex` and `Condvar`.
//!
//! Built on the facade, so one body runs under std, loom and shuttle: every arrival and wakeup
//! is a scheduling point the checkers explore, and a barrier that too few tasks reach is
//! reported as a deadlock naming each task blocked in `Barrier::wait` and the barrier's site.

use std::fmt;
use std::panic::Location;

use super::{Condvar, Mutex};
use crate::rt;

/// The operation a task waiting at a barrier is reported blocked in.
const WAIT: &crate::rt::Op = crate::rt::op::BARRIER_WAIT;

/// A reusable barrier for `n` tasks; see [`std::sync::Barrier`].
pub struct Barrier {
    /// Arrivals in this generation, and the generation (bumped when the last one arrives).
    state: Mutex<(usize, u64)>,
    cv: Condvar,
    n: usize,
    created_at: &'static Location<'static>,
}

/// What [`Barrier::wait`] returns: exactly one task of each generation is the leader.
#[derive(Debug)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this task was the last to arrive (one per generation).
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier that releases its waiters when the `n`th arrives (`n` of 0 or 1 never blocks).
    #[track_caller]
    pub fn new(n: usize) -> Self {
        Barrier {
            state: Mutex::internal((0, 0)),
            cv: Condvar::new(),
            n,
            created_at: Location::caller(),
        }
    }

    /// Blocks until `n` tasks have called `wait` in this generation.
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let at = Location::caller();
        let mut state = self.state.lock();
        let generation = state.1;
        state.0 += 1;
        if state.0 < self.n {
            while state.1 == generation {
                if rt::loom_unwinding() {
                    // Nothing can arrive and nothing may block: give up waiting.
                    return BarrierWaitResult(false);
                }
                let object = || rt::Object::created("barrier", self.created_at);
                state = self.cv.wait_as(WAIT, object, state, at);
            }
            BarrierWaitResult(false)
        } else {
            state.0 = 0;
            state.1 += 1;
            self.cv.notify_all();
            BarrierWaitResult(true)
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
