//! The figures README.md quotes from the main command, held to a real run so they cannot rot
//! (issue 16 item 9): the scenario counts against `concheck list`, the check counts against the
//! catalog, and every row of the excerpt (outcome, iterations, coverage, complete?, note)
//! against `concheck run` of its scenarios. Times are not checked: they are the machine's.
//! Cost: one run of the excerpt's scenarios, about 5 s on 2 cores (worker_pool under loom is
//! most of it).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use concheck_scenarios::{catalog, Role};

fn readme() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(path).expect("read README.md")
}

/// The section "What the main command prints": its first line and its `text` block.
fn section(readme: &str) -> (String, Vec<String>) {
    let start = readme
        .find("## What the main command prints")
        .expect("README has the section");
    let rest = &readme[start..];
    let first = rest
        .lines()
        .find(|l| l.contains("scenarios ("))
        .unwrap()
        .to_owned();
    let block_start = rest.find("```text\n").unwrap() + "```text\n".len();
    let block_end = block_start + rest[block_start..].find("```").unwrap();
    let block = rest[block_start..block_end]
        .lines()
        .map(str::to_owned)
        .collect();
    (first, block)
}

/// The whole numbers in `text`, in order.
fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

/// A table row split into its cells (cells are separated by two spaces or more).
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_counts_match_the_catalog() {
    let (first, block) = section(&readme());
    let scenarios = catalog();
    let references = scenarios
        .iter()
        .filter(|s| s.role == Role::Reference)
        .count() as u64;
    let twins = scenarios.len() as u64 - references;
    let cases = concheck_scenarios::compile_fail::CASES.len() as u64;
    // The default checkers (loom, shuttle random and PCT, std, tokio) that apply to each.
    let default = ["loom", "shuttle-random", "shuttle-pct", "std", "tokio"];
    let checkers: Vec<(Role, String)> = scenarios
        .iter()
        .flat_map(|s| {
            s.checkers()
                .into_iter()
                .map(|c| (s.role, c.short_name().to_owned()))
                .filter(|(_, c)| default.contains(&c.as_str()))
                .collect::<Vec<_>>()
        })
        .collect();
    let twin_checks = checkers
        .iter()
        .filter(|(r, c)| *r != Role::Reference && c != "std")
        .count() as u64;

    assert_eq!(
        numbers(&first)[..3],
        [scenarios.len() as u64, references, twins],
        "{first}"
    );
    let summary = block.last().unwrap();
    let n = numbers(summary);
    // N scenarios (R references, T twins), C checks, 0 failed; twins caught in X of Y ...; G
    // Go bugs ...; in S.s
    assert_eq!(
        n[..8],
        [
            scenarios.len() as u64,
            references,
            twins,
            checkers.len() as u64,
            0,
            twin_checks,
            twin_checks,
            cases
        ],
        "{summary}"
    );
}

#[test]
fn readme_excerpt_rows_match_a_real_run() {
    let (_, block) = section(&readme());
    let rows: Vec<Vec<String>> = block[2..block.len() - 1]
        .iter()
        .filter(|l| l.trim() != "...")
        .map(|l| cells(l))
        .collect();
    let names: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let json = std::env::temp_dir().join(format!("concheck-readme-{}.json", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
        .arg("run")
        .args(&names)
        .args(["--jobs", "2", "--json", json.to_str().unwrap()])
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run the concheck binary");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let real: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    for row in &rows {
        let (scenario, checker) = (&row[0], &row[2]);
        let found = real
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scenario"] == **scenario && r["checker"] == **checker)
            .unwrap_or_else(|| panic!("no {scenario} under {checker} in the run"));
        let iterations = found["iterations"]
            .as_u64()
            .map_or_else(|| "-".to_owned(), |n| n.to_string());
        // scenario, role, checker, outcome, iterations, [time], coverage, complete?, note
        let quoted = [&row[1], &row[3], &row[4], &row[6], &row[7]];
        let measured = [
            found["role"].as_str().unwrap().to_owned(),
            found["outcome"].as_str().unwrap().to_owned(),
            iterations,
            found["coverage"].as_str().unwrap().to_owned(),
            found["complete"].as_str().unwrap().to_owned(),
        ];
        for (q, m) in quoted.iter().zip(&measured) {
            assert_eq!(*q, m, "README row {row:?}: the run says {measured:?}");
        }
        let note = row.get(8).map_or("", String::as_str);
        assert_eq!(note, found["note"].as_str().unwrap(), "README row {row:?}");
    }
}
