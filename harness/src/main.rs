//! `concheck`: runs every registered scenario under every checker and prints the table.
//!
//! ```text
//! cargo run --release -p concheck-harness [-- [FILTER] [--json FILE]]
//! ```
//!
//! Exits 1 if a reference pattern shows a violation or a buggy twin escapes loom or shuttle.
//! Each scenario runs in a child process of this binary: the checkers print to stderr in ways no
//! API silences (shuttle's deadlock notes), and std runs of leaking twins leave parked threads
//! behind; a child keeps both out of the table and is ended when it is done.

mod child;
mod table;

use std::process::ExitCode;
use std::time::Instant;

use concheck_scenarios::catalog;

use crate::table::Row;

struct Args {
    filter: Option<String>,
    json: Option<String>,
    jobs: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        filter: None,
        json: None,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => args.json = Some(it.next().ok_or("--json needs a file path")?),
            "--jobs" => {
                let n: usize = it
                    .next()
                    .ok_or("--jobs needs a number")?
                    .parse()
                    .map_err(|_| "--jobs takes a whole number >= 1")?;
                if n == 0 {
                    return Err("--jobs takes a whole number >= 1".to_owned());
                }
                args.jobs = n;
            }
            "-h" | "--help" => {
                return Err("usage: concheck [FILTER] [--json FILE] [--jobs N]\n  runs every scenario whose name contains FILTER under loom, shuttle (random, pct) and std, prints the table, exits 1 if a reference fails or a twin escapes".to_owned())
            }
            child::CHILD_FLAG => return Err(format!("{} is internal", child::CHILD_FLAG)),
            f if f.starts_with('-') => return Err(format!("unknown option {f}; try --help")),
            f => args.filter = Some(f.to_owned()),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    if let Some(code) = child::run_if_child() {
        return code;
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let scenarios: Vec<_> = catalog()
        .into_iter()
        .filter(|s| args.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    let cases: Vec<_> = concheck_scenarios::compile_fail::CASES
        .iter()
        .filter(|c| args.filter.as_deref().is_none_or(|f| c.name.contains(f)))
        .collect();
    if scenarios.is_empty() && cases.is_empty() {
        eprintln!(
            "no scenario matches {:?}; the scenarios are: {}",
            args.filter.unwrap_or_default(),
            catalog()
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let mut rows: Vec<Row> = child::run_all(&scenarios, args.jobs);
    let compile_fail: Vec<Row> = cases.into_iter().map(Row::compile_fail).collect();
    let rejected = compile_fail.len();
    rows.extend(compile_fail);
    print!("{}", table::render(&rows));
    let failures = rows.iter().filter(|r| !r.ok).count();
    let references = scenarios
        .iter()
        .filter(|s| matches!(s.role, concheck_scenarios::Role::Reference))
        .count();
    let twins = scenarios.len() - references;
    let twin_checks: Vec<&Row> = rows
        .iter()
        .filter(|r| r.role.starts_with("twin") && r.checker != "std")
        .collect();
    let caught = twin_checks.iter().filter(|r| r.ok).count();
    println!(
        "\n{} scenarios ({references} references, {twins} twins), {} checks, {failures} failed; \
         twins caught in {caught} of {} loom/shuttle checks; {rejected} Go bugs rejected by \
         rustc; in {:.1}s",
        scenarios.len(),
        rows.len() - rejected,
        twin_checks.len(),
        start.elapsed().as_secs_f64()
    );
    if let Some(path) = args.json {
        let json = serde_json::to_string_pretty(&rows).expect("rows serialize");
        if let Err(e) = std::fs::write(&path, json) {
            eprintln!("cannot write the JSON report to {path}: {e}");
            return ExitCode::from(2);
        }
        println!("JSON report written to {path}");
    }
    if failures > 0 {
        println!("{failures} checks did not meet their scenario's role: see the rows marked FAIL");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
