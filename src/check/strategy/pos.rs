//! Partial order sampling (POS; Yuan, Yang and Gu, "Partial Order Aware Concurrency Sampling",
//! CAV 2018), at the granularity of tasks.
//!
//! Every task holds a random priority, standing for the priority of its next event; at every
//! scheduling point the runnable task of highest priority runs. After a task has run a step,
//! its next event is a new one and gets a new priority, and so does every other task whose
//! operation *conflicts* with the one just run (the same object, and at least one of the two
//! changes it): their relative order is what matters, so it is sampled afresh, while the tasks
//! that do not race keep their priorities. This samples partial orders far more evenly than a
//! random walk, which all but never delays one task across many steps of the others.
//!
//! What "the operation" is comes from the facade's own hooks (`rt::last_op`): for Go-level
//! operations (channels, WaitGroups, contexts) the operation a task is about to perform, since
//! their hook runs before their first scheduling point; for primitive ones (`Mutex`, `Condvar`,
//! atomics), whose hook runs after shuttle's scheduling point, the operation the task performed
//! on entering its current step. So for those the conflict test uses each task's latest
//! operation instead of its next one: a task looping on one object is judged right, a task that
//! is about to move to another object is judged by the one it leaves. This needs the coverage
//! recorder on, which the runner ensures for a POS search.

use shuttle::scheduler::{DataSource, RandomDataSource, Schedule, Scheduler, Task, TaskId};

use super::Rng;
use crate::rt::last_op::{self, LastOp};

/// The POS scheduler: `iterations` executions from `seed`.
pub(crate) struct Pos {
    rng: Rng,
    data: RandomDataSource,
    iterations: usize,
    started: usize,
    /// Each task's priority, by shuttle's task number.
    priorities: Vec<Option<u64>>,
    /// The sequence number of the latest operation already acted on.
    seen: u64,
}

impl Pos {
    pub(crate) fn new(seed: u64, iterations: usize) -> Self {
        Pos {
            rng: Rng::new(seed),
            data: RandomDataSource::initialize(seed),
            iterations,
            started: 0,
            priorities: Vec::new(),
            seen: 0,
        }
    }

    fn priority(&mut self, task: usize) -> u64 {
        if self.priorities.len() <= task {
            self.priorities.resize(task + 1, None);
        }
        match self.priorities[task] {
            Some(p) => p,
            None => {
                let p = self.rng.next_u64();
                self.priorities[task] = Some(p);
                p
            }
        }
    }

    /// Task `ran` has run a step: its next event, and every task whose latest operation
    /// conflicts with the one it performed, get new priorities.
    fn after_step(&mut self, ran: usize) {
        if let Some(p) = self.priorities.get_mut(ran) {
            *p = None;
        }
        let Some(op) = last_op::get(ran).filter(|op| op.seq > self.seen) else {
            return;
        };
        self.seen = op.seq;
        for task in 0..self.priorities.len() {
            if task != ran && last_op::get(task).is_some_and(|other| conflict(op, other)) {
                self.priorities[task] = None;
            }
        }
    }
}

/// Two operations conflict when they touch one object and at least one changes it.
fn conflict(a: LastOp, b: LastOp) -> bool {
    a.object == b.object && (a.writes || b.writes)
}

impl Scheduler for Pos {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started >= self.iterations {
            return None;
        }
        self.started += 1;
        self.priorities.clear();
        self.seen = 0;
        last_op::clear();
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        _is_yielding: bool,
    ) -> Option<TaskId> {
        if let Some(ran) = current {
            self.after_step(usize::from(ran));
        }
        let mut best: Option<(u64, TaskId)> = None;
        for task in runnable.iter().filter(|t| t.runnable()) {
            let p = self.priority(usize::from(task.id()));
            if best.is_none_or(|(b, _)| p > b) {
                best = Some((p, task.id()));
            }
        }
        // Only tasks waiting for a spurious wakeup are offered: none can progress, and shuttle
        // ends the execution as a deadlock whichever is picked.
        best.map(|(_, t)| t)
            .or_else(|| runnable.first().map(|t| t.id()))
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}
