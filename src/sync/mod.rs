//! The sync facade: std-shaped primitives whose backend (std, loom or shuttle) is chosen when
//! each is constructed, from the runner active on the calling thread.
//!
//! The same pattern body therefore runs unchanged in production (std), under
//! [loom](crate::check::LoomConfig), under [shuttle](crate::check::ShuttleConfig) and
//! under the std runner, with no cfg flags. A primitive built for one backend and used
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
//! - [`mpsc`], [`OnceLock`] and [`LazyLock`] are std's, built on the facade.
//!
//! Share primitives between tasks with [`Arc`]: an `Arc` still alive when a checker execution
//! ends is a reported `resource leak` naming where it was created; outside any runner it is a
//! plain `std::sync::Arc`.

mod arc;
pub mod atomic;
mod barrier;
mod condvar;
mod lazy;
pub mod mpsc;
pub(crate) mod mutex;
mod once_lock;
mod rwlock;
pub(crate) mod signal;

pub use arc::Arc;
pub(crate) use arc::{report_leaked, untracked};
pub use barrier::{Barrier, BarrierWaitResult};
pub use condvar::{Condvar, WaitTimeoutResult};
pub use lazy::Lazy;
pub use mutex::{Mutex, MutexGuard};
pub use once_lock::{LazyLock, OnceLock};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
