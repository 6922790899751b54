//! A real crate's loom suite, ported: concurrent-queue 2.5.0 (smol-rs), whose `cfg(loom)` backend
//! and `tests/loom.rs` now run on concheck under loom, shuttle random, PCT and POS, and std.
//!
//! The crate is vendored in `tests/fixtures/concurrent-queue/` (licence, credit and the list of
//! changes there); its loom tests are `concurrent_queue_loom.rs`, changed as its header lists.
//! That one file runs twice: in [`clean`] against the vendored crate, where every checker must
//! find nothing, and in [`seeded`] against the same sources built with a seeded bug, where every
//! model checker must name it. [`historical`] seeds back the crate's one known historical bug
//! (the yanked 1.2.3's fence order), weak-memory only, which loom finds.

mod clean;
mod historical;
mod seeded;
