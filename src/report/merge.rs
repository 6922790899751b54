//! One report from the reports of a check's shards.
//!
//! Iterations add up, the coverage is the union of the shards' ordered pairs, the first
//! violation (by shard number) is the outcome with its replay string, and the completeness says
//! how the search was split: `incomplete: 4 shards x 1,000 random schedules`. A check that only
//! shard 1 runs (loom, DFS) keeps shard 1's result. Missing shards are named, never hidden.

use std::time::Duration;

use super::{thousands, Completeness, Outcome, Report};
use crate::check::{Coverage, Shard, ShardError};

/// Merges the reports of the shards of one check (one body under one checker, run once per
/// shard `K/N`) into one report; its `shard` is `None` and its time the longest shard's (the
/// shards ran side by side).
///
/// # Errors
///
/// If `reports` is empty, a report has no shard, the shard counts differ, or a shard appears
/// twice: each says what to fix.
pub fn merge_shards(reports: &[Report]) -> Result<Report, ShardError> {
    let mut shards: Vec<(Shard, &Report)> = Vec::with_capacity(reports.len());
    for r in reports {
        let shard = r.shard.ok_or_else(|| {
            ShardError(format!(
                "the report of {} has no shard: merge only reports of sharded runs (--shard K/N \
                 or CONCHECK_SHARD=K/N)",
                r.checker
            ))
        })?;
        shards.push((shard, r));
    }
    shards.sort_by_key(|(s, _)| *s);
    let Some(&(first, _)) = shards.first() else {
        return Err(ShardError(
            "nothing to merge: give the reports of every shard".to_owned(),
        ));
    };
    let count = first.count();
    for pair in shards.windows(2) {
        let (a, b) = (pair[0].0, pair[1].0);
        if b.count() != count {
            return Err(ShardError(format!(
                "shards {a} and {b} come from splits of different sizes: merge the reports of \
                 one split"
            )));
        }
        if a == b {
            return Err(ShardError(format!(
                "shard {a} appears twice: merge each shard's report once"
            )));
        }
    }
    let ran: Vec<&Report> = shards
        .iter()
        .map(|(_, r)| *r)
        .filter(|r| !r.skipped())
        .collect();
    let missing: Vec<String> = (1..=count)
        .filter(|k| !shards.iter().any(|(s, _)| s.index() == *k))
        .map(|k| k.to_string())
        .collect();

    let found = ran.iter().find(|r| r.violation().is_some());
    let base = found
        .copied()
        .or(ran.first().copied())
        .unwrap_or(shards[0].1);
    let outcome = match (found, ran.is_empty()) {
        (Some(r), _) => r.outcome.clone(),
        (None, true) => base.outcome.clone(),
        (None, false) => Outcome::NoViolation,
    };
    let coverage = ran
        .iter()
        .filter_map(|r| r.coverage.as_ref())
        .fold(None, |acc: Option<Coverage>, c| {
            Some(acc.map_or_else(|| c.clone(), |a| a.merge(c)))
        });
    let found_in = match found {
        Some(r) => format!(
            ", found in shard {}",
            r.shard.map_or_else(String::new, |s| s.to_string())
        ),
        None => String::new(),
    };
    let mut merged = Report::new(
        format!("{}{found_in}", base.checker),
        outcome,
        ran.iter().map(|r| r.iterations).sum(),
        ran.iter()
            .map(|r| r.elapsed)
            .max()
            .unwrap_or(Duration::ZERO),
        completeness(&ran, shards.len() > ran.len(), count, &missing),
    );
    merged.replay = found.and_then(|r| r.replay.clone());
    merged.coverage = coverage;
    merged.trace = found.and_then(|r| r.trace.clone());
    merged.shrunk = found.and_then(|r| r.shrunk);
    merged.allowed_leaks = ran
        .iter()
        .filter_map(|r| r.allowed_leaks.clone())
        .reduce(|mut a, b| {
            a.executions += b.executions;
            a
        });
    Ok(merged)
}

