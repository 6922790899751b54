//! `Lazy`: a lazily built value that is fresh in every checker execution.
//!
//! A `static` holding a facade primitive breaks under the checkers: loom rejects an object from
//! an earlier execution ("unexpected object stored at reference") and shuttle silently carries
//! its state into the next execution. `Lazy` rebuilds its value the first time each execution
//! asks for it; outside any runner it is built once, like `std::sync::LazyLock`.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::rt::context;

/// A value built on first use in each execution; see the [module docs](crate::sync).
///
/// # Examples
///
/// ```
/// use concheck::sync::{Lazy, Mutex};
///
/// static COUNTER: Lazy<Mutex<u32>> = Lazy::new(|| Mutex::new(0));
///
/// *COUNTER.get().lock() += 1;
/// assert_eq!(*COUNTER.get().lock(), 1);
/// ```
pub struct Lazy<T> {
    init: fn() -> T,
    slot: Mutex<Option<(u64, Arc<T>)>>,
}

impl<T> Lazy<T> {
    /// A lazy value built by `init`.
    pub const fn new(init: fn() -> T) -> Self {
        Lazy {
            init,
            slot: Mutex::new(None),
        }
    }

    /// The value for the current execution, built now if this execution has not asked before.
    pub fn get(&self) -> Arc<T> {
        let execution = context::execution().map_or(0, |e| e.id());
        let slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        match &*slot {
            Some((id, value)) if *id == execution => Arc::clone(value),
            _ => {
                // Build outside the slot lock: `init` may itself use other `Lazy` values or
                // facade primitives that switch tasks.
                drop(slot);
                let value = Arc::new(super::untracked(self.init));
                let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
                match &*slot {
                    Some((id, existing)) if *id == execution => Arc::clone(existing),
                    _ => {
                        *slot = Some((execution, Arc::clone(&value)));
                        value
                    }
                }
            }
        }
    }
}

impl<T> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lazy").finish_non_exhaustive()
    }
}
