//! `concheck`: runs every registered scenario under every checker and prints the table.
//!
//! ```text
//! cargo run --release -p concheck-harness                  # everything, default checkers
//! cargo run --release -p concheck-harness -- list          # what there is
//! cargo run --release -p concheck-harness -- run worker_pool --checker loom,shuttle-pct \
//!     --iterations 5000 --seed 7 --json report.json --markdown report.md
//! cargo run --release -p concheck-harness -- run ready_flag_lost_wakeup lock_order_ab_ba \
//!     --html target/concheck-html                 # a page per violation, and index.html
//! cargo run --release -p concheck-harness -- replay worker_pool_double_close 'shuttle:...'
//! cargo run --release -p concheck-harness -- run --shard 2/4 --json shard2.json   # one shard
//! cargo run --release -p concheck-harness -- merge shard*.json                     # all shards
//! cargo run --release -p concheck-harness -- speedup worker_pool                   # workers
//! cargo run --release -p concheck-harness -- sctbench --seeds 5 --budget 2s        # SCTBench
//! ```
//!
//! `run` exits 1 if a reference pattern shows a violation or a buggy twin escapes loom or
//! shuttle. Each scenario runs in a child process of this binary: the checkers print to stderr
//! in ways no API silences (shuttle's deadlock notes), and std runs of leaking twins leave parked
//! threads behind; a child keeps both out of the table and is ended when it is done.

mod child;
mod cli;
mod html;
mod identity;
mod merge;
mod paths;
mod sctbench;
mod speedup;
mod table;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use concheck::check::{Shard, SHARD_ENV};
use concheck_scenarios::compile_fail::CASES;
use concheck_scenarios::{catalog, Role};

use crate::cli::{Cli, Command, RunArgs};
use crate::table::Row;

fn main() -> ExitCode {
    if let Some(code) = child::run_if_child() {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    match cli.command {
        None => run(&cli.run),
        Some(Command::Run(args)) => run(&args),
        Some(Command::List { filter }) => list(filter.as_slice()),
        Some(Command::Replay { scenario, replay }) => replay_one(&scenario, &replay),
        Some(Command::Merge(args)) => merge::merge(&args),
        Some(Command::Speedup(args)) => speedup::speedup(&args),
        Some(Command::Sctbench(args)) => sctbench::sctbench(&args),
    }
}

/// A command-line error as one line on stderr, exit 2 (`--help` and `--version` print as clap
/// writes them, exit 0): clap's own text spans several lines, with usage and tips that can
/// mislead (`--iterations -1` would be told to write `-- -1`, which makes `-1` a filter).
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.to_string();
    // The first paragraph, on one line: its indented lines are part of the message (which
    // arguments are missing, the possible values); usage and tips come after a blank line.
    let first = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let first = first.strip_prefix("error: ").unwrap_or(&first);
    // Our own value parsers already say what to give; clap's other errors get the pointer.
    let hint = if e.kind() == ErrorKind::ValueValidation {
        ""
    } else {
        "; `concheck --help` lists the commands and options"
    };
    eprintln!("{first}{hint}");
    ExitCode::from(2)
}

