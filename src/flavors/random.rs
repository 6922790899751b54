//! The randomness a backend gives a program's own choices (a `select` among ready cases).
//!
//! shuttle has random values of its own (the scheduler's `next_u64`), which its random and PCT
//! schedulers sample and record in the schedule, so a replay makes the same choices; loom has
//! no choice point a program can branch on and observe; std has none (the caller draws its
//! own).

use crate::rt::{self, Backend};

/// Whether the running backend lets a program choose at all: loom does not (a loom search
/// takes the declared order, and cannot explore another).
#[inline]
pub(crate) fn can_choose() -> bool {
    rt::backend() != Backend::Loom
}

/// A random value from the running model checker's scheduler, if it gives any (shuttle);
/// `None` on std and loom.
pub(crate) fn model_u64() -> Option<u64> {
    match rt::backend() {
        Backend::Shuttle => Some(shuttle_engine::runtime::execution::ExecutionState::next_u64()),
        Backend::Std | Backend::Loom => None,
    }
}
