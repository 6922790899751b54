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
//! thread, starts with vectors already grown. That list is a [`Pool`], which also keeps the
//! coverage recorders of ended searches (`rt::coverage`).

use std::cell::RefCell;
use std::panic::Location;
use std::sync::{Mutex, MutexGuard, PoisonError};

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

/// Sets of vectors left by ended threads, for the next thread's executions.
static KEPT: Pool<Spare> = Pool::new();

/// What a [`Pool`] holds: emptied vectors or tables, whose room says whether they are worth
/// keeping.
pub(crate) trait Recyclable {
    /// The most entries any of its vectors or tables has room for.
    fn room(&self) -> usize;
}

impl Recyclable for Spare {
    fn room(&self) -> usize {
        self.tasks.capacity().max(self.arcs.capacity())
    }
}

/// A bounded process-wide list of emptied things (a registry's vectors, a coverage recorder)
/// that ended threads or searches leave for the next on any thread: a search runs on a fresh
/// OS thread, so what it kept on its own thread would be freed with it.
pub(crate) struct Pool<T> {
    kept: Mutex<Vec<T>>,
}

impl<T> Pool<T> {
    /// Things kept at most: one per search running at once, which the test threads and a
    /// parallel shuttle search's workers (one per core) bound; one beyond them is freed.
    pub(crate) const KEEP: usize = 8;

    /// A thing with room for more entries than this is freed rather than kept, so that what a
    /// process keeps stays near what a small body needs.
    pub(crate) const KEEP_ENTRIES: usize = 1024;

    /// An empty pool.
    pub(crate) const fn new() -> Pool<T> {
        Pool {
            kept: Mutex::new(Vec::new()),
        }
    }

    /// A kept thing, if there is one.
    pub(crate) fn take(&self) -> Option<T> {
        self.lock().pop()
    }

    /// The list. A panic while it was locked cannot have left it half-changed (a push or a
    /// pop of emptied things), so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Recyclable> Pool<T> {
    /// Keeps those of `things` with room for at most [`Pool::KEEP_ENTRIES`] entries, up to
    /// [`Pool::KEEP`] in the pool; frees the rest.
    pub(crate) fn keep(&self, things: impl IntoIterator<Item = T>) {
        let mut kept = self.lock();
        for thing in things {
            if thing.room() <= Self::KEEP_ENTRIES && kept.len() < Self::KEEP {
                kept.push(thing);
            }
        }
    }
}

/// A thread's sets; when the thread ends they go to [`KEPT`].
struct ThreadSpares(Vec<Spare>);

impl Drop for ThreadSpares {
    fn drop(&mut self) {
        KEPT.keep(self.0.drain(..));
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
            s.0.pop().or_else(|| KEPT.take())
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

    use super::{Pool, Spare};
    use crate::rt::{Backend, Execution, Limits};

    #[test]
    fn a_pool_keeps_small_things_and_at_most_keep() {
        let sized = |entries: usize| Spare {
            arcs: Vec::with_capacity(entries),
            ..Spare::default()
        };
        let pool = Pool::new();
        pool.keep([sized(16), sized(Pool::<Spare>::KEEP_ENTRIES + 1)]);
        let small = pool.take().expect("a small set is kept");
        assert!(small.arcs.capacity() >= 16);
        assert!(pool.take().is_none(), "a set grown past the bound is freed");
        pool.keep((0..2 * Pool::<Spare>::KEEP).map(|_| sized(16)));
        assert_eq!(
            std::iter::from_fn(|| pool.take()).count(),
            Pool::<Spare>::KEEP
        );
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
