//! The sync facade: std-shaped primitives whose backend (std, loom or shuttle) is chosen when
//! each is constructed, from the runner active on the calling thread.
//!
//! The same pattern body therefore runs unchanged in production (std), under
//! [`check::loom`](crate::check::loom), under [`check::shuttle`](crate::check::shuttle) and
//! under the std stress runner, with no cfg flags. A primitive built for one backend and used
//! under another panics with a message that says how to fix it.
//!
//! Share primitives between tasks with `std::sync::Arc`: the checkers track the primitives, not
//! the reference counts, and a loom `Arc` cannot be dropped while a failed execution unwinds.

pub mod atomic;
mod condvar;
mod lazy;
pub(crate) mod mutex;
mod rwlock;

pub use condvar::Condvar;
pub use lazy::Lazy;
pub use mutex::{Mutex, MutexGuard};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use std::sync::Arc;
