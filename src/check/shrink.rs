//! Shrinking a failing shuttle schedule: fewer preemptions, fewer steps, the same violation.
//!
//! A random or PCT schedule that fails is mostly noise: dozens of task switches, of which one or
//! two make the bug. Following Lincheck's minimized scenarios and proptest's shrinking, the
//! failing schedule is rewritten as a *plan*: the decisions where it deviated from a plain
//! non-preemptive policy (keep running the current task while it can run; when it blocks,
//! yields or ends, take the next runnable task in id order). Every other decision is implied.
//! A decision is named by the task that reached it and how many scheduling points that task had
//! passed ([`Point`]), which names the same point of the program in every interleaving.
//!
//! Then smaller plans are tried, each a trial run of the body, and one is kept when its run
//! fails with the same kind of violation and is smaller: fewer preemptions, then fewer steps,
//! then fewer deviations. In order:
//!
//! 1. delta debugging: drop all deviations (a bug that needs no preemption shows at once), then
//!    keep or drop halves, quarters, down to single deviations, latest first;
//! 2. retargeting: each deviation switching to another task instead (a switch to a task that
//!    only switches on to the one the bug needs is a detour dropping cannot remove), then 1
//!    again;
//! 3. while two or more preemptions remain: every schedule of a single preemption at the points
//!    the best run passed.
//!
//! After each success the plan is read again off the new failing run. A run that does not
//! reach a planned point, or reaches it when the planned task cannot run, just follows the
//! default there. This is a search for a smaller failing run, not a proof that none exists;
//! the trial budget bounds it, and a report whose budget ran out says so.
//!
//! # Why loom's failures are not shrunk
//!
//! loom's failing path is not a schedule this module can rewrite: it is the list of branch
//! choices of loom's own depth-first walk (its replay string), which loom interprets only in
//! that walk's order, under the preemption bound it ran with. Dropping a choice does not give
//! a valid path, and loom's scheduler cannot be replaced from outside. Its bound already caps
//! the preemptions of every schedule it runs (2 by default), and its walk meets schedules with
//! fewer preemptions first, so its failures are short already.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use shuttle::scheduler::{DataSource, RandomDataSource, Schedule, Scheduler, Task, TaskId};

use super::strategy::runnable_ids;

/// Trial runs the shrinker spends on one schedule by default; the reason and the measured cost
/// are on the `max_shrink_trials` field of [`ShuttleConfig`](super::ShuttleConfig).
pub(crate) const MAX_TRIALS: usize = 200;

/// Where a scheduling decision is taken: when `task` (none before the first) reaches its
/// `n`-th scheduling point (a facade operation, a block, a yield or its end), counted from 0.
/// Unlike the decision's index in the whole run, this names the same point of the program in
/// every interleaving, so a deviation keeps its meaning when earlier ones are dropped.
pub(crate) type Point = (Option<TaskId>, usize);

/// The decisions at which a run deviates from the default policy, in the order they were
/// taken: where, and the task chosen there.
pub(crate) type Plan = Vec<(Point, TaskId)>;

/// The recorded scheduling decisions of one run, shared with the scheduler that records them.
pub(crate) type Log = Arc<Mutex<Vec<Decision>>>;

/// One scheduling decision of a recorded run.
#[derive(Clone, Debug)]
pub(crate) struct Decision {
    at: Point,
    /// The tasks that could run. A blocked task that shuttle offers for a spurious wakeup is
    /// not among them: the default policy never picks one, so picking one is a deviation.
    runnable: Vec<TaskId>,
    current: Option<TaskId>,
    yielding: bool,
    chosen: TaskId,
}

impl Decision {
    fn new(
        at: Point,
        offered: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
        chosen: TaskId,
    ) -> Self {
        Decision {
            at,
            runnable: runnable_ids(offered),
            current,
            yielding,
            chosen,
        }
    }

