//! Unit tests of `concheck_scenarios::tokio_worker_pool`: the tokio worker pool: a permit before
//! each spawn on a paused clock, and the tokio gate's live-task bound catching its twins.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/tokio_worker_pool.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use crate::common::tokio_body;
use concheck::tokio_gate::{Scope, Tracker};
use concheck::ViolationKind;
use concheck_scenarios::tokio_worker_pool::*;
use std::task::Poll;
use std::time::Duration;
use tokio_test::{assert_pending, task};

/// What the pool returns for `JOBS` jobs: each job's square, sorted (as the catalog's bodies
/// expect).
fn squares() -> Vec<u64> {
    (0..JOBS).map(|j| j * j).collect()
}

#[tokio::test(start_paused = true)]
async fn pool_waits_for_a_permit_before_spawning() {
    let tracker = Tracker::new();
    let watched = tracker.clone();
    let mut running = task::spawn(tracker.track("pool", pool(JOBS, LIMIT)));
    assert_pending!(running.poll());
    tokio::task::yield_now().await;
    assert_eq!(watched.live(), 1 + LIMIT, "the pool and its first 3 jobs");
    let pool_task = watched.tasks()[0].to_string();
    assert!(
        pool_task.contains("'pool'") && pool_task.contains("blocked in .await on a pool permit"),
        "{pool_task}"
    );
    // Step the clock 1 ms at a time: the bound holds at every step, and the 8 jobs of
    // 1..=8 ms, 3 at a time, are done within 20 ms.
    for _ in 0..20 {
        tokio::time::advance(Duration::from_millis(1)).await;
        tokio::task::yield_now().await;
        if let Poll::Ready(results) = running.poll() {
            assert_eq!(results, squares());
            return;
        }
        assert!(watched.live() <= 1 + LIMIT, "{:?}", watched.alive());
    }
    panic!("the pool did not finish in 20 ms: {:?}", watched.alive());
}

#[tokio::test(start_paused = true)]
async fn pool_keeps_its_bound_where_its_twins_do_not() {
    let gate = Scope::new().max_live_tasks(LIMIT);
    assert_eq!(gate.run(pool(JOBS, LIMIT)).await.unwrap(), squares());
    for twin in [
        tokio_body("tokio_worker_pool_acquire_inside"),
        tokio_body("tokio_worker_pool_unbounded"),
    ] {
        let v = gate.run(twin).await.unwrap_err();
        assert_eq!(v.kind, ViolationKind::BoundExceeded, "{v}");
        assert!(v.message.contains("#4 'job-3'"), "{v}");
    }
}
