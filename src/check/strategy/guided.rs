//! Coverage-guided scheduling, after reads-from fuzzing (RFF; Wolff, Shi, Meng, Roychoudhury and
//! others, "Greybox Fuzzing for Concurrency Testing", ASPLOS 2024): schedules are fuzzed the way
//! AFL fuzzes inputs, and the coverage recorder's pairs of conflicting operations are the
//! feedback.
//!
//! Each execution is either fresh (a uniformly random walk) or a mutant of a kept schedule: the
//! kept schedule's choices are followed up to a chosen step, then one mutation applies there,
//! and a random tail finishes the run. The mutations:
//!
//! - *swap*: at the step, run another runnable task than the kept schedule ran;
//! - *delay*: at the step, hold back the task the kept schedule ran, for a number of steps
//!   (while any other task can run);
//! - *re-prioritise*: from the step on, give every task a fresh random priority and run the
//!   highest one, which keeps one task running across many steps where a random walk would not.
//!
//! The feedback: an execution that ran some pair of conflicting operations in an order no
//! earlier execution ran is kept (it reached new behaviour, as an input reaching a new branch is
//! kept by AFL). Every pair it ran in the only order seen so far becomes a *target*, and half of
//! the mutants aim at one: they follow the kept schedule to the step that ran the pair's first
//! operation and delay its task until past the step that ran the second, to run the pair the
//! other way round. A target is aimed at from the latest kept schedule that ran it, so a chain
//! of reversals (each needing the one before) is climbed one kept schedule at a time, which a
//! random walk must hit in one go. A target whose other order turns up is dropped; so is one
//! tried [`MAX_TRIES`] times (a pair the program orders, a close after every send, cannot turn).
//!
//! With the feedback off ([`Strategy::CoverageGuided`](crate::check::Strategy)'s `feedback`),
//! every execution is kept and mutants pick their step at random: the same mutations without
//! the coverage, which is what the feedback's worth is measured against.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use shuttle::scheduler::{DataSource, RandomDataSource, Schedule, Scheduler, Task, TaskId};

use super::Rng;
use crate::rt::feedback::{self, Seen};

/// Attempts at reversing one pair before it is dropped. A pair the program orders can never
/// turn, and each attempt costs a schedule; a delayed task that the program lets run anyway
/// (every other task blocked) or a random tail that undoes the delay rarely needs more than a
/// few tries, so 16 leaves room for those while capping what an unturnable pair wastes.
pub(crate) const MAX_TRIES: u32 = 16;

/// Schedules kept at most. Each is one task id per step (a few hundred bytes for the catalog's
/// bodies); past this, a new one replaces a random old one, so memory stays flat on a long
/// search while recent progress is kept.
const CORPUS: usize = 256;

/// One kept schedule: the task each step ran.
type Kept = Arc<[TaskId]>;

/// A pair seen in one order only, and where to aim to turn it.
struct Target {
    schedule: Kept,
    earlier: usize,
    later: usize,
    tries: u32,
}

/// How the steps after the mutation are picked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// Uniformly among the runnable tasks.
    Uniform,
    /// The runnable task of highest priority (priorities drawn once per task).
    Priorities,
}

/// What this execution does: follow `prefix` up to step `at`, mutate there, then `tail`.
struct Plan {
    prefix: Kept,
    at: usize,
    /// Step `at` runs another task than the prefix did.
    swap: bool,
    /// The prefix's task at `at` is held back until this step.
    delay_until: usize,
    tail: Tail,
}

impl Plan {
    fn fresh() -> Plan {
        Plan {
            prefix: Arc::new([]),
            at: 0,
            swap: false,
            delay_until: 0,
            tail: Tail::Uniform,
        }
    }
}

/// The coverage-guided scheduler: `iterations` executions from `seed`.
pub(crate) struct Guided {
    rng: Rng,
    data: RandomDataSource,
    iterations: usize,
    started: usize,
    feedback: bool,
    corpus: Vec<Kept>,
    /// By the recorder's ordered-pair id; a `BTreeMap` so picking one is repeatable.
    targets: BTreeMap<u64, Target>,
    plan: Plan,
    /// The task each step of this execution ran.
    ran: Vec<TaskId>,
    /// Whether this execution has left its prefix (a task it names was not runnable).
    diverged: bool,
    /// The held-back task of a delay.
    delayed: Option<TaskId>,
    priorities: Vec<Option<u64>>,
}

impl Guided {
    pub(crate) fn new(seed: u64, iterations: usize, feedback: bool) -> Self {
        Guided {
            rng: Rng::new(seed),
            data: RandomDataSource::initialize(seed),
            iterations,
            started: 0,
            feedback,
            corpus: Vec::new(),
            targets: BTreeMap::new(),
            plan: Plan::fresh(),
            ran: Vec::new(),
            diverged: false,
            delayed: None,
            priorities: Vec::new(),
        }
    }

    fn keep(&mut self, schedule: Kept) {
        if self.corpus.len() < CORPUS {
            self.corpus.push(schedule);
        } else {
            let i = self.rng.below(CORPUS);
            self.corpus[i] = schedule;
        }
    }

