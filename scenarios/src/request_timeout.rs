//! Request with a timeout: hand a request to a backend task and wait for its reply or the
//! timeout, whichever comes first; a backend that answers after the caller gave up still ends.
//!
//! Mirrors the Go blog's "Go Concurrency Patterns: Timing out, moving on" (2010) and `time.After`
//! (pkg.go.dev/time#After):
//!
//! ```go
//! ch := make(chan Result, 1) // room for the reply: the backend never waits for the caller
//! go func() { ch <- backend() }()
//! select {
//! case r := <-ch:
//!     return r, nil
//! case <-time.After(timeout):
//!     return nil, ErrTimeout
//! }
//! ```
//!
//! and its context form from "Go Concurrency Patterns: Context" (2014) and pkg.go.dev/context:
//! `ctx, cancel := context.WithTimeout(parent, timeout); defer cancel()`, the backend given `ctx`
//! so it abandons its work at the deadline, the caller selecting on the reply and `ctx.Done()`.
//! [`Client`] reuses one `time.Timer` for every request instead of a new `time.After` each time,
//! with the stop-and-drain idiom of `Timer.Stop`'s documentation (before Go 1.23): "if !t.Stop()
//! { <-t.C }", which is right only if nobody received from `t.C` yet.
//!
//! # Guarantees
//!
//! - The caller gets the reply or a timeout error, never both, never neither: one `select`
//!   decides, and a reply that comes after the timeout is left in its slot, unread.
//! - The caller waits at most the timeout (on the virtual clock, exactly the timeout). Under
//!   [`Policy::WhenIdle`] a backend that can still run always answers first, and one that waits
//!   longer than the timeout always loses. Under [`Policy::Anytime`] (a loaded machine) even a
//!   fast backend may lose; every guarantee above and below still holds.
//! - No backend task outlives its work: the reply channel has one slot, so the backend's send
//!   completes whether or not anyone still waits, and it ends. In the context form the backend
//!   also sees the deadline and stops working then.
//! - One backend task per request is alive while it works.
//!
//! # Twins
//!
//! - [`leaks_child`]: the reply channel is unbuffered. The timeout wins, the caller returns,
//!   and the backend's send then waits forever for a receiver that is gone (a task leak per
//!   timed-out request).
//! - [`timer_drained_twice`]: a reused timer is stopped and drained after every request, on the
//!   timeout path too, where the `select` already received its value: the drain waits forever
//!   for a second value that never comes.

use std::fmt;
use std::time::Duration;

use concheck::go::{self, Context, ContextError, Select};
use concheck::time::{self, Policy, Timer};
use concheck::{leak, thread, ViolationKind};

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why a request produced no reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The timeout was zero: the request would time out before any backend could answer.
    ZeroTimeout,
    /// The timeout (or the parent context's deadline) passed before the reply came.
    TimedOut,
    /// The parent context was cancelled before the reply came.
    Canceled,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestError::ZeroTimeout => {
                "request timeout is zero: every request would time out before any backend could \
                 answer; pass a positive timeout"
            }
            RequestError::TimedOut => "request timed out: no reply before the timeout",
            RequestError::Canceled => "request canceled: the parent context was canceled",
        })
    }
}

impl std::error::Error for RequestError {}

impl From<ContextError> for RequestError {
    fn from(e: ContextError) -> Self {
        match e {
            ContextError::DeadlineExceeded => RequestError::TimedOut,
            _ => RequestError::Canceled,
        }
    }
}

/// Runs `backend` in its own task and returns its reply, or [`RequestError::TimedOut`] if
/// `timeout` passes first (Go's `select` on the reply and `time.After`). A backend that answers
/// late puts its reply in the channel's one slot and ends; nobody reads it.
///
/// # Errors
///
/// [`RequestError::ZeroTimeout`] if `timeout` is zero; [`RequestError::TimedOut`] if no reply
/// came within `timeout` (a backend that panics never replies).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use concheck_scenarios::request_timeout::{call, RequestError};
///
/// assert_eq!(call(Duration::from_secs(10), || 42), Ok(42));
/// let slow = call(Duration::from_millis(1), || std::thread::sleep(Duration::from_millis(50)));
/// assert_eq!(slow, Err(RequestError::TimedOut));
/// ```
pub fn call<R, F>(timeout: Duration, backend: F) -> Result<R, RequestError>
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    if timeout.is_zero() {
        return Err(RequestError::ZeroTimeout);
    }
    // One slot: the backend's send completes whether or not the caller still waits.
    let (tx, rx) = go::named::<R>("reply", 1);
    thread::Builder::new()
        .name("backend")
        .spawn(move || tx.send(backend()));
    let timeout = time::after(timeout);
    Select::new()
        .recv(&rx, |r| Ok(r.expect("the reply channel is never closed")))
        .recv(&timeout, |_| Err(RequestError::TimedOut))
        .wait()
}

