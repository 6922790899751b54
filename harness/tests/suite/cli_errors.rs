//! Bad input to the main command: every one is a single lowercase line on stderr naming the
//! input and what to do, with exit 2, and it comes before any check runs. Nothing that ran no
//! check exits 0.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the binary; returns its exit code, stdout and stderr.
fn concheck(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
        .args(args)
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run the concheck binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("concheck-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Exit 2 and one lowercase line on stderr containing `needle`.
#[track_caller]
fn assert_usage_error(args: &[&str], needle: &str) {
    let (code, stdout, stderr) = concheck(args);
    assert_eq!(code, Some(2), "{args:?}: stdout {stdout}\nstderr {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line, got:\n{stderr}");
    let line = lines[0];
    assert!(
        line.chars().next().is_some_and(|c| !c.is_uppercase()),
        "{args:?}: lowercase: {line}"
    );
    assert!(line.contains(needle), "{args:?}: {line:?} lacks {needle:?}");
    assert!(
        !stdout.contains("scenario  role"),
        "{args:?}: no check ran: {stdout}"
    );
}

#[test]
fn a_filter_that_matches_nothing_is_an_error() {
    assert_usage_error(&["list", "zzz"], "no scenario matches zzz");
    assert_usage_error(&["run", "zzz"], "no scenario matches zzz");
}

#[test]
fn a_run_of_no_check_is_an_error() {
    // ready_flag is sync: tokio does not apply to it.
    assert_usage_error(
        &["run", "ready_flag", "--checker", "tokio"],
        "no check to run",
    );
}

#[test]
fn negative_and_zero_counts_get_our_message() {
    assert_usage_error(
        &["run", "ready_flag", "--iterations", "-1"],
        "\"-1\" is not a count",
    );
    assert_usage_error(&["run", "ready_flag", "--iterations", "0"], "not a count");
    assert_usage_error(&["run", "ready_flag", "--workers", "-2"], "not a count");
    assert_usage_error(&["run", "ready_flag", "--seed", "-1"], "not a seed");
    assert_usage_error(
        &["run", "ready_flag", "--budget", "-1s"],
        "not a time budget",
    );
    assert_usage_error(&["run", "--frobnicate"], "concheck --help");
}

#[test]
fn report_paths_are_checked_before_any_check_runs() {
    let file = temp("existing-file");
    std::fs::write(&file, "x").unwrap();
    let missing = temp("no-such-dir").join("r.json");
    let start = Instant::now();
    // Every scenario under every checker: tens of seconds if it ran.
    assert_usage_error(
        &["run", "--html", file.to_str().unwrap()],
        "is a file, not a directory",
    );
    assert_usage_error(
        &["run", "--json", missing.to_str().unwrap()],
        "does not exist",
    );
    assert_usage_error(
        &["run", "--markdown", missing.to_str().unwrap()],
        "does not exist",
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "checked before running: {:?}",
        start.elapsed()
    );
}

#[test]
fn merging_nothing_is_an_error() {
    let empty = temp("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    assert_usage_error(&["merge", empty.to_str().unwrap()], "nothing to merge");
    assert_usage_error(
        &["merge"],
        "the following required arguments were not provided: <FILES>",
    );
}

#[test]
fn speedup_counts_say_what_to_give() {
    assert_usage_error(&["speedup", "--workers", "1"], "give 2 or more workers");
    assert_usage_error(
        &["speedup", "--rounds", "0"],
        "give a whole number of 1 or more",
    );
    assert_usage_error(&["speedup", "--iterations", "-5"], "\"-5\" is not a count");
}

#[test]
fn a_clap_error_keeps_what_it_names_on_its_one_line() {
    assert_usage_error(&["replay"], "not provided: <SCENARIO> <REPLAY>");
    assert_usage_error(
        &["run", "--checker", "nope"],
        "invalid value 'nope' for '--checker <CHECKERS>' [possible values: loom,",
    );
}
