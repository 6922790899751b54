//! `concheck merge`: one table from the JSON reports of a run's shards.
//!
//! Rows are grouped by scenario and checker; each group's reports merge with
//! [`concheck::check::merge_shards`] (iterations add up, coverage is the union of the shards'
//! ordered pairs, the first violation by shard wins, missing shards are named). A reference
//! passes if every shard passed; a twin is caught if any shard caught it.

use std::path::Path;
use std::process::ExitCode;

use concheck::check::{merge_shards, Report};

use crate::cli::MergeArgs;
use crate::table::{self, complete_cell, coverage_cell, Row};

pub fn merge(args: &MergeArgs) -> ExitCode {
    if let Err(e) = crate::paths::validate(&args.reports) {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let mut groups: Vec<Vec<Row>> = Vec::new();
    for file in &args.files {
        let rows = match read_rows(file) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        for row in rows {
            match groups
                .iter_mut()
                .find(|g| g[0].scenario == row.scenario && g[0].checker == row.checker)
            {
                Some(group) => group.push(row),
                None => groups.push(vec![row]),
            }
        }
    }
    if groups.is_empty() {
        eprintln!(
            "nothing to merge: {} hold no rows; give the --json reports of `concheck run --shard \
             K/N` runs that ran checks",
            args.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(2);
    }
    let merged: Result<Vec<Row>, String> = groups.into_iter().map(merge_group).collect();
    let rows = match merged {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", table::render(&rows));
    let summary = summary(&rows, args.files.len());
    println!("\n{summary}");
    if let Err(code) = crate::write_reports(&rows, &summary, &args.reports) {
        return code;
    }
    if rows.iter().any(|r| !r.ok) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn read_rows(file: &Path) -> Result<Vec<Row>, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the shard report {}: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a concheck JSON report (write one with `concheck run --shard K/N --json \
             FILE`): {e}",
            file.display()
        )
    })
}

/// One row from the rows of one scenario and checker in every shard.
fn merge_group(rows: Vec<Row>) -> Result<Row, String> {
    let first = rows[0].clone();
    let crashed: Vec<String> = rows
        .iter()
        .filter(|r| r.report.is_none() && !r.ok)
        .map(|r| {
            let shard = r
                .shard
                .map_or_else(String::new, |s| format!(" in shard {s}"));
            format!("crashed{shard}: {}", r.note)
        })
        .collect();
    if rows.iter().all(|r| r.report.is_none()) || !crashed.is_empty() {
        // Compile-fail rows (the same in every shard), or a shard whose checker crashed.
        return Ok(Row {
            ok: crashed.is_empty() && rows.iter().all(|r| r.ok),
            note: if crashed.is_empty() {
                first.note.clone()
            } else {
                crashed.join("; ")
            },
            shard: None,
            ..first
        });
    }
    let reports: Vec<Report> = rows
        .iter()
        .filter_map(|r| {
            let mut report = r.report.clone()?;
            // std reports do not name their shard; the row does.
            report.shard = report.shard.or(r.shard);
            Some(report)
        })
        .collect();
    let report = merge_shards(&reports).map_err(|e| {
        format!(
            "cannot merge {} under {}: {e}",
            first.scenario, first.checker
        )
    })?;
    let ran: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.report.as_ref().is_some_and(Report::skipped))
        .collect();
    let ok = if first.role.starts_with("twin") {
        ran.is_empty() || ran.iter().any(|r| r.ok)
    } else {
        rows.iter().all(|r| r.ok)
    };
    // The notes of the shards whose outcome is the merged one (a std twin row that missed the
    // bug in one shard but showed it in another is not "missed").
    let outcome = report.outcome_label();
    let mut notes: Vec<&str> = ran
        .iter()
        .filter(|r| r.outcome == outcome)
        .map(|r| r.note.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    notes.dedup();
    Ok(Row {
        outcome,
        iterations: Some(report.iterations),
        seconds: Some(report.elapsed.as_secs_f64()),
        coverage: coverage_cell(Some(&report)),
        complete: complete_cell(&report),
        checker: first.checker.clone(),
        ok,
        note: notes.join("; "),
        shard: None,
        report: Some(report),
        ..first
    })
}

fn summary(rows: &[Row], files: usize) -> String {
    let failures = rows.iter().filter(|r| !r.ok).count();
    let twin_checks: Vec<&Row> = rows
        .iter()
        .filter(|r| r.role.starts_with("twin") && r.checker != "std")
        .collect();
    let caught = twin_checks.iter().filter(|r| r.ok).count();
    let checks = rows.iter().filter(|r| r.checker != "rustc").count();
    format!(
        "{checks} checks merged from {files} shard reports, {failures} failed; twins caught in \
         {caught} of {} loom/shuttle/tokio checks",
        twin_checks.len()
    )
}
