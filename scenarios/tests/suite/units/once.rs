//! Unit tests of `concheck_scenarios::once`: `Once`: the initialiser run once on real threads, a
//! re-entrant call panicking instead of hanging, and poisoning by a panicking initialiser, waiters
//! included.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/once.rs`: the suite is the crate's
//! only test binary, so `cargo test` compiles the catalog once, not a second time in test mode.

use concheck_scenarios::once::*;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use crate::common::panic_message;

#[test]
fn once_runs_f_once_on_real_threads() {
    let once = Arc::new(Once::new());
    let inits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (once, inits) = (Arc::clone(&once), Arc::clone(&inits));
            std::thread::spawn(move || {
                for _ in 0..100 {
                    once.call_once(|| {
                        inits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    });
                    assert!(once.is_completed());
                }
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(inits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn once_reentrant_call_panics_instead_of_hanging() {
    let once = Once::new();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        once.call_once(|| once.call_once(|| ()));
    }));
    let message = panic_message(result.unwrap_err());
    assert!(
        message.starts_with("re-entrant Once::call_once"),
        "{message}"
    );
    assert!(!once.is_completed());
}

#[test]
fn once_poisoned_by_a_panicking_f() {
    let once = Once::new();
    let first = panic::catch_unwind(AssertUnwindSafe(|| {
        once.call_once(|| panic!("init failed"));
    }));
    assert_eq!(panic_message(first.unwrap_err()), "init failed");
    let again = panic::catch_unwind(AssertUnwindSafe(|| once.call_once(|| ())));
    assert!(panic_message(again.unwrap_err()).contains("poisoned Once"));
}

#[test]
fn once_wakes_waiters_when_f_panics() {
    let once = Arc::new(Once::new());
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let runner = {
        let once = Arc::clone(&once);
        std::thread::spawn(move || {
            once.call_once(|| {
                started_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                panic!("init failed");
            });
        })
    };
    started_rx.recv().unwrap();
    // f is running: this caller either waits and is woken by the poisoning, or arrives
    // after it; either way it panics instead of hanging.
    let waiter = {
        let once = Arc::clone(&once);
        std::thread::spawn(move || once.call_once(|| ()))
    };
    release_tx.send(()).unwrap();
    assert!(runner.join().is_err());
    let message = panic_message(waiter.join().unwrap_err());
    assert!(message.contains("poisoned Once"), "{message}");
}
