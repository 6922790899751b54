//! Async patterns on concheck's executor: request/response over a oneshot, producer/consumer
//! over a bounded async channel, a worker that races its jobs against cancellation, and a
//! hand-written future that must register its Waker before it checks its condition.
//!
//! The originals are tokio's: the actor with a `oneshot` reply ("Channels" in the tokio
//! tutorial), a bounded `mpsc` between a producer and a consumer, a worker loop over
//! `tokio::select!` with a `CancellationToken` (tokio-util), and the rule every `Future::poll`
//! follows (the `std::task` docs, "Waker"): register to be woken, then check, or a wake in
//! between is lost. In Go terms they are the request carrying its reply channel, a buffered
//! channel, a `select` on `ctx.Done()`, and `sync.Cond`'s check-under-the-lock.
//!
//! Every body runs on [`concheck::future`]: each async task is a facade task, so loom and shuttle
//! explore the interleavings of their polls, and a task that never ends is named with its spawn
//! site and what it awaits.
//!
//! # Guarantees
//!
//! - [`call`] returns the server's reply to exactly this request; if the server drops the
//!   request unanswered it returns `Err(RecvError)`, never waits forever.
//! - The producer/consumer receives every value in order and ends: the producer closes the
//!   channel after its last send, which ends the consumer's loop.
//! - [`cancellable_worker`] ends once its token is cancelled, wherever it waits: it only ever
//!   awaits a race of the next job against the cancellation. Jobs taken before are handled.
//! - [`ReadyFlag::wait`] returns once [`ReadyFlag::set`] was called, in every interleaving.
//!
//! # Twins
//!
//! - [`check_then_register`]: the flag's future checks the flag, then registers its Waker. A
//!   `set` between the two finds no Waker to call, and the waiter sleeps forever (lost wakeup).
//! - [`worker_ignores_cancel`]: the worker awaits only its jobs; the caller cancels and
//!   returns, nobody closes the jobs channel, and the worker outlives the body (task leak).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use concheck::future::{self, channel, oneshot, race, CancellationToken, Either};
use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::Mutex;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// A request to a server task: the argument, and where the reply goes.
pub struct Request<A, R> {
    /// The argument.
    pub arg: A,
    /// The reply's sender; the server sends on it exactly once, or drops it to refuse.
    pub reply: oneshot::Sender<R>,
}

impl<A: std::fmt::Debug, R> std::fmt::Debug for Request<A, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("arg", &self.arg)
            .finish_non_exhaustive()
    }
}

/// Serves requests with `f` until the requests channel is closed and drained.
pub async fn serve<A, R>(requests: channel::Receiver<Request<A, R>>, f: impl Fn(A) -> R) {
    while let Some(request) = requests.recv().await {
        // The caller may have given up (dropped its receiver): its reply is then discarded.
        let _ = request.reply.send(f(request.arg));
    }
}

/// Sends `arg` to the server behind `requests` and awaits its reply.
///
/// # Errors
///
/// [`oneshot::RecvError`] if the server dropped the request without replying.
///
/// # Examples
///
/// ```
/// use concheck::future::{self, channel};
/// use concheck_scenarios::async_patterns::{call, serve};
///
/// let (tx, rx) = channel::named("requests", 1);
/// let server = future::spawn(serve(rx, |x: u32| x + 1));
/// assert_eq!(future::block_on(call(&tx, 41)), Ok(42));
/// tx.close();
/// future::block_on(server).unwrap();
/// ```
pub async fn call<A, R>(
    requests: &channel::Sender<Request<A, R>>,
    arg: A,
) -> Result<R, oneshot::RecvError> {
    let (reply, response) = oneshot::named("reply");
    requests.send(Request { arg, reply }).await;
    response.recv().await
}

