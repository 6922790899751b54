//! Unit tests of `concheck_scenarios::safe_counter`: the mutex-guarded counter map counting every
//! increment on real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/safe_counter.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::safe_counter::*;
use std::sync::Arc;

#[test]
fn safe_counter_counts_every_increment_on_real_threads() {
    let counter = Arc::new(SafeCounter::new());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    counter.inc("hits");
                }
                counter.add("bulk", 10);
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(counter.value("hits"), 8000);
    assert_eq!(counter.value("bulk"), 80);
    assert_eq!(counter.value("never"), 0);
}

#[test]
fn lost_update_twin_needs_a_preemption_between_its_two_locks() {
    // With no preemption each increment runs whole and both count: the twin's bug is an
    // interleaving, not a wrong sum in every schedule.
    crate::common::assert_needs_a_preemption(lost_update, concheck::ViolationKind::AssertionFailed);
}
