//! Runs each scenario in a child process of this binary and collects its reports.

use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

use concheck::check::{Checker, Report, ShuttleConfig, DEFAULT_DELAY_BOUND};
use concheck::tokio_gate::TokioConfig;
use concheck_scenarios::{catalog, Role, Scenario};

use crate::cli::{CheckerKind, RunArgs};
use crate::table::Row;

/// The flag a child is started with, followed by the scenario's name and the run's settings as
/// JSON.
pub(crate) const CHILD_FLAG: &str = "--run-scenario";

/// The default checkers, in table order.
const DEFAULT_KINDS: [CheckerKind; 5] = [
    CheckerKind::Loom,
    CheckerKind::ShuttleRandom,
    CheckerKind::ShuttlePct,
    CheckerKind::Std,
    CheckerKind::Tokio,
];

/// The checkers a scenario runs under with these settings: the scenario's own (its loom bound,
/// its std watchdog) for each kind asked for, with the command line's budgets applied.
pub(crate) fn checkers_for(scenario: &Scenario, args: &RunArgs) -> Vec<Checker> {
    let kinds: &[CheckerKind] = if args.checkers.is_empty() {
        &DEFAULT_KINDS
    } else {
        &args.checkers
    };
    let own = scenario.checkers();
    let find = |short: &str| own.iter().find(|c| c.short_name() == short).cloned();
    // The strategies beyond shuttle's own take the scenario's PCT settings (its iterations,
    // its step bound), so they are compared at the same budget.
    let like_pct = |config: ShuttleConfig| {
        find("shuttle-pct").map(|pct| match pct {
            Checker::Shuttle(own) => Checker::Shuttle(own.strategy(config.get_strategy())),
            other => other,
        })
    };
    kinds
        .iter()
        .filter_map(|kind| {
            let checker = match kind {
                CheckerKind::Loom => find("loom"),
                CheckerKind::ShuttleRandom => find("shuttle-random"),
                CheckerKind::ShuttlePct => find("shuttle-pct"),
                // A sync scenario (one with a loom checker) only: tokio cannot run under shuttle.
                CheckerKind::ShuttleDfs => find("loom").map(|_| Checker::shuttle_dfs()),
                CheckerKind::ShuttlePos => like_pct(ShuttleConfig::pos()),
                CheckerKind::ShuttlePctDeepening => like_pct(ShuttleConfig::pct_deepening()),
                CheckerKind::ShuttleDelay => like_pct(ShuttleConfig::delay_bounded()),
                CheckerKind::ShuttlePortfolio => like_pct(ShuttleConfig::portfolio()),
                CheckerKind::ShuttleGuided => like_pct(ShuttleConfig::coverage_guided()),
                // A sync scenario only, like DFS.
                CheckerKind::ShuttleDelayDfs => find("loom").map(|_| {
                    Checker::Shuttle(ShuttleConfig::delay_bounded_dfs(DEFAULT_DELAY_BOUND))
                }),
                CheckerKind::Std => find("std"),
                CheckerKind::Tokio => find("tokio"),
                CheckerKind::TokioMt => {
                    find("tokio").map(|_| Checker::Tokio(TokioConfig::multi_thread(2)))
                }
            }?;
            Some(match checker {
                Checker::Loom(mut c) => {
                    if let Some(bound) = args.loom_bound {
                        c = c.preemption_bound(bound.0);
                    }
                    if let Some(budget) = args.budget {
                        c = c.time_budget(budget);
                    }
                    if let Some(shard) = args.shard {
                        c = c.shard(shard.index(), shard.count());
                    }
                    Checker::Loom(c)
                }
                Checker::Shuttle(mut c) => {
                    // A budget and a count together: whichever runs out first.
                    if let Some(budget) = args.budget {
                        c = c.time_budget(budget);
                    }
                    if let Some(n) = args.iterations {
                        c = c.iterations(n);
                    }
                    if let Some(seed) = args.seed {
                        c = c.seed(seed);
                    }
                    if let Some(n) = args.workers {
                        c = c.workers(n as usize);
                    }
                    if let Some(shard) = args.shard {
                        c = c.shard(shard.index(), shard.count());
                    }
                    Checker::Shuttle(c)
                }
                Checker::Std(mut c) => {
                    if let Some(n) = args.iterations {
                        c = c.iterations(n);
                    }
                    Checker::Std(c)
                }
                Checker::Tokio(mut c) => {
                    if let Some(n) = args.iterations {
                        c = c.iterations(n);
                    }
                    Checker::Tokio(c)
                }
                other => other,
            })
        })
        .collect()
}