fn request_response() {
    let (requests, incoming) = channel::named("requests", 1);
    let server = future::Builder::new()
        .name("server")
        .spawn(serve(incoming, |x: u32| x * 10));
    future::block_on(async move {
        assert_eq!(
            call(&requests, 1).await,
            Ok(10),
            "the reply to this request"
        );
        assert_eq!(
            call(&requests, 2).await,
            Ok(20),
            "the reply to this request"
        );
        requests.close();
        server.await.expect("server panicked");
    });
}

fn producer_consumer() {
    let (tx, rx) = channel::named::<u32>("values", 1);
    let producer = future::Builder::new().name("producer").spawn(async move {
        for v in 1..=3 {
            tx.send(v).await; // waits for room: capacity 1
        }
        tx.close(); // after the last send: ends the consumer's loop
    });
    let received = future::block_on(async move {
        let mut received = Vec::new();
        while let Some(v) = rx.recv().await {
            received.push(v);
        }
        received
    });
    assert_eq!(received, vec![1, 2, 3], "every value, in order");
    producer.join().expect("producer panicked");
}

/// Handles jobs with `handle` until `token` is cancelled or `jobs` is closed and drained;
/// returns how many it handled. Each wait is a race of the next job against the cancellation,
/// so a cancel reaches the worker wherever it waits.
pub async fn cancellable_worker<J>(
    jobs: channel::Receiver<J>,
    token: CancellationToken,
    mut handle: impl FnMut(J),
) -> usize {
    let mut handled = 0;
    // Cancellation first, as Go's worker checks `ctx.Err()` first: no job starts after it.
    while let Either::Right(Some(job)) = race(token.cancelled(), jobs.recv()).await {
        handle(job);
        handled += 1;
    }
    handled
}

fn select_cancel() {
    let (jobs, incoming) = channel::named::<u32>("jobs", 1);
    let token = CancellationToken::named("stop");
    let worker = future::Builder::new()
        .name("worker")
        .spawn(cancellable_worker(incoming, token.clone(), drop));
    future::block_on(async move {
        jobs.send(1).await;
        token.cancel(); // the jobs channel stays open: only the cancel can end the worker
        let handled = worker.await.expect("worker panicked");
        assert!(handled <= 1, "handled {handled} jobs of 1");
    });
}

/// Twin: the worker awaits only its jobs; the caller cancels and returns without closing them.
pub fn worker_ignores_cancel() {
    let (jobs, incoming) = channel::named::<u32>("jobs", 1);
    let token = CancellationToken::named("stop");
    let worker_token = token.clone();
    let worker = future::Builder::new().name("worker").spawn(async move {
        let mut handled = 0;
        while !worker_token.is_cancelled() {
            // BUG: awaits the next job only; a cancel while it waits never reaches it.
            match incoming.recv().await {
                Some(_) => handled += 1,
                None => break,
            }
        }
        handled
    });
    future::block_on(jobs.send(1));
    token.cancel();
    drop(worker); // shutdown trusts the cancel to stop the worker, and returns
}

/// A flag a task can await, written as user code writes a `Future` by hand.
pub struct ReadyFlag {
    set: AtomicBool,
    waker: Mutex<Option<Waker>>,
    /// The twin's order: check the flag, then register.
    check_first: bool,
}

impl std::fmt::Debug for ReadyFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadyFlag")
            .field("set", &self.set)
            .field("check_first", &self.check_first)
            .finish_non_exhaustive()
    }
}

impl ReadyFlag {
    /// A flag not set yet, whose future registers its Waker before it checks the flag.
    pub fn new() -> Arc<ReadyFlag> {
        Self::with_order(false)
    }

    fn with_order(check_first: bool) -> Arc<ReadyFlag> {
        Arc::new(ReadyFlag {
            set: AtomicBool::new(false),
            waker: Mutex::new(None),
            check_first,
        })
    }

    /// Sets the flag and wakes the waiting future, if one registered.
    pub fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        let waker = self.waker.lock().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// A future that completes once the flag is set.
    pub fn wait(self: &Arc<Self>) -> WaitReady {
        WaitReady {
            flag: Arc::clone(self),
        }
    }
}

