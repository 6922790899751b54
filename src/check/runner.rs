//! One pipeline from a search to its report.
//!
//! Every checker is a [`Runner`]: loom, shuttle (random, PCT, DFS and the strategies of
//! `check::strategy`), real std threads and tokio. A runner *searches* (explores schedules, or
//! runs the body for real, until the first failing execution or a bound) and says what it
//! found as a [`Searched`]; it may *shrink* a failing schedule and *replay* one. [`finish`] is
//! the one step that turns a search into a [`Report`], in a fixed order:
//!
//! 1. classify: the failing execution's ending becomes a [`Violation`]
//!    (`check::classify`), and the runner judges it ([`Runner::judge`]: loom drops a leak the
//!    check allows, and records the replay path of the one it keeps);
//! 2. shrink: the runner rewrites the failing schedule into a smaller one that fails the same
//!    way ([`Runner::shrink`]; shuttle only, see `check::shrink`);
//! 3. trace: the (shrunk) schedule is replayed once with the trace recorder on, so the search
//!    itself records nothing ([`Trace`]);
//!
//! and then builds the report once, through [`Report::new`]. A replay goes through the same
//! classification and builds its report the same way ([`Replayed::into_report`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::classify::{classify, Ending};
use super::coverage::Coverage;
use super::shard::Shard;
use super::shrink::Shrinkage;
use super::verdict::{AllowedLeaks, Completeness, Outcome, Report};
use super::Check;
use crate::rt::steps::Trace;
use crate::rt::Execution;
use crate::violation::Violation;

/// A checker: searches a body's executions, and shrinks and replays what it found.
pub(crate) trait Runner {
    /// Explores the body's executions until the first failing one or a bound.
    fn search(&self, check: &Check) -> Searched;

    /// Step 1, after classification: what the runner makes of the violation its search stopped
    /// at (`failed` is how the execution ended), with the replay string the search recorded
    /// for it. `None` lets the search pass (the runner then says why in `searched`). By
    /// default the violation is kept as it is.
    fn judge(
        &self,
        _check: &Check,
        _searched: &mut Searched,
        _failed: &Failed,
        violation: Violation,
        replay: Option<String>,
    ) -> Option<(Violation, Option<String>)> {
        Some((violation, replay))
    }

    /// Step 2: a smaller failing run of the same kind as `violation`, whose schedule is
    /// `replay`; `None` when the runner does not shrink or found nothing smaller to report.
    fn shrink(&self, _check: &Check, _violation: &Violation, _replay: &str) -> Option<Shrunk> {
        None
    }
}

/// The runner of a check that did not run (its settings are invalid, `check::settings`): it
/// searches nothing, and its report holds the misuse it was built with.
pub(crate) struct NotRun;

impl Runner for NotRun {
    fn search(&self, _check: &Check) -> Searched {
        Searched::real("not run".to_owned(), Instant::now(), None, 0)
    }
}

/// What a search found, before it is a report.
pub(crate) struct Searched {
    /// Which checker and settings, as the report names them.
    pub(crate) checker: String,
    /// Executions run (the failing one included).
    pub(crate) iterations: u64,
    /// Wall time of the search.
    pub(crate) elapsed: Duration,
    /// Whether the search was exhaustive or cut by a bound.
    pub(crate) completeness: Completeness,
    /// The pairs of conflicting operations seen in both orders, if recorded.
    pub(crate) coverage: Option<Coverage>,
    /// The shard of a split search.
    pub(crate) shard: Option<Shard>,
    /// Executions that ended with only allowed leaks.
    pub(crate) allowed_leaks: Option<AllowedLeaks>,
    /// What the search stopped at.
    pub(crate) found: Found,
}

/// What a search stopped at.
pub(crate) enum Found {
    /// Nothing: every execution passed.
    Nothing,
    /// This shard did not run the search (another runs it whole).
    Skipped {
        /// Why, and which shard runs it.
        reason: String,
    },
    /// A failing execution, with the replay string of its schedule (none for real runs).
    Failure {
        /// How it failed.
        failed: Failed,
        /// The replay string of its schedule.
        replay: Option<String>,
    },
}

/// How an execution failed.
pub(crate) enum Failed {
    /// A model execution that ended so, still to classify.
    Ended(Arc<Execution>, Ending),
    /// A violation the runner classified itself (real runs, which read their own watchdog).
    Classified(Violation),
}

impl Failed {
    /// The violation of this failure (step 1 of [`finish`]).
    pub(crate) fn classify(&self) -> Violation {
        match self {
            Failed::Ended(execution, ending) => classify(execution, ending.clone()),
            Failed::Classified(v) => v.clone(),
        }
    }
}

/// A shrunk failing run: its violation, its replay string, and by how much it shrank.
pub(crate) struct Shrunk {
    pub(crate) violation: Violation,
    pub(crate) replay: String,
    pub(crate) shrinkage: Shrinkage,
    /// Time spent shrinking, added to the report's.
    pub(crate) elapsed: Duration,
}

