//! The identity of a run: what a shard report must share with the others to be merged.
//!
//! Every row of a `--json` report carries it (`"run": {...}`), so `concheck merge` can refuse
//! shards of different runs: another seed gives other schedules, another iteration count or
//! budget another share of them, another filter or checker list other rows, another crate
//! version other checkers, another N other seed streams. Whatever differs is named, with the
//! values and the files they came from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cli::RunArgs;

/// What the shards of one run share. Two reports merge only if these are equal field by field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RunIdentity {
    /// The version of the concheck crate that ran the checks.
    pub version: String,
    /// The seed of shuttle's random and PCT searches (`None`: each checker's default).
    pub seed: Option<u64>,
    /// Executions per search (`None`: each checker's default).
    pub iterations: Option<u64>,
    /// The time budget of each search, as given (`None`: none).
    pub budget: Option<String>,
    /// Workers per shuttle search (`None`: 1).
    pub workers: Option<u64>,
    /// loom's preemption bound (`None`: each scenario's own; `Some(None)`: exhaustive).
    pub loom_bound: Option<Option<usize>>,
    /// The checkers asked for (empty: the default set).
    pub checkers: Vec<String>,
    /// The name filters (empty: every scenario).
    pub filters: Vec<String>,
    /// How many shards the run was split into (1 when it was not).
    pub shards: u32,
}

impl RunIdentity {
    /// The identity of a run with these settings.
    pub(crate) fn of(args: &RunArgs) -> RunIdentity {
        RunIdentity {
            version: concheck::check::VERSION.to_owned(),
            seed: args.seed,
            iterations: args.iterations,
            budget: args.budget.map(|b| format!("{b:?}")),
            workers: args.workers,
            loom_bound: args.loom_bound.map(|b| b.0),
            checkers: args
                .checkers
                .iter()
                .map(|c| format!("{c:?}").to_lowercase())
                .collect(),
            filters: args.filters.clone(),
            shards: args.shard.map_or(1, concheck::check::Shard::count),
        }
    }

    /// The first field in which `other` differs from `self`, with both values shown.
    pub(crate) fn difference(&self, other: &RunIdentity) -> Option<Difference> {
        let show_opt = |v: Option<String>, default: &str| v.unwrap_or_else(|| default.to_owned());
        let list = |v: &[String], default: &str| {
            if v.is_empty() {
                default.to_owned()
            } else {
                v.join(",")
            }
        };
        let bound = |b: Option<Option<usize>>| match b {
            None => "each scenario's own".to_owned(),
            Some(None) => "none".to_owned(),
            Some(Some(n)) => n.to_string(),
        };
        let fields: [(&'static str, String, String); 9] = [
            ("crate version", self.version.clone(), other.version.clone()),
            (
                "seed",
                show_opt(self.seed.map(|s| format!("{s:#x}")), "default"),
                show_opt(other.seed.map(|s| format!("{s:#x}")), "default"),
            ),
            (
                "iterations",
                show_opt(self.iterations.map(|n| n.to_string()), "default"),
                show_opt(other.iterations.map(|n| n.to_string()), "default"),
            ),
            (
                "budget",
                show_opt(self.budget.clone(), "none"),
                show_opt(other.budget.clone(), "none"),
            ),
            (
                "workers",
                show_opt(self.workers.map(|n| n.to_string()), "default"),
                show_opt(other.workers.map(|n| n.to_string()), "default"),
            ),
            (
                "loom bound",
                bound(self.loom_bound),
                bound(other.loom_bound),
            ),
            (
                "checkers",
                list(&self.checkers, "default"),
                list(&other.checkers, "default"),
            ),
            (
                "filter",
                list(&self.filters, "none"),
                list(&other.filters, "none"),
            ),
            (
                "shard count",
                self.shards.to_string(),
                other.shards.to_string(),
            ),
        ];
        fields
            .into_iter()
            .find(|(_, a, b)| a != b)
            .map(|(field, ours, theirs)| Difference {
                field,
                ours,
                theirs,
            })
    }
}

/// One field in which two run identities differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Difference {
    /// The field's name as the command line knows it (`seed`, `filter`, `shard count`).
    pub field: &'static str,
    /// Its value in the first report.
    pub ours: String,
    /// Its value in the other.
    pub theirs: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} vs {}", self.field, self.ours, self.theirs)
    }
}
