//! How fast each checker finds each buggy twin of the scenario catalog.
//!
//! Before criterion starts, every twin (`Role::Twin` in `concheck_scenarios::catalog()`) is
//! checked once under each checker with its default budget, and a markdown table is printed to
//! stdout: twin × checker → executions until the violation was found and the wall time of
//! `Check::run`, or `not found` with the budget spent. The checkers:
//!
//! - `loom`: `LoomConfig::new()` with the scenario's own preemption bound (most twins 2, the
//!   small ones exhaustive), capped at 200,000 executions. loom's time includes the second
//!   exploration up to the failing execution that captures the replay string (shuttle's
//!   schedule string costs nothing), so it is about twice loom's search time.
//! - `shuttle_random`, `shuttle_pct` (depth 3): 1,000 schedules from the fixed default seed.
//! - `shuttle_dfs`: depth-first, up to 100,000 schedules.
//!
//! Every checker also gets a [`CELL_BUDGET`] time budget, and every cell runs in a child process
//! of this bench (`--cell <twin> <checker>`) that is killed after [`CELL_TIMEOUT`]: a checker
//! that hangs or aborts on a twin is a table entry (`hang`, `crashed`), not a stuck bench.
//! A violation of a kind the twin does not list as expected is marked `!` with its kind.
//!
//! Then one criterion group per checker (`detect_loom`, `detect_shuttle_random`,
//! `detect_shuttle_pct`, `detect_shuttle_dfs`) times, in this process, every twin that checker
//! found in the table, asserting it finds the same kind again, with `sample_size(10)` and short
//! warm-up and measurement times set in code (there are about a hundred functions; a twin not
//! found would time a whole budget, and is left out). Each sample runs on a fresh thread: a
//! shuttle run that found some twins' violations leaves its thread `std::thread::panicking()`,
//! which corrupts later checks on that thread. shuttle prints `test panicked in task ..` to
//! stderr for every failing schedule; send stderr to /dev/null for a readable log.
//!
//! The table says which checker to reach for per bug class; BENCHMARKS.md copies it. Run with
//! `cargo bench --bench detect`; the table alone with `cargo bench --bench detect -- --table`.
//! Outside `cargo bench` (`cargo test --benches`) the table is skipped and nothing is timed.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concheck::check::{Checker, Completeness, LoomConfig, Report, ShuttleConfig};
use concheck_scenarios::{catalog, Body, Role, Scenario};
use criterion::Criterion;

/// The most time one twin may take under one checker in the table: the default budgets (200,000
/// loom executions, 100,000 DFS schedules) can take minutes on a twin the checker misses.
const CELL_BUDGET: Duration = Duration::from_secs(30);
/// When a table cell's child process is killed: the budget is checked between executions, so
/// an execution that never ends is only stopped here.
const CELL_TIMEOUT: Duration = Duration::from_secs(45);

/// Times within this factor of the quickest checker's count as a tie in the `fastest` column.
const TIE: f64 = 1.5;

/// Builds a checker for a scenario.
type MakeChecker = fn(&Scenario) -> Checker;

/// The checkers, in table order: a name for the table and criterion, and the checker for a
/// scenario (loom takes the scenario's preemption bound), each with [`CELL_BUDGET`].
const CHECKERS: [(&str, MakeChecker); 4] = [
    ("loom", |s| {
        Checker::Loom(
            LoomConfig::new()
                .preemption_bound(s.loom_preemption_bound)
                .max_duration(Some(CELL_BUDGET)),
        )
    }),
    ("shuttle_random", |_| {
        Checker::Shuttle(ShuttleConfig::random().max_duration(Some(CELL_BUDGET)))
    }),
    ("shuttle_pct", |_| {
        Checker::Shuttle(ShuttleConfig::pct().max_duration(Some(CELL_BUDGET)))
    }),
    ("shuttle_dfs", |_| {
        Checker::Shuttle(ShuttleConfig::dfs().max_duration(Some(CELL_BUDGET)))
    }),
];