/// The future of [`ReadyFlag::wait`].
pub struct WaitReady {
    flag: Arc<ReadyFlag>,
}

impl std::fmt::Debug for WaitReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitReady")
            .field("flag", &self.flag)
            .finish()
    }
}

impl Future for WaitReady {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let flag = &self.flag;
        if flag.check_first {
            // BUG: a `set` between this check and the registration below finds no Waker.
            if flag.set.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *flag.waker.lock() = Some(cx.waker().clone());
        } else {
            // Register, then check: a `set` after the check finds the Waker; one before it is
            // seen by the check (SeqCst: the store precedes the take of the Waker).
            *flag.waker.lock() = Some(cx.waker().clone());
            if flag.set.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
        }
        future::awaiting("ready flag");
        Poll::Pending
    }
}

fn wait_for_flag(flag: Arc<ReadyFlag>) {
    let setter = Arc::clone(&flag);
    let setter = future::Builder::new()
        .name("setter")
        .spawn(async move { setter.set() });
    future::block_on(flag.wait());
    setter.join().expect("setter panicked");
}

fn ready_flag() {
    wait_for_flag(ReadyFlag::new());
}

/// Twin: the flag's future checks the flag, then registers its Waker.
pub fn check_then_register() {
    wait_for_flag(ReadyFlag::with_order(true));
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "async_request_response",
            pattern: "async request/response",
            role: Role::Reference,
            summary: "a server task answers 2 requests, each carrying a oneshot for its reply",
            body: Body::Sync(request_response),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_ROUND_TRIPS_BOUND,
        },
        Scenario {
            name: "async_producer_consumer",
            pattern: "async producer/consumer",
            role: Role::Reference,
            summary: "3 values through a capacity-1 async channel, closed after the last send",
            body: Body::Sync(producer_consumer),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_ROUND_TRIPS_BOUND,
        },
        Scenario {
            name: "async_select_cancel",
            pattern: "async select with cancellation",
            role: Role::Reference,
            summary: "a worker races each job against a token; cancelled with the jobs open",
            body: Body::Sync(select_cancel),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_EXHAUSTIVE,
        },
        Scenario {
            name: "async_worker_ignores_cancel",
            pattern: "async select with cancellation",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "the worker awaits only its jobs: cancelled, it outlives the body",
            body: Body::Sync(worker_ignores_cancel),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_EXHAUSTIVE,
        },
        Scenario {
            name: "async_ready_flag",
            pattern: "async waker registration",
            role: Role::Reference,
            summary: "a hand-written future registers its Waker, then checks the flag",
            body: Body::Sync(ready_flag),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_EXHAUSTIVE,
        },
        Scenario {
            name: "async_check_then_register",
            pattern: "async waker registration",
            role: Role::Twin {
                expects: &[ViolationKind::LostWakeup],
                assertion: None,
            },
            summary: "checks the flag, then registers its Waker: a set in between is lost",
            body: Body::Sync(check_then_register),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_EXHAUSTIVE,
        },
    ]
}

/// loom's bound for the two references that make several round trips. An async body blocks at
/// almost every `.await`, and a switch at a block costs no preemption, so a bound goes further
/// here than in the thread patterns. Measured (test build, 2 shared cores), request/response and
/// producer/consumer: bound 2 takes 135 and 153 iterations (0.01-0.04 s), bound 4 2,506 and
/// 3,249 (0.2-0.5 s), bound 6 17,492 and 24,977 (1.4-3.9 s); exhaustive did not finish within
/// 200,000 iterations (21 s and 18 s). Bound 4 keeps each within half a second.
const LOOM_ROUND_TRIPS_BOUND: Option<usize> = Some(4);

/// loom's bound for the one-round-trip bodies: none, the search is exhaustive. Measured (test
/// build): `async_select_cancel` 582 iterations (0.04-0.14 s), `async_ready_flag` 53 (0.002 s);
/// loom finds the twins within 9 iterations, shuttle random within 15 and PCT within 17.
const LOOM_EXHAUSTIVE: Option<usize> = None;
