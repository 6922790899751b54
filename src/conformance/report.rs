//! What a suite returns: each property, its reports under every checker, and whether it held.

use std::fmt;

use crate::check::{Check, Checker, Completeness, Report};
use crate::go::choice;
use crate::violation::ViolationKind;

/// The panic a property body raises when a misuse it makes returns normally; a report carrying
/// it means the implementation accepted what it must refuse.
pub(crate) const ACCEPTED: &str = "conformance: misuse accepted";

/// The panic a property body raises when it reaches an outcome some schedule must reach (a
/// select taking its second ready case); a report carrying it means the search reached it.
pub(crate) const REACHED: &str = "conformance: outcome reached";

/// What a property requires of the report of every checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expect {
    /// The body runs without a violation in every schedule the checker tries.
    NoViolation,
    /// The body misuses the type (a second close, say), which the implementation must refuse:
    /// by reporting this kind (what concheck's own `go` primitives do) or by panicking (an
    /// [`AssertionFailed`](ViolationKind::AssertionFailed) or
    /// [`TaskPanicked`](ViolationKind::TaskPanicked) report), as Go does. A misuse that returns
    /// normally fails the property, and so does any other violation (a deadlock, say).
    Refusal(ViolationKind),
    /// Some schedule must reach an outcome the body marks (a select taking its second ready
    /// case): the checker's report must carry the body's mark. A checker that cannot branch
    /// there (loom, shuttle's DFS on a select's choice) must say so in its report's
    /// completeness (`select choice among ready cases not explored`); a search that claims to
    /// have looked and never reached it fails the property.
    Reaches,
}

impl Expect {
    /// Whether `report` meets this expectation.
    pub fn accepts(self, report: &Report) -> bool {
        match (self, report.violation()) {
            (Expect::NoViolation, v) => v.is_none(),
            (Expect::Refusal(_), None) => false,
            (Expect::Reaches, Some(v)) => v.message.contains(REACHED),
            (Expect::Reaches, None) => matches!(
                &report.completeness,
                Completeness::Incomplete { bound } if bound.contains(choice::UNEXPLORED)
            ),
            (Expect::Refusal(kind), Some(v)) => {
                v.kind == kind
                    || (matches!(
                        v.kind,
                        ViolationKind::AssertionFailed | ViolationKind::TaskPanicked
                    ) && !v.message.contains(ACCEPTED))
            }
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::NoViolation => f.write_str("no violation"),
            Expect::Refusal(kind) => write!(f, "a {kind} or a panic"),
            Expect::Reaches => f.write_str("a schedule that reaches the marked outcome"),
        }
    }
}

/// One property of a suite, checked under every checker it was given.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PropertyReport {
    /// Its name, e.g. `rendezvous_at_capacity_0`; stable, so tests can look it up.
    pub name: &'static str,
    /// What it requires of the implementation, one sentence.
    pub requirement: &'static str,
    /// What every checker's report must show.
    pub expect: Expect,
    /// One report per checker, in the order the checkers were given.
    pub reports: Vec<Report>,
}

impl PropertyReport {
    /// Runs `check` under every checker.
    pub(crate) fn run(
        name: &'static str,
        requirement: &'static str,
        expect: Expect,
        check: &Check,
        checkers: &[Checker],
    ) -> Self {
        PropertyReport {
            name,
            requirement,
            expect,
            reports: checkers.iter().map(|c| check.run(c)).collect(),
        }
    }

    /// True when every checker's report meets [`expect`](Self::expect). A property checked by
    /// no checker has not passed.
    pub fn passed(&self) -> bool {
        !self.reports.is_empty() && self.reports.iter().all(|r| self.expect.accepts(r))
    }