/// Whether `name` is selected: no filters, or it contains one of them.
fn matches(filters: &[String], name: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

fn run(args: &RunArgs) -> ExitCode {
    let mut args = args.clone();
    if args.shard.is_none() {
        match std::env::var(SHARD_ENV) {
            Ok(v) if !v.trim().is_empty() => match v.parse::<Shard>() {
                Ok(shard) => args.shard = Some(shard),
                Err(e) => {
                    eprintln!("{SHARD_ENV}={v:?} is not a shard: {e}");
                    return ExitCode::from(2);
                }
            },
            _ => {}
        }
    }
    let args = &args;
    let filter = args.filters.as_slice();
    let scenarios: Vec<_> = catalog()
        .into_iter()
        .filter(|s| matches(filter, s.name))
        .collect();
    let cases: Vec<_> = CASES.iter().filter(|c| matches(filter, c.name)).collect();
    if scenarios.is_empty() && cases.is_empty() {
        eprintln!(
            "no scenario matches {}; `concheck list` shows them all",
            filter.join(" or ")
        );
        return ExitCode::from(2);
    }
    let checks: usize = scenarios
        .iter()
        .map(|s| child::checkers_for(s, args).len())
        .sum();
    if checks == 0 {
        let names: Vec<&str> = scenarios.iter().map(|s| s.name).collect();
        if names.is_empty() {
            eprintln!(
                "no check to run: {} matches only compile-fail cases, which `cargo test \
                 compile_fail -- --ignored` checks; give a filter that matches a scenario",
                filter.join(" or ")
            );
        } else {
            eprintln!(
                "no check to run: no checker asked for applies to {} (tokio runs only async \
                 scenarios, the others only sync ones); choose other --checker values or filters",
                names.join(", ")
            );
        }
        return ExitCode::from(2);
    }
    if let Err(e) = paths::validate(&args.reports) {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    let mut rows: Vec<Row> = child::run_all(&scenarios, args, jobs);
    let rejected = cases.len();
    rows.extend(cases.into_iter().map(Row::compile_fail));
    let identity = identity::RunIdentity::of(args);
    for row in &mut rows {
        row.run = Some(identity.clone());
    }
    print!("{}", table::render(&rows));

    let failures = rows.iter().filter(|r| !r.ok).count();
    let references = scenarios
        .iter()
        .filter(|s| s.role == Role::Reference)
        .count();
    let twins = scenarios.len() - references;
    let twin_checks: Vec<&Row> = rows
        .iter()
        .filter(|r| r.role.starts_with("twin") && r.checker != "std")
        .collect();
    let caught = twin_checks.iter().filter(|r| r.ok).count();
    let shard = args
        .shard
        .map_or_else(String::new, |s| format!(" (shard {s})"));
    let summary = format!(
        "{} scenarios ({references} references, {twins} twins){shard}, {} checks, {failures} \
         failed; twins caught in {caught} of {} loom/shuttle/tokio checks; {rejected} Go bugs \
         rustc rejects listed (checked by `cargo test compile_fail -- --ignored`, not here); in {:.1}s",
        scenarios.len(),
        rows.len() - rejected,
        twin_checks.len(),
        start.elapsed().as_secs_f64()
    );
    println!("\n{summary}");

    if let Err(code) = write_reports(&rows, &summary, &args.reports) {
        return code;
    }
    if failures > 0 {
        println!("{failures} checks did not meet their scenario's role: see the rows marked FAIL");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes the rows as JSON, the table as markdown and the violations as HTML pages, where
/// asked.
pub(crate) fn write_reports(
    rows: &[Row],
    summary: &str,
    files: &cli::ReportFiles,
) -> Result<(), ExitCode> {
    let cli::ReportFiles {
        json,
        markdown,
        html,
    } = files;
    if let Some(path) = json {
        let json = serde_json::to_string_pretty(rows).expect("rows serialize");
        if let Err(e) = std::fs::write(path, json) {
            eprintln!("cannot write the JSON report to {}: {e}", path.display());
            return Err(ExitCode::from(2));
        }
        println!("JSON report written to {}", path.display());
    }
    if let Some(path) = markdown {
        let md = format!("{}\n{summary}\n", table::render_markdown(rows));
        if let Err(e) = std::fs::write(path, md) {
            eprintln!(
                "cannot write the markdown report to {}: {e}",
                path.display()
            );
            return Err(ExitCode::from(2));
        }
        println!("markdown report written to {}", path.display());
    }
    if let Some(dir) = html {
        match html::write_pages(rows, summary, dir) {
            Ok(n) => println!(
                "HTML reports written to {} ({n} violations; open index.html)",
                dir.display()
            ),
            Err(e) => {
                eprintln!("cannot write the HTML reports to {}: {e}", dir.display());
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(())
}

fn list(filter: &[String]) -> ExitCode {
    let any = catalog().iter().any(|s| matches(filter, s.name))
        || CASES.iter().any(|c| matches(filter, c.name));
    if !any {
        eprintln!(
            "no scenario matches {}; `concheck list` with no filter shows them all",
            filter.join(" or ")
        );
        return ExitCode::from(2);
    }
    for s in catalog().into_iter().filter(|s| matches(filter, s.name)) {
        println!(
            "{:<40} {:<36} {:<22} {}",
            s.name,
            child::role_label(s.role),
            s.pattern,
            s.summary
        );
    }
    for c in CASES.iter().filter(|c| matches(filter, c.name)) {
        println!(
            "{:<40} {:<36} {:<22} {}",
            c.name, "compile-fail", c.file, c.go_bug
        );
    }
    ExitCode::SUCCESS
}

fn replay_one(name: &str, replay: &str) -> ExitCode {
    let Some(scenario) = catalog().into_iter().find(|s| s.name == name) else {
        eprintln!("no scenario named {name:?}; `concheck list` shows them all");
        return ExitCode::from(2);
    };
    let report = match concheck::check::replay(&scenario.check(), replay) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("cannot replay on {name}: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{report}");
    if report.violation().is_some() {
        ExitCode::SUCCESS
    } else {
        println!("the schedule ran to its end without a violation: it did not reproduce");
        ExitCode::FAILURE
    }
}
