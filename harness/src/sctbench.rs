//! `concheck sctbench`: the SCTBench benchmark. Runs every program of
//! `concheck_scenarios::sctbench` under every sampling strategy shuttle has here
//! ([`ShuttleConfig::strategies`] but plain DFS) from several seeds, and under loom where the program fits
//! its 4-task limit, and prints per benchmark and checker: how many seeds found the bug, and
//! the median schedules and time to the first failure over those that did. Each fixed twin
//! runs under the same checkers and budget, and any violation there (a false report) makes the
//! command exit 1. BENCHMARKS.md holds a run of it.

use std::process::ExitCode;
use std::time::Duration;

use concheck::check::{Checker, LoomConfig, Report, ShuttleConfig, Strategy};
use concheck_scenarios::sctbench::{programs, Program};
use concheck_scenarios::Scenario;

use crate::cli::SctbenchArgs;

/// loom's bound on the benchmark: 2, the study's finding that most of its bugs need 1 or 2.
const LOOM_BOUND: usize = 2;

/// One checker's results on one program over every seed.
struct Cell {
    checker: String,
    /// (schedules, time) of each seed that found the bug.
    found: Vec<(u64, Duration)>,
    runs: usize,
    /// The kinds found, by name.
    kinds: Vec<String>,
    /// Runs that stopped on a bound without finding anything: by time or by count.
    cut_by_time: usize,
}

