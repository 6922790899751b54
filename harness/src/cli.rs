//! The command line: what to run, under which checkers, with which budgets, and where to write.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use concheck::check::Shard;
use serde::{Deserialize, Serialize};

/// Runs Go's concurrency patterns and their buggy twins under loom, shuttle and std.
#[derive(Debug, Parser)]
#[command(name = "concheck", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no subcommand: `run` with these options.
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run scenarios and print the table (the default).
    Run(RunArgs),
    /// List the scenarios and compile-fail cases, with their role.
    List {
        /// Only names containing this.
        filter: Option<String>,
    },
    /// Run one failing schedule again from a report's replay string.
    Replay {
        /// The scenario the string came from.
        scenario: String,
        /// The `replay` field of its report (`loom:...` or `shuttle:...`).
        replay: String,
    },
    /// Merge the JSON reports of the shards of one run (`run --shard K/N --json F`) into one
    /// table: iterations add up, coverage is the union, a violation in any shard is reported.
    Merge(MergeArgs),
    /// Measure shuttle's iterations per second on one worker and on several, and print the
    /// speed-up of the parallel search.
    Speedup(SpeedupArgs),
    /// Run the SCTBench benchmark (the schedule-bounding study's buggy C programs, ported):
    /// every shuttle strategy from several seeds, and loom where a program fits, and print per
    /// benchmark and checker the seeds that found the bug and the median schedules and time to
    /// the first failure; fixed twins must stay clean (exit 1 otherwise).
    Sctbench(SctbenchArgs),
}

#[derive(Clone, Debug, Args)]
pub(crate) struct SctbenchArgs {
    /// Only benchmarks whose name contains one of these.
    pub filters: Vec<String>,
    /// List the benchmarks and exit.
    #[arg(long)]
    pub list: bool,
    /// Seeds per shuttle strategy on each buggy program (the medians are over them).
    #[arg(long, default_value_t = 5, allow_hyphen_values = true, value_parser = parse_count)]
    pub seeds: u64,
    /// Seeds per shuttle strategy on each fixed twin.
    #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = parse_count)]
    pub fixed_seeds: u64,
    /// The first seed; seed i of a run is this plus i. Decimal or 0x-hex.
    #[arg(long, default_value_t = 0x00c0_ffee, allow_hyphen_values = true, value_parser = parse_seed)]
    pub seed: u64,
    /// Schedules per checker and seed (loom: executions), at most.
    #[arg(long, default_value_t = 2_000, allow_hyphen_values = true, value_parser = parse_count)]
    pub iterations: u64,
    /// Time per checker and seed, at most (`2s`, `500ms`).
    #[arg(long, default_value = "2s", allow_hyphen_values = true, value_parser = parse_budget)]
    pub budget: Duration,
    /// Also write the table as markdown to this file: one row per benchmark, one column per
    /// checker (found/seeds, median schedules, median time).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
}

#[derive(Clone, Debug, Args)]
pub(crate) struct MergeArgs {
    /// The shards' JSON reports.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub reports: ReportFiles,
}

/// Where `run` and `merge` write their reports besides the table they print.
#[derive(Clone, Debug, Default, Args, Serialize, Deserialize)]
pub(crate) struct ReportFiles {
    /// Write every row with its full report as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the table as GitHub markdown (for a CI job summary).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write an HTML page of each check that found a violation, with its interleaving drawn
    /// (DIR/<scenario>-<checker>.html), and DIR/index.html linking them.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
}

#[derive(Clone, Debug, Args)]
pub(crate) struct SpeedupArgs {
    /// The scenario whose body is searched.
    #[arg(default_value = "worker_pool")]
    pub scenario: String,
    /// Schedules per search (each measurement runs this many, split over the workers).
    #[arg(long, default_value_t = 20_000, allow_hyphen_values = true, value_parser = parse_count)]
    pub iterations: u64,
    /// Workers of the parallel search (default: the number of cores).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_workers)]
    pub workers: Option<u64>,
    /// Measurements of each (the median is reported).
    #[arg(long, default_value_t = 5, allow_hyphen_values = true, value_parser = parse_count)]
    pub rounds: u64,
    /// The strategy searched.
    #[arg(long, value_enum, default_value_t = CheckerKind::ShuttleRandom)]
    pub checker: CheckerKind,
}

