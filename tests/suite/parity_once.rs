//! `sync::OnceLock` and `sync::LazyLock` under loom, shuttle random and PCT, and std: racing
//! initialisers run one initialiser in every explored schedule, a panicking initialiser leaves
//! a `OnceLock` empty (std's rule), a re-entrant one is a deadlock naming
//! `OnceLock::get_or_init`, and a check-then-set twin of the pattern is caught. Cases after
//! std's `library/std/src/sync/once_lock/tests.rs` (sync_once_cell, get_or_init_panic),
//! rewritten.
//!
//! Bounds: loom preemption bound 2, shuttle 300 schedules (see `loom_parity`); about 0.5 s.

use std::panic::{catch_unwind, AssertUnwindSafe};

use concheck::check::Check;
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::{Arc, LazyLock, OnceLock};
use concheck::{thread, ViolationKind};

use super::loom_parity::{assert_clean_everywhere, assert_found_by_models, models};

/// Two tasks initialise one cell: with `get_or_init` exactly one initialiser runs and both see
/// its value; the twin checks with `get` and then `set`s, and two "first" callers both
/// initialise (the assertion that counts initialisers fails).
fn racing_init(check_then_set: bool) -> Check {
    Check::new(move || {
        let cell = Arc::new(OnceLock::<usize>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let init = move |cell: &OnceLock<usize>, runs: &AtomicUsize, me: usize| -> usize {
            if check_then_set {
                if cell.get().is_none() {
                    runs.fetch_add(1, Ordering::SeqCst);
                    let _ = cell.set(me);
                }
                *cell.get().unwrap()
            } else {
                *cell.get_or_init(|| {
                    runs.fetch_add(1, Ordering::SeqCst);
                    me
                })
            }
        };
        let (c, r) = (Arc::clone(&cell), Arc::clone(&runs));
        let t = thread::spawn(move || init(&c, &r, 1));
        let mine = init(&cell, &runs, 2);
        let theirs = t.join().unwrap();
        assert_eq!(mine, theirs, "the two tasks saw different values");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the initialiser ran twice");
    })
}

#[test]
fn racing_initialisers_run_once() {
    assert_clean_everywhere(&racing_init(false));
    assert_found_by_models(&racing_init(true), ViolationKind::AssertionFailed);
}

/// An initialiser that panics leaves the cell empty: the next caller initialises it.
#[test]
fn a_panicking_initialiser_leaves_the_cell_empty() {
    let check = Check::new(|| {
        let cell = OnceLock::<u32>::new();
        let first = catch_unwind(AssertUnwindSafe(|| {
            cell.get_or_init(|| panic!("initialiser fails"));
        }));
        assert!(first.is_err());
        assert_eq!(cell.get(), None);
        assert_eq!(*cell.get_or_init(|| 5), 5);
        assert_eq!(cell.set(6), Err(6));
    });
    assert_clean_everywhere(&check);
}

/// An initialiser that asks its own cell waits for itself: a deadlock naming the operation.
#[test]
fn a_reentrant_initialiser_is_a_deadlock() {
    let check = Check::new(|| {
        let cell = OnceLock::<u32>::new();
        cell.get_or_init(|| *cell.get_or_init(|| 1) + 1);
    });
    for checker in models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("OnceLock::get_or_init"), "{text}");
    }
}

/// `LazyLock` builds once for racing readers; a panicking initialiser poisons it, as std's.
#[test]
fn lazy_lock_builds_once_and_poisons_on_panic() {
    let check = Check::new(|| {
        let runs = Arc::new(AtomicUsize::new(0));
        let r = Arc::clone(&runs);
        let lazy = Arc::new(LazyLock::new(move || {
            r.fetch_add(1, Ordering::SeqCst);
            7_u32
        }));
        let l = Arc::clone(&lazy);
        let t = thread::spawn(move || **l);
        assert_eq!(*LazyLock::force(&lazy), 7);
        assert_eq!(t.join().unwrap(), 7);
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the initialiser ran twice");

        let poisoned: LazyLock<u32> = LazyLock::new(|| panic!("no value"));
        assert!(catch_unwind(AssertUnwindSafe(|| *poisoned)).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| *poisoned)).is_err());
    });
    assert_clean_everywhere(&check);
}

/// A `static` cell filled in one execution and read in the next is a reported misuse.
#[test]
fn a_static_once_lock_across_executions_is_a_misuse() {
    static CELL: OnceLock<u32> = OnceLock::new();
    let check = Check::new(|| {
        assert_eq!(*CELL.get_or_init(|| 1), 1);
    });
    let report = check.run(&super::loom_parity::shuttle_random());
    report.assert_finds(ViolationKind::Misuse);
    let text = report.violation().unwrap().to_string();
    assert!(text.contains("concheck::sync::Lazy"), "{text}");
}