    /// Learns from the execution that just ended: what it ran, and the pairs it ran.
    fn learn(&mut self) {
        let seen = feedback::take();
        let schedule: Kept = std::mem::take(&mut self.ran).into();
        if schedule.is_empty() {
            return;
        }
        if !self.feedback {
            self.keep(schedule);
            return;
        }
        for s in seen.iter().filter(|s| s.fresh && s.reverse_seen) {
            self.targets.remove(&Seen::reverse(s.pair));
        }
        if !seen.iter().any(|s| s.fresh) {
            return;
        }
        self.keep(Arc::clone(&schedule));
        let mut once = HashSet::new();
        for s in seen.iter().filter(|s| !s.reverse_seen) {
            if !once.insert(s.pair) || s.later <= s.earlier {
                continue;
            }
            let tries = self.targets.get(&s.pair).map_or(0, |t| t.tries);
            self.targets.insert(
                s.pair,
                Target {
                    schedule: Arc::clone(&schedule),
                    earlier: s.earlier as usize,
                    later: s.later as usize,
                    tries,
                },
            );
        }
    }

    /// The next execution's plan.
    fn plan(&mut self) -> Plan {
        if self.corpus.is_empty() || self.rng.below(4) == 0 {
            return Plan::fresh();
        }
        if !self.targets.is_empty() && self.rng.below(3) != 0 {
            let k = self.rng.below(self.targets.len());
            let (&pair, target) = self.targets.iter_mut().nth(k).expect("k < len");
            target.tries += 1;
            let plan = Plan {
                prefix: Arc::clone(&target.schedule),
                at: target.earlier,
                swap: false,
                delay_until: target.later + 1,
                tail: Tail::Uniform,
            };
            if target.tries >= MAX_TRIES {
                self.targets.remove(&pair);
            }
            return plan;
        }
        let prefix = Arc::clone(&self.corpus[self.rng.below(self.corpus.len())]);
        let at = self.rng.below(prefix.len());
        let mut plan = Plan {
            at,
            swap: false,
            delay_until: 0,
            tail: Tail::Uniform,
            prefix: Arc::clone(&prefix),
        };
        match self.rng.below(3) {
            0 => plan.swap = true,
            1 => plan.delay_until = at + 1 + self.rng.below(prefix.len() - at),
            _ => plan.tail = Tail::Priorities,
        }
        plan
    }

    fn priority(&mut self, task: TaskId) -> u64 {
        let i = usize::from(task);
        if self.priorities.len() <= i {
            self.priorities.resize(i + 1, None);
        }
        *self.priorities[i].get_or_insert_with(|| self.rng.next_u64())
    }

    fn pick(&mut self, ids: &[TaskId], step: usize) -> TaskId {
        let plan = &self.plan;
        let followed = plan.prefix.get(step).copied();
        if step < plan.at && !self.diverged {
            if let Some(t) = followed.filter(|t| ids.contains(t)) {
                return t;
            }
            self.diverged = true;
        }
        if step == plan.at && !self.diverged {
            if plan.delay_until > step {
                self.delayed = followed;
            }
            if plan.swap {
                let others: Vec<TaskId> = ids
                    .iter()
                    .copied()
                    .filter(|&t| Some(t) != followed)
                    .collect();
                if !others.is_empty() {
                    return others[self.rng.below(others.len())];
                }
            }
        }
        let mut pool: Vec<TaskId> = ids.to_vec();
        if step < self.plan.delay_until {
            if let Some(d) = self.delayed {
                if pool.len() > 1 {
                    pool.retain(|&t| t != d);
                }
            }
        }
        if step >= self.plan.at && self.plan.tail == Tail::Priorities {
            let mut best = pool[0];
            let mut best_p = self.priority(best);
            for &t in &pool[1..] {
                let p = self.priority(t);
                if p > best_p {
                    (best, best_p) = (t, p);
                }
            }
            return best;
        }
        pool[self.rng.below(pool.len())]
    }
}

impl Scheduler for Guided {
    fn new_execution(&mut self) -> Option<Schedule> {
        // Whatever another scheduler of a rotation ran since is not this one's to learn from.
        if self.started > 0 {
            self.learn();
        } else {
            feedback::take();
        }
        if self.started >= self.iterations {
            feedback::set_on(false);
            return None;
        }
        self.started += 1;
        self.plan = self.plan();
        self.diverged = false;
        self.delayed = None;
        self.priorities.clear();
        feedback::set_on(true);
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        _current: Option<TaskId>,
        _is_yielding: bool,
    ) -> Option<TaskId> {
        let ids = super::runnable_ids(runnable);
        let step = self.ran.len();
        feedback::set_step(step);
        // Only tasks waiting for a spurious wakeup: shuttle ends the execution as a deadlock.
        if ids.is_empty() {
            return runnable.first().map(|t| t.id());
        }
        let next = self.pick(&ids, step);
        self.ran.push(next);
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}
