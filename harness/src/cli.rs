//! The command line: what to run, under which checkers, with which budgets, and where to write.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

/// Runs Go's concurrency patterns and their buggy twins under loom, shuttle and std.
#[derive(Debug, Parser)]
#[command(name = "concheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no subcommand: `run` with these options.
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
}

/// Which checkers to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
pub enum CheckerKind {
    /// loom, every interleaving up to the scenario's preemption bound.
    Loom,
    /// shuttle, random schedules.
    ShuttleRandom,
    /// shuttle, probabilistic concurrency testing.
    ShuttlePct,
    /// shuttle, depth-first (not in the default set: slow on the larger patterns).
    ShuttleDfs,
    /// Real std threads with a watchdog.
    Std,
    /// tokio, current-thread runtime with a paused clock (async scenarios only).
    Tokio,
    /// tokio, multi-thread runtime (2 workers) on the real clock (async scenarios only; not in
    /// the default set: each run waits for its timers in real time).
    TokioMt,
}

#[derive(Clone, Debug, Default, Args, Serialize, Deserialize)]
pub struct RunArgs {
    /// Only scenarios (and compile-fail cases) whose name contains this.
    pub filter: Option<String>,
    /// Checkers to run (repeat or comma-separate); default: loom, shuttle-random, shuttle-pct,
    /// std, tokio. Each scenario runs under those that apply to it (tokio only to async ones).
    #[arg(long = "checker", value_enum, value_delimiter = ',')]
    pub checkers: Vec<CheckerKind>,
    /// Executions per shuttle search and runs per std or tokio check (default: shuttle 1000, std
    /// 100, tokio 100, tokio-mt 20).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// Seed of shuttle's random and PCT searches (default 0xc0ffee). Decimal or 0x-hex.
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// OS threads per shuttle random or PCT search, each with its own seed (default 1).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub workers: Option<u64>,
    /// loom's preemption bound for every scenario (`none`: exhaustive); default: per scenario.
    #[arg(long, value_parser = parse_bound)]
    pub loom_bound: Option<Bound>,
    /// Write every row with its full report as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the table as GitHub markdown (for a CI job summary).
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Scenarios checked at once, each in its own process (default: the number of cores).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,
}

/// A loom preemption bound given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bound(pub Option<usize>);

fn parse_bound(s: &str) -> Result<Bound, String> {
    if s == "none" {
        return Ok(Bound(None));
    }
    s.parse()
        .map(|n| Bound(Some(n)))
        .map_err(|_| format!("{s:?} is not a preemption bound: give a whole number or `none`"))
}

fn parse_seed(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("{s:?} is not a seed: give a whole number, decimal or 0x-hex"))
}
