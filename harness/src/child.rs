//! Runs each scenario in a child process of this binary and collects its reports.

use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use concheck::check::Report;
use concheck_scenarios::{catalog, Role, Scenario};

use crate::table::Row;

/// The flag a child is started with, followed by the scenario's name.
pub const CHILD_FLAG: &str = "--run-scenario";

/// In a child: runs the named scenario under each of its checkers, prints one JSON report per
/// line, and returns the exit code. `None` in the parent.
pub fn run_if_child() -> Option<ExitCode> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some(CHILD_FLAG) {
        return None;
    }
    let name = args.next()?;
    let scenario = catalog().into_iter().find(|s| s.name == name)?;
    let mut out = std::io::stdout().lock();
    for checker in scenario.checkers() {
        let report = scenario.check().run(&checker);
        let line = serde_json::to_string(&report).expect("reports serialize");
        writeln!(out, "{line}").expect("stdout is open");
        out.flush().expect("stdout is open");
    }
    Some(ExitCode::SUCCESS)
}

/// Runs every scenario, `jobs` children at a time; rows keep the catalog's order.
pub fn run_all(scenarios: &[Scenario], jobs: usize) -> Vec<Row> {
    let next = Arc::new(Mutex::new(0usize));
    let results: Arc<Mutex<Vec<Option<Vec<Row>>>>> =
        Arc::new(Mutex::new(vec![None; scenarios.len()]));
    std::thread::scope(|s| {
        for _ in 0..jobs.min(scenarios.len()) {
            let (next, results) = (Arc::clone(&next), Arc::clone(&results));
            s.spawn(move || loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(PoisonError::into_inner);
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(scenario) = scenarios.get(i) else {
                    return;
                };
                let rows = run_child(scenario);
                results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(rows);
            });
        }
    });
    let results = Arc::try_unwrap(results).map_or_else(
        |a| a.lock().unwrap_or_else(PoisonError::into_inner).clone(),
        |m| m.into_inner().unwrap_or_else(PoisonError::into_inner),
    );
    results.into_iter().flatten().flatten().collect()
}

fn run_child(scenario: &Scenario) -> Vec<Row> {
    let exe = std::env::current_exe().expect("the path of this binary");
    let output = Command::new(exe)
        .arg(CHILD_FLAG)
        .arg(scenario.name)
        .stdin(Stdio::null())
        .output()
        .expect("start a child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let checkers = scenario.checkers();
    let mut rows = Vec::new();
    for (checker, line) in checkers.iter().zip(stdout.lines()) {
        let report: Report =
            serde_json::from_str(line).expect("a child prints one report per line");
        rows.push(Row::new(scenario, checker, report));
    }
    if rows.len() < checkers.len() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        rows.push(Row::crashed(
            scenario,
            &checkers[rows.len()],
            format!(
                "the checker process died ({}): {}",
                output.status,
                tail.join("\n")
            ),
        ));
    }
    rows
}

/// The role label of a scenario for the table.
pub fn role_label(role: Role) -> String {
    match role {
        Role::Reference => "reference".to_owned(),
        Role::Twin { expects } => format!("twin: {}", expects[0]),
    }
}