/// In a child: runs the named scenario under each of its checkers, prints one JSON report per
/// line, and returns the exit code. `None` in the parent.
pub(crate) fn run_if_child() -> Option<ExitCode> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some(CHILD_FLAG) {
        return None;
    }
    let name = args.next()?;
    let settings: RunArgs = serde_json::from_str(&args.next()?).ok()?;
    let scenario = catalog().into_iter().find(|s| s.name == name)?;
    let mut out = std::io::stdout().lock();
    for checker in checkers_for(&scenario, &settings) {
        let report = scenario.check().run(&checker);
        let line = serde_json::to_string(&report).expect("reports serialize");
        writeln!(out, "{line}").expect("stdout is open");
        out.flush().expect("stdout is open");
    }
    Some(ExitCode::SUCCESS)
}

/// Runs every scenario, `jobs` children at a time; rows keep the catalog's order.
pub(crate) fn run_all(scenarios: &[Scenario], args: &RunArgs, jobs: usize) -> Vec<Row> {
    let settings = serde_json::to_string(args).expect("settings serialize");
    let done = Arc::new(Mutex::new(0usize));
    let progress = Progress::new(scenarios.len());
    let next = Arc::new(Mutex::new(0usize));
    let results: Arc<Mutex<Vec<Option<Vec<Row>>>>> =
        Arc::new(Mutex::new(vec![None; scenarios.len()]));
    std::thread::scope(|s| {
        for _ in 0..jobs.min(scenarios.len()) {
            let (next, results, done) =
                (Arc::clone(&next), Arc::clone(&results), Arc::clone(&done));
            let (settings, progress) = (&settings, &progress);
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
                let rows = run_child(scenario, args, settings);
                let failed = rows.iter().any(|r| !r.ok);
                results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(rows);
                let mut done = done.lock().unwrap_or_else(PoisonError::into_inner);
                *done += 1;
                progress.report(*done, scenario.name, failed);
            });
        }
    });
    progress.finish();
    let results = Arc::try_unwrap(results).map_or_else(
        |a| a.lock().unwrap_or_else(PoisonError::into_inner).clone(),
        |m| m.into_inner().unwrap_or_else(PoisonError::into_inner),
    );
    results.into_iter().flatten().flatten().collect()
}

fn run_child(scenario: &Scenario, args: &RunArgs, settings: &str) -> Vec<Row> {
    let exe = std::env::current_exe().expect("the path of this binary");
    let output = Command::new(exe)
        .arg(CHILD_FLAG)
        .arg(scenario.name)
        .arg(settings)
        .stdin(Stdio::null())
        .output()
        .expect("start a child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let checkers = checkers_for(scenario, args);
    let mut rows = Vec::new();
    for (checker, line) in checkers.iter().zip(stdout.lines()) {
        let report: Report =
            serde_json::from_str(line).expect("a child prints one report per line");
        rows.push(Row::new(scenario, checker, report, args.shard));
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
            args.shard,
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
pub(crate) fn role_label(role: Role) -> String {
    match role {
        Role::Reference => "reference".to_owned(),
        Role::Twin { expects, .. } => format!("twin: {}", expects[0]),
    }
}

/// A progress line on stderr: rewritten in place on a terminal, one line per scenario otherwise
/// (CI logs), so a long run shows where it is.
struct Progress {
    total: usize,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        use std::io::IsTerminal;
        Progress {
            total,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn report(&self, done: usize, name: &str, failed: bool) {
        let status = if failed { "FAIL" } else { "ok" };
        if self.terminal {
            eprint!("\r\x1b[2K[{done}/{}] {name} {status}", self.total);
        } else {
            eprintln!("[{done}/{}] {name} {status}", self.total);
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprint!("\r\x1b[2K");
        }
    }
}
