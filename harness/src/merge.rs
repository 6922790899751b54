//! `concheck merge`: one table from the JSON reports of a run's shards.
//!
//! Rows are grouped by scenario and checker; each group's reports merge with
//! [`concheck::report::merge_shards`] (iterations add up, coverage is the union of the shards'
//! ordered pairs, the first violation by shard wins, missing shards are named). A reference
//! passes if every shard that ran it passed; a twin is caught if any shard caught it. A check
//! that no shard given ran (loom when shard 1 is not among them) is neither: it fails the merge,
//! which names it, so a merge of some shards cannot claim what only another shard checked.
//!
//! Only the shards of one run merge: every row carries its run's identity (see
//! [`crate::identity`]), and a report from another run is refused with the field that differs.

use std::path::Path;
use std::process::ExitCode;

use concheck::check::Report;
use concheck::report::merge_shards;

use crate::cli::MergeArgs;
use crate::identity::RunIdentity;
use crate::table::{self, complete_cell, coverage_cell, Row};

pub(crate) fn merge(args: &MergeArgs) -> ExitCode {
    if let Err(e) = crate::paths::validate(&args.reports) {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let mut groups: Vec<Vec<Row>> = Vec::new();
    let mut run: Option<(RunIdentity, &Path)> = None;
    for file in &args.files {
        let rows =
            match read_rows(file).and_then(|rows| same_run(file, &rows, &mut run).map(|()| rows)) {
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
    let mut rows = rows;
    if let Some((identity, _)) = &run {
        for row in &mut rows {
            row.run = Some(identity.clone());
        }
    }
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

/// Checks that every row of `file` comes from the run of the files before it (`run`, set from
/// the first file's first row).
fn same_run<'a>(
    file: &'a Path,
    rows: &[Row],
    run: &mut Option<(RunIdentity, &'a Path)>,
) -> Result<(), String> {
    for row in rows {
        let Some(identity) = &row.run else {
            return Err(format!(
                "{} does not say which run it comes from (no \"run\" in its rows): rerun that \
                 shard with this concheck ({}) and merge the new report",
                file.display(),
                concheck::check::VERSION
            ));
        };
        match run {
            None => *run = Some((identity.clone(), file)),
            Some((first, first_file)) => {
                if let Some(d) = first.difference(identity) {
                    let (a, b) = (first_file.display(), file.display());
                    let same_file = *first_file == file;
                    return Err(if same_file {
                        format!(
                            "{a} mixes rows of different runs ({} differs: {} vs {}): give each \
                             shard's report as `concheck run --shard K/N --json FILE` wrote it",
                            d.field, d.ours, d.theirs
                        )
                    } else {
                        format!(
                            "{b} and {a} come from different runs ({} differs: {} in {a}, {} in \
                             {b}): merge the reports of one run, the same command with only \
                             --shard K/N changed",
                            d.field, d.ours, d.theirs
                        )
                    });
                }
            }
        }
    }
    Ok(())
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
    if ran.is_empty() {
        // Skipped in every shard given: neither caught nor passed.
        let shards: Vec<String> = rows
            .iter()
            .filter_map(|r| r.shard.map(|s| s.to_string()))
            .collect();
        return Ok(Row {
            outcome: report.outcome_label(),
            iterations: Some(0),
            seconds: Some(0.0),
            coverage: "-".to_owned(),
            complete: complete_cell(&report),
            checker: first.checker.clone(),
            ok: false,
            note: format!(
                "ran in no shard given ({}): merge shard 1's report too",
                shards.join(", ")
            ),
            shard: None,
            report: Some(report),
            ..first
        });
    }
    let ok = if first.role.starts_with("twin") {
        ran.iter().any(|r| r.ok)
    } else {
        ran.iter().all(|r| r.ok)
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

/// Whether no shard given ran this merged row's check.
fn ran_nowhere(row: &Row) -> bool {
    row.report.as_ref().is_some_and(Report::skipped)
}

fn summary(rows: &[Row], files: usize) -> String {
    let unrun = rows.iter().filter(|r| ran_nowhere(r)).count();
    let failures = rows.iter().filter(|r| !r.ok).count() - unrun;
    let twin_checks: Vec<&Row> = rows
        .iter()
        .filter(|r| r.role.starts_with("twin") && r.checker != "std" && !ran_nowhere(r))
        .collect();
    let caught = twin_checks.iter().filter(|r| r.ok).count();
    let checks = rows
        .iter()
        .filter(|r| r.checker != "rustc" && !ran_nowhere(r))
        .count();
    let unrun = match unrun {
        0 => String::new(),
        n => format!(
            "; {n} checks ran in no shard given (shard 1 runs loom and DFS whole): merge every \
             shard's report"
        ),
    };
    format!(
        "{checks} checks merged from {files} shard reports, {failures} failed; twins caught in \
         {caught} of {} loom/shuttle/tokio checks{unrun}",
        twin_checks.len()
    )
}
