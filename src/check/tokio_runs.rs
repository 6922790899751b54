//! The tokio checker: an async body ([`Check::tokio`]) run many times, each on a fresh tokio
//! runtime inside a leak gate, under a watchdog.
//!
//! Each run builds the configured runtime, runs the body in a [`Scope`] (its tracker carries the
//! check's `max_live_tasks`), and shuts the runtime down. Runs happen one after another on one
//! OS thread; the caller waits for each with the watchdog, so a run that never ends is a
//! [`ViolationKind::Hang`] naming the tracked tasks, and its thread is left parked (it cannot be
//! killed) until the process exits, as the std runner does. The runner sits in the check layer
//! on top of the facade's gate (`crate::tokio_gate`), which knows nothing of checks or reports.

use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use tokio::runtime::{Builder, Runtime};

use super::runner::{Runner, Searched};
use super::Check;
use crate::rt::panic_message;
use crate::tokio_gate::{Body, Flavor, Scope, TokioConfig, Tracker};
use crate::violation::{Violation, ViolationKind};

/// One run's result as the runner thread sends it.
type RunResult = Result<Option<Violation>, String>;

impl Runner for TokioConfig {
    fn search(&self, check: &Check) -> Searched {
        search(
            check.tokio.as_ref(),
            check.limits.max_live_tasks,
            check.at,
            self,
        )
    }
}

/// Runs the check's async `body` under `config`.
fn search(
    body: Option<&Body>,
    max_live_tasks: Option<usize>,
    at: &'static Location<'static>,
    config: &TokioConfig,
) -> Searched {
    let start = Instant::now();
    let Some(body) = body else {
        let v = Violation::new(
            ViolationKind::Misuse,
            "Checker::Tokio runs async bodies: build the check with \
             Check::tokio(|| async { ... }) (a sync body runs under loom, shuttle and std)",
        );
        return Searched::real(config.describe(), start, Some(v), 0);
    };
    let scope = Scope {
        grace: config.grace,
        max_live_tasks,
    };
    let (jobs_tx, jobs_rx) = mpsc::channel::<Tracker>();
    let (results_tx, results_rx) = mpsc::channel::<RunResult>();
    let runner = {
        let (body, flavor) = (Arc::clone(body), config.flavor);
        move || {
            for tracker in jobs_rx {
                let result = run_once(&body, flavor, &scope, tracker, at);
                if results_tx.send(result).is_err() {
                    return;
                }
            }
        }
    };
    std::thread::Builder::new()
        .name("concheck-tokio".to_owned())
        .spawn(runner)
        .unwrap_or_else(|e| panic!("failed to spawn the tokio checker's runner thread: {e}"));
    Searched::of_real_runs(config.describe(), start, config.iterations, || {
        let tracker = match max_live_tasks {
            Some(n) => Tracker::new().max_live_tasks(n),
            None => Tracker::new(),
        };
        jobs_tx
            .send(tracker.clone())
            .expect("the runner thread waits for jobs until the sender drops");
        match results_rx.recv_timeout(config.watchdog) {
            Ok(Ok(found)) => found,
            Ok(Err(message)) => Some(Violation::new(
                ViolationKind::AssertionFailed,
                format!("the body panicked: {message}"),
            )),
            Err(mpsc::RecvTimeoutError::Timeout) => Some(hang(&tracker, config)),
            Err(mpsc::RecvTimeoutError::Disconnected) => Some(Violation::new(
                ViolationKind::Misuse,
                "the tokio checker's runner thread died outside the body (a panic while \
                 building or shutting down the runtime): run the body in a plain \
                 #[tokio::test] to see the panic",
            )),
        }
    })
}

fn run_once(
    body: &Body,
    flavor: Flavor,
    scope: &Scope,
    tracker: Tracker,
    at: &'static Location<'static>,
) -> RunResult {
    let runtime = match build(flavor) {
        Ok(runtime) => runtime,
        Err(e) => {
            return Ok(Some(Violation::new(
                ViolationKind::Misuse,
                format!("cannot build the tokio runtime ({flavor:?}): {e}"),
            )))
        }
    };
    let gated = panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(scope.run_tracked(tracker, body(), at))
    }));
    // Leaked tasks are dropped, not awaited: a task stuck in blocking code must not stall us.
    runtime.shutdown_background();
    match gated {
        Ok(Ok(())) => Ok(None),
        Ok(Err(v)) => Ok(Some(v)),
        Err(payload) => Err(panic_message(payload.as_ref())),
    }
}

fn build(flavor: Flavor) -> std::io::Result<Runtime> {
    match flavor {
        Flavor::CurrentThread { paused } => Builder::new_current_thread()
            .enable_all()
            .start_paused(paused)
            .build(),
        Flavor::MultiThread { workers } => Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build(),
    }
}

fn hang(tracker: &Tracker, config: &TokioConfig) -> Violation {
    let alive = tracker.alive();
    let list: Vec<String> = alive.iter().map(ToString::to_string).collect();
    let why = match config.flavor {
        Flavor::CurrentThread { paused: true } => {
            " (the clock is paused, so no timer was pending: the body awaits something no task \
             will ever do, or a task spins without yielding)"
        }
        _ => "",
    };
    let mut v = Violation::new(
        ViolationKind::Hang,
        format!(
            "the body did not finish within the {:?} watchdog{why}; tracked tasks not ended: [{}]",
            config.watchdog,
            list.join(", ")
        ),
    );
    v.sites = alive.iter().filter_map(|t| t.spawned_at.clone()).collect();
    v.tasks = alive;
    v
}
