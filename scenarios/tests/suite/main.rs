//! The integration tests of the scenario catalog, one module per subject, in one test binary (one link
//! instead of one per file). Run one subject with `cargo test -p concheck-scenarios --test suite <module>::`.

mod catalog;
mod common;
mod compile_fail;
mod explain;
mod sctbench;
mod seeds;
mod shrink;
mod strategies;
mod thread_hygiene;
mod tokio_multi_thread;
mod units;
mod workloads;
