//! Reference implementations of Go's production concurrency patterns, each beside the buggy
//! twins that real programs ship, and the catalog that the tests and the `concheck` command run.
//!
//! Every pattern is written once against `concheck::{sync, thread, go}` and runs for real on
//! std threads; the same body is what loom and shuttle check. A *reference* must show no
//! violation under any checker; a *twin* must have its violation found by loom and by shuttle.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fan_in;
pub mod pipeline;
pub mod ready_flag;
pub mod worker_pool;

mod catalog;

pub use catalog::{catalog, Role, Scenario, LOOM_BOUND};
