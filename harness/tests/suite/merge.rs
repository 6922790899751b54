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
