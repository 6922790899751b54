//! The executions running now in this process, by id, so a primitive used on a thread no
//! checker schedules can name the execution it was built in.
//!
//! A model primitive (loom's or shuttle's) records the id of its execution when it is built.
//! A thread outside every execution that touches one is either a `std::thread::spawn` inside
//! the checked body (the execution is still live: it gets the misuse, see
//! `context::check_backend`) or the primitive escaped its run (the execution is over). Tests
//! run in parallel in one binary, so the execution is found by its id, never guessed as "the
//! only live one".

use std::sync::{Arc, Mutex, PoisonError, Weak};

use super::execution::Execution;

/// Every live execution: its id and a weak handle (an execution is removed when dropped).
/// A vector: at most one entry per test thread running a check now, so a scan is short.
static LIVE: Mutex<Vec<(u64, Weak<Execution>)>> = Mutex::new(Vec::new());

/// `execution` has started.
pub(crate) fn register(execution: &Arc<Execution>) {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((execution.id(), Arc::downgrade(execution)));
}

/// The execution numbered `id` has ended (it is being dropped).
pub(crate) fn unregister(id: u64) {
    let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(i) = live.iter().position(|(e, _)| *e == id) {
        live.swap_remove(i);
    }
}

/// The execution numbered `id`, if it is still live.
pub(crate) fn find(id: u64) -> Option<Arc<Execution>> {
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(e, _)| *e == id)
        .and_then(|(_, w)| w.upgrade())
}

/// How long a hang's report waits for a thread no checker schedules to touch the execution's
/// primitives ([`await_stray`]): a `std::thread::spawn` in the body runs in real time beside
/// the model, which may find the hang it causes before that thread's first step. 20 ms covers
/// a thread's start on a loaded 2-core machine (measured: the first facade call of a std
/// thread lands 0.1 to 2 ms after its spawn); it is paid once per hang report, never per
/// execution searched.
pub(crate) const STRAY_GRACE: std::time::Duration = std::time::Duration::from_millis(20);

/// Waits up to `bound` for a misuse of a thread no checker schedules to be recorded in
/// `execution` (see `Execution::record_stray`); true if one is.
pub(crate) fn await_stray(execution: &Execution, bound: std::time::Duration) -> bool {
    let start = std::time::Instant::now();
    loop {
        if execution.stray().is_some() {
            return true;
        }
        if start.elapsed() >= bound {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
