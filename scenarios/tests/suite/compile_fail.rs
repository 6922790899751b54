//! The Go concurrency bugs that Rust's types forbid, as compile-fail tests (trybuild).
//!
//! Each `tests/ui/*.rs` program ports a buggy Go program the way a Go programmer would write it
//! against `concheck::{sync, thread, go}`, and its `.stderr` snapshot is the compiler's
//! rejection: a mutex copied by value, a map written from two tasks without a lock, a channel
//! closed by its receiver, a loop variable captured by reference, a counter shared without
//! synchronization, a value used after it was sent. Each file's opening comment gives the Go
//! code and the Rust rule.
//! `concheck_scenarios::compile_fail::CASES` lists them, with the expected error codes.
//!
//! Opt-in: `cargo test compile_fail -- --ignored` runs it (CI does, as a step of its own). trybuild
//! checks the programs in a cargo project of its own, with a target directory of its own, so the
//! first run type-checks every dependency again (loom, shuttle, tokio, proptest, the catalog):
//! measured on the 2-core machine, 35 s of wall time and 66 s of CPU, a fifth of a cold
//! `cargo test`, for a check of rustc's wording that changes only with the toolchain.
//! `units::compile_fail` (in every `cargo test`) still holds `compile_fail::CASES` and the `tests/ui` files
//! to each other.
//!
//! The snapshots follow rustc's wording: after a toolchain upgrade, regenerate them with
//! `TRYBUILD=overwrite cargo test compile_fail -- --ignored` and read the diff,
//! to check that each program is still rejected for its intended reason.

#[test]
#[ignore = "opt-in (35 s wall, 66 s CPU cold): cargo test compile_fail -- --ignored"]
fn go_bugs_rust_rejects() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