/// One twin under one checker, as the child process reported it.
enum Cell {
    /// The checker finished; `kind` is the violation's name, if one was found.
    Done {
        iterations: u64,
        wall: Duration,
        kind: Option<String>,
        expected: bool,
        cut: bool,
        complete: bool,
    },
    /// The child was killed after [`CELL_TIMEOUT`].
    Hang,
    /// The child died without a result (an abort, a panic of the runner itself).
    Crashed(String),
}

impl Cell {
    /// The name of the violation found, of any kind.
    fn found(&self) -> Option<&str> {
        match self {
            Cell::Done {
                kind: Some(kind), ..
            } => Some(kind),
            _ => None,
        }
    }

    fn found_expected(&self) -> Option<Duration> {
        match self {
            Cell::Done {
                kind: Some(_),
                expected: true,
                wall,
                ..
            } => Some(*wall),
            _ => None,
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Done {
                iterations: it,
                wall,
                kind,
                expected,
                cut,
                complete,
            } => {
                let wall = ms(*wall);
                match kind {
                    Some(_) if *expected => format!("{it} it, {wall}"),
                    Some(kind) => format!("! {kind}: {it} it, {wall}"),
                    None if *cut => format!("not found in {} s ({it} it)", CELL_BUDGET.as_secs()),
                    None if *complete => format!("not found, complete ({it} it, {wall})"),
                    None => format!("not found ({it} it, {wall})"),
                }
            }
            Cell::Hang => format!("hang (killed after {} s)", CELL_TIMEOUT.as_secs()),
            Cell::Crashed(why) => format!("crashed ({why})"),
        }
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1e3)
    }
}

fn twins() -> Vec<Scenario> {
    catalog()
        .into_iter()
        // The async twins run under the tokio checker only, not loom or shuttle.
        .filter(|s| matches!(s.role, Role::Twin { .. }) && matches!(s.body, Body::Sync(_)))
        .collect()
}

fn expects(s: &Scenario) -> &'static [concheck::ViolationKind] {
    match s.role {
        Role::Twin { expects, .. } => expects,
        Role::Reference => &[],
    }
}

/// The child's side: runs one cell and prints one tab-separated line.
fn run_cell(twin: &str, checker: &str) {
    let s = twins()
        .into_iter()
        .find(|s| s.name == twin)
        .unwrap_or_else(|| panic!("no twin named {twin}"));
    let (_, make) = CHECKERS
        .iter()
        .find(|(name, _)| *name == checker)
        .unwrap_or_else(|| panic!("no checker named {checker}"));
    let check = s.check();
    let start = Instant::now();
    let report: Report = check.run(&make(&s));
    let wall = start.elapsed();
    let cut = matches!(&report.completeness,
        Completeness::Incomplete { bound } if bound.starts_with("time budget"));
    println!(
        "CELL\t{}\t{}\t{}\t{}\t{}\t{}",
        report.iterations,
        wall.as_nanos(),
        report.kind().map_or("-", |k| k.name()),
        report.kind().is_some_and(|k| expects(&s).contains(&k)),
        cut,
        report.verified()
    );
}

/// The parent's side: runs one cell in a child process, killing it after [`CELL_TIMEOUT`].
fn measure_cell(twin: &str, checker: &str) -> Cell {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let mut child = Command::new(exe)
        .args(["--cell", twin, checker])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning the bench binary for one cell");
    let deadline = Instant::now() + CELL_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for a cell") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Cell::Hang;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    let Some(line) = out.lines().find(|l| l.starts_with("CELL\t")) else {
        return Cell::Crashed(status.to_string());
    };
    let f: Vec<&str> = line.split('\t').collect();
    Cell::Done {
        iterations: f[1].parse().expect("iterations"),
        wall: Duration::from_nanos(f[2].parse().expect("nanoseconds")),
        kind: (f[3] != "-").then(|| f[3].to_owned()),
        expected: f[4] == "true",
        cut: f[5] == "true",
        complete: f[6] == "true",
    }
}

