//! Unit tests of `concheck_scenarios::tokio_first_response`: the tokio first-response patterns on a
//! paused clock: the fastest replica's answer in its time, and the tokio gate naming detached and
//! untracked losers.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/tokio_first_response.rs`: the suite
//! is the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use crate::common::tokio_body;
use concheck::tokio_gate::scope;
use concheck_scenarios::tokio_first_response::*;
use std::time::Duration;
use tokio_test::{assert_pending, assert_ready_eq, task};

/// Polls `fut` until it is ready, letting the runtime run between polls (aborted tasks end
/// when it next runs them); at most `turns` polls, no time passes.
async fn ready_within<F: std::future::Future>(
    fut: &mut task::Spawn<F>,
    turns: usize,
) -> std::task::Poll<F::Output> {
    let mut polled = fut.poll();
    for _ in 1..turns {
        if polled.is_ready() {
            break;
        }
        tokio::task::yield_now().await;
        polled = fut.poll();
    }
    polled
}

#[tokio::test(start_paused = true)]
async fn join_set_answers_with_the_fastest_replica_in_its_time() {
    let start = tokio::time::Instant::now();
    let mut first = task::spawn(first_of_join_set());
    assert_pending!(first.poll());
    tokio::task::yield_now().await; // the replicas start their queries
    tokio::time::advance(LATENCIES[0]).await;
    assert_ready_eq!(ready_within(&mut first, 4).await, 0);
    assert_eq!(start.elapsed(), LATENCIES[0], "no loser was waited for");
}

#[tokio::test(start_paused = true)]
async fn select_answers_with_the_fastest_replica_once_the_losers_are_gone() {
    let mut first = task::spawn(first_of_select());
    assert_pending!(first.poll());
    tokio::task::yield_now().await; // the replicas start their queries
    tokio::time::advance(LATENCIES[0] - Duration::from_millis(1)).await;
    assert_pending!(first.poll());
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_ready_eq!(ready_within(&mut first, 4).await, 0);
}

#[tokio::test(start_paused = true)]
async fn detached_losers_are_named_with_what_they_await() {
    let v = scope(tokio_body("tokio_first_response_detached"))
        .await
        .unwrap_err();
    let names: Vec<&str> = v.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["replica-1", "replica-2"]);
    assert!(
        v.to_string()
            .contains("blocked in .await on replica 2's answer"),
        "{v}"
    );
}

#[tokio::test(start_paused = true)]
async fn untracked_losers_are_counted() {
    let v = scope(tokio_body("tokio_first_response_untracked"))
        .await
        .unwrap_err();
    assert!(v.message.starts_with("2 untracked tasks"), "{v}");
}
