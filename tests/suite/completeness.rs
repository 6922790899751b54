//! Completeness and stopping at a violation are two things a report says apart: a failing
//! exhaustive loom search was exhaustive (`Completeness::Complete`, no bound cut it) but
//! stopped at its first violation, and its text, HTML page and JSON all say so; none calls it
//! `complete` (the main command's table says "stopped at first violation").

use concheck::check::{Check, Checker, Completeness, LoomConfig, Report};
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::ViolationKind;

/// Two tasks each add one under a lock; the body asserts a total of 3. Exhaustive loom (no
/// preemption bound) fails at its first execution: 0.01 s.
fn failing_exhaustive() -> Report {
    let check = Check::new(|| {
        let n = Arc::new(Mutex::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || *n2.lock() += 1);
        *n.lock() += 1;
        t.join().unwrap();
        assert_eq!(*n.lock(), 3, "the total is 2, never 3");
    });
    let report = check.run(&Checker::Loom(LoomConfig::new().preemption_bound(None)));
    report.assert_finds(ViolationKind::AssertionFailed);
    report
}

#[test]
fn a_failing_exhaustive_search_is_exhaustive_and_stopped_in_text_html_and_json() {
    let report = failing_exhaustive();
    assert_eq!(report.completeness, Completeness::Complete, "{report}");
    assert!(report.stopped_at_violation, "{report}");
    assert!(!report.verified(), "{report}");

    let text = report.to_string();
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("(stopped at first violation of an exhaustive search"),
        "{first}"
    );
    assert!(!first.contains("(complete"), "{first}");

    let page = report.to_html("failing exhaustive");
    assert!(
        page.contains("search stopped at first violation of an exhaustive search"),
        "the page's header says how far the search went"
    );
    assert!(!page.contains("search complete"));

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["completeness"], "Complete");
    assert_eq!(json["stopped_at_violation"], true);
    let back: Report = serde_json::from_value(json).unwrap();
    assert!(back.stopped_at_violation);
    assert_eq!(back.search_label(), report.search_label());
}

#[test]
fn a_passing_exhaustive_search_is_complete_and_not_stopped() {
    let check = Check::new(|| {
        let n = Arc::new(Mutex::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || *n2.lock() += 1);
        *n.lock() += 1;
        t.join().unwrap();
        assert_eq!(*n.lock(), 2);
    });
    let report = check.run(&Checker::Loom(LoomConfig::new().preemption_bound(None)));
    assert!(report.verified(), "{report}");
    assert!(!report.stopped_at_violation);
    assert_eq!(report.search_label(), "complete");
    assert!(report.to_string().contains("(complete"), "{report}");
}
