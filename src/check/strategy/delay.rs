//! Random delay bounding (after Emmi, Qadeer and Rakamarić, "Delay-Bounded Scheduling", POPL
//! 2011, and the delay-bounded searches of Thomson, Donaldson and Betts' SCTBench study, PPoPP
//! 2014): a deterministic round-robin scheduler that deviates at most `delays` times per
//! execution.
//!
//! The deterministic scheduler keeps running the current task until it blocks, yields or ends,
//! then runs the next runnable task after it in id order (wrapping). A *delay* at a step skips
//! the task it would pick there for the next one in that order. Each execution draws its delay
//! points uniformly over the steps of the longest execution seen so far (the first execution
//! has none: it is the deterministic schedule itself). Sampling delay points, rather than
//! enumerating every placement as delay-bounded DFS does, keeps the search's cost per schedule
//! flat on long executions; the bound still caps how far each schedule strays from round-robin,
//! which is what makes the bugs it finds need few deviations to show.

use shuttle::scheduler::{DataSource, RandomDataSource, Schedule, Scheduler, Task, TaskId};

use super::Rng;

/// Delays per execution by default: the SCTBench study reports that small delay bounds
/// exposed most of the bugs it found, and every delay more multiplies the placements to sample
/// by the execution's length.
pub(crate) const DEFAULT_DELAYS: usize = 2;

/// The random delay-bounding scheduler.
pub(crate) struct DelayBounded {
    rng: Rng,
    data: RandomDataSource,
    delays: usize,
    iterations: usize,
    started: usize,
    /// The longest execution seen so far, in steps.
    longest: usize,
    /// This execution's step count so far.
    step: usize,
    /// This execution's delay points, sorted (a step may appear twice: two delays there).
    points: Vec<usize>,
}

impl DelayBounded {
    pub(crate) fn new(seed: u64, delays: usize, iterations: usize) -> Self {
        DelayBounded {
            rng: Rng::new(seed),
            data: RandomDataSource::initialize(seed),
            delays,
            iterations,
            started: 0,
            longest: 0,
            step: 0,
            points: Vec::new(),
        }
    }
}

/// The runnable tasks in round-robin order starting after `after` (wrapping), `after` itself
/// last if runnable.
fn round_robin(runnable: &[TaskId], after: Option<TaskId>) -> Vec<TaskId> {
    let mut ids = runnable.to_vec();
    ids.sort();
    if let Some(a) = after {
        let split = ids.partition_point(|&t| t <= a);
        ids.rotate_left(split);
    }
    ids
}

/// The order the deterministic scheduler offers the runnable tasks `ids` in: the current task
/// first (it goes on unless it blocked or yields), then round-robin after it.
pub(crate) fn round_robin_from(
    ids: &[TaskId],
    current: Option<TaskId>,
    is_yielding: bool,
) -> Vec<TaskId> {
    match current {
        Some(c) if !is_yielding && ids.contains(&c) => {
            let mut order = round_robin(ids, Some(c));
            order.rotate_right(1);
            order
        }
        _ => round_robin(ids, current),
    }
}

impl Scheduler for DelayBounded {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started >= self.iterations {
            return None;
        }
        self.started += 1;
        self.longest = self.longest.max(self.step);
        self.step = 0;
        self.points.clear();
        // Step 0 only starts the body: a delay there changes nothing.
        if self.longest > 1 {
            for _ in 0..self.delays {
                self.points.push(1 + self.rng.below(self.longest - 1));
            }
            self.points.sort_unstable();
        }
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let step = self.step;
        self.step += 1;
        let ids = super::runnable_ids(runnable);
        if ids.is_empty() {
            // Only tasks waiting for a spurious wakeup: shuttle ends the execution as a deadlock.
            return runnable.first().map(|t| t.id());
        }
        let order = round_robin_from(&ids, current, is_yielding);
        let skips = self.points.iter().filter(|&&p| p == step).count();
        Some(order[skips % order.len()])
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::round_robin;
    use shuttle::scheduler::TaskId;

    #[test]
    fn round_robin_starts_after_the_given_task() {
        let ids: Vec<TaskId> = [0, 2, 3, 5].map(TaskId::from).to_vec();
        let order = |after: Option<usize>| -> Vec<usize> {
            round_robin(&ids, after.map(TaskId::from))
                .into_iter()
                .map(usize::from)
                .collect()
        };
        assert_eq!(order(None), [0, 2, 3, 5]);
        assert_eq!(order(Some(2)), [3, 5, 0, 2]);
        assert_eq!(order(Some(4)), [5, 0, 2, 3]);
        assert_eq!(order(Some(5)), [0, 2, 3, 5]);
    }
}
