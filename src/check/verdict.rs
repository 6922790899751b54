//! What a checker returns: the [`Report`] (outcome, violation, iterations, time,
//! completeness, coverage, shard, replay string, trace, and how much the failing schedule was
//! shrunk), built once by the runners' finish step (`check::runner`). Its forms (text, HTML,
//! JSON, the merge of shards' reports) are the report layer's, in `crate::report`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Coverage, Shard, Shrinkage};
use crate::rt::steps::Trace;
use crate::violation::{Violation, ViolationKind};

/// Whether the search was exhaustive, or cut by a bound.
///
/// This says what the search's space was, not whether the search stopped at a violation:
/// that is [`Report::stopped_at_violation`]. A failing exhaustive search is `Complete` (no
/// bound cut it) and stopped at its first violation; reports print it as `stopped at first
/// violation of an exhaustive search` ([`Report::search_label`]), never as `complete`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Completeness {
    /// The search was exhaustive: no bound cut it (loom with no preemption bound, shuttle DFS
    /// that ran out of schedules before its iteration cap). With no violation, every schedule
    /// in the checker's space was explored.
    Complete,
    /// Only part of the space was explored; `bound` says what cut it. A run like this that found
    /// nothing is "no violation found", never "pass".
    Incomplete {
        /// The bound, e.g. `preemption bound 2` or `1000 random schedules`.
        bound: String,
    },
}

impl Completeness {
    /// The same search, also missing what `why` names: a complete one becomes incomplete.
    pub(crate) fn and_unexplored(self, why: &str) -> Completeness {
        let bound = match self {
            Completeness::Complete => why.to_owned(),
            Completeness::Incomplete { bound } => format!("{bound}; {why}"),
        };
        Completeness::Incomplete { bound }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// No execution violated anything.
    NoViolation,
    /// An execution broke a rule.
    Violation(Violation),
    /// This shard did not run the check: the checker's search is not split, and another shard
    /// runs it whole (see [`crate::check::Shard`]). Both asserts pass on it: the shard that runs
    /// the check holds it.
    Skipped {
        /// Why, and which shard runs it.
        reason: String,
    },
}

/// A checker's report on one body. Built with [`Report::new`]; the fields are public to read
/// and to set.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// Which checker and settings, e.g. `loom (preemption bound 2)`.
    pub checker: String,
    /// The result.
    pub outcome: Outcome,
    /// Executions run (the failing one included).
    pub iterations: u64,
    /// Wall time of the whole check.
    #[serde(with = "secs")]
    pub elapsed: Duration,
    /// Whether the search was exhaustive or cut by a bound.
    pub completeness: Completeness,
    /// Whether the search stopped at a violation (every checker stops at its first), so it did
    /// not explore the rest of its space, exhaustive or not. Set by [`Report::new`] from the
    /// outcome.
    #[serde(default)]
    pub stopped_at_violation: bool,
    /// For a violation: the string [`crate::check::replay`] takes to run the failing schedule
    /// again. `None` for passing runs and for std runs, which cannot be replayed.
    pub replay: Option<String>,
    /// For loom and shuttle searches: the pairs of conflicting operations seen in both orders
    /// (see [`Coverage`]). `None` for std runs and replays, which record none.
    #[serde(default)]
    pub coverage: Option<Coverage>,
    /// The shard of a sharded search this report covers; `None` when the search was not split.
    #[serde(default)]
    pub shard: Option<Shard>,
    /// For a violation under loom or shuttle: the failing execution's interleaving, recorded by
    /// replaying its schedule once more (see [`Trace`]).
    #[serde(default)]
    pub trace: Option<Trace>,
    /// For a violation found by a shuttle search: how much its failing schedule was shrunk
    /// before it was reported (see [`Shrinkage`]). The violation and `replay` then describe the
    /// shrunk run. `None` for loom (see `check::shrink` for why), std, tokio and replays.
    #[serde(default)]
    pub shrunk: Option<Shrinkage>,
    /// Executions that ended with only tasks the check allows to leak still blocked
    /// ([`Check::allow_leak`](crate::check::Check::allow_leak)): they passed, and the report says so.
    #[serde(default)]
    pub allowed_leaks: Option<AllowedLeaks>,
}

/// Executions whose only leaked tasks were ones the check allows to leak
/// ([`Check::allow_leak`](crate::check::Check::allow_leak)), in the spirit of goleak's
/// `IgnoreTopFunction`: not a violation, never a silent pass either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedLeaks {
    /// How many executions ended so.
    pub executions: u64,
    /// The leak report of the first of them: which tasks, where spawned, what they block on.
    pub first: String,
}

