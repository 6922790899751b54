//! Cancellable worker: a task takes jobs from a channel until the channel closes or its context
//! is cancelled, whichever comes first, and says which.
//!
//! Mirrors the worker loop the Go blog's "Go Concurrency Patterns: Context" and the `context`
//! package docs (pkg.go.dev/context, the `Stream` example) teach:
//!
//! ```go
//! func run(ctx context.Context, jobs <-chan Job) error {
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return ctx.Err()
//!         case j, ok := <-jobs:
//!             if !ok { return nil }
//!             handle(j)
//!         }
//!     }
//! }
//! ```
//!
//! # Guarantees
//!
//! - Every job received is handled exactly once, in the order received.
//! - It terminates: the worker only ever blocks in one `select` that waits on the jobs *and* on
//!   cancellation, so a cancel wakes it wherever it waits, and a closed jobs channel ends the
//!   loop. A job being handled when the cancel comes is finished first; no later job is taken:
//!   each step checks the context before it selects (Go's idiom, since a select with a job and
//!   the cancel both ready picks either).
//! - It says why it stopped: `Ok(count)` when the jobs ran out, `Err(ContextError::Canceled)`
//!   when cancelled (Go's `return ctx.Err()`).
//!
//! # Twins
//!
//! - [`ignores_ctx`]: the worker checks `ctx.err()` only between jobs and then blocks in a
//!   plain `recv`. A cancel that comes while it waits for the next job never reaches it: it
//!   outlives the caller, blocked forever (a task leak).

use concheck::go::{self, Context, ContextError, Receiver, Select};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// What one pass of the worker's `select` found.
enum Next<J> {
    Job(J),
    Closed,
    Cancelled,
}

/// Handles jobs from `jobs` with `handle` until `jobs` is closed and drained (`Ok` with the
/// number of jobs handled) or `ctx` is cancelled (`Err`, Go's `ctx.Err()`).
///
/// Cancellation is checked first on every pass: when a job is waiting *and* the context is
/// cancelled, the worker stops without taking the job (Go picks one of the ready cases at
/// random; a worker that must not start work after a cancel checks `ctx.Err()` first, as here).
/// A job already being handled is finished: `handle` is not interrupted.
///
/// # Errors
///
/// [`ContextError::Canceled`] once `ctx` (or an ancestor) is cancelled.
///
/// # Examples
///
/// ```
/// use concheck::go::{self, Context};
/// use concheck_scenarios::cancellable_worker::run;
///
/// let (tx, rx) = go::channel::<u32>(2);
/// tx.send(1);
/// tx.send(2);
/// tx.close();
/// let mut sum = 0;
/// let done = run(&Context::background(), &rx, |j| sum += j);
/// assert_eq!(done, Ok(2));
/// assert_eq!(sum, 3);
/// ```
pub fn run<J, F>(ctx: &Context, jobs: &Receiver<J>, mut handle: F) -> Result<usize, ContextError>
where
    F: FnMut(J),
{
    let mut count = 0;
    loop {
        // Cancellation first: with a job and the cancel both ready, select alone picks either
        // (uniformly, as Go's does), and a cancelled worker must take no further job.
        if let Some(e) = ctx.err() {
            return Err(e);
        }
        let next = Select::new()
            .done(ctx, || Next::Cancelled)
            .recv(jobs, |j| j.map_or(Next::Closed, Next::Job))
            .wait();
        match next {
            Next::Job(j) => {
                handle(j);
                count += 1;
            }
            Next::Closed => return Ok(count),
            Next::Cancelled => {
                return Err(ctx
                    .err()
                    .expect("the done case fires only once the context is cancelled"))
            }
        }
    }
}

/// The worker handles one job, then the caller cancels: the worker returns `Canceled`.
fn reference() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", 0);
    let (handled_tx, handled_rx) = go::named::<u32>("handled", 0);
    let worker = thread::Builder::new()
        .name("worker")
        .spawn(move || run(&ctx, &jobs_rx, |j| handled_tx.send(j * 10)));
    jobs_tx.send(1);
    assert_eq!(handled_rx.recv(), Some(10), "the job was handled");
    cancel.cancel();
    let stopped = worker.join().expect("worker panicked");
    assert_eq!(
        stopped,
        Err(ContextError::Canceled),
        "cancel stops the worker"
    );
}

/// The jobs run out before any cancel: the worker returns how many it handled.
fn reference_drained() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", 0);
    let worker = thread::Builder::new().name("worker").spawn(move || {
        let mut sum = 0;
        let stopped = run(&ctx, &jobs_rx, |j| sum += j);
        (stopped, sum)
    });
    jobs_tx.send(1);
    jobs_tx.send(2);
    jobs_tx.close();
    let (stopped, sum) = worker.join().expect("worker panicked");
    assert_eq!(stopped, Ok(2), "both jobs, then the close");
    assert_eq!(sum, 3, "each job handled once");
    cancel.cancel();
}

/// Twin: the worker checks for cancellation only between jobs, then waits in a plain `recv`.
pub fn ignores_ctx() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", 0);
    let (handled_tx, handled_rx) = go::named::<u32>("handled", 0);
    thread::Builder::new().name("worker").spawn(move || {
        let mut count = 0;
        while ctx.err().is_none() {
            // BUG: a plain recv: a cancel that comes while it waits here never wakes it.
            let Some(j) = jobs_rx.recv() else { break };
            handled_tx.send(j * 10);
            count += 1;
        }
        count
    });
    jobs_tx.send(1);
    assert_eq!(handled_rx.recv(), Some(10), "the job was handled");
    // The caller cancels and returns, trusting the cancel to stop the worker (Go's
    // `defer cancel()`): nothing else will ever be sent on `jobs`.
    cancel.cancel();
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "cancellable_worker",
            pattern: "cancellable worker",
            role: Role::Reference,
            summary: "worker handles 1 job, the caller cancels: the worker returns Canceled",
            body: Body::Sync(reference),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "cancellable_worker_drained",
            pattern: "cancellable worker",
            role: Role::Reference,
            summary: "2 jobs, then the jobs channel closes: the worker returns Ok(2)",
            body: Body::Sync(reference_drained),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "cancellable_worker_ignores_ctx",
            pattern: "cancellable worker",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "ctx checked only between jobs, then a plain recv: a cancel never wakes it",
            body: Body::Sync(ignores_ctx),
            max_live_tasks: Some(1),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