    /// Whether this step switched away from a task that could have gone on running.
    fn preempts(&self) -> bool {
        !self.yielding
            && self
                .current
                .is_some_and(|c| c != self.chosen && self.runnable.contains(&c))
    }

    /// Whether the non-preemptive policy would have chosen otherwise.
    fn deviates(&self) -> bool {
        default_choice(&self.runnable, self.current, self.yielding) != Some(self.chosen)
    }
}

/// Names each decision of a run as a [`Point`] (counting each task's scheduling points as the
/// run goes) and logs it.
#[derive(Default)]
struct Recorder {
    counts: HashMap<Option<TaskId>, usize>,
    log: Log,
}

impl Recorder {
    /// The point `current` is at now; the next call for the same task names its next one.
    fn point(&mut self, current: Option<TaskId>) -> Point {
        let n = self.counts.entry(current).or_default();
        *n += 1;
        (current, *n - 1)
    }

    /// Takes one decision: names its point, lets `choose` pick a task there (`None` stops the
    /// execution), and logs it.
    fn decide(
        &mut self,
        offered: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
        choose: impl FnOnce(Point) -> Option<TaskId>,
    ) -> Option<TaskId> {
        let at = self.point(current);
        let chosen = choose(at)?;
        lock(&self.log).push(Decision::new(at, offered, current, yielding, chosen));
        Some(chosen)
    }

    /// Forgets the counts and the log of the execution before.
    fn reset(&mut self) {
        self.counts.clear();
        lock(&self.log).clear();
    }
}

/// Keep running the current task while it can run and does not yield; otherwise the next
/// runnable task after it in id order (wrapping), so a task spinning on a yield lets others run.
fn default_choice(runnable: &[TaskId], current: Option<TaskId>, yielding: bool) -> Option<TaskId> {
    let mut ids: Vec<TaskId> = runnable.to_vec();
    ids.sort();
    match current {
        Some(c) if !yielding && ids.contains(&c) => Some(c),
        Some(c) => ids
            .iter()
            .copied()
            .find(|&t| t > c)
            .or_else(|| ids.first().copied()),
        None => ids.first().copied(),
    }
}

/// The decisions where a run deviated from the default policy.
pub(crate) fn plan_of(steps: &[Decision]) -> Plan {
    steps
        .iter()
        .filter(|s| s.deviates())
        .map(|s| (s.at, s.chosen))
        .collect()
}

/// How many preemptions a recorded run made.
pub(crate) fn preemptions(steps: &[Decision]) -> usize {
    steps.iter().filter(|s| s.preempts()).count()
}

/// Takes the decisions a [`Recording`] or [`Guided`] scheduler logged.
pub(crate) fn take(log: &Log) -> Vec<Decision> {
    std::mem::take(&mut *lock(log))
}

