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
//! The snapshots follow rustc's wording: after a toolchain upgrade, regenerate them with
//! `TRYBUILD=overwrite cargo test -p concheck-scenarios --test suite compile_fail` and read the diff,
//! to check that each program is still rejected for its intended reason.

#[test]
fn go_bugs_rust_rejects() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