/// Which checkers to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
pub(crate) enum CheckerKind {
    /// loom, every interleaving up to the scenario's preemption bound.
    Loom,
    /// shuttle, random schedules.
    ShuttleRandom,
    /// shuttle, probabilistic concurrency testing.
    ShuttlePct,
    /// shuttle, depth-first (not in the default set: slow on the larger patterns).
    ShuttleDfs,
    /// shuttle, partial order sampling (POS).
    ShuttlePos,
    /// shuttle, PCT at depths 1 to 6 in turn.
    ShuttlePctDeepening,
    /// shuttle, round-robin with 2 random delays per schedule.
    ShuttleDelay,
    /// shuttle, every round-robin schedule with at most 2 delays (delay-bounded DFS; not in the
    /// default set: complete only within its bound).
    ShuttleDelayDfs,
    /// shuttle, schedules fuzzed with the coverage of conflicting pairs as feedback (RFF-style).
    ShuttleGuided,
    /// shuttle, a portfolio of PCT, POS, coverage-guided, random, PCT deepening and delay
    /// bounding dealt over the --workers (the way to run a long search: with --workers and
    /// --budget).
    ShuttlePortfolio,
    /// Real std threads with a watchdog.
    Std,
    /// tokio, current-thread runtime with a paused clock (async scenarios only).
    Tokio,
    /// tokio, multi-thread runtime (2 workers) on the real clock (async scenarios only; not in
    /// the default set: each run waits for its timers in real time).
    TokioMt,
}

#[derive(Clone, Debug, Default, Args, Serialize, Deserialize)]
pub(crate) struct RunArgs {
    /// Only scenarios (and compile-fail cases) whose name contains one of these.
    pub filters: Vec<String>,
    /// Checkers to run (repeat or comma-separate); default: loom, shuttle-random, shuttle-pct,
    /// std, tokio. Each scenario runs under those that apply to it (tokio only to async ones).
    #[arg(long = "checker", value_enum, value_delimiter = ',')]
    pub checkers: Vec<CheckerKind>,
    /// Executions per shuttle search and runs per std or tokio check (default: shuttle 1000, std
    /// 100, tokio 100, tokio-mt 20).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_count)]
    pub iterations: Option<u64>,
    /// Seed of shuttle's searches other than DFS (default 0xc0ffee). Decimal or 0x-hex.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// OS threads per shuttle search (not DFS), each with its own seed (default 1); the
    /// portfolio deals its strategies over them.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_count)]
    pub workers: Option<u64>,
    /// loom's preemption bound for every scenario (`none`: exhaustive); default: per scenario.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_bound)]
    pub loom_bound: Option<Bound>,
    /// Run shard K of N (numbered from 1, like nextest's --partition count:K/N): shuttle random
    /// and PCT walk this shard's own seed streams, loom and DFS run whole in shard 1 only; merge
    /// the shards' --json reports with `concheck merge`. Default: $CONCHECK_SHARD, if set.
    #[arg(long, allow_hyphen_values = true)]
    pub shard: Option<Shard>,
    /// Give every loom and shuttle check this much time instead of a count (`10s`, `500ms`,
    /// `2m`); the table says how many schedules that was. std checks keep their run count.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_budget)]
    pub budget: Option<Duration>,
    #[command(flatten)]
    pub reports: ReportFiles,
    /// Scenarios checked at once, each in its own process (default: the number of cores).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_count)]
    pub jobs: Option<u64>,
}

/// A loom preemption bound given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Bound(pub Option<usize>);

fn parse_bound(s: &str) -> Result<Bound, String> {
    if s == "none" {
        return Ok(Bound(None));
    }
    s.parse()
        .map(|n| Bound(Some(n)))
        .map_err(|_| format!("{s:?} is not a preemption bound: give a whole number or `none`"))
}

/// `10s`, `500ms`, `2m`, `1.5s`: a number and a unit (ms, s, m, h).
pub(crate) fn parse_budget(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!("{s:?} is not a time budget: give a number and a unit, e.g. 10s, 500ms, 2m or 1h")
    };
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (number, unit) = s.split_at(split);
    let number: f64 = number.parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return Err(bad()),
    };
    let budget = Duration::try_from_secs_f64(secs).map_err(|_| bad())?;
    if budget.is_zero() {
        return Err(format!(
            "a time budget of {s} runs nothing: give more than zero"
        ));
    }
    Ok(budget)
}

/// A count of 1 or more. Takes values that start with `-` (`allow_hyphen_values`) so that
/// `--iterations -1` gets this message rather than clap's tip to write `-- -1`, which would make
/// `-1` a filter.
fn parse_count(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{s:?} is not a count: give a whole number of 1 or more"
        )),
    }
}

/// The parallel search's workers for `speedup`: it compares one worker with several.
fn parse_workers(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n >= 2 => Ok(n),
        _ => Err(format!(
            "{s:?} is not a parallel search: give 2 or more workers (the speed-up is measured \
             against one worker)"
        )),
    }
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("{s:?} is not a seed: give a whole number, decimal or 0x-hex"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse_with_their_unit() {
        assert_eq!(parse_budget("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_budget("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_budget("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_budget("1.5s"), Ok(Duration::from_millis(1500)));
        for bad in ["10", "s", "ten s", "10x", "-1s"] {
            assert!(
                parse_budget(bad).unwrap_err().contains("not a time budget"),
                "{bad}"
            );
        }
        assert!(parse_budget("0s").unwrap_err().contains("runs nothing"));
    }
}