impl AllowedLeaks {
    /// Counts one more execution whose leak `message` was allowed.
    pub(crate) fn note(slot: &mut Option<AllowedLeaks>, message: &str) {
        match slot {
            Some(a) => a.executions += 1,
            None => {
                *slot = Some(AllowedLeaks {
                    executions: 1,
                    first: message.to_owned(),
                })
            }
        }
    }
}

impl Report {
    /// A report of `iterations` executions in `elapsed` that ended in `outcome`, with nothing
    /// else recorded (no replay string, coverage, shard, trace, shrinkage or allowed leaks):
    /// set those fields after. Every report is built here, the checkers' through one finish
    /// step (classify, shrink, trace), so a field added later has one place to start from.
    pub fn new(
        checker: impl Into<String>,
        outcome: Outcome,
        iterations: u64,
        elapsed: Duration,
        completeness: Completeness,
    ) -> Report {
        Report {
            checker: checker.into(),
            stopped_at_violation: matches!(outcome, Outcome::Violation(_)),
            outcome,
            iterations,
            elapsed,
            completeness,
            replay: None,
            coverage: None,
            shard: None,
            trace: None,
            shrunk: None,
            allowed_leaks: None,
        }
    }

    /// The violation found, if any.
    pub fn violation(&self) -> Option<&Violation> {
        match &self.outcome {
            Outcome::Violation(v) => Some(v),
            Outcome::NoViolation | Outcome::Skipped { .. } => None,
        }
    }

    /// Whether this shard skipped the check (another shard runs it).
    pub fn skipped(&self) -> bool {
        matches!(self.outcome, Outcome::Skipped { .. })
    }

    /// The kind of violation found, if any.
    pub fn kind(&self) -> Option<ViolationKind> {
        self.violation().map(|v| v.kind)
    }

    /// True when no violation was found *and* the search was complete.
    pub fn verified(&self) -> bool {
        self.violation().is_none() && self.completeness == Completeness::Complete
    }

    /// One word for tables: `verified`, `no violation`, `skipped`, or the violation kind.
    pub fn outcome_label(&self) -> String {
        match (&self.outcome, &self.completeness) {
            (Outcome::NoViolation, Completeness::Complete) => "verified".to_owned(),
            (Outcome::NoViolation, Completeness::Incomplete { .. }) => "no violation".to_owned(),
            (Outcome::Violation(v), _) => v.kind.name().to_owned(),
            (Outcome::Skipped { .. }, _) => "skipped".to_owned(),
        }
    }

    /// How far the search went, as every report prints it: `complete`, `incomplete: <bound>`,
    /// or, for an exhaustive search that stopped at a violation, `stopped at first violation of
    /// an exhaustive search` (it is not complete: the rest of its space was not explored).
    pub fn search_label(&self) -> String {
        match &self.completeness {
            Completeness::Complete if self.stopped_at_violation => {
                "stopped at first violation of an exhaustive search".to_owned()
            }
            c => completeness_label(c),
        }
    }

    /// Panics with the report unless no violation was found.
    #[track_caller]
    pub fn assert_no_violation(&self) {
        if let Some(v) = self.violation() {
            panic!(
                "{} found a violation:\n{self}\n{}",
                self.checker,
                replay_hint(self, v)
            );
        }
    }

    /// Panics with the report unless a violation of `kind` was found (or this shard skipped the
    /// check: the shard that runs it holds it).
    #[track_caller]
    pub fn assert_finds(&self, kind: ViolationKind) {
        if self.skipped() {
            return;
        }
        match self.violation() {
            Some(v) if v.kind == kind => {}
            Some(_) => panic!(
                "{} was expected to find a {kind} but found:\n{self}",
                self.checker
            ),
            None => panic!(
                "{} was expected to find a {kind} but found none in {} iterations ({})",
                self.checker,
                self.iterations,
                completeness_label(&self.completeness)
            ),
        }
    }
}

fn replay_hint(report: &Report, _v: &Violation) -> String {
    match &report.replay {
        Some(r) => format!("replay it with concheck::check::replay(check, {r:?})"),
        None => "std runs cannot be replayed: check the same body under shuttle to get a replayable schedule"
            .to_owned(),
    }
}

/// `complete` or `incomplete (<bound>)`.
pub fn completeness_label(c: &Completeness) -> String {
    match c {
        Completeness::Complete => "complete".to_owned(),
        Completeness::Incomplete { bound } => format!("incomplete: {bound}"),
    }
}

/// `12,345`: counts in reports are read by people.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs_f64(f64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped_by_three() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (12_345, "12,345"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(thousands(n), text);
        }
    }
}