fn lock(log: &Log) -> std::sync::MutexGuard<'_, Vec<Decision>> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A scheduler that records each decision of another scheduler's executions (the log holds
/// the latest execution's).
pub(crate) struct Recording<S> {
    inner: S,
    recorder: Recorder,
}

impl<S> Recording<S> {
    pub(crate) fn new(inner: S) -> (Self, Log) {
        let recorder = Recorder::default();
        let log = Arc::clone(&recorder.log);
        (Recording { inner, recorder }, log)
    }
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.recorder.reset();
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let inner = &mut self.inner;
        self.recorder.decide(runnable, current, is_yielding, |_| {
            inner.next_task(runnable, current, is_yielding)
        })
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// Runs one execution that follows a plan where it can (a planned task that cannot run at its
/// step is skipped) and the default policy everywhere else, recording every decision.
pub(crate) struct Guided {
    plan: HashMap<Point, TaskId>,
    data: RandomDataSource,
    started: bool,
    recorder: Recorder,
}

impl Guided {
    /// A scheduler for one execution guided by `plan`, whose random values (for bodies that
    /// ask shuttle for any) come from `seed`: the failing schedule's, so they match its own.
    pub(crate) fn new(plan: Plan, seed: u64) -> (Self, Log) {
        let recorder = Recorder::default();
        let log = Arc::clone(&recorder.log);
        let guided = Guided {
            plan: plan.into_iter().collect(),
            data: RandomDataSource::initialize(seed),
            started: false,
            recorder,
        };
        (guided, log)
    }
}

impl Scheduler for Guided {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        Some(Schedule::new(self.data.reinitialize()))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let plan = &self.plan;
        self.recorder.decide(runnable, current, is_yielding, |at| {
            let planned = plan
                .get(&at)
                .copied()
                .filter(|t| runnable.iter().any(|r| r.id() == *t));
            planned
                .or_else(|| default_choice(&runnable_ids(runnable), current, is_yielding))
                // Only tasks waiting for a spurious wakeup are offered: none can make progress,
                // so end the execution as shuttle ends one with no runnable task (a deadlock).
                .or_else(|| runnable.first().map(|t| t.id()))
        })
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}

/// A failing run: its recorded decisions and whatever the caller needs to report it.
pub(crate) struct Failing<R> {
    pub steps: Vec<Decision>,
    pub run: R,
}

/// How much shrinking shortened a failing shuttle schedule: the `shrunk` line of a
/// [`Report`](super::Report).
///
/// A preemption is a switch away from a task that could have gone on running (not one that
/// blocked, finished or yielded); a step is one scheduling decision. Shrinking minimizes
/// preemptions first, then steps, so a schedule with fewer preemptions may take more steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Shrinkage {
    /// Preemptions in the schedule the search found.
    pub preemptions_before: usize,
    /// Preemptions in the shrunk schedule.
    pub preemptions_after: usize,
    /// Scheduling steps in the schedule the search found.
    pub steps_before: usize,
    /// Scheduling steps in the shrunk schedule.
    pub steps_after: usize,
    /// Trial runs spent shrinking.
    pub trials: usize,
    /// The trial budget ran out before every smaller plan was tried: the shrunk schedule may
    /// shrink further, and is not known to be minimal.
    pub budget_spent: bool,
}

impl fmt::Display for Shrinkage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "preemptions {} -> {}, steps {} -> {} ",
            self.preemptions_before, self.preemptions_after, self.steps_before, self.steps_after
        )?;
        if self.budget_spent {
            write!(
                f,
                "(trial budget {} spent: may shrink further)",
                self.trials
            )
        } else {
            write!(
                f,
                "({} trial{})",
                self.trials,
                if self.trials == 1 { "" } else { "s" }
            )
        }
    }
}

/// What shrinking minimizes, in order: preemptions, steps, deviations from the default policy.
fn size(steps: &[Decision]) -> (usize, usize, usize) {
    (preemptions(steps), steps.len(), plan_of(steps).len())
}

/// The search for a smaller failing run: the best so far and the trials spent.
struct Shrinker<R, T> {
    best: Failing<R>,
    best_size: (usize, usize, usize),
    /// Runs are deterministic and the best only gets smaller, so a plan that did not beat an
    /// earlier best cannot beat a later one: it is never run twice.
    rejected: HashSet<Plan>,
    trial: T,
    trials: usize,
    budget: usize,
    budget_spent: bool,
}

/// Whether a plan was tried, and what came of it.
enum Tried {
    /// It failed the same way and smaller: it is the new best.
    Smaller,
    /// It passed, failed otherwise, was no smaller, or was tried before.
    NotSmaller,
    /// The trial budget is spent.
    OutOfBudget,
}

impl<R, T: FnMut(Plan) -> Option<Failing<R>>> Shrinker<R, T> {
    fn try_plan(&mut self, plan: Plan) -> Tried {
        if self.rejected.contains(&plan) {
            return Tried::NotSmaller;
        }
        if self.trials == self.budget {
            self.budget_spent = true;
            return Tried::OutOfBudget;
        }
        self.trials += 1;
        match (self.trial)(plan.clone()) {
            Some(found) if size(&found.steps) < self.best_size => {
                self.best_size = size(&found.steps);
                self.best = found;
                Tried::Smaller
            }
            _ => {
                self.rejected.insert(plan);
                Tried::NotSmaller
            }
        }
    }

