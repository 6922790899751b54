//! `fence` and `compiler_fence` on whichever backend runs the calling task.

use std::sync::atomic::Ordering;

/// A memory fence: loom models its effect on weak memory (a `SeqCst` fence joins loom's total
/// order, an `Acquire`/`Release` fence synchronises with atomics read or written around it);
/// shuttle runs every access sequentially consistent, so a fence there changes nothing but is
/// accepted; on std it is `std::sync::atomic::fence`.
///
/// # Panics
///
/// With `Ordering::Relaxed`, as std's does.
#[track_caller]
pub fn fence(order: Ordering) {
    crate::flavors::fence::fence(order);
}

/// A compiler-only fence: it orders nothing between tasks, so every backend runs std's (loom
/// offers none, and shuttle re-exports std's).
pub fn compiler_fence(order: Ordering) {
    std::sync::atomic::compiler_fence(order);
}
