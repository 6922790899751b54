//! loom's `future` module under its own name: [`block_on`] runs a future to completion on the
//! calling task, on every backend. It is [`crate::task::block_on`]; see there.

pub use crate::task::block_on;
