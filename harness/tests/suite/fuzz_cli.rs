//! Arbitrary input to the main command's option parsers (`--shard`, `--budget`, `--seed`) and
//! mutations of a real shard report given to `merge`: the property is always "a clear error or
//! a correct report, never a panic, hang or abort" (issue 16 item 5). Each case starts the
//! binary once (a few ms; a parse error comes before any check runs), so the case counts below
//! keep the whole module near a second.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use proptest::prelude::*;

fn concheck(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
        .args(args)
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run the concheck binary");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A usage error: exit 2, one lowercase line, no panic text.
fn clear_usage_error(code: Option<i32>, stderr: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(code, Some(2), "{}", stderr);
    prop_assert_eq!(stderr.lines().count(), 1, "one line: {}", stderr);
    prop_assert!(!stderr.contains("panicked"), "{}", stderr);
    Ok(())
}

/// A report of a real shard run, written once.
fn real_report() -> &'static str {
    static REPORT: OnceLock<String> = OnceLock::new();
    REPORT.get_or_init(|| {
        let file = temp("real.json");
        let (code, err) = concheck(&[
            "run",
            "ready_flag_lost_wakeup",
            "--checker",
            "loom,shuttle-random",
            "--iterations",
            "20",
            "--shard",
            "1/2",
            "--json",
            file.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(0), "{err}");
        std::fs::read_to_string(&file).unwrap()
    })
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("concheck-fuzz-cli-{}-{name}", std::process::id()))
}

proptest! {
    // 24 cases each: a process start per case, ~5 ms each.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_shard_is_a_clear_error_or_a_shard(
        s in prop_oneof!["\\PC{0,12}", "-?[0-9]{1,12}/-?[0-9]{1,12}", "[0-9]/[0-9] ?"],
    ) {
        // No scenario matches the filter: a valid shard ends in that error, an invalid one in
        // the shard's. Either way exit 2 and one line, before any check runs.
        let (code, err) = concheck(&["run", "zzz_no_scenario", "--shard", &s]);
        clear_usage_error(code, &err)?;
        prop_assert!(
            err.contains("not a shard") || err.contains("does not exist")
                || err.contains("no scenario matches"),
            "{}: {}", s, err
        );
    }

    #[test]
    fn any_budget_is_a_clear_error_or_a_budget(
        s in prop_oneof!["\\PC{0,10}", "-?[0-9.]{0,24}(ms|s|m|h|x|)", "[0-9]{15,30}h"],
    ) {
        let (code, err) = concheck(&["run", "zzz_no_scenario", "--budget", &s]);
        clear_usage_error(code, &err)?;
        prop_assert!(
            err.contains("not a time budget") || err.contains("runs nothing")
                || err.contains("no scenario matches"),
            "{}: {}", s, err
        );
    }

    #[test]
    fn any_seed_is_a_clear_error_or_a_seed(
        s in prop_oneof!["\\PC{0,10}", "(0x)?-?[0-9a-fA-F]{0,24}"],
    ) {
        let (code, err) = concheck(&["run", "zzz_no_scenario", "--seed", &s]);
        clear_usage_error(code, &err)?;
        prop_assert!(
            err.contains("not a seed") || err.contains("no scenario matches"),
            "{}: {}", s, err
        );
    }
}

proptest! {
    // 16 cases: each merges one mutated report (a few ms).
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn a_mutated_report_merges_or_is_refused_clearly(
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = real_report().as_bytes().to_vec();
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        } else {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let file = temp(&format!("mutated-{}-{}.json", cut.index(1 << 20), byte));
        std::fs::write(&file, &bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
            .args(["merge", file.to_str().unwrap()])
            .output()
            .expect("run the concheck binary");
        let _ = std::fs::remove_file(&file);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        // 0 or 1: a report (shard 2 is missing, so loom ran in the only shard; the twin is
        // caught or a mutation made it fail); 2: a clear refusal. Never 101 (a panic).
        let code = out.status.code();
        prop_assert!(matches!(code, Some(0..=2)), "{:?}: {}", code, err);
        if code == Some(2) {
            clear_usage_error(code, &err)?;
        }
    }
}