    /// The reports that do not meet the expectation.
    pub fn failures(&self) -> impl Iterator<Item = &Report> + '_ {
        self.reports.iter().filter(|r| !self.expect.accepts(r))
    }

    /// `FAIL`, the name and requirement, then every failing report.
    fn write_failures(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  FAIL {}: {}", self.name, self.requirement)?;
        for report in self.failures() {
            let why = match (self.expect, report.violation()) {
                (Expect::NoViolation, _) => String::new(),
                (Expect::Refusal(kind), None) => {
                    format!(" (expected {kind} or a panic: the misuse returned normally)")
                }
                (Expect::Refusal(kind), Some(v)) if v.message.contains(ACCEPTED) => {
                    format!(" (expected {kind} or a panic: the misuse returned normally)")
                }
                (Expect::Refusal(kind), Some(_)) => format!(" (expected {kind} or a panic)"),
                (Expect::Reaches, None) => {
                    " (expected some schedule to reach the outcome: none of those searched did)"
                        .to_owned()
                }
                (Expect::Reaches, Some(_)) => {
                    " (expected some schedule to reach the outcome, not this violation)".to_owned()
                }
            };
            let text = report.to_string();
            let mut lines = text.lines();
            if let Some(first) = lines.next() {
                writeln!(f, "    {first}{why}")?;
            }
            for line in lines {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

/// What a conformance suite found: every property, passed or failed, with the checker reports.
///
/// `Display` prints one line per property and, for each failure, the checker, the violation
/// and the replay string. [`assert_passed`](Self::assert_passed) panics with the failures.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SuiteReport {
    /// The suite and the implementation, e.g. `channel conformance of my_crate::MyChannel`.
    pub suite: String,
    /// The implementation's type name.
    pub implementation: String,
    /// Every property, in the order the suite checks them.
    pub properties: Vec<PropertyReport>,
    /// The function that gives a property's `Check`, for the replay hint.
    property_fn: &'static str,
}

impl SuiteReport {
    pub(crate) fn new(suite: &str, implementation: &str, property_fn: &'static str) -> Self {
        SuiteReport {
            suite: format!("{suite} conformance of {implementation}"),
            implementation: implementation.to_owned(),
            properties: Vec::new(),
            property_fn,
        }
    }

    /// True when every property passed.
    pub fn passed(&self) -> bool {
        self.properties.iter().all(PropertyReport::passed)
    }

    /// The property named `name`, if the suite has one.
    pub fn property(&self, name: &str) -> Option<&PropertyReport> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The properties that failed.
    pub fn failed(&self) -> impl Iterator<Item = &PropertyReport> + '_ {
        self.properties.iter().filter(|p| !p.passed())
    }

    /// The names of the properties that failed.
    pub fn failed_names(&self) -> Vec<&'static str> {
        self.failed().map(|p| p.name).collect()
    }

    /// Panics with every failed property (name, checker, violation, replay string) unless all
    /// passed.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("{}", Failures(self));
        }
    }

    fn write_header(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let passed = self.properties.iter().filter(|p| p.passed()).count();
        writeln!(
            f,
            "{}: {passed} of {} properties passed",
            self.suite,
            self.properties.len()
        )
    }
}

/// The failed properties of a suite, for `assert_passed`.
struct Failures<'a>(&'a SuiteReport);

impl fmt::Display for Failures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_header(f)?;
        for p in self.0.failed() {
            p.write_failures(f)?;
        }
        let example = self.0.failed().find_map(|p| {
            p.failures()
                .find_map(|r| r.replay.as_deref())
                .map(|r| (p.name, r))
        });
        match example {
            Some((name, replay)) => write!(
                f,
                "replay a failing schedule once, under a debugger or with println!, with \
                 concheck::check::replay(&concheck::conformance::{}::<{}>({name:?}).unwrap(), \
                 {replay:?}).unwrap()",
                self.0.property_fn, self.0.implementation
            ),
            None => write!(
                f,
                "std runs cannot be replayed: run the suite under loom or shuttle for a \
                 replayable schedule"
            ),
        }
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_header(f)?;
        for p in &self.properties {
            if p.passed() {
                let outcomes: Vec<String> = p
                    .reports
                    .iter()
                    .map(|r| {
                        let outcome = match (p.expect, r.violation()) {
                            (Expect::Refusal(_), Some(v)) => format!("refused ({})", v.kind),
                            (Expect::Reaches, Some(_)) => "reached".to_owned(),
                            _ => r.outcome_label(),
                        };
                        format!("{} {outcome}", short_checker(&r.checker))
                    })
                    .collect();
                let secs: f64 = p.reports.iter().map(|r| r.elapsed.as_secs_f64()).sum();
                writeln!(f, "  ok   {} ({}; {secs:.2}s)", p.name, outcomes.join(", "))?;
            } else {
                p.write_failures(f)?;
            }
        }
        Ok(())
    }
}

/// `loom (preemption bound 2)` -> `loom`, for the one-line summaries.
fn short_checker(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label)
}