impl Searched {
    /// A search that ran nothing: `checker` in a shard that skips it, for `reason`.
    pub(crate) fn skipped(checker: String, walk: &str, shard: Shard) -> Searched {
        Searched {
            checker,
            iterations: 0,
            elapsed: Duration::ZERO,
            completeness: Completeness::Incomplete {
                bound: format!("skipped in shard {shard}"),
            },
            coverage: None,
            shard: Some(shard),
            allowed_leaks: None,
            found: Found::Skipped {
                reason: format!(
                    "{walk} runs whole in shard 1 of {}: its depth-first walk derives every \
                     execution from the one before, so it cannot start midway",
                    shard.count()
                ),
            },
        }
    }

    /// The search of real runs (the std runner, the tokio checker), begun at `start`: up to
    /// `runs` calls of `run_once`, one after another, stopping at the first that finds a
    /// violation. Real runs find bugs only by chance, so the search is never complete; a
    /// failure cannot be replayed, and no coverage or trace is recorded.
    pub(crate) fn of_real_runs(
        checker: String,
        start: Instant,
        runs: u64,
        mut run_once: impl FnMut() -> Option<Violation>,
    ) -> Searched {
        let mut iterations = 0;
        let mut found = None;
        for _ in 0..runs {
            iterations += 1;
            if let Some(v) = run_once() {
                found = Some(v);
                break;
            }
        }
        Searched::real(checker, start, found, iterations)
    }

    /// `iterations` real runs begun at `start` that found `violation`, if any.
    pub(crate) fn real(
        checker: String,
        start: Instant,
        violation: Option<Violation>,
        iterations: u64,
    ) -> Searched {
        Searched {
            checker,
            iterations,
            elapsed: start.elapsed(),
            completeness: Completeness::Incomplete {
                bound: format!("{iterations} real runs"),
            },
            coverage: None,
            shard: None,
            allowed_leaks: None,
            found: match violation {
                Some(v) => Found::Failure {
                    failed: Failed::Classified(v),
                    replay: None,
                },
                None => Found::Nothing,
            },
        }
    }

    /// The report of this search, its failure (if any) already classified, shrunk and traced.
    fn report(
        self,
        outcome: Outcome,
        replay: Option<String>,
        shrunk: Option<Shrinkage>,
        trace: Option<Trace>,
    ) -> Report {
        let mut report = Report::new(
            self.checker,
            outcome,
            self.iterations,
            self.elapsed,
            self.completeness,
        );
        report.replay = replay;
        report.coverage = self.coverage;
        report.shard = self.shard;
        report.trace = trace;
        report.shrunk = shrunk;
        report.allowed_leaks = self.allowed_leaks;
        report
    }
}

/// The one finish step: classify, then shrink, then trace, then the report, built once.
pub(crate) fn finish(runner: &impl Runner, check: &Check, mut searched: Searched) -> Report {
    let (failed, replay) = match std::mem::replace(&mut searched.found, Found::Nothing) {
        Found::Nothing => return searched.report(Outcome::NoViolation, None, None, None),
        Found::Skipped { reason } => {
            return searched.report(Outcome::Skipped { reason }, None, None, None)
        }
        Found::Failure { failed, replay } => (failed, replay),
    };
    // 1. classify, and the runner's judgement of it. A hang may be the work of a thread the
    // body spawned with `std::thread::spawn`, which runs beside the model in real time: its
    // first touch of a model primitive records the misuse that explains the hang, so the hang
    // waits for it, a bounded time (`rt::live::STRAY_GRACE`), once per report.
    if let Failed::Ended(execution, ending) = &failed {
        if ending.is_all_blocked() {
            crate::rt::live::await_stray(execution, crate::rt::live::STRAY_GRACE);
        }
    }
    let violation = failed.classify();
    let Some((mut violation, mut replay)) =
        runner.judge(check, &mut searched, &failed, violation, replay)
    else {
        return searched.report(Outcome::NoViolation, None, None, None);
    };
    // 2. shrink.
    let mut shrinkage = None;
    if let Some(found) = replay.as_deref() {
        if let Some(shrunk) = runner.shrink(check, &violation, found) {
            violation = shrunk.violation;
            replay = Some(shrunk.replay);
            shrinkage = Some(shrunk.shrinkage);
            searched.elapsed += shrunk.elapsed;
        }
    }
    // 3. trace: the failing schedule once more, with the recorder on.
    let trace = replay
        .as_deref()
        .and_then(|r| super::replay::replayed(check, r).ok())
        .and_then(|r| r.trace);
    searched.report(Outcome::Violation(violation), replay, shrinkage, trace)
}

/// One replayed schedule, before it is a report.
pub(crate) struct Replayed {
    /// What the replay ran; its completeness is one replayed schedule.
    pub(crate) searched: Searched,
    /// The replay string it ran.
    pub(crate) replay: String,
    /// The replayed execution's interleaving.
    pub(crate) trace: Option<Trace>,
}

impl Replayed {
    /// The replay's report: its failure classified, nothing shrunk, the replay string kept.
    pub(crate) fn into_report(mut self) -> Report {
        let outcome = match std::mem::replace(&mut self.searched.found, Found::Nothing) {
            Found::Failure { failed, .. } => Outcome::Violation(failed.classify()),
            Found::Nothing => Outcome::NoViolation,
            Found::Skipped { reason } => Outcome::Skipped { reason },
        };
        self.searched
            .report(outcome, Some(self.replay), None, self.trace)
    }
}
