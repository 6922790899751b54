//! Several schedulers taking turns, one execution each: iterative-deepening PCT (PCT at depths
//! 1 to 6, so a bug of unknown depth costs at most six times the schedules of its own depth)
//! and the one-worker portfolio (every member strategy in turn).
//!
//! Which member ran the latest execution is shared with the search, so the report of a failure
//! names the strategy that found it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// A boxed scheduler, as a member of a rotation.
pub(crate) type Member = Box<dyn Scheduler + Send>;

/// Members taking turns, one execution each, `iterations` executions in all.
pub(crate) struct Rotate {
    members: Vec<Member>,
    active: usize,
    started: usize,
    iterations: usize,
    /// The member that ran the latest execution.
    latest: Arc<AtomicUsize>,
}

impl Rotate {
    /// A rotation of `members` (at least one), each asked for executions until the rotation
    /// has started `iterations`; a member that has no more is skipped.
    pub(crate) fn new(members: Vec<Member>, iterations: usize) -> (Self, Arc<AtomicUsize>) {
        assert!(
            !members.is_empty(),
            "a rotation needs at least one scheduler"
        );
        let latest = Arc::new(AtomicUsize::new(0));
        let rotate = Rotate {
            members,
            active: 0,
            started: 0,
            iterations,
            latest: Arc::clone(&latest),
        };
        (rotate, latest)
    }
}

impl Scheduler for Rotate {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started >= self.iterations {
            return None;
        }
        let n = self.members.len();
        // The coverage-guided member turns its feedback on for its own executions only.
        crate::rt::feedback::set_on(false);
        for k in 0..n {
            let i = (self.started + k) % n;
            if let Some(schedule) = self.members[i].new_execution() {
                self.active = i;
                self.latest.store(i, Ordering::Relaxed);
                self.started += 1;
                return Some(schedule);
            }
        }
        None
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        self.members[self.active].next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.members[self.active].next_u64()
    }
}

/// The deepest PCT depth iterative deepening tries. PCT's authors (Burckhardt et al.,
/// ASPLOS'10) argue that most concurrency bugs have a small depth (1 to 3 ordering constraints);
/// each extra depth adds one more member to the rotation, so cycling to 6 covers deeper bugs
/// at the cost of running each depth on a sixth of the schedules.
pub(crate) const MAX_DEPTH: usize = 6;
