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
//! [`first_within`] adds the deadline of the talk's "Google Search 2.1" (`timeout :=
//! time.After(80 * time.Millisecond)` in the collecting `select`), in the context form
//! (`ctx, cancel := context.WithTimeout(...)`, `defer cancel()`): if no replica answers in time
//! the caller gives up, and the replicas, which watch the context, stop working.
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
//! - [`first_within`] returns by its deadline: the first answer, or
//!   [`FirstError::DeadlineExceeded`] at the deadline (on the virtual clock, exactly then). On
//!   return it cancels the replicas' context, so the losers stop working, and their results
//!   still have a slot each, so none blocks on its send.
//!
//! # Twins
//!
//! - [`unbuffered`]: capacity 0. The caller takes the first answer and returns; every other
//!   replica is blocked on a send nobody will ever receive (a task leak per query).
//! - [`deadline_leaks`]: one slot per *loser* (`len(replicas)-1`: "the caller takes one"),
//!   replicas that ignore the context. Right whenever someone answers in time; at the deadline
//!   the caller takes none, and the last replica to finish blocks on its send forever.

use std::fmt;
use std::time::Duration;

use concheck::go::{self, Context, ContextError, Select};
use concheck::{leak, thread, time, ViolationKind};

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why a query cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstError {
    /// No replica was given: nothing would ever answer and the caller would wait forever.
    NoReplicas,
    /// The timeout was zero: the caller would give up before any replica could answer.
    ZeroTimeout,
    /// No replica answered before the deadline.
    DeadlineExceeded,
}

impl fmt::Display for FirstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FirstError::NoReplicas => f.write_str(
                "first response needs at least one replica: with none, nothing ever answers and \
                 the caller waits forever; pass one or more replicas",
            ),
            FirstError::ZeroTimeout => f.write_str(
                "first response timeout is zero: the caller would give up before any replica \
                 could answer; pass a positive timeout",
            ),
            FirstError::DeadlineExceeded => {
                f.write_str("first response deadline exceeded: no replica answered in time")
            }
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