/// Runs `backend` in its own task with a child of `parent` that expires `timeout` from now
/// (Go's `context.WithTimeout`), and returns its reply or why there was none. The backend
/// should watch the context and return `Err(ctx.err())` when it is done; on return the context
/// is cancelled (Go's `defer cancel()`), which stops a backend still working and the deadline's
/// timer.
///
/// # Errors
///
/// [`RequestError::ZeroTimeout`] if `timeout` is zero; [`RequestError::TimedOut`] if the
/// deadline (this one or an earlier one of `parent`) passed first; [`RequestError::Canceled`]
/// if `parent` was cancelled first. A backend's own `Err` is mapped the same way.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use concheck::go::Context;
/// use concheck_scenarios::request_timeout::{call_with_context, RequestError};
///
/// let parent = Context::background();
/// assert_eq!(call_with_context(&parent, Duration::from_secs(10), |_ctx| Ok(42)), Ok(42));
/// // A backend that works until its context is done gives up at the deadline.
/// let stuck = call_with_context(&parent, Duration::from_millis(1), |ctx| -> Result<u32, _> {
///     ctx.done();
///     Err(ctx.err().unwrap())
/// });
/// assert_eq!(stuck, Err(RequestError::TimedOut));
/// ```
pub fn call_with_context<R, F>(
    parent: &Context,
    timeout: Duration,
    backend: F,
) -> Result<R, RequestError>
where
    R: Send + 'static,
    F: FnOnce(&Context) -> Result<R, ContextError> + Send + 'static,
{
    if timeout.is_zero() {
        return Err(RequestError::ZeroTimeout);
    }
    let (ctx, cancel) = parent.with_timeout(timeout);
    let (tx, rx) = go::named::<Result<R, ContextError>>("reply", 1);
    {
        let ctx = ctx.clone();
        thread::Builder::new()
            .name("backend")
            .spawn(move || tx.send(backend(&ctx)));
    }
    // The reply case first: a reply already in the slot is taken even if the deadline has
    // passed too (Go picks either; both are correct answers).
    let result = Select::new()
        .recv(&rx, |r| {
            r.expect("the reply channel is never closed")
                .map_err(RequestError::from)
        })
        .done(&ctx, || {
            Err(ctx
                .err()
                .expect("the done case fires only once the context is done")
                .into())
        })
        .wait();
    cancel.cancel();
    result
}

/// Makes requests with one reusable [`Timer`] instead of a new [`time::after`] per request,
/// as Go code does in a loop to avoid allocating a timer each time.
///
/// Every call leaves the timer stopped and its channel empty, which is what [`Timer::reset`]
/// needs: when the reply wins but the timer fired too, its value is still in the channel and
/// is drained; when the timeout wins, the `select` already received it and nothing is drained.
#[derive(Debug)]
pub struct Client {
    timeout: Duration,
    timer: Timer,
}

impl Client {
    /// A client whose every request waits at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`RequestError::ZeroTimeout`] if `timeout` is zero.
    pub fn new(timeout: Duration) -> Result<Client, RequestError> {
        if timeout.is_zero() {
            return Err(RequestError::ZeroTimeout);
        }
        let timer = Timer::new(timeout);
        timer.stop();
        Ok(Client { timeout, timer })
    }

