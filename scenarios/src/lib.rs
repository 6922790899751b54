//! Reference implementations of Go's production concurrency patterns, each beside the buggy
//! twins that real programs ship, and the catalog that the tests and the `concheck` command run.
//!
//! Every pattern is written once against `concheck::{sync, thread, go}` and runs for real on
//! std threads; the same body is what loom and shuttle check. A *reference* must show no
//! violation under any checker; a *twin* must have its violation found by loom and by shuttle.
//!
//! The `tokio_*` modules are the async half: the same patterns written for real on tokio
//! (`select!`, `JoinSet`, `timeout`, tokio-util's `CancellationToken` and `TaskTracker`), checked
//! by `concheck`'s tokio checker, whose leak gate names every task left alive.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod async_patterns;
pub mod bounded_parallel;
pub mod buffer_sizing;
pub mod caller_decides;
pub mod cancellable_worker;
pub mod channel_hazards;
pub mod compile_fail;
pub mod concurrent_map;
pub mod errgroup;
pub mod error_collection;
pub mod fan_in;
pub mod first_response;
pub mod generator;
pub mod graceful_shutdown;
pub mod lock_order;
pub mod once;
pub mod pipeline;
pub mod pool;
pub mod ready_flag;
pub mod request_timeout;
pub mod rwlock_cache;
pub mod safe_counter;
pub mod sctbench;
pub mod sliding_window;
pub mod static_init;
#[doc(hidden)]
pub mod test_support;
pub mod token_bucket;
pub mod tokio_first_response;
pub mod tokio_shutdown;
pub mod tokio_timeout;
pub mod tokio_worker_pool;
pub mod wait_group_rules;
pub mod worker_pool;

mod catalog;

pub use catalog::{catalog, Body, Role, Scenario, TokioFuture, LOOM_BOUND, MODULES};
