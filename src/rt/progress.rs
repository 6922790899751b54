//! Whether a model execution is still getting somewhere when it reaches its step bound.
//!
//! A run past the step bound is either a correct program longer than the bound (Go's own tests
//! spawn hundreds of goroutines and move 10^4-10^5 messages) or a livelock: tasks that keep
//! running while nothing changes. The first is an incomplete search, the second a violation,
//! and only the steps before the bound can tell them apart. So the facade counts *progress*:
//! an operation that changes state another task can observe, and the scheduler counts *steps*
//! and notes the step of the latest progress. At the bound, a long stretch of steps without any
//! progress is a livelock; a stretch with progress in it is a program still at work.
//!
//! Progress is:
//! - a task spawned or ended;
//! - a value moved through a channel, a channel closed, a WaitGroup counted, a context
//!   cancelled, a `Once` run (the Go primitives note these where their state changes);
//! - a write through a lock guard of the body's (`DerefMut` of a `MutexGuard` or an
//!   `RwLockWriteGuard`; the state locks of the facade's own primitives do not count, they
//!   note their real changes above), a mutable access to a `cell::UnsafeCell`;
//! - an atomic write that changes the value (a store, an exchange or read-modify-write whose
//!   old value differs from its new one, a successful compare-exchange).
//!
//! Not progress: loads, failed compare-exchanges, lock and unlock, `try_recv` on an empty
//! channel, a select's default case, yields and spins, sleeping. A loop made only of those
//! cannot end unless another task makes progress, so a stretch of them alone is a livelock.
//!
//! Thread-local, like the other recorders: loom and shuttle run every task of an execution as
//! a coroutine on the runner's OS thread, which also runs the scheduler. Under std nothing
//! reads the counts (the watchdog decides there).

use std::cell::{Cell, RefCell};

thread_local! {
    /// Progress notes since the execution began.
    static MADE: Cell<u64> = const { Cell::new(0) };
    /// Scheduling steps since the execution began.
    static STEPS: Cell<u64> = const { Cell::new(0) };
    /// `MADE` as the latest step saw it.
    static SEEN: Cell<u64> = const { Cell::new(0) };
    /// The step at which `MADE` last changed.
    static LAST: Cell<u64> = const { Cell::new(0) };
    /// The tasks (the scheduler's ids) run since then, each with its count of steps.
    static RAN: RefCell<Vec<(usize, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Notes that the running task changed state another task can observe.
#[inline]
pub(crate) fn made() {
    MADE.with(|m| m.set(m.get().wrapping_add(1)));
}

/// A new execution starts: every count goes back to zero.
pub(crate) fn begin_execution() {
    for c in [&MADE, &STEPS, &SEEN, &LAST] {
        c.with(|c| c.set(0));
    }
    RAN.with(|r| r.borrow_mut().clear());
}

/// The scheduler takes a step: it chose `task` (its own id for it) to run next.
#[inline]
pub(crate) fn step(task: Option<usize>) {
    let steps = STEPS.with(|s| {
        s.set(s.get() + 1);
        s.get()
    });
    let made = MADE.with(Cell::get);
    let progressed = SEEN.with(|s| s.replace(made)) != made;
    if progressed {
        LAST.with(|l| l.set(steps));
    }
    RAN.with(|r| {
        let mut ran = r.borrow_mut();
        if progressed {
            ran.clear();
        }
        if let Some(task) = task {
            match ran.iter_mut().find(|(t, _)| *t == task) {
                Some((_, n)) => *n += 1,
                None => ran.push((task, 1)),
            }
        }
    });
}

/// How the execution on this thread stands: its steps, and how many of the latest made no
/// progress.
pub(crate) fn standing() -> Standing {
    let steps = STEPS.with(Cell::get);
    // Progress made after the last step (by the task that ran it) counts as that step's.
    let last = if SEEN.with(Cell::get) != MADE.with(Cell::get) {
        steps
    } else {
        LAST.with(Cell::get)
    };
    Standing {
        steps,
        idle: steps - last,
        // The tasks that took at least a tenth of those steps: a task that ran a step or two
        // into a wait after the last progress did not loop.
        looping: RAN.with(|r| {
            r.borrow()
                .iter()
                .filter(|&&(_, n)| n.saturating_mul(10) >= (steps - last).max(1))
                .map(|&(t, _)| t)
                .collect()
        }),
    }
}

/// An execution's steps, and the latest of them without progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Standing {
    /// Scheduling steps taken.
    pub steps: u64,
    /// How many of the latest steps made no progress.
    pub idle: u64,
    /// The tasks the scheduler ran in those steps (its ids, in the order first run), each for
    /// at least a tenth of them.
    pub looping: Vec<usize>,
}

impl Standing {
    /// Whether the execution looks stuck: no progress in the latest quarter of its steps.
    ///
    /// A quarter, because a correct program makes progress every few steps (every seeded
    /// pattern of this crate does within 50), while a livelock that starts in the first three
    /// quarters of the bound shows as one. A livelock that starts later than that is called a
    /// program still at work: the report then says the search is incomplete, and to raise the
    /// bound, which shows the livelock.
    pub(crate) fn stuck(&self) -> bool {
        self.steps > 0 && self.idle.saturating_mul(4) >= self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_in_the_last_quarter_is_not_stuck() {
        begin_execution();
        for i in 0..100 {
            if i == 80 {
                made();
            }
            step(Some(i % 2));
        }
        let s = standing();
        assert_eq!((s.steps, s.idle), (100, 19));
        assert_eq!(s.looping, [0, 1]);
        assert!(!s.stuck());
    }

    #[test]
    fn no_progress_in_the_last_quarter_is_stuck() {
        begin_execution();
        for i in 0..100 {
            if i == 10 {
                made();
            }
            step(Some(i % 2));
        }
        let s = standing();
        assert_eq!(s.idle, 89);
        assert!(s.stuck());
    }

    #[test]
    fn progress_after_the_last_step_counts() {
        begin_execution();
        for i in 0..100 {
            step(Some(i % 2));
        }
        made();
        assert_eq!(standing().idle, 0);
        begin_execution();
        assert_eq!((standing().steps, standing().idle), (0, 0));
        assert!(!standing().stuck());
    }
}
