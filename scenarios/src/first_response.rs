//! First response wins: send the same query to every replica at once and return the first
//! answer; the slower replicas finish on their own.
//!
//! Mirrors `First` from Rob Pike's "Go Concurrency Patterns" (Google I/O 2012) and the Go
//! blog's "Go Concurrency Patterns: Timing out, moving on":
//!
//! ```go
//! func First(query string, replicas ...Search) Result {
//!     c := make(chan Result, len(replicas))
//!     for i := range replicas {
//!         go func(i int) { c <- replicas[i](query) }(i)
//!     }
//!     return <-c
//! }
//! ```
//!
//! The talk first writes `make(chan Result)` and the blog fixes it: with an unbuffered channel
//! every replica but the first blocks forever on its send, once per query.
//!
//! # Guarantees
//!
//! - The caller gets exactly one answer, from whichever replica finished first, and does not
//!   wait for the others.
//! - No replica task outlives its work: [`first`] gives the result channel one slot per
//!   replica, so every loser's send completes at once and its task ends; [`first_try_send`]
//!   has one slot and the losers *try* to send (Go's `select` with `default`), dropping their
//!   answer when the slot is taken.
//! - At most one task per replica is alive.
//!
//! # Twins
//!
//! - [`unbuffered`]: capacity 0. The caller takes the first answer and returns; every other
//!   replica is blocked on a send nobody will ever receive (a task leak per query).

use std::fmt;

use concheck::go::{self, Select};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why a query cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstError {
    /// No replica was given: nothing would ever answer and the caller would wait forever.
    NoReplicas,
}

impl fmt::Display for FirstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FirstError::NoReplicas => f.write_str(
                "first response needs at least one replica: with none, nothing ever answers and \
                 the caller waits forever; pass one or more replicas",
            ),
        }
    }
}

impl std::error::Error for FirstError {}

/// Sends `query` to every replica, each in its own task, and returns the first answer. The
/// result channel has one slot per replica, so the replicas that lose still complete their
/// send and end without anyone receiving.
///
/// # Errors
///
/// [`FirstError::NoReplicas`] if `replicas` is empty.
///
/// # Examples
///
/// ```
/// use concheck_scenarios::first_response::first;
///
/// let replicas: Vec<fn(u32) -> u32> = vec![|q| q + 1, |q| q + 1];
/// assert_eq!(first(41, replicas), Ok(42));
/// ```
pub fn first<Q, R, F>(query: Q, replicas: Vec<F>) -> Result<R, FirstError>
where
    Q: Clone + Send + 'static,
    R: Send + 'static,
    F: FnOnce(Q) -> R + Send + 'static,
{
    if replicas.is_empty() {
        return Err(FirstError::NoReplicas);
    }
    // One slot per replica: every send completes at once, whoever receives.
    let (tx, rx) = go::named::<R>("results", replicas.len());
    for (i, replica) in replicas.into_iter().enumerate() {
        let (tx, query) = (tx.clone(), query.clone());
        thread::Builder::new()
            .name(format!("replica-{i}"))
            .spawn(move || tx.send(replica(query)));
    }
    Ok(rx
        .recv()
        .expect("the results channel is never closed and every replica sends"))
}

/// Like [`first`], with one result slot: each replica tries to send and drops its answer if
/// the slot is already taken (Go's `select { case c <- r: default: }`).
///
/// # Errors
///
/// [`FirstError::NoReplicas`] if `replicas` is empty.
///
/// # Examples
///
/// ```
/// use concheck_scenarios::first_response::first_try_send;
///
/// let replicas: Vec<fn(u32) -> u32> = vec![|q| q * 2, |q| q * 2, |q| q * 2];
/// assert_eq!(first_try_send(21, replicas), Ok(42));
/// ```
pub fn first_try_send<Q, R, F>(query: Q, replicas: Vec<F>) -> Result<R, FirstError>
where
    Q: Clone + Send + 'static,
    R: Send + 'static,
    F: FnOnce(Q) -> R + Send + 'static,
{
    if replicas.is_empty() {
        return Err(FirstError::NoReplicas);
    }
    // One slot: the first answer fills it; a loser finds it full and gives up. (A loser that
    // comes after the caller emptied the slot fills it again; that answer is simply dropped
    // with the channel.)
    let (tx, rx) = go::named::<R>("results", 1);
    for (i, replica) in replicas.into_iter().enumerate() {
        let (tx, query) = (tx.clone(), query.clone());
        thread::Builder::new()
            .name(format!("replica-{i}"))
            .spawn(move || {
                Select::new()
                    .send(&tx, replica(query), || ())
                    .or_else(|| ())
            });
    }
    Ok(rx
        .recv()
        .expect("the results channel is never closed and the first replica's send fits"))
}

/// Three replicas that answer the same query differently, so the test can tell who won.
fn replicas() -> Vec<impl FnOnce(u32) -> (usize, u32) + Send + 'static> {
    (0..3usize).map(|i| move |q: u32| (i, q * 10)).collect()
}

fn reference() {
    let (who, answer) = first(4, replicas()).expect("three replicas");
    assert!(who < 3, "one of the replicas answered");
    assert_eq!(answer, 40, "the answer to the query");
}

fn reference_try_send() {
    let (who, answer) = first_try_send(4, replicas()).expect("three replicas");
    assert!(who < 3, "one of the replicas answered");
    assert_eq!(answer, 40, "the answer to the query");
}

/// Twin: the result channel has no room for the losers.
pub fn unbuffered() {
    // BUG: capacity 0: a replica's send completes only if someone receives it.
    let (tx, rx) = go::named::<(usize, u32)>("results", 0);
    for i in 0..3 {
        let tx = tx.clone();
        thread::Builder::new()
            .name(format!("replica-{i}"))
            .spawn(move || tx.send((i, 4 * 10)));
    }
    // The caller takes the first answer and returns; the loser waits on its send forever.
    let (_, answer) = rx.recv().expect("a replica answers");
    assert_eq!(answer, 40);
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "first_response",
            pattern: "first response",
            role: Role::Reference,
            summary: "3 replicas, results channel with a slot for each: first answer wins",
            body: Body::Sync(reference),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "first_response_try_send",
            pattern: "first response",
            role: Role::Reference,
            summary: "3 replicas, one result slot; losers try to send and give up",
            body: Body::Sync(reference_try_send),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "first_response_unbuffered",
            pattern: "first response",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
            },
            summary: "the result slot holds one; with capacity 0 the losers leak",
            body: Body::Sync(unbuffered),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_response_rejects_no_replicas() {
        let none: Vec<fn(u32) -> u32> = Vec::new();
        let err = first(1, none.clone()).unwrap_err();
        assert_eq!(err, FirstError::NoReplicas);
        assert!(err.to_string().contains("pass one or more replicas"));
        assert_eq!(first_try_send(1, none), Err(FirstError::NoReplicas));
    }

    #[test]
    fn first_response_returns_one_answer_on_real_threads() {
        for _ in 0..100 {
            let replicas: Vec<_> = (0..8usize).map(|i| move |q: u32| (i, q + 1)).collect();
            let (who, answer) = first(1, replicas.clone()).unwrap();
            assert!(who < 8);
            assert_eq!(answer, 2);
            let (who, answer) = first_try_send(1, replicas).unwrap();
            assert!(who < 8);
            assert_eq!(answer, 2);
        }
    }
}
