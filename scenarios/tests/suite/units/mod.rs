//! The unit tests of the scenario catalog's modules, one file per module of `scenarios/src`
//! (`units::<module>::`): input errors, real-thread runs and the small properties of each
//! pattern. They live in the suite rather than in `#[cfg(test)]` modules so that the crate has
//! one test binary: a library test binary would compile the whole catalog a second time.
//! Run them with `cargo test -p concheck-scenarios --test suite units::`.

mod async_patterns;
mod bounded_parallel;
mod caller_decides;
mod cancellable_worker;
mod channel_hazards;
mod compile_fail;
mod concurrent_map;
mod errgroup;
mod error_collection;
mod first_response;
mod generator;
mod graceful_shutdown;
mod lock_order;
mod once;
mod pool;
mod request_timeout;
mod rwlock_cache;
mod safe_counter;
mod sctbench;
mod sliding_window;
mod static_init;
mod token_bucket;
mod tokio_first_response;
mod tokio_shutdown;
mod tokio_timeout;
mod tokio_worker_pool;
mod wait_group_rules;
mod worker_pool;