/// The completeness of the merged search: `skipped_elsewhere` when some shard given skipped the
/// check (a depth-first walk that shard 1 runs whole).
fn completeness(
    ran: &[&Report],
    skipped_elsewhere: bool,
    count: u32,
    missing: &[String],
) -> Completeness {
    let missing = if missing.is_empty() {
        String::new()
    } else {
        format!(
            " (shard {} of {count} missing: its schedules were not run)",
            missing.join(", ")
        )
    };
    let bounds: Vec<&str> = ran
        .iter()
        .filter_map(|r| match &r.completeness {
            Completeness::Incomplete { bound } => Some(bound.as_str()),
            Completeness::Complete => None,
        })
        .collect();
    if bounds.is_empty() && missing.is_empty() && !ran.is_empty() {
        return Completeness::Complete;
    }
    let bound = match (ran.len(), bounds.as_slice()) {
        (0, _) => "every shard skipped it".to_owned(),
        (1, [one]) if skipped_elsewhere => format!("{one} (one shard runs it whole)"),
        (1, [one]) => (*one).to_owned(),
        (1, []) => "complete in the one shard that runs it".to_owned(),
        (n, [first, rest @ ..]) if rest.iter().all(|b| b == first) && bounds.len() == n => {
            format!("{n} shards x {first}")
        }
        (n, _) => format!(
            "{n} shards, {} iterations in all: {}",
            thousands(ran.iter().map(|r| r.iterations).sum()),
            bounds.join("; ")
        ),
    };
    Completeness::Incomplete {
        bound: format!("{bound}{missing}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::violation::{Violation, ViolationKind};

    fn report(shard: &str, iterations: u64, outcome: Outcome, ordered: &[u64]) -> Report {
        let mut r = Report::new(
            "shuttle random (seed 0xc0ffee)",
            outcome,
            iterations,
            Duration::from_millis(iterations),
            Completeness::Incomplete {
                bound: format!("{iterations} random schedules"),
            },
        );
        r.coverage = Some(Coverage::from_ordered(ordered.iter().copied()));
        r.shard = Some(shard.parse().unwrap());
        r
    }

    #[test]
    fn shards_sum_their_schedules_and_union_their_coverage() {
        let merged = merge_shards(&[
            report("2/2", 1000, Outcome::NoViolation, &[10, 20]),
            report("1/2", 1000, Outcome::NoViolation, &[11]),
        ])
        .unwrap();
        assert_eq!(merged.iterations, 2000);
        assert_eq!(
            merged.completeness,
            Completeness::Incomplete {
                bound: "2 shards x 1000 random schedules".to_owned()
            }
        );
        assert_eq!(merged.coverage.unwrap().to_string(), "pairs 1/2 (50%)");
        assert_eq!(merged.shard, None);
    }

    #[test]
    fn a_violation_in_any_shard_is_the_outcome_and_missing_shards_are_named() {
        let v = Outcome::Violation(Violation::new(ViolationKind::Deadlock, "stuck".to_owned()));
        let mut failing = report("3/4", 7, v, &[]);
        failing.replay = Some("shuttle:abc".to_owned());
        let merged =
            merge_shards(&[report("1/4", 1000, Outcome::NoViolation, &[]), failing]).unwrap();
        assert_eq!(merged.kind(), Some(ViolationKind::Deadlock));
        assert_eq!(merged.replay.as_deref(), Some("shuttle:abc"));
        assert!(
            merged.checker.ends_with("found in shard 3/4"),
            "{}",
            merged.checker
        );
        let Completeness::Incomplete { bound } = &merged.completeness else {
            panic!("a merge of sampled shards is incomplete");
        };
        assert!(bound.contains("shard 2, 4 of 4 missing"), "{bound}");
    }

    #[test]
    fn a_check_only_shard_one_runs_keeps_its_result() {
        let skipped = |s: &str| {
            let mut r = report(
                s,
                0,
                Outcome::Skipped {
                    reason: "loom runs whole in shard 1".to_owned(),
                },
                &[],
            );
            r.coverage = None;
            r
        };
        let mut loom = report("1/2", 8, Outcome::NoViolation, &[]);
        loom.completeness = Completeness::Complete;
        let merged = merge_shards(&[loom, skipped("2/2")]).unwrap();
        assert!(merged.verified(), "{merged}");
        assert_eq!(merged.iterations, 8);
    }

    #[test]
    fn reports_that_are_not_one_split_are_refused() {
        let a = report("1/2", 1, Outcome::NoViolation, &[]);
        let b = report("1/3", 1, Outcome::NoViolation, &[]);
        assert!(merge_shards(&[a.clone(), b])
            .unwrap_err()
            .to_string()
            .contains("different sizes"));
        assert!(merge_shards(&[a.clone(), a.clone()])
            .unwrap_err()
            .to_string()
            .contains("twice"));
        let mut unsharded = a;
        unsharded.shard = None;
        assert!(merge_shards(&[unsharded])
            .unwrap_err()
            .to_string()
            .contains("no shard"));
        assert!(merge_shards(&[]).is_err());
    }
}