    /// Delta debugging over the best run's plan: split it into runs of deviations, halving
    /// their length from the whole plan down to one, latest first (the deviations after the
    /// ones the bug needs are the likeliest noise, and the one right before it the likeliest
    /// cause); try keeping only one run, then dropping one; after each success, start again on
    /// the new best's plan. Ends when no single deviation can be dropped, or out of budget.
    fn drop_deviations(&mut self) -> Result<(), ()> {
        let mut chunk = usize::MAX;
        'plan: loop {
            let plan = plan_of(&self.best.steps);
            chunk = chunk.min(plan.len());
            if chunk == 0 {
                return Ok(());
            }
            let ends: Vec<usize> = (0..plan.len().div_ceil(chunk))
                .map(|i| plan.len() - i * chunk)
                .collect();
            let runs = ends.iter().map(|&end| end.saturating_sub(chunk)..end);
            let only = runs.clone().map(|r| plan[r].to_vec());
            let without = runs.map(|r| [&plan[..r.start], &plan[r.end..]].concat());
            for smaller in only.chain(without).filter(|p| *p != plan) {
                match self.try_plan(smaller) {
                    Tried::Smaller => continue 'plan,
                    Tried::NotSmaller => {}
                    Tried::OutOfBudget => return Err(()),
                }
            }
            if chunk == 1 {
                return Ok(());
            }
            chunk = chunk.div_ceil(2);
        }
    }

    /// Tries each deviation of the best run's plan with each other task chosen instead, the
    /// latest deviation first. Dropping deviations cannot shorten a detour: a switch to a task
    /// that only switches on to the one the bug needs. Returns whether the best got smaller.
    fn retarget(&mut self) -> Result<bool, ()> {
        let plan = plan_of(&self.best.steps);
        let tasks = tasks_of(&self.best.steps);
        for (i, &(at, chosen)) in plan.iter().enumerate().rev() {
            for &task in tasks.iter().filter(|&&t| t != chosen && Some(t) != at.0) {
                let mut other = plan.clone();
                other[i] = (at, task);
                match self.try_plan(other) {
                    Tried::Smaller => return Ok(true),
                    Tried::NotSmaller => {}
                    Tried::OutOfBudget => return Err(()),
                }
            }
        }
        Ok(false)
    }

    /// When two or more preemptions are left, tries every schedule of one: at each point the
    /// best run could have been preempted (the points where it was first), a switch to each
    /// other task. Dropping deviations cannot find these when the needed preemption goes to
    /// another task than any the run switched to. Most concurrency bugs need one preemption
    /// (CHESS's finding), and the points are those of one short run, so this is cheap.
    fn one_preemption(&mut self) -> Result<(), ()> {
        if self.best_size.0 < 2 {
            return Ok(());
        }
        let steps = &self.best.steps;
        let tasks = tasks_of(steps);
        let preemptible = steps
            .iter()
            .filter(|d| !d.yielding && d.current.is_some_and(|c| d.runnable.contains(&c)));
        let (switched, kept): (Vec<&Decision>, Vec<&Decision>) =
            preemptible.partition(|d| d.preempts());
        let candidates: Vec<Plan> = switched
            .into_iter()
            .chain(kept)
            .flat_map(|d| {
                tasks
                    .iter()
                    .filter(move |&&t| Some(t) != d.current)
                    .map(move |&t| vec![(d.at, t)])
            })
            .collect();
        for plan in candidates {
            match self.try_plan(plan) {
                Tried::Smaller => return Ok(()),
                Tried::NotSmaller => {}
                Tried::OutOfBudget => return Err(()),
            }
        }
        Ok(())
    }
}

