//! `concheck speedup`: shuttle's iterations per second on one worker and on several, measured
//! in turns (one worker, then several, for each round) so a change in the machine's load hits
//! both alike; prints every round, the medians, the speed-up and the load average.
//!
//! On a busy machine the wall-clock speed-up says more about the other processes than about the
//! search, so it also prints the CPU time per schedule of each (this process's user and system
//! time, from `/proc/self/stat`): if two workers spend no more CPU per schedule than one, the
//! search itself scales, and on idle cores it runs `workers / inflation` times as fast.

use std::process::ExitCode;
use std::time::Duration;

use concheck::check::{Check, Checker, ShuttleConfig};
use concheck_scenarios::catalog;

use crate::cli::{CheckerKind, SpeedupArgs};

/// What the parallel search should reach on a 2-core machine (issue 9).
const GOAL: f64 = 1.8;

pub(crate) fn speedup(args: &SpeedupArgs) -> ExitCode {
    let Some(scenario) = catalog().into_iter().find(|s| s.name == args.scenario) else {
        eprintln!(
            "no scenario named {:?}; `concheck list` shows them all",
            args.scenario
        );
        return ExitCode::from(2);
    };
    let config = match args.checker {
        CheckerKind::ShuttleRandom => ShuttleConfig::random(),
        CheckerKind::ShuttlePct => ShuttleConfig::pct(),
        _ => {
            eprintln!(
                "speedup measures the parallel shuttle searches: give --checker shuttle-random \
                 or shuttle-pct"
            );
            return ExitCode::from(2);
        }
    };
    // The measurement is of this machine's cores, not of a shard's seeds.
    let config = config.unsharded().iterations(args.iterations);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = args.workers.map_or(cores.max(2), |n| n as usize);
    let check = scenario.check();
    println!(
        "{} under {}: {} schedules per search, 1 worker vs {workers}, {} rounds, {cores} cores",
        scenario.name,
        checker_name(args.checker),
        args.iterations,
        args.rounds
    );
    println!("load average before: {}", load_average());
    // Warm up (page in the code, grow the allocator's pools), and refuse a body that fails.
    if let Err(e) = rate(
        &check,
        config.clone().iterations(args.iterations.div_ceil(10)),
    ) {
        return fail(&e);
    }
    let (mut single, mut parallel) = (Vec::new(), Vec::new());
    let (mut single_cpu, mut parallel_cpu) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let one = match rate(&check, config.clone()) {
            Ok(r) => r,
            Err(e) => return fail(&e),
        };
        let many = match rate(&check, config.clone().workers(workers)) {
            Ok(r) => r,
            Err(e) => return fail(&e),
        };
        println!(
            "round {round}: 1 worker {:>9.0} schedules/s ({}), {workers} workers {:>9.0} \
             schedules/s ({}), x{:.2}",
            one.per_second,
            cpu_label(one.cpu_per_schedule),
            many.per_second,
            cpu_label(many.cpu_per_schedule),
            many.per_second / one.per_second
        );
        single.push(one.per_second);
        parallel.push(many.per_second);
        single_cpu.extend(one.cpu_per_schedule);
        parallel_cpu.extend(many.cpu_per_schedule);
    }
    let (one, many) = (median(&mut single), median(&mut parallel));
    let ratio = many / one;
    println!("load average after: {}", load_average());
    println!(
        "median: 1 worker {one:.0} schedules/s, {workers} workers {many:.0} schedules/s: \
         speed-up x{ratio:.2} (goal >= {GOAL}x on 2 cores: {})",
        if ratio >= GOAL { "met" } else { "missed" }
    );
    if !single_cpu.is_empty() && !parallel_cpu.is_empty() {
        let inflation = median(&mut parallel_cpu) / median(&mut single_cpu);
        println!(
            "CPU per schedule: {workers} workers spend x{inflation:.2} of one worker's, so on \
             {workers} idle cores the search would run x{:.2} as fast",
            workers.min(cores) as f64 / inflation
        );
    }
    ExitCode::SUCCESS
}

/// One search's throughput.
struct Rate {
    per_second: f64,
    /// This process's CPU time per schedule, where the platform says.
    cpu_per_schedule: Option<f64>,
}

fn cpu_label(cpu: Option<f64>) -> String {
    cpu.map_or_else(
        || "cpu unknown".to_owned(),
        |c| format!("{:.1} us cpu each", c * 1e6),
    )
}

fn checker_name(kind: CheckerKind) -> &'static str {
    match kind {
        CheckerKind::ShuttlePct => "shuttle pct",
        _ => "shuttle random",
    }
}

/// One search; its throughput, or why it cannot be a measurement.
fn rate(check: &Check, config: ShuttleConfig) -> Result<Rate, String> {
    let cpu_before = cpu_seconds();
    let report = check.run(&Checker::Shuttle(config));
    let cpu_after = cpu_seconds();
    if let Some(v) = report.violation() {
        return Err(format!(
            "the body has a violation, so the search stops early and measures nothing: {v}"
        ));
    }
    let secs = report.elapsed.max(Duration::from_micros(1)).as_secs_f64();
    let schedules = report.iterations as f64;
    Ok(Rate {
        per_second: schedules / secs,
        cpu_per_schedule: cpu_before
            .zip(cpu_after)
            .map(|(before, after)| (after - before) / schedules),
    })
}

/// This process's user and system CPU time in seconds (Linux: `/proc/self/stat`, in clock ticks
/// of 1/100 s, which is `USER_HZ` on every Linux platform Rust supports).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) start at state (field 3);
    // utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn fail(why: &str) -> ExitCode {
    eprintln!("{why}; measure a reference scenario");
    ExitCode::from(2)
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The 1, 5 and 15 minute load averages (Linux), or why they are not known.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown (no /proc/loadavg)".to_owned(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}
