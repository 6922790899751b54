//! The tokio patterns on a multi-thread runtime (2 workers, the real clock): every async twin is
//! caught there too, and the references whose assertions do not race the clock hold.
//!
//! The catalog holds the tokio scenarios to the current-thread checker with a paused clock,
//! which is deterministic and free. Here the clock is real, so a few runs each, and a grace of
//! 50 ms (what confirming each twin's leak costs); the whole file takes about a second. Left
//! out: `tokio_timeout` (asserts that a 10 ms call beats a 50 ms deadline) and `tokio_shutdown`
//! (asserts that workers took their jobs within 1 ms): on a loaded 2-core CI machine real time
//! can break those margins, which says nothing about the patterns. `concheck run tokio
//! --checker tokio-mt` runs them all.

use std::time::Duration;

use concheck::check::Checker;
use concheck::tokio_gate::TokioConfig;
use concheck_scenarios::{catalog, Body, Role, Scenario};

fn multi_thread() -> Checker {
    Checker::Tokio(
        TokioConfig::multi_thread(2)
            .iterations(3)
            .grace(Duration::from_millis(50)),
    )
}

fn tokio_scenarios() -> Vec<Scenario> {
    catalog()
        .into_iter()
        .filter(|s| matches!(s.body, Body::Tokio(_)))
        .collect()
}

#[test]
fn tokio_twins_are_caught_on_a_multi_thread_runtime() {
    let twins: Vec<Scenario> = tokio_scenarios()
        .into_iter()
        .filter(|s| matches!(s.role, Role::Twin { .. }))
        .collect();
    assert!(twins.len() >= 7, "the tokio twins are in the catalog");
    for twin in twins {
        let report = twin.check().run(&multi_thread());
        assert!(
            twin.satisfied_by(&multi_thread(), &report),
            "{} escaped on a multi-thread runtime:\n{report}",
            twin.name
        );
    }
}

#[test]
fn tokio_references_hold_on_a_multi_thread_runtime() {
    let timing_free = [
        "tokio_first_response",
        "tokio_first_response_select",
        "tokio_worker_pool",
    ];
    for name in timing_free {
        let scenario = tokio_scenarios()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no tokio scenario {name}"));
        scenario.check().run(&multi_thread()).assert_no_violation();
    }
}