    /// Like [`call`], on this client's timer. `&mut self`: one request at a time per timer.
    ///
    /// # Errors
    ///
    /// [`RequestError::TimedOut`] if no reply came within the client's timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use concheck_scenarios::request_timeout::Client;
    ///
    /// let mut client = Client::new(Duration::from_secs(10)).unwrap();
    /// assert_eq!(client.call(|| 1), Ok(1));
    /// assert_eq!(client.call(|| 2), Ok(2));
    /// ```
    pub fn call<R, F>(&mut self, backend: F) -> Result<R, RequestError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        // Stopped and drained by the previous call (or by `new`): safe to reset.
        self.timer.reset(self.timeout);
        let (tx, rx) = go::named::<R>("reply", 1);
        thread::Builder::new()
            .name("backend")
            .spawn(move || tx.send(backend()));
        let result = Select::new()
            .recv(&rx, |r| Ok(r.expect("the reply channel is never closed")))
            .recv(self.timer.receiver(), |_| Err(RequestError::TimedOut))
            .wait();
        // Only on the reply path: the timeout path's select received the timer's one value.
        if result.is_ok() && !self.timer.stop() {
            // It fired as the reply won: its value is in the channel (or about to be), unread.
            self.timer.receiver().recv();
        }
        result
    }
}

/// The scenarios' timeout. Small, because the std checker runs every body 100 times on the
/// real clock; on the virtual clock its size costs nothing.
const TIMEOUT: Duration = Duration::from_millis(2);
/// A backend that takes twice the timeout.
const SLOW: Duration = Duration::from_millis(4);

/// A backend that would work for `work` but stops when `ctx` is done.
fn lookup(ctx: &Context, work: Duration) -> Result<u32, ContextError> {
    let finished = time::after(work);
    Select::new()
        .recv(&finished, |_| Ok(7))
        .done(ctx, || {
            Err(ctx
                .err()
                .expect("the done case fires only once the context is done"))
        })
        .wait()
}

/// `result` is `reply` or a timeout: one of the two, and nothing else.
fn assert_reply_or_timeout(result: Result<u32, RequestError>, reply: u32) {
    assert!(
        result == Ok(reply) || result == Err(RequestError::TimedOut),
        "a request ends with its reply or a timeout, got {result:?}"
    );
}

/// `result` is `reply` or a timeout; on the virtual clock (under WhenIdle), exactly `expect`.
fn assert_one_of(result: Result<u32, RequestError>, reply: u32, expect: Result<u32, RequestError>) {
    assert_reply_or_timeout(result, reply);
    if time::is_virtual() {
        assert_eq!(result, expect, "under WhenIdle the timeout decides exactly");
    }
}

/// On the virtual clock, `elapsed` is exactly `expect`; on the real one, at least that.
fn assert_elapsed(elapsed: Duration, expect: Duration, what: &str) {
    if time::is_virtual() {
        assert_eq!(elapsed, expect, "{what}");
    } else {
        assert!(elapsed >= expect, "{what}: {elapsed:?} < {expect:?}");
    }
}

/// A fast backend wins at once; a slow one loses at the timeout and still ends later.
fn reference() {
    let start = time::now();
    let fast = call(TIMEOUT, || 42);
    assert_one_of(fast, 42, Ok(42));
    if time::is_virtual() {
        assert_eq!(time::now() - start, Duration::ZERO, "work takes no time");
    }
    let start = time::now();
    let (slow, returned) = leak::scope(|| {
        let slow = call(TIMEOUT, || {
            time::sleep(SLOW);
            7
        });
        (slow, time::now())
    });
    assert_one_of(slow, 7, Err(RequestError::TimedOut));
    if time::is_virtual() {
        assert_eq!(
            returned - start,
            TIMEOUT,
            "the caller gave up at the timeout"
        );
    }
    assert_elapsed(
        time::now() - start,
        SLOW,
        "the backend ended after its work, once the caller had left",
    );
}

/// The context form: a fast backend wins; a slow one is told the deadline passed and stops.
fn reference_context() {
    let parent = Context::background();
    let fast = call_with_context(&parent, TIMEOUT, |_| Ok(42));
    assert_one_of(fast, 42, Ok(42));
    let start = time::now();
    let slow = leak::scope(|| call_with_context(&parent, TIMEOUT, |ctx| lookup(ctx, SLOW)));
    assert_one_of(slow, 7, Err(RequestError::TimedOut));
    if time::is_virtual() {
        assert_eq!(
            time::now() - start,
            TIMEOUT,
            "the backend stopped at the deadline, not after its whole work"
        );
    }
}