/// Like [`first`], but gives up when `timeout` passes with no answer. Every replica gets a
/// context that expires at the deadline and is cancelled when the caller returns (Go's
/// `context.WithTimeout` and `defer cancel()`): a replica should watch it and return
/// `Err(ctx.err())` once it is done, which the caller ignores. The results channel has one
/// slot per replica, so a replica that finishes after the caller left still ends.
///
/// # Errors
///
/// [`FirstError::NoReplicas`] if `replicas` is empty, [`FirstError::ZeroTimeout`] if `timeout`
/// is zero, [`FirstError::DeadlineExceeded`] if no replica answered within `timeout`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use concheck::go::{Context, ContextError};
/// use concheck_scenarios::first_response::{first_within, FirstError};
///
/// type Replica = Box<dyn FnOnce(&Context, u32) -> Result<u32, ContextError> + Send>;
/// let answers: Vec<Replica> = vec![
///     Box::new(|ctx, _| {
///         ctx.done(); // stuck until the deadline
///         Err(ctx.err().unwrap())
///     }),
///     Box::new(|_, q| Ok(q + 1)),
/// ];
/// assert_eq!(first_within(41, answers, Duration::from_secs(10)), Ok(42));
///
/// let stuck: Vec<Replica> = vec![Box::new(|ctx, _| {
///     ctx.done();
///     Err(ctx.err().unwrap())
/// })];
/// let late = first_within(1, stuck, Duration::from_millis(1));
/// assert_eq!(late, Err(FirstError::DeadlineExceeded));
/// ```
pub fn first_within<Q, R, F>(query: Q, replicas: Vec<F>, timeout: Duration) -> Result<R, FirstError>
where
    Q: Clone + Send + 'static,
    R: Send + 'static,
    F: FnOnce(&Context, Q) -> Result<R, ContextError> + Send + 'static,
{
    if replicas.is_empty() {
        return Err(FirstError::NoReplicas);
    }
    if timeout.is_zero() {
        return Err(FirstError::ZeroTimeout);
    }
    let (ctx, cancel) = Context::background().with_timeout(timeout);
    // One slot per replica: every send completes at once, whoever receives, deadline or not.
    let (tx, rx) = go::named::<Result<R, ContextError>>("results", replicas.len());
    for (i, replica) in replicas.into_iter().enumerate() {
        let (tx, query, ctx) = (tx.clone(), query.clone(), ctx.clone());
        thread::Builder::new()
            .name(format!("replica-{i}"))
            .spawn(move || tx.send(replica(&ctx, query)));
    }
    let answer = loop {
        // The results first: an answer already in is taken even if the deadline passed too.
        let next = Select::new()
            .recv(&rx, |r| {
                Some(r.expect("the results channel is never closed"))
            })
            .done(&ctx, || None)
            .wait();
        match next {
            Some(Ok(answer)) => break Ok(answer),
            // A replica that gave up: its context is done, so the done case is ready too (and
            // the deadline bounds this loop whatever a replica returns).
            Some(Err(_)) => continue,
            None => break Err(FirstError::DeadlineExceeded),
        }
    };
    // The losers stop working (and the deadline's timer stops).
    cancel.cancel();
    answer
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

/// The scenarios' deadline. Small, because the std checker runs every body 100 times on the
/// real clock; on the virtual clock its size costs nothing.
pub(crate) const TIMEOUT: Duration = Duration::from_millis(2);

/// A replica that works for `work` on `q`, unless `ctx` is done first.
pub(crate) fn replica_taking(
    work: Duration,
) -> impl FnOnce(&Context, u32) -> Result<u32, ContextError> {
    move |ctx, q| {
        let finished = time::after(work);
        Select::new()
            .recv(&finished, |_| Ok(q * 10))
            .done(ctx, || {
                Err(ctx
                    .err()
                    .expect("the done case fires only once the context is done"))
            })
            .wait()
    }
}

/// Two replicas, one due exactly at the deadline (it races the deadline), one after it: the
/// caller gets the tie's answer or gives up at the deadline, and the slow replica stops there.
fn reference_deadline() {
    let start = time::now();
    let (answer, returned) = leak::scope(|| {
        let replicas = vec![replica_taking(TIMEOUT), replica_taking(2 * TIMEOUT)];
        (first_within(4, replicas, TIMEOUT), time::now())
    });
    assert!(
        answer == Ok(40) || answer == Err(FirstError::DeadlineExceeded),
        "the answer or the deadline, got {answer:?}"
    );
    if time::is_virtual() {
        assert_eq!(
            returned - start,
            TIMEOUT,
            "the caller returned at the deadline"
        );
        assert_eq!(
            time::now() - start,
            TIMEOUT,
            "the slow replica stopped at the deadline, not after its whole work"
        );
    } else {
        assert!(
            returned - start >= TIMEOUT || answer.is_ok(),
            "no early give-up"
        );
    }
}

/// Twin: the deadline path leaves a replica with no slot for its result.
pub fn deadline_leaks() {
    let (ctx, cancel) = Context::background().with_timeout(TIMEOUT);
    // BUG: a slot per loser ("the caller takes one"): at the deadline it takes none.
    let (tx, rx) = go::named::<u32>("results", 1);
    for i in 0..2 {
        let tx = tx.clone();
        thread::Builder::new()
            .name(format!("replica-{i}"))
            .spawn(move || {
                // Ignores the context: works to the end, then sends.
                time::sleep(2 * TIMEOUT);
                tx.send(40);
            });
    }
    let answer = Select::new().recv(&rx, |r| r).done(&ctx, || None).wait();
    cancel.cancel();
    assert!(answer.is_none() || answer == Some(40));
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
            name: "first_response_deadline",
            pattern: "first response",
            role: Role::Reference,
            summary: "2 replicas, context with timeout: a tie at the deadline, the loser cancelled",
            body: Body::Sync(reference_deadline),
            max_live_tasks: Some(2),
            // Measured (test build, machine at load 10): 12,559 iterations, 3.4 s at bound 2.
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "first_response_deadline_leaks",
            pattern: "first response",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "a result slot per loser: at the deadline nobody wins and a replica leaks",
            body: Body::Sync(deadline_leaks),
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "first_response_unbuffered",
            pattern: "first response",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "the result slot holds one; with capacity 0 the losers leak",
            body: Body::Sync(unbuffered),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
