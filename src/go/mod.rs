//! Go-semantics primitives on the facade: channels, `select`, `WaitGroup`, cancellation
//! contexts, and the types Go programs build on them: [`Once`], [`Mutex`] (unlocked by a call,
//! not a guard), the writer-preferring [`RwMutex`], the weighted semaphore [`Weighted`] and the
//! error group [`ErrGroup`]. Built only from [`crate::sync`], so every checker explores their interleavings,
//! and the misuses Go panics on (double close, send after close, a negative WaitGroup) are
//! reported violations with the sites involved.

pub mod chan;
pub(crate) mod choice;
pub(crate) mod closing;
mod context;
pub mod errgroup;
pub mod mutex;
pub mod once;
pub mod rwmutex;
mod select;
pub mod semaphore;
mod wait_group;
mod waiters;

pub(crate) use chan::named_at;
pub use chan::{channel, named, Receiver, Sender};
pub use context::{CancelCauseFunc, CancelFunc, Cause, Context, ContextError};
pub use errgroup::{ErrGroup, ErrGroupError};
pub use mutex::Mutex;
pub use once::Once;
pub use rwmutex::RwMutex;
pub use select::Select;
pub use semaphore::Weighted;
pub use wait_group::WaitGroup;
