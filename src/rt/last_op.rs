//! Each task's latest facade operation in the running execution: what the POS scheduler
//! (`check::strategy::pos`) reads to tell which waiting tasks conflict with the step just run.
//!
//! Fed by the coverage recorder: a Go-level operation when it starts (`rt::coverage::op`, which
//! the facade calls before the operation's first scheduling point, so for channels, WaitGroups
//! and contexts this is the operation the task is *about* to perform) and every recorded
//! operation when it takes effect (for a primitive `Mutex`, `Condvar` or atomic the hook runs
//! after shuttle's scheduling point, so this is the operation the task performed on entering
//! its current step). Off unless a scheduler that reads it turned it on for this thread, and
//! then only while the coverage recorder records; like it, a thread-local, since shuttle runs
//! every task of an execution as a coroutine on the runner's OS thread. Tasks are numbered as
//! shuttle numbers them, the ids its scheduler sees.

use std::cell::{Cell, RefCell};

/// One task's latest operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LastOp {
    /// The object's address within the execution.
    pub object: usize,
    /// Whether the operation changes the object (see `rt::coverage`'s `Op`).
    pub writes: bool,
    /// This thread's count of noted operations when it was noted: a later one has a larger.
    pub seq: u64,
}

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static SEQ: Cell<u64> = const { Cell::new(0) };
    static OPS: RefCell<Vec<Option<LastOp>>> = const { RefCell::new(Vec::new()) };
}

/// Turns noting on or off on this thread, and forgets what was noted.
pub(crate) fn set_on(on: bool) {
    ON.with(|o| o.set(on));
    clear();
}

/// Forgets every task's operation (a new execution starts).
pub(crate) fn clear() {
    OPS.with(|ops| ops.borrow_mut().clear());
}

/// The running shuttle task performs, or is about to perform, `writes` on `object`.
#[inline]
pub(crate) fn note(object: usize, writes: bool) {
    if !ON.with(Cell::get) {
        return;
    }
    let Some(task) = shuttle_engine::current::try_get_current_task() else {
        return;
    };
    let task = usize::from(task);
    let seq = SEQ.with(|s| {
        s.set(s.get() + 1);
        s.get()
    });
    OPS.with(|ops| {
        let mut ops = ops.borrow_mut();
        if ops.len() <= task {
            ops.resize(task + 1, None);
        }
        ops[task] = Some(LastOp {
            object,
            writes,
            seq,
        });
    });
}

/// Shuttle task `task`'s latest noted operation in this execution.
pub(crate) fn get(task: usize) -> Option<LastOp> {
    OPS.with(|ops| ops.borrow().get(task).copied().flatten())
}
