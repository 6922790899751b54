//! A background task belongs to the caller that starts it, never to a static initializer.
//!
//! Mirrors the anti-pattern "Spawning goroutines in init()": Go runs `init` before `main`, so a
//! `go backgroundTask()` there starts a goroutine that no caller owns, no context reaches and no
//! shutdown waits for. The Rust form of `init` is a lazily initialised static
//! (`std::sync::LazyLock`, `OnceLock::get_or_init`, here the facade's [`Lazy`]): its initialiser
//! runs on first use, from whichever caller happens to touch it first, and whatever task it
//! spawns is owned by the static, which is never dropped.
//!
//! ```go
//! // WRONG
//! func init() { go backgroundTask() }
//!
//! // CORRECT: start in main with shutdown control
//! func main() {
//!     ctx, cancel := context.WithCancel(context.Background())
//!     defer cancel()
//!     go backgroundTask(ctx)
//! }
//! ```
//!
//! # Guarantees
//!
//! - [`Metrics::start`] is called by the caller, with the caller's context; the flusher task it
//!   starts ends when that context is cancelled, and [`Metrics::shutdown`] cancels and joins
//!   it, returning the total of every value recorded.
//! - Every [`Metrics::record`] that returned is counted: the metrics channel is unbuffered, so a
//!   record completes only once the flusher has taken the value.
//! - No task outlives the caller: one flusher, joined at shutdown.
//!
//! # Twins
//!
//! - [`spawned_in_initializer`]: the flusher is spawned by the initialiser of a `Lazy` static,
//!   the first time a caller records a metric. The static holds the only sender and nothing
//!   can close it or cancel the flusher, so when the caller ends the flusher waits for the
//!   next metric forever: a task leak, reported with the flusher's spawn site, which is the
//!   line inside the initialiser [`init_metrics`] that started it.

use concheck::go::{self, CancelFunc, Context, Select, Sender};
use concheck::sync::Lazy;
use concheck::thread::{self, JoinHandle};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// A metrics sink whose flusher task is owned by the caller that started it.
#[derive(Debug)]
pub struct Metrics {
    tx: Sender<u64>,
    cancel: CancelFunc,
    flusher: JoinHandle<u64>,
}

/// What one pass of the flusher's `select` found.
enum Next {
    Value(u64),
    Stop,
}

impl Metrics {
    /// Starts the flusher under a child of `ctx`: it ends when `ctx` or [`shutdown`] cancels.
    ///
    /// [`shutdown`]: Metrics::shutdown
    pub fn start(ctx: &Context) -> Metrics {
        let (ctx, cancel) = ctx.with_cancel();
        let (tx, rx) = go::named::<u64>("metrics", 0);
        let flusher = thread::Builder::new().name("flusher").spawn(move || {
            let mut total = 0;
            loop {
                let next = Select::new()
                    .recv(&rx, |v| v.map_or(Next::Stop, Next::Value))
                    .done(&ctx, || Next::Stop)
                    .wait();
                match next {
                    Next::Value(v) => total += v,
                    Next::Stop => return total,
                }
            }
        });
        Metrics {
            tx,
            cancel,
            flusher,
        }
    }

    /// Records `value`; returns once the flusher has taken it.
    pub fn record(&self, value: u64) {
        self.tx.send(value);
    }

    /// Stops the flusher and waits for it: the total of every value recorded.
    ///
    /// # Panics
    ///
    /// If the flusher panicked.
    pub fn shutdown(self) -> u64 {
        self.cancel.cancel();
        self.flusher
            .join()
            .expect("the flusher panicked: its total is lost")
    }
}

/// Reference: the caller starts the flusher with its context, records, and joins it at
/// shutdown (Go's `main` with `context.WithCancel` and `defer cancel()`).
fn reference() {
    let (ctx, cancel) = Context::background().with_cancel();
    let metrics = Metrics::start(&ctx);
    metrics.record(1);
    metrics.record(2);
    assert_eq!(metrics.shutdown(), 3, "every recorded value is counted");
    cancel.cancel();
}

/// The twin's sink: the sender half of a flusher that the static's initialiser started.
#[derive(Debug)]
pub struct StaticMetrics {
    tx: Sender<u64>,
}

/// The initialiser of [`METRICS`]: Go's `func init() { go backgroundTask() }`.
pub fn init_metrics() -> StaticMetrics {
    let (tx, rx) = go::named::<u64>("metrics", 0);
    // BUG: spawned by a static's initialiser: no caller holds the handle, no context reaches
    // the task, and the static keeps the sender alive, so nothing can end its loop.
    thread::Builder::new().name("flusher").spawn(move || {
        let mut total = 0;
        while let Some(v) = rx.recv() {
            total += v;
        }
        total
    });
    StaticMetrics { tx }
}

/// A static started on first use, fresh in every checker execution.
pub static METRICS: Lazy<StaticMetrics> = Lazy::new(init_metrics);

/// Records `value` on the static sink, starting its flusher on first use.
pub fn record(value: u64) {
    METRICS.get().tx.send(value);
}

/// Twin: the caller records two metrics through the static and returns; the flusher the
/// initialiser started waits for a third forever.
pub fn spawned_in_initializer() {
    record(1);
    record(2);
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "static_init",
            pattern: "background task owned by its caller",
            role: Role::Reference,
            summary: "the caller starts the flusher with its context, records 2, cancels and joins",
            body: Body::Sync(reference),
            max_live_tasks: Some(1),
            // Measured (release): 147 iterations, 0.03 s at bound 2.
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "static_init_spawn",
            pattern: "background task owned by its caller",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "a Lazy static's initialiser spawns the flusher: nothing can stop it",
            body: Body::Sync(spawned_in_initializer),
            max_live_tasks: Some(1),
            // One task blocked in recv after two rendezvous: exhaustive loom finds the leak in
            // its first iteration.
            loom_preemption_bound: None,
        },
    ]
}
