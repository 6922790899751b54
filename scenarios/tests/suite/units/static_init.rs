//! Unit tests of `concheck_scenarios::static_init`: the task spawned in a static initializer: its
//! leak names the flusher and a spawn site inside `init_metrics`, and the fix counts every record.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/static_init.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::check::{Check, Checker};
use concheck::go::Context;
use concheck::ViolationKind;
use concheck_scenarios::static_init::*;

/// The lines of `init_metrics`, 1-based, from its `fn` line to its closing brace.
fn initializer_lines() -> std::ops::RangeInclusive<u32> {
    let source = include_str!("../../../src/static_init.rs");
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("pub fn init_metrics()"))
        .expect("init_metrics is defined in this file");
    let len = lines[start..]
        .iter()
        .position(|l| *l == "}")
        .expect("init_metrics ends with a closing brace at column 0");
    let first = u32::try_from(start + 1).expect("a short file");
    first..=first + u32::try_from(len).expect("a short function")
}

#[test]
fn static_init_leak_names_the_flusher_and_its_spawn_in_the_initializer() {
    for checker in Checker::models() {
        let report = Check::new(spawned_in_initializer).run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let violation = report.violation().expect("a leak");
        let flusher = violation
            .tasks
            .iter()
            .find(|t| t.name == "flusher")
            .unwrap_or_else(|| panic!("the leak names the flusher:\n{report}"));
        let site = flusher.spawned_at.as_ref().expect("a spawned task's site");
        assert!(
            site.file.ends_with("static_init.rs") && initializer_lines().contains(&site.line),
            "the spawn site {site} is not inside init_metrics (lines {:?}):\n{report}",
            initializer_lines()
        );
    }
}

#[test]
fn static_init_counts_every_record_on_real_threads() {
    let ctx = Context::background();
    let metrics = Metrics::start(&ctx);
    for v in 1..=100 {
        metrics.record(v);
    }
    assert_eq!(metrics.shutdown(), 5050);
}
