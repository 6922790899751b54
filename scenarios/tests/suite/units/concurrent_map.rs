//! Unit tests of `concheck_scenarios::concurrent_map`: the get-or-compute map: one compute per key
//! on real threads, one agreed value, a re-entrant compute panicking instead of hanging, and a
//! panicking compute releasing its key.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/concurrent_map.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::concurrent_map::*;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use crate::common::panic_message;

#[test]
fn concurrent_map_computes_each_key_once_on_real_threads() {
    let map = Arc::new(ConcurrentMap::new());
    let computes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (map, computes) = (Arc::clone(&map), Arc::clone(&computes));
            std::thread::spawn(move || {
                for k in 0..50u32 {
                    let v = map.get_or_compute_once(k, |k| {
                        computes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        k * 3
                    });
                    assert_eq!(v, k * 3);
                }
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(computes.load(std::sync::atomic::Ordering::SeqCst), 50);
    assert_eq!(map.len(), 50);
}

#[test]
fn concurrent_map_get_or_compute_agrees_on_one_value_on_real_threads() {
    let map = Arc::new(ConcurrentMap::new());
    let tasks: Vec<_> = (0..8u32)
        .map(|t| {
            let map = Arc::clone(&map);
            // Each task computes a different value: whichever is stored first is returned
            // to everyone.
            std::thread::spawn(move || {
                (0..50u32)
                    .map(|k| map.get_or_compute(k, |_| t))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<Vec<u32>> = tasks.into_iter().map(|t| t.join().unwrap()).collect();
    for k in 0..50u32 {
        let stored = map.get(&k).unwrap();
        assert!(results.iter().all(|r| r[k as usize] == stored));
    }
}

#[test]
fn concurrent_map_reentrant_compute_panics_instead_of_hanging() {
    let map = ConcurrentMap::new();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        map.get_or_compute_once(1u32, |k| map.get_or_compute_once(*k, |_| 0u32))
    }));
    let message = panic_message(result.unwrap_err());
    assert!(
        message.starts_with("re-entrant ConcurrentMap::get_or_compute_once"),
        "{message}"
    );
    // The marker was released: the key can be computed now.
    assert_eq!(map.get_or_compute_once(1, |_| 5), 5);
}

#[test]
fn concurrent_map_releases_the_key_when_compute_panics() {
    let map = ConcurrentMap::new();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        map.get_or_compute_once(1u32, |_| -> u32 { panic!("compute failed") })
    }));
    assert_eq!(panic_message(result.unwrap_err()), "compute failed");
    assert!(map.is_empty());
    assert_eq!(map.get_or_compute_once(1, |_| 9), 9);
}