/// One timer for two requests: a backend that answers exactly at the timeout (both outcomes
/// are right, and the reply may win with the timer fired too, which needs the drain), then a
/// fast one, which a stale timer value would time out at once.
fn reference_timer_reuse() {
    let mut client = Client::new(TIMEOUT).expect("a positive timeout");
    let start = time::now();
    let tie = client.call(|| {
        time::sleep(TIMEOUT);
        7
    });
    assert_reply_or_timeout(tie, 7);
    if time::is_virtual() {
        assert_eq!(time::now() - start, TIMEOUT, "both came at the timeout");
    }
    assert_one_of(client.call(|| 42), 42, Ok(42));
}

/// Under [`Policy::Anytime`] the timer may fire while the backend could still run, as on a
/// loaded machine: a fast backend may lose, and the pattern still gives one outcome and leaves
/// no task behind. Checked on the context form, whose deadline also reaches the backend.
fn reference_anytime() {
    time::set_policy(Policy::Anytime);
    let fast = call_with_context(&Context::background(), TIMEOUT, |_| Ok(42));
    assert_reply_or_timeout(fast, 42);
}

/// Twin: the reply channel has no room, so a backend that answers after the timeout waits
/// forever for the caller that left.
pub fn leaks_child() {
    // BUG: unbuffered: the backend's send completes only if the caller still receives.
    let (tx, rx) = go::named::<u32>("reply", 0);
    thread::Builder::new().name("backend").spawn(move || {
        time::sleep(SLOW);
        tx.send(7);
    });
    let timeout = time::after(TIMEOUT);
    let got = Select::new()
        .recv(&rx, |r| r)
        .recv(&timeout, |_| None)
        .wait();
    assert!(got.is_none() || got == Some(7), "the reply or a timeout");
}

/// Twin: a reused timer is drained after the request on both paths.
pub fn timer_drained_twice() {
    let timer = Timer::new(TIMEOUT);
    let (tx, rx) = go::named::<u32>("reply", 1);
    thread::Builder::new().name("backend").spawn(move || {
        time::sleep(SLOW);
        tx.send(7);
    });
    let got = Select::new()
        .recv(&rx, |r| r)
        .recv(timer.receiver(), |_| None)
        .wait();
    // Stop the timer and drain it, to reset it for the next request.
    if !timer.stop() {
        // BUG: on the timeout path the select above already received the timer's only value.
        timer.receiver().recv();
    }
    timer.reset(TIMEOUT);
    assert!(got.is_none() || got == Some(7), "the reply or a timeout");
}

/// This pattern's scenarios. loom bound 2, measured in the test build on a loaded machine:
/// `request_timeout` 533 iterations (0.15 s), `request_timeout_context` 1,255 (0.35 s),
/// `request_timeout_timer_reuse` 467 (0.08 s), `request_timeout_anytime` 149 (0.02 s); unbounded, the first took 65,408 (14.5 s) and the
/// other two passed 200,000 iterations. The twins are found in the first execution.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "request_timeout",
            pattern: "request timeout",
            role: Role::Reference,
            summary: "select on a 1-slot reply and time::after: fast backend wins, slow one loses and ends",
            body: Body::Sync(reference),
            // One backend per request; the first may not have ended when the second starts.
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "request_timeout_context",
            pattern: "request timeout",
            role: Role::Reference,
            summary: "context with timeout: the slow backend sees the deadline and stops",
            body: Body::Sync(reference_context),
            // One backend per request; the first may not have ended when the second starts.
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "request_timeout_timer_reuse",
            pattern: "request timeout",
            role: Role::Reference,
            summary: "one Timer for two requests, drained only if the reply won after it fired",
            body: Body::Sync(reference_timer_reuse),
            // One backend per request; the first may not have ended when the second starts.
            max_live_tasks: Some(2),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "request_timeout_anytime",
            pattern: "request timeout",
            role: Role::Reference,
            summary: "context form under Policy::Anytime: the timer may beat a fast backend; no leak",
            body: Body::Sync(reference_anytime),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "request_timeout_leaks_child",
            pattern: "request timeout",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "unbuffered reply: the timeout wins and the backend blocks on send forever",
            body: Body::Sync(leaks_child),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "request_timeout_timer_drained_twice",
            pattern: "request timeout",
            role: Role::Twin {
                expects: &[ViolationKind::Deadlock],
                assertion: None,
            },
            summary: "if !t.stop() { <-t.C } after the select took the fire: blocks forever",
            body: Body::Sync(timer_drained_twice),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
