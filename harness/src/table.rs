//! The table the main command prints: one row per scenario and checker.

use serde::Serialize;

use concheck::check::{completeness_label, Checker, Report};
use concheck_scenarios::{Role, Scenario};

use crate::child::role_label;

/// One scenario under one checker.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub scenario: String,
    pub pattern: String,
    pub role: String,
    pub checker: String,
    pub outcome: String,
    pub iterations: u64,
    pub seconds: f64,
    pub complete: String,
    /// Whether the row meets the scenario's role.
    pub ok: bool,
    /// For std runs of twins, whether real threads happened to show the bug.
    pub note: String,
    pub report: Option<Report>,
}

impl Row {
    pub fn new(scenario: &Scenario, checker: &Checker, report: Report) -> Row {
        let ok = scenario.satisfied_by(checker, &report);
        let note = match (scenario.role, checker) {
            (Role::Twin { .. }, Checker::Stress(_)) if report.violation().is_none() => {
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
            iterations: report.iterations,
            seconds: report.elapsed.as_secs_f64(),
            complete: match report.violation() {
                Some(_) => "stopped at first violation".to_owned(),
                None => completeness_label(&report.completeness),
            },
            ok,
            note,
            report: Some(report),
        }
    }

    pub fn crashed(scenario: &Scenario, checker: &Checker, why: String) -> Row {
        Row {
            scenario: scenario.name.to_owned(),
            pattern: scenario.pattern.to_owned(),
            role: role_label(scenario.role),
            checker: checker.short_name().to_owned(),
            outcome: "crashed".to_owned(),
            iterations: 0,
            seconds: 0.0,
            complete: "-".to_owned(),
            ok: false,
            note: why,
            report: None,
        }
    }
}

/// The rows as an aligned text table, failures marked FAIL and explained under it.
pub fn render(rows: &[Row]) -> String {
    let header = [
        "scenario",
        "role",
        "checker",
        "outcome",
        "iterations",
        "time",
        "complete?",
        "note",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.scenario.clone(),
                r.role.clone(),
                r.checker.clone(),
                r.outcome.clone(),
                r.iterations.to_string(),
                format!("{:.3}s", r.seconds),
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
                if i == 4 || i == 5 {
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
