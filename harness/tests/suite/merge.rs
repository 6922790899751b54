//! `concheck run --shard K/N --json` for each shard, then `concheck merge`: one table with the
//! shards' schedules added up and a twin caught if any shard caught it.

use std::path::PathBuf;
use std::process::Command;

fn concheck(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
        .args(args)
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run the concheck binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("concheck-merge-test-{}-{name}", std::process::id()))
}

#[test]
fn merge_of_two_shards_adds_their_schedules() {
    let files: Vec<PathBuf> = (1..=2).map(|k| temp(&format!("shard-{k}.json"))).collect();
    for (k, file) in (1..=2).zip(&files) {
        let (ok, out) = concheck(&[
            "run",
            "ready_flag",
            "--checker",
            "loom,shuttle-random",
            "--iterations",
            "50",
            "--shard",
            &format!("{k}/2"),
            "--json",
            file.to_str().unwrap(),
        ]);
        assert!(ok, "{out}");
        if k == 2 {
            assert!(out.contains("skipped"), "loom runs in shard 1 only:\n{out}");
        }
    }
    let merged = temp("merged.json");
    let (ok, out) = concheck(&[
        "merge",
        files[0].to_str().unwrap(),
        files[1].to_str().unwrap(),
        "--json",
        merged.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    assert!(
        out.contains("incomplete: 2 shards x 50 random schedules"),
        "{out}"
    );
    // loom ran whole in shard 1 (exhaustive for this body): the merge keeps its verdict.
    assert!(out.contains("verified"), "{out}");
    assert!(
        out.contains("twins caught in 2 of 2 loom/shuttle/tokio checks"),
        "{out}"
    );
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    let shuttle = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scenario"] == "ready_flag" && r["checker"] == "shuttle-random")
        .unwrap();
    assert_eq!(shuttle["iterations"], 100);
    assert!(shuttle["coverage"].as_str().unwrap().contains('%'));

    // One shard twice, or a file that is not a report: a clear error.
    let (ok, out) = concheck(&[
        "merge",
        files[0].to_str().unwrap(),
        files[0].to_str().unwrap(),
    ]);
    assert!(!ok && out.contains("appears twice"), "{out}");
    let (ok, out) = concheck(&["merge", "Cargo.toml"]);
    assert!(
        !ok && out.contains("is not a concheck JSON report"),
        "{out}"
    );
    for f in files.iter().chain([&merged]) {
        let _ = std::fs::remove_file(f);
    }
}

/// Runs shard `shard` of a small run of `filter` (loom and shuttle random, 50 schedules unless
/// `extra` says otherwise) into a JSON report and returns its path.
fn shard_report(name: &str, filter: &str, shard: &str, extra: &[&str]) -> PathBuf {
    let file = temp(&format!("{name}.json"));
    let mut args = vec!["run", filter, "--checker", "loom,shuttle-random"];
    if !extra.contains(&"--iterations") {
        args.extend(["--iterations", "50"]);
    }
    args.extend(["--shard", shard, "--json", file.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let (ok, out) = concheck(&args);
    assert!(ok, "{args:?}: {out}");
    file
}

fn merge_files(files: &[&PathBuf]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
        .arg("merge")
        .args(files)
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run the concheck binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The error of a refused merge: exit 2, one line, naming `field` and both files.
#[track_caller]
fn assert_refused(a: &PathBuf, b: &PathBuf, field: &str) {
    let (code, out) = merge_files(&[a, b]);
    assert_eq!(code, Some(2), "{out}");
    assert_eq!(out.lines().count(), 1, "one line: {out}");
    assert!(
        out.contains(&format!("come from different runs ({field} differs")),
        "{field}: {out}"
    );
    assert!(
        out.contains(&b.display().to_string()),
        "names the file: {out}"
    );
}

#[test]
fn shards_of_different_runs_are_refused_naming_what_differs() {
    let one = shard_report("id-1", "ready_flag", "1/2", &[]);
    let two = shard_report("id-2", "ready_flag", "2/2", &[]);
    let (code, out) = merge_files(&[&one, &two]);
    assert_eq!(code, Some(0), "the shards of one run merge: {out}");

    let seed = shard_report("id-seed", "ready_flag", "2/2", &["--seed", "7"]);
    assert_refused(&one, &seed, "seed");
    let iterations = shard_report("id-iter", "ready_flag", "2/2", &["--iterations", "60"]);
    assert_refused(&one, &iterations, "iterations");
    // The same scenarios, another filter: the runs could still differ in what they select.
    let filter = shard_report("id-filter", "ready_fla", "2/2", &[]);
    assert_refused(&one, &filter, "filter");
    let count = shard_report("id-count", "ready_flag", "2/3", &[]);
    assert_refused(&one, &count, "shard count");

    // A report that does not say which run it is (an older concheck, an edited file).
    let mut rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&two).unwrap()).unwrap();
    for row in rows.as_array_mut().unwrap() {
        row.as_object_mut().unwrap().remove("run");
    }
    let anonymous = temp("id-anonymous.json");
    std::fs::write(&anonymous, rows.to_string()).unwrap();
    let (code, out) = merge_files(&[&one, &anonymous]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("does not say which run"), "{out}");

    for f in [one, two, seed, iterations, filter, count, anonymous] {
        let _ = std::fs::remove_file(f);
    }
}

#[test]
fn a_check_no_given_shard_ran_is_neither_caught_nor_passed() {
    // loom runs whole in shard 1; shard 2 of 4 skips it. Merged alone, the loom twin check was
    // run nowhere: it must not count as caught (it used to say "twins caught in 2 of 2").
    let two = shard_report("skip-2", "ready_flag_lost_wakeup", "2/4", &[]);
    let (code, out) = merge_files(&[&two]);
    assert_eq!(code, Some(1), "a merge with unrun checks fails: {out}");
    assert!(
        out.contains("twins caught in 1 of 1 loom/shuttle/tokio checks"),
        "only shuttle ran: {out}"
    );
    assert!(
        out.contains("1 checks ran in no shard given"),
        "the unrun check is named: {out}"
    );
    assert!(out.contains("merge every shard's report"), "{out}");

    // References (ready_flag, async_ready_flag): a loom check skipped everywhere is not
    // "passed" either.
    let reference = shard_report("skip-ref", "ready_flag", "2/4", &[]);
    let (code, out) = merge_files(&[&reference]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("3 checks merged") && out.contains("3 checks ran in no shard given"),
        "only the shuttle checks ran: {out}"
    );
    for f in [two, reference] {
        let _ = std::fs::remove_file(f);
    }
}

/// `value` as a JSON tool that reads every number as a double (jq, JavaScript) writes it back.
fn through_doubles(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                let rounded = u as f64 as u64;
                *n = rounded.into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(through_doubles),
        serde_json::Value::Object(map) => map.values_mut().for_each(through_doubles),
        _ => {}
    }
}

#[test]
fn coverage_survives_a_json_tool_that_uses_doubles() {
    let files = [
        shard_report("dbl-1", "ready_flag", "1/2", &[]),
        shard_report("dbl-2", "ready_flag", "2/2", &[]),
    ];
    let doubled: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            let mut v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            through_doubles(&mut v);
            let out = f.with_extension("doubled.json");
            std::fs::write(&out, v.to_string()).unwrap();
            out
        })
        .collect();
    let coverage = |out: &str| -> String {
        out.lines()
            .find(|l| l.starts_with("ready_flag ") && l.contains("shuttle-random"))
            .and_then(|l| l.split_whitespace().find(|c| c.contains('/')))
            .unwrap_or_else(|| panic!("a shuttle row with coverage: {out}"))
            .to_owned()
    };
    let (code, plain) = merge_files(&[&files[0], &files[1]]);
    assert_eq!(code, Some(0), "{plain}");
    let (code, through) = merge_files(&[&doubled[0], &doubled[1]]);
    assert_eq!(code, Some(0), "{through}");
    assert_eq!(coverage(&plain), coverage(&through), "{plain}\n{through}");
    for f in files.iter().chain(&doubled) {
        let _ = std::fs::remove_file(f);
    }
}
