//! `sync::Arc` leak reporting under loom, shuttle random and PCT, and std: an `Arc` alive when
//! an execution ends (here a reference cycle through a mutex) is a `resource leak` naming its
//! creation site and task; the same shape with the cycle broken is clean, and outside any
//! runner the `Arc` is a plain one. After loom's `tests/arc.rs` leak case, rewritten.
//!
//! Bounds: loom preemption bound 2, shuttle 300 schedules (see `loom_parity`); about 0.3 s.

use concheck::check::{Check, Checker};
use concheck::sync::{Arc, Mutex};
use concheck::{thread, ViolationKind};

use super::loom_parity::{assert_clean_everywhere, models};

struct Node {
    next: Mutex<Option<Arc<Node>>>,
}

/// A task links two nodes into each other; unless it unlinks them again, the cycle keeps both
/// alive past the execution's end.
fn cycle(unlink: bool) -> Check {
    Check::new(move || {
        let a = Arc::new(Node {
            next: Mutex::new(None),
        });
        let b = Arc::new(Node {
            next: Mutex::new(None),
        });
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let linker = thread::Builder::new().name("linker").spawn(move || {
            *a2.next.lock() = Some(Arc::clone(&b2));
            *b2.next.lock() = Some(a2);
        });
        linker.join().unwrap();
        assert_eq!(Arc::strong_count(&a), 2);
        if unlink {
            a.next.lock().take();
        }
    })
}

#[test]
fn an_arc_alive_at_the_end_is_a_resource_leak() {
    assert_clean_everywhere(&cycle(true));
    for checker in models().into_iter().chain([Checker::std()]) {
        let report = cycle(false).run(&checker);
        report.assert_finds(ViolationKind::ResourceLeak);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("2 Arcs were still alive"), "{text}");
        assert!(text.contains("parity_arc.rs"), "{text}");
        assert!(text.contains("'main'"), "{text}");
    }
}

/// Outside any runner `Arc` is std's: the usual operations, nothing reported.
#[test]
fn outside_a_runner_it_is_a_plain_arc() {
    let mut a = Arc::new(vec![1]);
    let b = Arc::clone(&a);
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(Arc::strong_count(&a), 2);
    Arc::make_mut(&mut a).push(2);
    assert_eq!((*a).clone(), [1, 2]);
    assert_eq!(*b, [1]);
    assert_eq!(Arc::try_unwrap(b), Ok(vec![1]));
    assert_eq!(Arc::into_inner(a), Some(vec![1, 2]));
}