pub(crate) fn sctbench(args: &SctbenchArgs) -> ExitCode {
    let selected: Vec<Program> = programs()
        .into_iter()
        .filter(|p| {
            args.filters.is_empty() || args.filters.iter().any(|f| p.name().contains(f.as_str()))
        })
        .collect();
    if selected.is_empty() {
        eprintln!(
            "no benchmark matches {}; `concheck sctbench --list` shows them all",
            args.filters.join(" or ")
        );
        return ExitCode::from(2);
    }
    if args.list {
        for p in &selected {
            println!("{:<34} {:>3} tasks  {}", p.name(), p.tasks, p.buggy.summary);
        }
        return ExitCode::SUCCESS;
    }
    let budget = args.budget;
    println!(
        "sctbench: {} programs; per checker and seed: {} schedules or {} s, whichever ends first; \
         {} seeds (fixed twins: {}); loom at preemption bound {LOOM_BOUND} where a program has at \
         most 4 tasks",
        selected.len(),
        args.iterations,
        budget.as_secs_f64(),
        args.seeds,
        args.fixed_seeds
    );
    let mut rows = Vec::new();
    let mut pivot: Vec<(&Program, Vec<Cell>)> = Vec::new();
    let mut false_reports = Vec::new();
    for p in &selected {
        let cells: Vec<Cell> = checkers(p, args)
            .into_iter()
            .map(|(checker, seeds)| run_cell(&p.buggy, &checker, &seeds))
            .collect();
        for cell in &cells {
            rows.push(row(p, cell));
            eprintln!("{}", row(p, cell).join("  "));
        }
        pivot.push((p, cells));
        if let Some(fixed) = p.fixed {
            let fixed_args = SctbenchArgs {
                seeds: args.fixed_seeds,
                ..args.clone()
            };
            for (checker, seeds) in checkers(p, &fixed_args) {
                let cell = run_cell(&fixed, &checker, &seeds);
                if !cell.found.is_empty() {
                    false_reports.push(format!(
                        "{} under {}: {} (a false report on a fixed twin)",
                        fixed.name,
                        cell.checker,
                        cell.kinds.join(", ")
                    ));
                }
            }
        }
    }
    let table = markdown(&rows);
    println!("{table}");
    let table = pivot_markdown(&pivot);
    println!("{table}");
    let fixed_count = selected.iter().filter(|p| p.fixed.is_some()).count();
    if false_reports.is_empty() {
        println!("fixed twins: {fixed_count}, no violation under any checker");
    } else {
        for f in &false_reports {
            println!("{f}");
        }
    }
    if let Some(path) = &args.markdown {
        if let Err(e) = std::fs::write(path, &table) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if false_reports.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The checkers a program runs under, each with the seeds it runs from (loom: one run, it is
/// deterministic).
fn checkers(p: &Program, args: &SctbenchArgs) -> Vec<(Checker, Vec<u64>)> {
    let seeds: Vec<u64> = (0..args.seeds).map(|i| args.seed.wrapping_add(i)).collect();
    let mut list = Vec::new();
    if p.fits_loom() {
        let loom = LoomConfig::default()
            .preemption_bound(Some(LOOM_BOUND))
            .iterations(Some(args.iterations))
            .max_duration(Some(args.budget));
        list.push((Checker::Loom(loom), vec![0]));
    }
    // Every strategy but plain DFS, whose walk exhausts any budget in its first branches; a
    // walk (delay-bounded DFS) samples nothing a seed varies, so it runs once.
    for config in ShuttleConfig::strategies()
        .into_iter()
        .filter(|c| c.get_strategy() != Strategy::Dfs)
    {
        let seeds = if config.get_strategy().is_exhaustive() {
            seeds[..1].to_vec()
        } else {
            seeds.clone()
        };
        let config = config
            .iterations(args.iterations)
            .max_duration(Some(args.budget))
            // Time to the first failure is the measure: shrinking it would add to it.
            .max_shrink_trials(0)
            .coverage(false);
        list.push((Checker::Shuttle(config), seeds));
    }
    list
}

fn run_cell(scenario: &Scenario, checker: &Checker, seeds: &[u64]) -> Cell {
    let check = scenario.check();
    let mut cell = Cell {
        checker: checker.short_name().to_owned(),
        found: Vec::new(),
        runs: 0,
        kinds: Vec::new(),
        cut_by_time: 0,
    };
    for &seed in seeds {
        let checker = match checker {
            Checker::Shuttle(c) => Checker::Shuttle(c.clone().seed(seed)),
            other => other.clone(),
        };
        let report: Report = check.run(&checker);
        cell.runs += 1;
        match report.kind() {
            Some(kind) => {
                cell.found.push((report.iterations, report.elapsed));
                let name = kind.to_string();
                if !cell.kinds.contains(&name) {
                    cell.kinds.push(name);
                }
            }
            None => {
                let label = concheck::check::completeness_label(&report.completeness);
                if label.contains("time budget") {
                    cell.cut_by_time += 1;
                }
            }
        }
    }
    cell
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> Option<T> {
    v.sort_unstable();
    v.get(v.len().saturating_sub(1) / 2).copied()
}

fn row(p: &Program, cell: &Cell) -> Vec<String> {
    let study = p
        .study
        .map_or("-".to_owned(), |s| format!("{} / {}", s.threads, s.points));
    let schedules = median(cell.found.iter().map(|f| f.0).collect());
    let time = median(cell.found.iter().map(|f| f.1).collect());
    let missed = cell.runs - cell.found.len();
    let note = if cell.found.is_empty() {
        if cell.cut_by_time > 0 {
            format!(
                "missed: time budget hit in {} of {missed}",
                cell.cut_by_time
            )
        } else {
            "missed: schedule budget spent".to_owned()
        }
    } else {
        cell.kinds.join(", ")
    };
    vec![
        p.name().to_owned(),
        p.tasks.to_string(),
        study,
        cell.checker.clone(),
        format!("{}/{}", cell.found.len(), cell.runs),
        schedules.map_or("-".to_owned(), |s| s.to_string()),
        time.map_or("-".to_owned(), |t| {
            format!("{:.1} ms", t.as_secs_f64() * 1000.0)
        }),
        note,
    ]
}

fn markdown(rows: &[Vec<String>]) -> String {
    let mut out = String::from(
        "| benchmark | tasks | study: threads / points | checker | found (seeds) | median schedules | median time | note |\n\
         | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |\n",
    );
    for r in rows {
        out.push_str("| ");
        out.push_str(&r.join(" | "));
        out.push_str(" |\n");
    }
    out
}

/// One row per benchmark, one column per checker: `found/seeds · median schedules · median
/// time`, or `-` where loom cannot run the program.
fn pivot_markdown(pivot: &[(&Program, Vec<Cell>)]) -> String {
    let mut names: Vec<String> = Vec::new();
    for (_, cells) in pivot {
        for c in cells {
            if !names.contains(&c.checker) {
                names.push(c.checker.clone());
            }
        }
    }
    let mut out = String::from("| benchmark | tasks | study: threads / points |");
    for n in &names {
        out.push_str(&format!(" {n} |"));
    }
    out.push_str("\n| --- | ---: | ---: |");
    out.push_str(&" --- |".repeat(names.len()));
    out.push('\n');
    for (p, cells) in pivot {
        let study = p
            .study
            .map_or("-".to_owned(), |s| format!("{} / {}", s.threads, s.points));
        out.push_str(&format!("| {} | {} | {study} |", p.name(), p.tasks));
        for n in &names {
            let text = match cells.iter().find(|c| &c.checker == n) {
                None => "-".to_owned(),
                Some(c) => {
                    let found = format!("{}/{}", c.found.len(), c.runs);
                    match (
                        median(c.found.iter().map(|f| f.0).collect()),
                        median(c.found.iter().map(|f| f.1).collect()),
                    ) {
                        (Some(s), Some(t)) => {
                            format!("{found} · {s} · {:.1} ms", t.as_secs_f64() * 1000.0)
                        }
                        _ => format!("**{found}**"),
                    }
                }
            };
            out.push_str(&format!(" {text} |"));
        }
        out.push('\n');
    }
    out
}
