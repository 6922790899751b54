//! The std runner's watchdog turns a hang on real threads into a report that gives each
//! unfinished thread, what it blocks on and where, one per line.

use std::time::Duration;

use concheck::check::{Check, Checker, StressConfig};
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

#[test]
fn a_hang_lists_each_thread_with_its_blocked_on_object_and_location() {
    // 300 ms: the deadlock is certain by then; the two threads stay parked afterwards (a real
    // thread cannot be stopped), which is what a hang is.
    let config = StressConfig::new()
        .iterations(1)
        .watchdog(Duration::from_millis(300));
    let report = Check::new(ab_ba_always).run(&Checker::Stress(config));
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
