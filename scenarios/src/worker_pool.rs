//! Worker pool: a fixed number of workers take jobs from one channel and send results on
//! another; a closer task closes the results once every worker is done.
//!
//! Mirrors Go by Example's "Worker Pools" and the bounded digester stage of the Go blog's
//! "Pipelines and cancellation", with the closer goroutine (`wg.Wait(); close(results)`).
//!
//! # Guarantees
//!
//! - Every job is processed exactly once and every result is returned (in completion order).
//! - At most `workers + 1` tasks (the workers and the closer) are alive at once.
//! - It terminates: `jobs` is closed after the last job, so every worker's loop ends; the
//!   WaitGroup reaches zero only after every worker's last send; then `results` is closed, which
//!   ends the caller's receive loop. Every task is joined before returning.
//!
//! # Twins
//!
//! - [`add_inside_task`]: `wg.add(1)` inside the worker: the closer's `wait` can run before any
//!   worker added, close `results` early, and a worker then sends on a closed channel.
//! - [`double_close`]: the closer and the last worker both close `results`.
//! - [`unbounded_spawn`]: a task per job instead of a pool: more tasks alive than declared.

use std::fmt;
use std::sync::Arc;

use concheck::go::{self, WaitGroup};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why a pool cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// `workers` was zero: no job would ever be processed and the caller would wait forever.
    ZeroWorkers,
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::ZeroWorkers => f.write_str(
                "worker pool needs at least one worker: with zero, no job is ever processed and \
                 the caller waits forever; pass workers >= 1",
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// Runs `work` on every job with `workers` workers; returns the results in completion order.
///
/// # Errors
///
/// [`PoolError::ZeroWorkers`] if `workers` is zero.
///
/// # Examples
///
/// ```
/// let mut out = concheck_scenarios::worker_pool::run(vec![1, 2, 3], 2, |x: u32| x * 10).unwrap();
/// out.sort();
/// assert_eq!(out, vec![10, 20, 30]);
/// ```
pub fn run<J, R, F>(jobs: Vec<J>, workers: usize, work: F) -> Result<Vec<R>, PoolError>
where
    J: Send + 'static,
    R: Send + 'static,
    F: Fn(J) -> R + Send + Sync + 'static,
{
    if workers == 0 {
        return Err(PoolError::ZeroWorkers);
    }
    let work = Arc::new(work);
    // Buffered for every job, so the caller never blocks handing them out.
    let (jobs_tx, jobs_rx) = go::named::<J>("jobs", jobs.len());
    let (results_tx, results_rx) = go::named::<R>("results", 0);
    let wg = Arc::new(WaitGroup::new());
    let mut handles = Vec::with_capacity(workers + 1);
    for w in 0..workers {
        // Before the spawn: the closer's wait must see every worker counted.
        wg.add(1);
        let (jobs_rx, results_tx, wg, work) = (
            jobs_rx.clone(),
            results_tx.clone(),
            Arc::clone(&wg),
            Arc::clone(&work),
        );
        handles.push(
            thread::Builder::new()
                .name(format!("worker-{w}"))
                .spawn(move || {
                    for job in &jobs_rx {
                        results_tx.send(work(job));
                    }
                    wg.done();
                }),
        );
    }
    drop(jobs_rx);
    handles.push(thread::Builder::new().name("closer").spawn(move || {
        wg.wait();
        results_tx.close();
    }));
    for job in jobs {
        jobs_tx.send(job);
    }
    jobs_tx.close();
    let results = results_rx.iter().collect();
    for h in handles {
        h.join().expect("worker pool task panicked");
    }
    Ok(results)
}

fn square(x: u32) -> u32 {
    x * x
}

fn reference() {
    let mut out = run(vec![1, 2], 2, square).expect("two workers");
    out.sort_unstable();
    assert_eq!(out, vec![1, 4], "every job's result exactly once");
}

/// Twin: `wg.add(1)` inside the worker instead of before the spawn.
pub fn add_inside_task() {
    let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", 2);
    let (results_tx, results_rx) = go::named::<u32>("results", 0);
    let wg = Arc::new(WaitGroup::new());
    for w in 0..2 {
        let (jobs_rx, results_tx, wg) = (jobs_rx.clone(), results_tx.clone(), Arc::clone(&wg));
        thread::Builder::new()
            .name(format!("worker-{w}"))
            .spawn(move || {
                wg.add(1); // BUG: the closer may already have seen zero
                for job in &jobs_rx {
                    results_tx.send(square(job));
                }
                wg.done();
            });
    }
    close_after_wait_and_feed(wg, results_tx, jobs_tx, &results_rx);
}

/// Twin: the closer and the last worker both close `results`.
pub fn double_close() {
    let (jobs_tx, jobs_rx) = go::named::<u32>("jobs", 2);
    let (results_tx, results_rx) = go::named::<u32>("results", 0);
    let wg = Arc::new(WaitGroup::new());
    let active = Arc::new(AtomicUsize::new(2));
    for w in 0..2 {
        wg.add(1);
        let (jobs_rx, results_tx, wg, active) = (
            jobs_rx.clone(),
            results_tx.clone(),
            Arc::clone(&wg),
            Arc::clone(&active),
        );
        thread::Builder::new()
            .name(format!("worker-{w}"))
            .spawn(move || {
                for job in &jobs_rx {
                    results_tx.send(square(job));
                }
                wg.done();
                if active.fetch_sub(1, Ordering::AcqRel) == 1 {
                    results_tx.close(); // BUG: the closer closes it too
                }
            });
    }
    close_after_wait_and_feed(wg, results_tx, jobs_tx, &results_rx);
}

/// The twins' shared rest of the pool: a closer that closes `results` after `wg.wait()`, two
/// jobs fed and closed, and every result counted.
fn close_after_wait_and_feed(
    wg: Arc<WaitGroup>,
    results_tx: go::Sender<u32>,
    jobs_tx: go::Sender<u32>,
    results_rx: &go::Receiver<u32>,
) {
    thread::Builder::new().name("closer").spawn(move || {
        wg.wait();
        results_tx.close();
    });
    jobs_tx.send(1);
    jobs_tx.send(2);
    jobs_tx.close();
    let n = results_rx.iter().count();
    assert_eq!(n, 2, "every job's result");
}

/// Twin: one task per job, past the pool's declared bound of two workers and a closer.
pub fn unbounded_spawn() {
    let (results_tx, results_rx) = go::named::<u32>("results", 0);
    let jobs = [1, 2, 3, 4];
    for (i, job) in jobs.into_iter().enumerate() {
        let results_tx = results_tx.clone();
        // BUG: no pool: every job gets its own task, however many jobs there are.
        thread::Builder::new()
            .name(format!("job-{i}"))
            .spawn(move || results_tx.send(square(job)));
    }
    let n = (0..jobs.len()).filter_map(|_| results_rx.recv()).count();
    assert_eq!(n, jobs.len());
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "worker_pool",
            pattern: "worker pool",
            role: Role::Reference,
            summary: "2 workers, 2 jobs, results channel closed by a closer after wg.wait",
            body: Body::Sync(reference),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "worker_pool_add_inside_task",
            pattern: "worker pool",
            role: Role::Twin {
                // Three faces of one bug: the closer's wait returns before a worker's add, so
                // either a worker sends on the closed channel, or the add races the wait, or
                // main's results loop ends before any worker sent (its check that every job's
                // result arrived fails). Which one a search meets first depends on the schedule.
                expects: &[
                    ViolationKind::SendAfterClose,
                    ViolationKind::WaitGroupMisuse,
                    ViolationKind::AssertionFailed,
                ],
                assertion: Some("every job's result"),
            },
            summary: "wg.add(1) inside the worker: the closer closes results before a worker sends",
            body: Body::Sync(add_inside_task),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "worker_pool_double_close",
            pattern: "worker pool",
            role: Role::Twin {
                expects: &[ViolationKind::DoubleClose],
                assertion: None,
            },
            summary: "the last worker and the closer both close results",
            body: Body::Sync(double_close),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "worker_pool_unbounded_spawn",
            pattern: "worker pool",
            role: Role::Twin {
                expects: &[ViolationKind::BoundExceeded],
                assertion: None,
            },
            summary: "a task per job instead of 2 workers: 4 tasks alive, bound 3",
            body: Body::Sync(unbounded_spawn),
            max_live_tasks: Some(3),
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
