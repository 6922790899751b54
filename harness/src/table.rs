//! The table the main command prints: one row per scenario and checker.

use serde::{Deserialize, Serialize};

use concheck::check::{completeness_label, Checker, Report, Shard};
use concheck_scenarios::compile_fail::CompileFail;
use concheck_scenarios::{Role, Scenario};

use crate::child::role_label;
use crate::identity::RunIdentity;

/// One scenario under one checker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Row {
    pub scenario: String,
    pub pattern: String,
    pub role: String,
    pub checker: String,
    pub outcome: String,
    /// `None` for rows no checker ran (compile-fail cases).
    pub iterations: Option<u64>,
    pub seconds: Option<f64>,
    /// The coverage figure (`10/17 (58%)`), `-` where none is recorded (std, compile-fail).
    #[serde(default)]
    pub coverage: String,
    pub complete: String,
    /// Whether the row meets the scenario's role.
    pub ok: bool,
    /// For std runs of twins, whether real threads happened to show the bug.
    pub note: String,
    /// The shard of a sharded run this row comes from.
    #[serde(default)]
    pub shard: Option<Shard>,
    pub report: Option<Report>,
    /// The run this row comes from (seed, budgets, filters, checkers, version, shard count):
    /// `concheck merge` merges only rows of one run. `None` in reports written before it was
    /// recorded, which merge refuses.
    #[serde(default)]
    pub run: Option<RunIdentity>,
}

/// A coverage cell: `10/17 (58%)`, or `-`.
pub(crate) fn coverage_cell(report: Option<&Report>) -> String {
    match report.and_then(|r| r.coverage.as_ref()) {
        Some(c) => match c.percent() {
            Some(p) => format!("{}/{} ({p}%)", c.both_orders, c.pairs),
            None => "no pairs".to_owned(),
        },
        None => "-".to_owned(),
    }
}

impl Row {
    pub(crate) fn new(
        scenario: &Scenario,
        checker: &Checker,
        report: Report,
        shard: Option<Shard>,
    ) -> Row {
        // A check this shard skips is held to its role by the shard that runs it.
        let unmet = scenario.unmet(checker, &report);
        let ok = unmet.is_none();
        let note = match (unmet, scenario.role, checker) {
            _ if report.skipped() => "shard 1 runs it".to_owned(),
            // Why the row fails, where the outcome alone does not say (a one-schedule
            // reference, a twin caught by another assertion or missed).
            (Some(why), ..) => why,
            (None, Role::Twin { .. }, Checker::Std(_)) if report.violation().is_none() => {
                "real threads missed it".to_owned()
            }
            _ => String::new(),
        };
        Row {
            scenario: scenario.name.to_owned(),
            pattern: scenario.pattern.to_owned(),
            role: role_label(scenario.role),
            checker: checker.short_name().to_owned(),
            outcome: report.outcome_label(),
            iterations: Some(report.iterations),
            seconds: Some(report.elapsed.as_secs_f64()),
            coverage: coverage_cell(Some(&report)),
            complete: complete_cell(&report),
            ok,
            note,
            shard: report.shard.or(shard),
            report: Some(report),
            run: None,
        }
    }

    pub(crate) fn crashed(
        scenario: &Scenario,
        checker: &Checker,
        shard: Option<Shard>,
        why: String,
    ) -> Row {
        Row {
            scenario: scenario.name.to_owned(),
            pattern: scenario.pattern.to_owned(),
            role: role_label(scenario.role),
            checker: checker.short_name().to_owned(),
            outcome: "crashed".to_owned(),
            iterations: None,
            seconds: None,
            coverage: "-".to_owned(),
            complete: "-".to_owned(),
            ok: false,
            note: why,
            shard,
            report: None,
            run: None,
        }
    }
}

impl Row {
    /// A Go bug that Rust's types reject: listed, not checked here. The opt-in trybuild test
    /// (`cargo test compile_fail -- --ignored`) checks it, and the catalog's unit tests hold its
    /// snapshots to [`CASES`](concheck_scenarios::compile_fail::CASES); the row says so instead
    /// of claiming a result this command did not see.
    pub(crate) fn compile_fail(case: &CompileFail) -> Row {
        Row {
            scenario: case.name.to_owned(),
            pattern: "go bug rust rejects".to_owned(),
            role: "compile-fail".to_owned(),
            checker: "rustc".to_owned(),
            outcome: format!("must not compile: {}", case.error),
            iterations: None,
            seconds: None,
            coverage: "-".to_owned(),
            complete: case.file.to_owned(),
            ok: true,
            note: "not run here: `cargo test compile_fail -- --ignored` checks it".to_owned(),
            shard: None,
            report: None,
            run: None,
        }
    }
}

/// The complete? cell: the bound, or that the search stopped at a violation.
pub(crate) fn complete_cell(report: &Report) -> String {
    match report.violation() {
        Some(_) => "stopped at first violation".to_owned(),
        None => completeness_label(&report.completeness),
    }
}

/// The rows as an aligned text table, failures marked FAIL and explained under it.
pub(crate) fn render(rows: &[Row]) -> String {
    let header = [
        "scenario",
        "role",
        "checker",
        "outcome",
        "iterations",
        "time",
        "coverage",
        "complete?",
        "note",
    ];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.scenario.clone(),
                r.role.clone(),
                r.checker.clone(),
                r.outcome.clone(),
                r.iterations
                    .map_or_else(|| "-".to_owned(), |n| n.to_string()),
                r.seconds
                    .map_or_else(|| "-".to_owned(), |t| format!("{t:.3}s")),
                r.coverage.clone(),
                r.complete.clone(),
                if r.ok {
                    r.note.clone()
                } else {
                    "FAIL".to_owned()
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| -> String {
        let padded: Vec<String> = cols
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if (4..=6).contains(&i) {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header.map(str::to_owned));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &cells {
        out.push_str(&line(row));
    }
    for r in rows.iter().filter(|r| !r.ok) {
        out.push_str(&format!("\nFAIL {} under {}:\n", r.scenario, r.checker));
        match &r.report {
            Some(report) => out.push_str(&format!("{report}\n")),
            None => out.push_str(&format!("{}\n", r.note)),
        }
    }
    out
}

/// The rows as a GitHub markdown table (for a CI job summary), failures marked.
pub(crate) fn render_markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | role | checker | outcome | iterations | time | coverage | complete? | note |\n\
         |---|---|---|---|---:|---:|---:|---|---|\n",
    );
    for r in rows {
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell(&r.scenario),
            cell(&r.role),
            cell(&r.checker),
            cell(&r.outcome),
            r.iterations
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
            r.seconds
                .map_or_else(|| "-".to_owned(), |t| format!("{t:.3}s")),
            cell(&r.coverage),
            cell(&r.complete),
            if r.ok {
                cell(&r.note)
            } else {
                "**FAIL**".to_owned()
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use concheck::check::Checker;
    use concheck_scenarios::{Body, Role, Scenario, LOOM_BOUND};

    use super::Row;

    #[test]
    fn a_failing_row_says_what_its_role_lacks() {
        let idle = Scenario {
            name: "idle",
            pattern: "test",
            role: Role::Reference,
            summary: "does nothing",
            body: Body::Sync(|| {}),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        };
        let loom = Checker::loom();
        let row = Row::new(&idle, &loom, idle.check().run(&loom), None);
        assert!(!row.ok);
        assert_eq!(row.outcome, "no violation");
        assert!(row.note.contains("found one schedule"), "{}", row.note);
    }
}
