//! Unit tests of `concheck_scenarios::rwlock_cache`: the read-mostly cache loading each key once on
//! real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/rwlock_cache.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::rwlock_cache::*;
use std::sync::Arc;

#[test]
fn rwlock_cache_loads_each_key_once_on_real_threads() {
    let cache = Arc::new(Cache::new());
    let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (cache, loads) = (Arc::clone(&cache), Arc::clone(&loads));
            std::thread::spawn(move || {
                for k in 0..50u32 {
                    let v = cache.get_or_load(k, |k| {
                        loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        k * 2
                    });
                    assert_eq!(v, k * 2);
                }
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 50);
    assert_eq!(cache.len(), 50);
    assert!(!cache.is_empty());
    assert_eq!(cache.get(&49), Some(98));
    assert_eq!(cache.get(&50), None);
}

#[test]
fn rwlock_cache_starts_empty() {
    let cache = Cache::<u32, u32>::default();
    assert!(cache.is_empty());
    assert_eq!(cache.len(), 0);
    assert_eq!(cache.get_or_load(1, |k| k + 1), 2);
    assert!(!cache.is_empty());
}
