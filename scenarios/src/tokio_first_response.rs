//! First response wins on tokio: ask every replica, take the first answer, stop the others.
//!
//! Go's original:
//!
//! ```go
//! results := make(chan int, len(replicas)) // a slot for each: losers never block
//! for _, r := range replicas {
//!     go func(r Replica) { results <- r.Query(ctx) }(r)
//! }
//! return <-results
//! ```
//!
//! On tokio each query is a task. The references stop the losers: [`first_of_join_set`] spawns
//! them into a `JoinSet` and calls `shutdown` (abort every task, wait for each to end) once one
//! answered; [`first_of_select`] races the `JoinHandle`s in `tokio::select!`, then aborts and awaits
//! the losers.
//!
//! Twins:
//! - [`first_of_select_detached`]: the losing `JoinHandle`s are dropped. Dropping a tokio
//!   `JoinHandle` detaches the task, it does not cancel it: the slow replicas' queries outlive
//!   the request. Reported as a task leak naming each loser.
//! - [`first_of_select_untracked`]: the same bug with plain `tokio::spawn`, so the gate has no
//!   names; it still counts them through tokio's `num_alive_tasks` ("2 untracked tasks").

use std::time::Duration;

use concheck::tokio_gate::{spawn, track, waiting_on};
use concheck::ViolationKind;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::sleep;

use crate::catalog::{Body, Role, Scenario, TokioFuture};

/// Each replica's latency: one healthy, one overloaded, one down.
pub const LATENCIES: [Duration; 3] = [
    Duration::from_millis(10),
    Duration::from_secs(30),
    Duration::from_secs(60),
];

/// Replica `i`'s query: answers `i` after its latency.
pub async fn query(i: usize) -> usize {
    waiting_on(format!("replica {i}'s answer"), sleep(LATENCIES[i])).await;
    i
}

/// Reference: every replica in a `JoinSet`; the first answer wins and `shutdown` aborts and
/// awaits the rest.
pub async fn first_of_join_set() -> usize {
    let mut queries = JoinSet::new();
    for i in 0..LATENCIES.len() {
        queries.spawn(track(format!("replica-{i}"), query(i)));
    }
    let first = queries
        .join_next()
        .await
        .expect("three queries were spawned");
    queries.shutdown().await;
    first.expect("a query does not panic")
}

/// Reference: the replicas raced with `select!`; the losers are aborted and awaited (the
/// winner's handle is not: a `JoinHandle` polled after it completed panics).
pub async fn first_of_select() -> usize {
    let (first, winner, queries) = race(true).await;
    for (i, query) in queries.into_iter().enumerate() {
        if i != winner {
            query.abort();
            let _ = query.await;
        }
    }
    first
}

/// Twin: the same race; the handles are dropped at the return.
pub async fn first_of_select_detached() -> usize {
    let (first, _, _queries) = race(true).await;
    first // BUG: dropping a handle detaches its task
}

/// Twin: as [`first_of_select_detached`], with plain `tokio::spawn`.
pub async fn first_of_select_untracked() -> usize {
    let (first, _, _queries) = race(false).await;
    first
}

/// Spawns a query per replica (with [`spawn`], or plain `tokio::spawn` if not `tracked`) and
/// waits in `select!` for the first answer: the answer, the winner's index, every handle.
async fn race(tracked: bool) -> (usize, usize, [JoinHandle<usize>; 3]) {
    let start = |i: usize| match tracked {
        true => spawn(format!("replica-{i}"), query(i)),
        false => tokio::spawn(query(i)),
    };
    let mut queries = [start(0), start(1), start(2)];
    let [a, b, c] = &mut queries;
    let (first, winner) = tokio::select! {
        r = a => (r, 0),
        r = b => (r, 1),
        r = c => (r, 2),
    };
    (first.expect("a query does not panic"), winner, queries)
}

fn join_set() -> TokioFuture {
    Box::pin(async { assert_eq!(first_of_join_set().await, 0) })
}

fn select() -> TokioFuture {
    Box::pin(async { assert_eq!(first_of_select().await, 0) })
}

fn detached() -> TokioFuture {
    Box::pin(async { assert_eq!(first_of_select_detached().await, 0) })
}

fn untracked() -> TokioFuture {
    Box::pin(async { assert_eq!(first_of_select_untracked().await, 0) })
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    let pattern = "first response (tokio)";
    vec![
        Scenario {
            name: "tokio_first_response",
            pattern,
            role: Role::Reference,
            summary: "3 replicas in a JoinSet; the first answer wins, shutdown aborts the rest",
            body: Body::Tokio(join_set),
            max_live_tasks: Some(3),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_first_response_select",
            pattern,
            role: Role::Reference,
            summary: "3 replicas raced in select!; the losers aborted and awaited after",
            body: Body::Tokio(select),
            max_live_tasks: Some(3),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_first_response_detached",
            pattern,
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "the losers' JoinHandles are dropped: detached, the slow queries run on",
            body: Body::Tokio(detached),
            max_live_tasks: Some(3),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_first_response_untracked",
            pattern,
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "the same, spawned with tokio::spawn: counted by num_alive_tasks",
            body: Body::Tokio(untracked),
            max_live_tasks: None,
            loom_preemption_bound: None,
        },
    ]
}
