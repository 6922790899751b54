//! How loom's cost grows with the preemption bound and the number of tasks, and what shuttle
//! random costs instead, on the reference bodies of two catalog patterns.
//!
//! Bodies (all from `concheck_scenarios`):
//!
//! - `worker_pool_w{1,2,3}`: `worker_pool::run(vec![1, 2], w, square)` with 1, 2 or 3 workers
//!   (2 to 4 spawned tasks: the workers and the closer; 3 to 5 loom threads with the body),
//!   then the catalog reference's assertions. `worker_pool_w2` is the same code as the catalog's
//!   (private) `worker_pool` reference body.
//! - `fan_in`: the catalog's `fan_in` reference body (2 forwarders and a closer).
//!
//! Before criterion starts a table is printed to stdout (progress to stderr): per body, loom's
//! executions and wall time at preemption bound 1, 2 and 3, each run capped at 60 s
//! (`LoomConfig::max_duration`, with no iteration cap, so time is the only cut; a cut run
//! prints `cut at 60 s` with the executions it reached, read from the report's completeness; a
//! bound above a cut one is not run: it would be cut too), and shuttle random's time per 1,000
//! schedules. Then criterion times only the cheap points: loom at bound 1 and shuttle random,
//! per body (`sample_size(10)`).
//!
//! Run with `cargo bench --bench growth`; the table alone with `cargo bench --bench growth --
//! --table`. Outside `cargo bench` (`cargo test --benches`) the table is skipped.

use std::time::{Duration, Instant};

use concheck::check::{Check, Checker, Completeness, LoomConfig, Report, ShuttleConfig};
use concheck_scenarios::{catalog, worker_pool};
use criterion::Criterion;

/// The time budget of every loom run in the table.
const LOOM_BUDGET: Duration = Duration::from_secs(60);
/// The preemption bounds in the table.
const BOUNDS: [usize; 3] = [1, 2, 3];
/// shuttle random schedules per run.
const SHUTTLE_ITERATIONS: u64 = 1_000;

fn square(x: u32) -> u32 {
    x * x
}

/// The worker pool reference with `workers` workers: two jobs, every result exactly once.
fn worker_pool_check(workers: usize) -> Check {
    Check::new(move || {
        let mut out = worker_pool::run(vec![1, 2], workers, square).expect("workers >= 1");
        out.sort_unstable();
        assert_eq!(out, vec![1, 4], "every job's result exactly once");
    })
    .max_live_tasks(workers + 1)
}

/// The bodies: name, spawned tasks, check.
fn bodies() -> Vec<(String, usize, Check)> {
    let mut bodies: Vec<(String, usize, Check)> = (1..=3)
        .map(|w| (format!("worker_pool_w{w}"), w + 1, worker_pool_check(w)))
        .collect();
    let fan_in = catalog()
        .into_iter()
        .find(|s| s.name == "fan_in")
        .expect("the catalog has the fan_in reference");
    bodies.push(("fan_in".to_owned(), 3, fan_in.check()));
    bodies
}

fn loom(bound: usize) -> Checker {
    Checker::Loom(
        LoomConfig::new()
            .preemption_bound(Some(bound))
            .iterations(None)
            .max_duration(Some(LOOM_BUDGET)),
    )
}

fn shuttle() -> Checker {
    Checker::Shuttle(ShuttleConfig::random().iterations(SHUTTLE_ITERATIONS))
}

/// Whether the time budget, not the preemption bound, ended the search.
fn cut(report: &Report) -> bool {
    match &report.completeness {
        Completeness::Incomplete { bound } => bound.starts_with("time budget"),
        Completeness::Complete => false,
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.1} s")
    }
}

/// A table cell for one run, panicking if a reference body showed a violation.
fn cell(name: &str, report: &Report) -> String {
    assert!(
        report.violation().is_none(),
        "{name}: the reference body showed a violation:\n{report}"
    );
    let per = report.elapsed.as_secs_f64() * 1e6 / report.iterations.max(1) as f64;
    if cut(report) {
        format!(
            "cut at {} s ({} it, {per:.0} µs/it)",
            LOOM_BUDGET.as_secs(),
            report.iterations
        )
    } else {
        format!(
            "{} it, {} ({per:.0} µs/it)",
            report.iterations,
            secs(report.elapsed)
        )
    }
}

fn print_table(bodies: &[(String, usize, Check)]) {
    let start = Instant::now();
    let mut out = String::from(
        "| body | spawned tasks | loom bound 1 | loom bound 2 | loom bound 3 \
         | shuttle random, 1,000 schedules |\n|---|---|---|---|---|---|\n",
    );
    for (name, tasks, check) in bodies {
        let mut cells = Vec::new();
        let mut was_cut = false;
        for bound in BOUNDS {
            if was_cut {
                cells.push(format!("not run (bound {} was cut)", bound - 1));
                continue;
            }
            let report = check.run(&loom(bound));
            was_cut = cut(&report);
            cells.push(cell(name, &report));
            eprintln!(
                "growth: {name} loom bound {bound}: {}",
                cells[cells.len() - 1]
            );
        }
        let report = check.run(&shuttle());
        cells.push(cell(name, &report));
        eprintln!("growth: {name} shuttle random: {}", cells[cells.len() - 1]);
        out.push_str(&format!("| {name} | {tasks} | {} |\n", cells.join(" | ")));
    }
    println!(
        "\ngrowth: loom executions and time by preemption bound (each run capped at {} s), \
         shuttle random per {SHUTTLE_ITERATIONS} schedules (table took {:.0} s)\n\n{out}",
        LOOM_BUDGET.as_secs(),
        start.elapsed().as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let table_only = args.iter().any(|a| a == "--table");
    let bodies = bodies();
    // Outside `cargo bench` the table would spend minutes of loom budget for nothing.
    if table_only || args.iter().any(|a| a == "--bench") {
        print_table(&bodies);
    }
    if table_only {
        return;
    }
    let mut c = Criterion::default().without_plots().configure_from_args();
    for (group_name, checker) in [
        ("growth_loom_bound1", loom(1)),
        ("growth_shuttle_random", shuttle()),
    ] {
        let mut group = c.benchmark_group(group_name);
        group.sample_size(10);
        for (name, _, check) in &bodies {
            group.bench_function(name.as_str(), |b| {
                b.iter(|| {
                    let report = check.run(&checker);
                    assert!(report.violation().is_none() && !cut(&report));
                    report
                });
            });
        }
        group.finish();
    }
    c.final_summary();
}
