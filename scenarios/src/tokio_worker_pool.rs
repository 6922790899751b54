//! A bounded worker pool on tokio: a task per job, never more than `limit` alive at once.
//!
//! Go's original (bounded parallelism with a semaphore channel):
//!
//! ```go
//! sem := make(chan struct{}, limit)
//! for _, job := range jobs {
//!     sem <- struct{}{}             // acquire BEFORE starting the goroutine
//!     wg.Add(1)
//!     go func(job Job) { defer func() { <-sem; wg.Done() }(); work(job) }(job)
//! }
//! wg.Wait()
//! ```
//!
//! On tokio the semaphore is `tokio::sync::Semaphore` and the tasks live in a `JoinSet`, which
//! collects their results. The permit is acquired before the spawn, so the loop itself waits
//! for room, and the task holds it until its record says it ended ([`Tracked::holding`]).
//!
//! Twins, each reported as [`ViolationKind::BoundExceeded`] by the tracker's declared bound:
//! - [`pool_acquire_inside`]: the permit is acquired inside the task. The work is still
//!   bounded, but every job's task is spawned at once: a million jobs, a million tasks waiting.
//! - [`pool_unbounded`]: no semaphore at all.
//!
//! [`Tracked::holding`]: concheck::tokio_gate::Tracked::holding

use std::sync::Arc;
use std::time::Duration;

use concheck::tokio_gate::{track, waiting_on};
use concheck::ViolationKind;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::sleep;

use crate::catalog::{Body, Role, Scenario, TokioFuture};

/// The declared bound: workers alive at once.
pub const LIMIT: usize = 3;
/// Jobs per run: more than the bound, so the bound matters.
pub const JOBS: u64 = 8;

/// One job: takes `job + 1` milliseconds and yields its square.
pub async fn work(job: u64) -> u64 {
    sleep(Duration::from_millis(job + 1)).await;
    job * job
}

/// Reference: each job's task is spawned after its permit is acquired; results in job order.
pub async fn pool(jobs: u64, limit: usize) -> Vec<u64> {
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for job in 0..jobs {
        let permit = waiting_on("a pool permit", Arc::clone(&permits).acquire_owned())
            .await
            .expect("the semaphore is never closed");
        tasks.spawn(track(format!("job-{job}"), work(job)).holding(permit));
    }
    collect(tasks).await
}

/// Twin: the permit is acquired inside the task, after the spawn.
pub async fn pool_acquire_inside(jobs: u64, limit: usize) -> Vec<u64> {
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for job in 0..jobs {
        let permits = Arc::clone(&permits);
        // BUG: the spawn is not bounded, only the work is.
        tasks.spawn(track(format!("job-{job}"), async move {
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            work(job).await
        }));
    }
    collect(tasks).await
}

/// Twin: a task per job, no bound at all.
pub async fn pool_unbounded(jobs: u64) -> Vec<u64> {
    let mut tasks = JoinSet::new();
    for job in 0..jobs {
        tasks.spawn(track(format!("job-{job}"), work(job)));
    }
    collect(tasks).await
}

async fn collect(mut tasks: JoinSet<u64>) -> Vec<u64> {
    let mut results = Vec::new();
    while let Some(r) = tasks.join_next().await {
        results.push(r.expect("a job does not panic"));
    }
    results.sort_unstable();
    results
}

fn squares() -> Vec<u64> {
    (0..JOBS).map(|j| j * j).collect()
}

fn reference() -> TokioFuture {
    Box::pin(async { assert_eq!(pool(JOBS, LIMIT).await, squares()) })
}

fn acquire_inside() -> TokioFuture {
    Box::pin(async { assert_eq!(pool_acquire_inside(JOBS, LIMIT).await, squares()) })
}

fn unbounded() -> TokioFuture {
    Box::pin(async { assert_eq!(pool_unbounded(JOBS).await, squares()) })
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    let pattern = "bounded worker pool (tokio)";
    vec![
        Scenario {
            name: "tokio_worker_pool",
            pattern,
            role: Role::Reference,
            summary: "Semaphore permit acquired before each spawn into a JoinSet; 3 of 8 live",
            body: Body::Tokio(reference),
            max_live_tasks: Some(LIMIT),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_worker_pool_acquire_inside",
            pattern,
            role: Role::Twin {
                expects: &[ViolationKind::BoundExceeded],
                assertion: None,
            },
            summary: "the permit is acquired inside the task: all 8 tasks spawned at once",
            body: Body::Tokio(acquire_inside),
            max_live_tasks: Some(LIMIT),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_worker_pool_unbounded",
            pattern,
            role: Role::Twin {
                expects: &[ViolationKind::BoundExceeded],
                assertion: None,
            },
            summary: "a task per job and no semaphore",
            body: Body::Tokio(unbounded),
            max_live_tasks: Some(LIMIT),
            loom_preemption_bound: None,
        },
    ]
}
