//! concheck's integration tests, one module per subject, in one test binary: linking one
//! binary instead of one per file is most of what a cold `cargo test` saves (shuttle's
//! `tests/mod.rs` layout). Run one subject with `cargo test --test suite <module>::`.
//!
//! `tests/shard_env.rs` stays a binary of its own: it sets a process-wide environment variable
//! that every other shuttle check here would read.

mod async_channel;
mod async_executor;
mod async_misuse;
mod async_oneshot;
mod async_race;
mod budget;
mod checker_panics;
mod common;
mod completeness;
mod conformance;
mod conformance_go;
mod coverage;
mod fuzz_bodies;
mod go_channel;
mod go_channel_api;
mod go_channel_meets_select;
mod go_channel_wakes;
mod go_context;
mod go_select;
mod go_select_semantics;
mod go_types;
mod go_wait_group;
mod golang;
mod layers;
mod leak_scope;
mod loom_parity;
mod loom_unwind;
mod misuse;
mod parallel_search;
mod parity_arc;
mod parity_local;
mod parity_mpsc;
mod parity_once;
mod ported;
mod quiet_stderr;
mod recover;
mod replay;
mod replay_errors;
mod sharding;
mod shrink;
mod std_spawn;
mod step_bound;
mod strategies;
mod sync_facade;
mod time;
mod tokio_gate;
mod track_caller;
mod verdicts;
mod verdicts_locks;
mod watchdog;
