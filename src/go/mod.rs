//! Go-semantics primitives on the facade: channels, `select`, `WaitGroup`, cancellation
//! contexts. Built only from [`crate::sync`], so every checker explores their interleavings,
//! and the misuses Go panics on (double close, send after close, a negative WaitGroup) are
//! reported violations with the sites involved.

pub mod chan;
pub(crate) mod choice;
pub(crate) mod closing;
mod context;
mod select;
pub(crate) mod signal;
mod wait_group;
mod waiters;

pub(crate) use chan::named_at;
pub use chan::{channel, named, Receiver, Sender};
pub use context::{CancelFunc, Context, ContextError};
pub use select::Select;
pub use wait_group::WaitGroup;
