//! Delay-bounded depth-first search (Emmi, Qadeer and Rakamarić, "Delay-Bounded Scheduling",
//! POPL 2011; the delay-bounded search of Thomson, Donaldson and Betts' SCTBench study, PPoPP
//! 2014, which found it exposes more bugs than preemption bounding at the same cost): every
//! schedule of the deterministic round-robin scheduler of [`super::delay`] with at most `d`
//! delays, each once.
//!
//! At a step where `n` tasks can run, the round-robin order offers them in a fixed order and
//! the schedule may skip the first `k` of them (`k < n`) at a cost of `k` delays. The search is
//! a depth-first walk over those skips: each execution replays the skips of the previous one up
//! to its deepest step that can take one more skip within the bound, takes it there, and runs
//! round-robin (no skips) after it. With `d = 0` that is one schedule; with `d = 1` one more per
//! spare task at each step of it. Every schedule is reachable with enough delays (any runnable
//! task is some number of skips away), so when no step ever had a skip cut by the bound, the
//! walk covered every schedule; otherwise it covered every schedule within `d` delays and no
//! more, which the report says. Values the body draws at random (a `select`'s poll order) are
//! not branched on, as in shuttle's DFS.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use shuttle::scheduler::{DataSource, RandomDataSource, Schedule, Scheduler, Task, TaskId};

use super::delay::round_robin_from;

/// The delay bound of `ShuttleConfig::delay_bounded_dfs`'s default: SCTBench found most of its
/// delay-bounded bugs at 1 or 2 delays, and the schedules grow by about the execution's length
/// times its task count with each delay more (thousands at 2 for the catalog's larger bodies).
pub(crate) const DEFAULT_BOUND: usize = 2;

/// The delay-bounded DFS scheduler.
pub(crate) struct DelayDfs {
    bound: usize,
    iterations: usize,
    started: usize,
    data: RandomDataSource,
    /// This execution's steps so far: (tasks it could run, skips taken).
    path: Vec<(usize, usize)>,
    /// The skips to replay, one per step, from the previous execution's backtrack point.
    replay: Vec<usize>,
    walk: Arc<Walk>,
}

/// How far a delay-bounded walk got, shared with the search that reports it.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// Set once some step's further skip was cut by the bound.
    pub cut: AtomicBool,
    /// Set when the walk ran every schedule within the bound.
    pub done: AtomicBool,
}

impl DelayDfs {
    /// The walk within `bound` delays, at most `iterations` executions, and how far it got.
    pub(crate) fn new(bound: usize, iterations: usize) -> (Self, Arc<Walk>) {
        let walk = Arc::new(Walk::default());
        let dfs = DelayDfs {
            bound,
            iterations,
            started: 0,
            data: RandomDataSource::initialize(0),
            path: Vec::new(),
            replay: Vec::new(),
            walk: Arc::clone(&walk),
        };
        (dfs, walk)
    }

    /// Moves to the next schedule: the deepest step that can take one more skip within the
    /// bound takes it. False when there is none: the walk is over.
    fn backtrack(&mut self) -> bool {
        let mut path = std::mem::take(&mut self.path);
        let mut used: usize = path.iter().map(|&(_, k)| k).sum();
        while let Some((options, skips)) = path.pop() {
            used -= skips;
            if skips + 1 < options {
                if used + skips < self.bound {
                    path.push((options, skips + 1));
                    self.replay = path.into_iter().map(|(_, k)| k).collect();
                    return true;
                }
                self.walk.cut.store(true, Ordering::Relaxed);
            }
        }
        self.walk.done.store(true, Ordering::Relaxed);
        false
    }
}

impl Scheduler for DelayDfs {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started >= self.iterations || (self.started > 0 && !self.backtrack()) {
            return None;
        }
        self.started += 1;
        self.path.clear();
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let ids = super::runnable_ids(runnable);
        if ids.is_empty() {
            // Only tasks waiting for a spurious wakeup: shuttle ends the execution as a deadlock.
            return runnable.first().map(|t| t.id());
        }
        let order = round_robin_from(&ids, current, is_yielding);
        let skips = self.replay.get(self.path.len()).copied().unwrap_or(0) % order.len();
        self.path.push((order.len(), skips));
        Some(order[skips])
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::DelayDfs;

    /// Schedules the walk within `bound` delays runs of a body on shuttle's own primitives, and
    /// whether it says it finished and was cut.
    fn count(bound: usize) -> (usize, bool, bool) {
        let runs = Arc::new(AtomicUsize::new(0));
        let (dfs, walk) = DelayDfs::new(bound, 1_000);
        let seen = Arc::clone(&runs);
        shuttle::Runner::new(dfs, shuttle::Config::new()).run(move || {
            seen.fetch_add(1, Ordering::Relaxed);
            let x = Arc::new(shuttle::sync::atomic::AtomicUsize::new(0));
            let x2 = Arc::clone(&x);
            let t = shuttle::thread::spawn(move || {
                x2.store(1, Ordering::SeqCst);
                x2.store(3, Ordering::SeqCst);
            });
            x.store(2, Ordering::SeqCst);
            x.store(4, Ordering::SeqCst);
            t.join().unwrap();
        });
        (
            runs.load(Ordering::Relaxed),
            walk.done.load(Ordering::Relaxed),
            walk.cut.load(Ordering::Relaxed),
        )
    }

    /// The hand count (see `tests/suite/strategies.rs`, which counts the same body on the
    /// facade): 1 schedule within 0 delays, 3 within 1, 7 within 2; 10 in all, which 4 delays
    /// reach, and only then is nothing cut.
    #[test]
    fn the_walk_runs_the_hand_counted_schedules_of_a_tiny_body() {
        assert_eq!(count(0), (1, true, true));
        assert_eq!(count(1), (3, true, true));
        assert_eq!(count(2), (7, true, true));
        assert_eq!(count(4), (10, true, false));
        assert_eq!(count(5), (10, true, false));
    }
}
