//! `concheck replay` with strings it cannot replay: one line naming what is wrong, exit 2,
//! never a panic (exit 101) or a made-up violation with exit 0.

use std::process::Command;

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

/// The replay string of `scenario`'s failing report under `checker`.
fn replay_string(scenario: &str, checker: &str) -> String {
    let file = std::env::temp_dir().join(format!(
        "concheck-replay-cli-{}-{scenario}-{checker}.json",
        std::process::id()
    ));
    let (code, out, err) = concheck(&[
        "run",
        scenario,
        "--checker",
        checker,
        "--json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let _ = std::fs::remove_file(&file);
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["scenario"] == scenario)
        .and_then(|r| r["report"]["replay"].as_str())
        .unwrap_or_else(|| panic!("{scenario} under {checker} has a replay string: {rows}"))
        .to_owned()
}

#[track_caller]
fn assert_refused(scenario: &str, replay: &str, needle: &str) {
    let (code, out, err) = concheck(&["replay", scenario, replay]);
    assert_eq!(code, Some(2), "{scenario} {replay:.60}: {out}{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{err}");
    assert!(!out.contains("violation"), "no made-up violation: {out}");
}

#[test]
fn malformed_and_truncated_strings_are_refused() {
    for bad in ["shuttle:zzzz", "loom:garbage", "shuttle:", "zzzz"] {
        let (code, out, err) = concheck(&["replay", "worker_pool", bad]);
        assert_eq!(code, Some(2), "{bad}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{bad}: {err}");
    }
    let s = replay_string("lock_order_ab_ba", "shuttle-random");
    // Cut inside the schedule: the checksum no longer matches.
    assert_refused("lock_order_ab_ba", &s[..s.len() - 4], "truncated");
    let (code, out, err) = concheck(&["replay", "lock_order_ab_ba", &s]);
    assert_eq!(code, Some(0), "the whole string reproduces: {out}{err}");
    assert!(out.contains("deadlock"), "{out}");
}

#[test]
fn a_string_of_another_scenario_is_refused() {
    let loom = replay_string("lock_order_ab_ba", "loom");
    assert_refused(
        "worker_pool_double_close",
        &loom,
        "recorded for another check",
    );
    let shuttle = replay_string("lock_order_ab_ba", "shuttle-random");
    assert_refused("worker_pool", &shuttle, "recorded for another check");
}

#[test]
fn a_model_string_on_a_tokio_scenario_is_refused() {
    let shuttle = replay_string("lock_order_ab_ba", "shuttle-random");
    assert_refused("tokio_timeout_no_abort", &shuttle, "tokio");
}
