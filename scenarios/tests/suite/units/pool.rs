//! Unit tests of `concheck_scenarios::pool`: the object pool: input errors, and no object shared by
//! two tasks on real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/pool.rs`: the suite is the crate's
//! only test binary, so `cargo test` compiles the catalog once, not a second time in test mode.

use concheck_scenarios::pool::*;
use std::sync::Arc;

#[test]
fn pool_rejects_no_objects() {
    let err = Pool::<u32>::new(Vec::new()).unwrap_err();
    assert_eq!(err, PoolError::Empty);
    assert!(err.to_string().contains("pass one or more objects"));
}

#[test]
fn pool_rejects_a_put_past_capacity() {
    let pool = Pool::new(vec![1u32]).unwrap();
    let err = pool.put(7).unwrap_err();
    assert_eq!(err.object, 7);
    assert!(err.to_string().contains("put back only objects"));
    assert_eq!(pool.available(), 1);
    assert_eq!(pool.capacity(), 1);
}

#[test]
fn pool_never_shares_an_object_on_real_threads() {
    let pool = Arc::new(Pool::new(vec![0u64; 3]).unwrap());
    let in_use = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (pool, in_use) = (Arc::clone(&pool), Arc::clone(&in_use));
            std::thread::spawn(move || {
                for _ in 0..200 {
                    let mut object = pool.get();
                    let before = in_use.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    assert!(before < 3, "more objects out than the pool has");
                    object += 1;
                    in_use.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    pool.put(object).unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(pool.available(), 3);
    let uses: u64 = (0..3).map(|_| pool.get()).sum();
    assert_eq!(uses, 8 * 200, "every use on some object");
}
