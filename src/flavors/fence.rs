//! The memory fence of the backend that runs the calling task.

use std::sync::atomic::Ordering;

use crate::rt::{self, Backend};

/// std's, loom's or shuttle's `fence`, for the running backend. While a loom execution unwinds
/// loom may not be called: std's fence then (nothing it orders runs again).
#[track_caller]
#[inline]
pub(crate) fn fence(order: Ordering) {
    let backend = rt::backend();
    if backend != Backend::Std {
        rt::note_site(std::panic::Location::caller());
    }
    match backend {
        Backend::Std => std::sync::atomic::fence(order),
        Backend::Loom if rt::loom_callable() => loom::sync::atomic::fence(order),
        Backend::Loom => std::sync::atomic::fence(order),
        Backend::Shuttle => shuttle::sync::atomic::fence(order),
    }
}
