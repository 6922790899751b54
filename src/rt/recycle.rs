//! The registry's vectors, kept from one execution for the next on the same OS thread.
//!
//! A search runs thousands of executions one after another on its runner thread, and each
//! builds a registry ([`super::Execution`]) whose vectors (the task list, the `sync::Arc`
//! tracker, and per task its scopes, open scopes, awaited operations and holds) were allocated
//! anew: eight allocations per execution of the `model_overhead` body, whose reuse saved about
//! 1,400 instructions per shuttle execution and 700 per loom execution (BENCHMARKS.md). An
//! execution's registry hands its emptied vectors back here when it is dropped and the next one
//! on the thread takes them; only their memory is reused, never their contents.
//!
//! A search runs on a fresh OS thread (`check`), so a thread's vectors would be freed with it
//! and every search's first executions would allocate them again (about 100 instructions per
//! execution of a 15-execution loom search). When a thread ends, what it kept goes to a
//! process-wide list, and a thread with none takes from there: the next search, on any
//! thread, starts with vectors already grown.

use std::cell::RefCell;
use std::panic::Location;
use std::sync::{Mutex, PoisonError};

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

/// How many sets of vectors a thread keeps: a loom search holds its last execution while the
/// next one starts, so two sets go round.
const PER_THREAD: usize = 2;

/// Sets of vectors kept for threads yet to start a search: one per search running at once,
/// which the test threads and a parallel shuttle search's workers (one per core) bound.
const KEEP: usize = 8;

/// A set whose task list or `Arc` tracker has room for more entries than this is freed when
/// its thread ends rather than kept, so that what a process keeps stays near what a small body
/// needs.
const KEEP_ENTRIES: usize = 1024;

/// Sets of vectors left by ended threads, for the next thread's executions.
static KEPT: Mutex<Vec<Spare>> = Mutex::new(Vec::new());

/// A thread's sets; when the thread ends they go to [`KEPT`].
struct ThreadSpares(Vec<Spare>);

impl Drop for ThreadSpares {
    fn drop(&mut self) {
        let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
        keep_into(&mut kept, self.0.drain(..));
    }
}

/// Adds the sets of `spares` small enough to keep to `kept`, up to [`KEEP`].
fn keep_into(kept: &mut Vec<Spare>, spares: impl Iterator<Item = Spare>) {
    for spare in spares {
        let small = spare.tasks.capacity() <= KEEP_ENTRIES && spare.arcs.capacity() <= KEEP_ENTRIES;
        if small && kept.len() < KEEP {
            kept.push(spare);
        }
    }
}

thread_local! {
    static SPARE: RefCell<ThreadSpares> = const { RefCell::new(ThreadSpares(Vec::new())) };
}

/// The vectors an execution dropped on this thread left (or, on a thread that has none yet,
/// an ended thread's), or empty ones.
pub(crate) fn take() -> Spare {
    SPARE
        .try_with(|s| {
            let mut s = s.try_borrow_mut().ok()?;
            s.0.pop()
                .or_else(|| KEPT.lock().unwrap_or_else(PoisonError::into_inner).pop())
        })
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
            if s.0.len() < PER_THREAD {
                s.0.push(spare);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::panic::Location;

    use super::{keep_into, Spare, KEEP, KEEP_ENTRIES};
    use crate::rt::{Backend, Execution, Limits};

    #[test]
    fn an_ended_thread_leaves_small_sets_and_at_most_keep() {
        let sized = |entries: usize| Spare {
            arcs: Vec::with_capacity(entries),
            ..Spare::default()
        };
        let mut kept = Vec::new();
        keep_into(&mut kept, [sized(16), sized(KEEP_ENTRIES + 1)].into_iter());
        assert_eq!(kept.len(), 1, "a set grown past the bound is freed");
        assert!(kept[0].arcs.capacity() >= 16);
        keep_into(&mut kept, (0..2 * KEEP).map(|_| sized(16)));
        assert_eq!(kept.len(), KEEP);
    }

    #[test]
    fn a_new_thread_takes_an_ended_threads_vectors() {
        // Other tests' threads take and leave sets too: retried, the kept list at some point
        // holds this test's grown set (the list is short and every set pushed is the last).
        let at = Location::caller();
        let grown = || {
            std::thread::spawn(move || {
                let e = Execution::new(Backend::Std, Limits::default());
                for _ in 0..40 {
                    e.track_arc(at, None);
                }
            })
            .join()
            .unwrap();
        };
        let reused = (0..50).any(|_| {
            grown();
            std::thread::spawn(|| {
                Execution::new(Backend::Std, Limits::default())
                    .state()
                    .arcs
                    .capacity()
                    >= 40
            })
            .join()
            .unwrap()
        });
        assert!(
            reused,
            "a fresh thread's first execution allocated its vectors anew"
        );
    }

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
