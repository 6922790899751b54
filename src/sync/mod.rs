//! The sync facade: std-shaped primitives whose backend (std, loom or shuttle) is chosen when
//! each is constructed, from the runner active on the calling thread.
//!
//! The same pattern body therefore runs unchanged in production (std), under
//! [loom](crate::check::LoomConfig), under [shuttle](crate::check::ShuttleConfig) and
//! under the std stress runner, with no cfg flags. A primitive built for one backend and used
//! under another panics with a message that says how to fix it.
//!
//! # Semantics
//!
//! - [`Mutex`] and [`RwLock`] do not poison: `lock`, `read` and `write` return the guard. Under a
//!   checker a panic ends the execution anyway, and Go's locks, which these patterns mirror,
//!   have no poisoning either. The data lives in a std lock; under a checker a model lock of
//!   the backend around it does the scheduling.
//! - [`Condvar`] waits may wake spuriously, as std's may: wait in a loop on the predicate, or
//!   use [`Condvar::wait_while`].
//! - [`RwLock`] fairness (whether a queued writer holds back new readers) is the backend's; do
//!   not rely on it.
//! - [`Lazy`] is built again in every checker execution; outside a runner, once.
//! - [`atomic`] orderings pass through: loom explores weak memory, shuttle does not.
//!
//! Share primitives between tasks with `std::sync::Arc`: the checkers track the primitives, not
//! the reference counts, and a loom `Arc` cannot be dropped while a failed execution unwinds.

pub mod atomic;
mod barrier;
mod condvar;
mod lazy;
pub(crate) mod mutex;
mod rwlock;
pub(crate) mod signal;

pub use barrier::{Barrier, BarrierWaitResult};
pub use condvar::{Condvar, WaitTimeoutResult};
pub use lazy::Lazy;
pub use mutex::{Mutex, MutexGuard};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use std::sync::Arc;