/// Runs every twin under every checker once, each in a child process; rows in catalog order.
fn measure(twins: &[Scenario]) -> Vec<Vec<Cell>> {
    twins
        .iter()
        .map(|s| {
            CHECKERS
                .iter()
                .map(|(name, _)| {
                    let cell = measure_cell(s.name, name);
                    eprintln!("detect: {} under {name}: {}", s.name, cell.text());
                    cell
                })
                .collect()
        })
        .collect()
}

/// The checkers that found the twin's expected violation within [`TIE`] of the quickest:
/// `any` when all four did. Sub-millisecond differences are noise, not a reason to pick one.
fn fastest(row: &[Cell]) -> String {
    let found: Vec<(Duration, &str)> = row
        .iter()
        .zip(CHECKERS)
        .filter_map(|(cell, (name, _))| Some((cell.found_expected()?, name)))
        .collect();
    let Some(&(quickest, _)) = found.iter().min() else {
        return "none".to_owned();
    };
    let near: Vec<&str> = found
        .iter()
        .filter(|(wall, _)| wall.as_secs_f64() <= quickest.as_secs_f64() * TIE)
        .map(|&(_, name)| name)
        .collect();
    if near.len() == CHECKERS.len() {
        "any".to_owned()
    } else {
        near.join(", ")
    }
}

/// The table as markdown, with the fastest checkers per twin.
fn print_table(twins: &[Scenario], rows: &[Vec<Cell>], total: Duration) {
    let mut out = String::new();
    out.push_str(
        "| twin | bug (first expected kind) | loom | shuttle-random | shuttle-pct | shuttle-dfs \
         | fastest (within 1.5x) |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for (s, row) in twins.iter().zip(rows) {
        let fastest = fastest(row);
        let cells: Vec<String> = row.iter().map(Cell::text).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {fastest} |\n",
            s.name,
            expects(s).first().map_or("?", |k| k.name()),
            cells.join(" | ")
        ));
    }
    let found: Vec<String> = (0..CHECKERS.len())
        .map(|c| {
            let n = rows
                .iter()
                .filter(|row| row[c].found_expected().is_some())
                .count();
            format!("{n}/{}", twins.len())
        })
        .collect();
    out.push_str(&format!(
        "| found (expected kind) | | {} | |\n",
        found.join(" | ")
    ));
    println!(
        "\ndetect: executions and wall time until each twin's violation was found \
         ({} twins x {} checkers in {:.0} s)\n\n{out}",
        twins.len(),
        CHECKERS.len(),
        total.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--cell") {
        run_cell(&args[i + 1], &args[i + 2]);
        return;
    }
    let table_only = args.iter().any(|a| a == "--table");
    // Outside `cargo bench` the table would spend every checker's budget for nothing.
    if !table_only && !args.iter().any(|a| a == "--bench") {
        return;
    }
    let twins = twins();
    let start = Instant::now();
    let rows = measure(&twins);
    print_table(&twins, &rows, start.elapsed());
    if table_only {
        return;
    }
    // Plots of a hundred functions would take longer than measuring them.
    let mut c = Criterion::default().without_plots().configure_from_args();
    for (column, (name, checker)) in CHECKERS.iter().enumerate() {
        let mut group = c.benchmark_group(format!("detect_{name}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(500));
        for (s, row) in twins.iter().zip(&rows) {
            let Some(kind) = row[column].found() else {
                continue;
            };
            let (check, checker) = (s.check(), checker(s));
            group.bench_function(s.name, |b| {
                // A fresh thread per sample: a shuttle run that finds some twins' violations
                // leaves its thread `panicking()`, and later checks on that thread then report
                // shuttle's own teardown panic instead of their violation (see BENCHMARKS.md).
                std::thread::scope(|scope| {
                    scope.spawn(|| {
                        b.iter(|| {
                            let report = check.run(&checker);
                            assert_eq!(
                                report.kind().map(|k| k.name()),
                                Some(kind),
                                "{} under {name}: not what the table found",
                                s.name
                            );
                            report
                        });
                    });
                });
            });
        }
        group.finish();
    }
    c.final_summary();
}