/// Every task a run scheduled, in id order.
fn tasks_of(steps: &[Decision]) -> Vec<TaskId> {
    let mut tasks: Vec<TaskId> = steps.iter().map(|d| d.chosen).collect();
    tasks.sort();
    tasks.dedup();
    tasks
}

/// Shrinks `original` in at most `budget` trials. `trial(plan)` runs the body once guided by
/// `plan` and returns the failing run if it fails the same way as the original. Returns the
/// smallest failing run found (the original if nothing smaller fails) and what shrinking
/// achieved.
pub(crate) fn shrink<R>(
    original: Failing<R>,
    budget: usize,
    trial: impl FnMut(Plan) -> Option<Failing<R>>,
) -> (Failing<R>, Shrinkage) {
    let (preemptions_before, steps_before) = (preemptions(&original.steps), original.steps.len());
    let mut shrinker = Shrinker {
        best_size: size(&original.steps),
        best: original,
        rejected: HashSet::new(),
        trial,
        trials: 0,
        budget,
        budget_spent: false,
    };
    // Out of budget is in `budget_spent`; either way the best so far is the result.
    let _ = (|| {
        shrinker.drop_deviations()?;
        while shrinker.retarget()? {
            shrinker.drop_deviations()?;
        }
        shrinker.one_preemption()
    })();
    let best = shrinker.best;
    let shrinkage = Shrinkage {
        preemptions_before,
        preemptions_after: preemptions(&best.steps),
        steps_before,
        steps_after: best.steps.len(),
        trials: shrinker.trials,
        budget_spent: shrinker.budget_spent,
    };
    (best, shrinkage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(i: usize) -> TaskId {
        TaskId::from(i)
    }

    /// The `n`-th scheduling point of task 0.
    fn p(n: usize) -> Point {
        (Some(t(0)), n)
    }

    fn step(
        n: usize,
        runnable: &[usize],
        current: usize,
        yielding: bool,
        chosen: usize,
    ) -> Decision {
        Decision {
            at: (Some(t(current)), n),
            runnable: runnable.iter().map(|&i| t(i)).collect(),
            current: Some(t(current)),
            yielding,
            chosen: t(chosen),
        }
    }

    #[test]
    fn the_default_keeps_the_current_task_and_rotates_on_yield() {
        assert_eq!(default_choice(&[t(0), t(1)], Some(t(1)), false), Some(t(1)));
        assert_eq!(default_choice(&[t(0), t(2)], Some(t(1)), false), Some(t(2)));
        assert_eq!(
            default_choice(&[t(0), t(1), t(2)], Some(t(1)), true),
            Some(t(2))
        );
        assert_eq!(default_choice(&[t(0), t(1)], Some(t(1)), true), Some(t(0)));
        assert_eq!(default_choice(&[t(3), t(2)], None, false), Some(t(2)));
        assert_eq!(default_choice(&[], Some(t(0)), false), None);
    }

    #[test]
    fn a_plan_lists_only_deviations_and_counts_preemptions() {
        let steps = vec![
            step(0, &[0, 1], 0, false, 1), // preemption
            step(0, &[0], 1, false, 0),    // 1 blocked: default
            step(1, &[0, 1], 0, true, 0),  // yield, but 0 again: deviation, not preemption
            step(2, &[0, 1], 0, true, 1),  // yield to 1: default
        ];
        assert_eq!(plan_of(&steps), vec![(p(0), t(1)), (p(1), t(0))]);
        assert_eq!(preemptions(&steps), 1);
    }

    #[test]
    fn points_count_each_tasks_own_scheduling_points() {
        let mut recorder = Recorder::default();
        assert_eq!(recorder.point(None), (None, 0));
        assert_eq!(recorder.point(Some(t(0))), p(0));
        assert_eq!(recorder.point(Some(t(1))), (Some(t(1)), 0));
        assert_eq!(recorder.point(Some(t(0))), p(1));
        recorder.reset();
        assert_eq!(recorder.point(Some(t(0))), p(0));
    }

    /// A toy "body" of `n` scheduling points of task 0, with task 1 always runnable: a planned
    /// point runs task 1 (a preemption), every other point task 0.
    fn failing(n: usize, plan: &[(Point, TaskId)]) -> Failing<()> {
        let steps = (0..n)
            .map(|i| match plan.iter().find(|(at, _)| *at == p(i)) {
                Some(&(_, c)) => step(i, &[0, 1], 0, false, usize::from(c)),
                None => step(i, &[0, 1], 0, false, 0),
            })
            .collect();
        Failing { steps, run: () }
    }

    fn preempting_at(points: impl IntoIterator<Item = usize>) -> Plan {
        points.into_iter().map(|i| (p(i), t(1))).collect()
    }

    #[test]
    fn shrinking_drops_deviations_the_failure_does_not_need() {
        // Fails iff the plan keeps its deviations at points 2 and 6.
        let needs = |plan: &Plan| {
            [2, 6]
                .iter()
                .all(|&n| plan.iter().any(|(at, _)| *at == p(n)))
        };
        let mut runs = 0;
        let original = failing(8, &preempting_at([1, 2, 4, 5, 6]));
        let (best, shrunk) = shrink(original, MAX_TRIALS, |plan| {
            runs += 1;
            needs(&plan).then(|| failing(8, &plan))
        });
        assert_eq!(plan_of(&best.steps), preempting_at([2, 6]));
        assert_eq!(
            (shrunk.preemptions_before, shrunk.preemptions_after),
            (5, 2)
        );
        assert_eq!((shrunk.steps_before, shrunk.steps_after), (8, 8));
        assert_eq!(shrunk.trials, runs);
        assert!(!shrunk.budget_spent);
        assert_eq!(
            shrunk.to_string(),
            format!("preemptions 5 -> 2, steps 8 -> 8 ({runs} trials)")
        );
    }

    #[test]
    fn a_failure_that_needs_no_deviation_shrinks_in_one_trial() {
        let original = failing(8, &preempting_at([1, 3, 5]));
        let (best, shrunk) = shrink(original, MAX_TRIALS, |plan| Some(failing(8, &plan)));
        assert!(plan_of(&best.steps).is_empty());
        assert_eq!((shrunk.trials, shrunk.preemptions_after), (1, 0));
        assert_eq!(
            shrunk.to_string(),
            "preemptions 3 -> 0, steps 8 -> 8 (1 trial)"
        );
    }

    /// Shrinks a toy run of `n` preemptions that are all needed (no trial fails); returns the
    /// result and how many trials ran.
    fn shrink_all_needed(n: usize) -> (Failing<()>, Shrinkage, usize) {
        let mut runs = 0;
        let (best, shrunk) = shrink(failing(n, &preempting_at(0..n)), MAX_TRIALS, |_| {
            runs += 1;
            None
        });
        (best, shrunk, runs)
    }

    #[test]
    fn no_plan_is_tried_twice_and_a_needed_plan_is_kept_whole() {
        // Runs of 8: drop all (1 trial); of 4: keep either half (2; dropping one is keeping the
        // other); of 2 and of 1: keep one, drop one (8 and 16).
        let (best, shrunk, runs) = shrink_all_needed(8);
        assert_eq!((runs, shrunk.trials), (27, 27));
        assert_eq!(plan_of(&best.steps), preempting_at(0..8));
        assert!(!shrunk.budget_spent);
    }

    #[test]
    fn a_spent_budget_is_reported_and_never_called_minimal() {
        // 300 needed deviations take over 600 trials to prove needed: over budget.
        let (_, shrunk, runs) = shrink_all_needed(300);
        assert_eq!((runs, shrunk.trials), (MAX_TRIALS, MAX_TRIALS));
        assert!(shrunk.budget_spent);
        assert_eq!(
            shrunk.to_string(),
            "preemptions 300 -> 300, steps 300 -> 300 (trial budget 200 spent: may shrink further)"
        );
    }
}
