//! concheck: Go's production concurrency patterns in Rust, checked by loom, shuttle and real
//! threads in one `cargo test`.
//!
//! Write a pattern once against [`sync`], [`thread`] and [`go`]; the same body runs in
//! production on std and, unchanged, under every checker in [`check`], which return a
//! [`check::Report`] instead of a bare panic: the violation kind, the tasks involved with
//! where they were spawned and what they were blocked on, and a replay string.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod go;
pub mod leak;
mod rt;
pub mod sync;
pub mod thread;
mod violation;

pub use rt::Backend;
pub use violation::{Site, TaskInfo, TaskState, Violation, ViolationKind};

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
