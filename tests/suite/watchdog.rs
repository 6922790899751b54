//! The std runner's watchdog turns a hang on real threads into a report that gives each
//! unfinished thread, what it blocks on and where, one per line.

use std::time::Duration;

use concheck::check::{Check, Checker, StdConfig};
use concheck::go;
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::ViolationKind;

/// An AB-BA deadlock that happens on every run: each thread takes its first lock, tells the
/// other, waits to hear the other has its own, then asks for the other's lock.
fn ab_ba_always() {
    let a = Arc::new(Mutex::new(0));
    let b = Arc::new(Mutex::new(0));
    let (to_b, from_a) = go::channel::<()>(1);
    let (to_a, from_b) = go::channel::<()>(1);
    let left = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::Builder::new().name("a-then-b").spawn(move || {
            let _a = a.lock();
            to_b.send(());
            from_b.recv();
            *b.lock() += 1;
        })
    };
    let right = thread::Builder::new().name("b-then-a").spawn(move || {
        let _b = b.lock();
        to_a.send(());
        from_a.recv();
        *a.lock() += 1;
    });
    left.join().unwrap();
    right.join().unwrap();
}

/// One run of [`ab_ba_always`] under the std runner, cut by the watchdog. 300 ms: the deadlock
/// is certain by then; the two threads stay parked afterwards (a real thread cannot be
/// stopped), which is what a hang is.
fn std_hang() -> concheck::check::Report {
    let config = StdConfig::new()
        .iterations(1)
        .watchdog(Duration::from_millis(300));
    Check::new(ab_ba_always).run(&Checker::Std(config))
}

#[test]
fn a_hang_lists_each_thread_with_its_blocked_on_object_and_location() {
    let report = std_hang();
    report.assert_finds(ViolationKind::Hang);
    let text = report.to_string();
    assert!(text.contains("the watchdog fired"), "{text}");
    for (name, line) in [("a-then-b", 25), ("b-then-a", 32)] {
        let row = text
            .lines()
            .find(|l| l.contains(&format!("'{name}' spawned at")))
            .unwrap_or_else(|| panic!("no line for {name} in\n{text}"));
        assert!(
            row.contains("blocked in Mutex::lock on mutex created at tests/suite/watchdog.rs:")
                && row.contains(&format!("at tests/suite/watchdog.rs:{line}:")),
            "{row}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.contains("'main'") && l.contains("JoinHandle::join")),
        "{text}"
    );
}

/// A real run has no trace to draw, so its HTML page must carry the list of unfinished threads
/// the text report gives, or the page of a hang says nothing about where it hangs.
#[test]
fn the_html_page_of_a_std_hang_lists_the_blocked_threads() {
    let report = std_hang();
    report.assert_finds(ViolationKind::Hang);
    let page = report.to_html("ab_ba_always under std");
    for (name, line) in [("a-then-b", 25), ("b-then-a", 32)] {
        let row = page
            .lines()
            .find(|l| l.contains(&format!("#39;{name}&#39; spawned at")))
            .unwrap_or_else(|| panic!("the page does not list {name}:\n{page}"));
        assert!(
            row.contains("blocked in Mutex::lock on mutex created at tests/suite/watchdog.rs:")
                && row.contains(&format!("at tests/suite/watchdog.rs:{line}:")),
            "the page's row for {name} lacks what it blocks on and where: {row}"
        );
    }
}
