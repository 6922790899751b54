//! Helpers shared by the suite's modules.

use concheck::check::{replay, Check, Checker, LoomConfig, Report};
use concheck::ViolationKind;
use concheck_scenarios::{catalog, Body, Scenario, TokioFuture};

/// The catalog's scenario called `name`.
pub(crate) fn scenario(name: &str) -> Scenario {
    catalog()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name} in the catalog"))
}

/// The future of one run of the catalog's tokio scenario `name` (the twins' bodies are private to
/// their modules; the catalog is how a test reaches them).
pub(crate) fn tokio_body(name: &str) -> TokioFuture {
    match scenario(name).body {
        Body::Tokio(body) => body(),
        Body::Sync(_) => panic!("{name} is a sync scenario; a tokio one was expected"),
    }
}

/// Requires `report`'s shrink to have gone no bigger (fewer preemptions, then fewer steps) and
/// its replay string to run the very run the report describes: the same message, sites and
/// tasks, the shrunk run's rather than the found run's. Returns the replay's report.
pub(crate) fn shrunk_and_replayed(check: &Check, report: &Report) -> Report {
    let shrunk = report
        .shrunk
        .unwrap_or_else(|| panic!("a failing shuttle report says how it shrank: {report}"));
    assert!(
        (shrunk.preemptions_after, shrunk.steps_after)
            <= (shrunk.preemptions_before, shrunk.steps_before),
        "{report}"
    );
    let again = replay(check, report.replay.as_deref().unwrap()).unwrap();
    assert_eq!(again.violation(), report.violation(), "{again}\n{report}");
    again
}

/// The text of a panic payload (`panic!` with a message or a literal); empty for any other.
pub(crate) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// Requires `twin`'s bug to be an interleaving: loom finds no violation at preemption bound 0
/// (each task runs until it blocks or ends) and finds `kind` at bound 1. A twin mutated to fail
/// in every schedule, or one whose bug is not where its comment says, fails this.
pub(crate) fn assert_needs_a_preemption(twin: fn(), kind: ViolationKind) {
    let at = |bound| Checker::Loom(LoomConfig::new().preemption_bound(Some(bound)));
    let none = Check::new(twin).run(&at(0));
    assert_eq!(none.violation(), None, "{none}");
    Check::new(twin).run(&at(1)).assert_finds(kind);
}
