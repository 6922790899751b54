//! Unit tests of `concheck_scenarios::tokio_shutdown`: the tokio shutdown with a deadline on a
//! paused clock: a long job aborted exactly at the deadline, idle workers stopping at once, and the
//! twin's leaked worker.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/tokio_shutdown.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use crate::common::tokio_body;
use concheck::tokio_gate::scope;
use concheck_scenarios::tokio_shutdown::*;
use std::time::Duration;
use tokio::time::sleep;
use tokio_test::{assert_pending, assert_ready_eq, task};

#[tokio::test(start_paused = true)]
async fn shutdown_aborts_a_long_job_exactly_at_the_deadline() {
    let server = Server::start(2);
    server.submit(LONG).await;
    sleep(Duration::from_millis(1)).await;
    let mut stopping = task::spawn(server.shutdown(DEADLINE));
    assert_pending!(stopping.poll());
    tokio::time::advance(DEADLINE - Duration::from_millis(1)).await;
    assert_pending!(stopping.poll(), "the job in hand gets until the deadline");
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_pending!(stopping.poll(), "aborted, not yet ended");
    tokio::task::yield_now().await;
    assert_ready_eq!(stopping.poll(), Stopped::Aborted(1));
}

#[tokio::test(start_paused = true)]
async fn idle_workers_stop_at_once() {
    let server = Server::start(3);
    let mut stopping = task::spawn(server.shutdown(DEADLINE));
    assert_pending!(stopping.poll());
    tokio::task::yield_now().await;
    assert_ready_eq!(stopping.poll(), Stopped::Gracefully);
}

#[tokio::test(start_paused = true)]
async fn shutdown_without_waiting_leaks_the_worker_with_its_job() {
    let v = scope(tokio_body("tokio_shutdown_without_waiting"))
        .await
        .unwrap_err();
    assert_eq!(v.tasks.len(), 1, "{v}");
    assert!(v.tasks[0].name.starts_with("worker-"));
    assert!(v.to_string().contains("job of 10s"), "{v}");
}
