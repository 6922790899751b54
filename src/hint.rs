//! `hint::spin_loop`: a busy-wait hint that is a yield point under the checkers.
//!
//! A task spinning on a flag that another task sets never blocks, so a model checker that only
//! switches tasks when it must would run the spinner forever (loom reports it as exceeding its
//! branch bound, shuttle as exceeding its step bound). As in loom and shuttle, `spin_loop`
//! yields to the scheduler under a checker, so the search runs the setter instead.

use crate::rt::{self, Backend};

/// Signals a busy-wait: on std, `std::hint::spin_loop`; under loom and shuttle, a yield (see
/// [`crate::thread::yield_now`]), so a spin loop on a flag another task sets is not a livelock.
#[inline]
pub fn spin_loop() {
    match rt::backend() {
        Backend::Std => std::hint::spin_loop(),
        Backend::Loom | Backend::Shuttle => crate::thread::yield_now(),
    }
}
