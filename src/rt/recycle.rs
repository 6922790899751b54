//! The registry's vectors, kept from one execution for the next on the same OS thread.
//!
//! A search runs thousands of executions one after another on its runner thread, and each
//! builds a registry ([`super::Execution`]) whose vectors (the task list, the `sync::Arc`
//! tracker, and per task its scopes, open scopes, awaited operations and holds) were allocated
//! anew: eight allocations per execution of the `model_overhead` body, whose reuse saved about
//! 1,400 instructions per shuttle execution and 700 per loom execution (BENCHMARKS.md). An
//! execution's registry hands its emptied vectors back here when it is dropped and the next one
//! on the thread takes them; only their memory is reused, never their contents.

use std::cell::RefCell;
use std::panic::Location;

use super::execution::{BlockedOn, Hold, TaskRecord};

/// One task's lists, emptied: what a new task record starts from.
#[derive(Default)]
pub(crate) struct Lists {
    pub scopes: Vec<u64>,
    pub open_scopes: Vec<u64>,
    pub awaiting: Vec<BlockedOn>,
    pub holds: Vec<Hold>,
}

impl Lists {
    /// The lists with their contents dropped and their memory kept.
    pub(crate) fn emptied(mut self) -> Lists {
        self.scopes.clear();
        self.open_scopes.clear();
        self.awaiting.clear();
        self.holds.clear();
        self
    }
}

/// A `sync::Arc` allocation's entry in the tracker (`State::arcs`).
pub(crate) type ArcEntry = Option<(&'static Location<'static>, Option<usize>)>;

/// What an ended execution leaves for the next: every vector empty.
#[derive(Default)]
pub(crate) struct Spare {
    /// The task list (its records' lists are in `lists`).
    pub tasks: Vec<TaskRecord>,
    /// One entry per task record the execution had.
    pub lists: Vec<Lists>,
    /// The `sync::Arc` tracker.
    pub arcs: Vec<ArcEntry>,
}

/// How many task records' lists a thread keeps: more than most bodies spawn (loom models at
/// most 5 threads), so the memory a thread keeps stays near what one execution used.
const MAX_LISTS: usize = 64;

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

/// The vectors the last execution dropped on this thread left, or empty ones.
pub(crate) fn take() -> Spare {
    SPARE
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Keeps `spare` (every vector already empty) for the next execution on this thread.
pub(crate) fn give(mut spare: Spare) {
    debug_assert!(spare.tasks.is_empty() && spare.arcs.is_empty());
    spare.lists.truncate(MAX_LISTS);
    // During the thread's teardown there is no next execution: the vectors are freed.
    let _ = SPARE.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Some(spare);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::panic::Location;

    use crate::rt::{Backend, Execution, Limits};

    #[test]
    fn the_next_execution_gets_the_vectors_emptied() {
        let at = Location::caller();
        let first = Execution::new(Backend::Std, Limits::default());
        let scope = first.open_scope(0);
        let child = first.register(Some(0), Some("w".to_owned()), at).unwrap();
        first.track_arc(at, Some(child));
        assert_eq!(first.state().tasks[child].scopes, [scope]);
        drop(first);

        let second = Execution::new(Backend::Std, Limits::default());
        let child = second.register(Some(0), None, at).unwrap();
        let state = second.state();
        assert_eq!(state.tasks.len(), 2, "only this execution's tasks");
        assert!(state.arcs.is_empty(), "no Arc of the last execution");
        for task in &state.tasks {
            assert!(task.scopes.is_empty() && task.open_scopes.is_empty());
            assert!(task.holds.is_empty() && task.awaiting.is_empty());
        }
        // The memory came back: the main task's open-scope list and the child's scope list
        // were allocated by the first execution.
        assert!(state.tasks.iter().any(|t| t.open_scopes.capacity() > 0));
        assert!(state.tasks.iter().any(|t| t.scopes.capacity() > 0));
        assert!(state.arcs.capacity() > 0);
        assert_eq!(state.tasks[child].name.to_string(), "task-1");
    }
}
