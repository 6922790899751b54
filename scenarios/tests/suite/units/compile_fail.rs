//! Unit tests of `concheck_scenarios::compile_fail`: `compile_fail::CASES` against `tests/ui/`:
//! every case's program and `.stderr` snapshot exist and show the stated error, and every ui
//! program is listed.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/compile_fail.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::compile_fail::CASES;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn crate_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
}

#[test]
fn compile_fail_cases_match_their_snapshots() {
    for case in CASES {
        let program = crate_path(case.file);
        assert!(
            program.is_file(),
            "{}: {} does not exist; fix `file` in compile_fail::CASES",
            case.name,
            program.display()
        );
        assert_eq!(
            program.file_stem().and_then(|s| s.to_str()),
            Some(case.name),
            "{}: the name must be the file's stem",
            case.name
        );
        let snapshot = program.with_extension("stderr");
        let stderr = std::fs::read_to_string(&snapshot).unwrap_or_else(|e| {
            panic!(
                "{}: cannot read {} ({e}); generate it with `TRYBUILD=overwrite cargo test \
                 compile_fail -- --ignored` and read it",
                case.name,
                snapshot.display()
            )
        });
        assert!(
            stderr.contains(&format!("error[{}]", case.error)),
            "{}: {} does not show error[{}]; the program fails for another reason than \
             the one CASES states:\n{stderr}",
            case.name,
            snapshot.display(),
            case.error
        );
    }
}

#[test]
fn compile_fail_cases_list_every_ui_file() {
    let listed: BTreeSet<&str> = CASES.iter().map(|c| c.file).collect();
    assert_eq!(listed.len(), CASES.len(), "a file is listed twice in CASES");
    let dir = crate_path("tests/ui");
    let mut files = BTreeSet::new();
    for entry in
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
    {
        let path = entry.expect("a tests/ui entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 name");
            files.insert(format!("tests/ui/{name}"));
        }
    }
    let listed: BTreeSet<String> = listed.into_iter().map(str::to_owned).collect();
    let missing: Vec<_> = files.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "tests/ui programs not in compile_fail::CASES: {missing:?}"
    );
}
