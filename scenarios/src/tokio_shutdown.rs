//! Graceful shutdown with a deadline on tokio: tell the workers to stop, give them until the
//! deadline to finish the job in hand, abort whoever is still working, and return only when
//! every worker is gone.
//!
//! Go's original:
//!
//! ```go
//! cancel()                                  // workers see ctx.Done() between jobs
//! done := make(chan struct{})
//! go func() { wg.Wait(); close(done) }()
//! select {
//! case <-done:                              // every worker finished its job
//! case <-time.After(deadline):              // Go cannot kill a goroutine: it leaks
//! }
//! ```
//!
//! On tokio the stop signal is tokio-util's `CancellationToken`, the workers are counted by
//! tokio-util's `TaskTracker` (`close`, then `wait`), and, unlike Go, a worker past the deadline
//! can be stopped: the server keeps each worker's `AbortHandle`.
//!
//! Twin: [`Server::shutdown_without_waiting`] cancels the token and closes the tracker, then
//! returns. `close` does not wait (only `wait` does), so a worker in the middle of a long job
//! outlives the server that said it stopped. Reported as a task leak naming the worker and
//! its job.

use std::sync::Arc;
use std::time::Duration;

use concheck::tokio_gate::{track, waiting_on};
use concheck::ViolationKind;
use tokio::sync::{mpsc, Mutex};
use tokio::task::AbortHandle;
use tokio::time::{sleep, timeout};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalog::{Body, Role, Scenario, TokioFuture};

/// How long shutdown waits for workers to finish their jobs.
pub const DEADLINE: Duration = Duration::from_millis(100);
/// Short jobs, and one (a report) that takes far longer than the deadline.
pub const SHORT: Duration = Duration::from_millis(10);
/// See [`SHORT`].
pub const LONG: Duration = Duration::from_secs(10);

/// How a shutdown ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Every worker finished its job and stopped before the deadline.
    Gracefully,
    /// At the deadline this many workers were still working and were aborted.
    Aborted(usize),
}

/// A pool of workers taking jobs (each a duration of work) from one queue.
pub struct Server {
    jobs: mpsc::Sender<Duration>,
    stop: CancellationToken,
    workers: TaskTracker,
    handles: Vec<AbortHandle>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("stop", &self.stop)
            .field("workers", &self.workers)
            .field("handles", &self.handles.len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts `n` workers.
    pub fn start(n: usize) -> Self {
        let (jobs, queue) = mpsc::channel(n);
        let queue = Arc::new(Mutex::new(queue));
        let (stop, workers) = (CancellationToken::new(), TaskTracker::new());
        let handles = (0..n)
            .map(|i| {
                let worker = work(i, Arc::clone(&queue), stop.clone());
                workers
                    .spawn(track(format!("worker-{i}"), worker))
                    .abort_handle()
            })
            .collect();
        Server {
            jobs,
            stop,
            workers,
            handles,
        }
    }

    /// Queues a job.
    pub async fn submit(&self, job: Duration) {
        self.jobs
            .send(job)
            .await
            .expect("workers run until shutdown");
    }

    /// Reference: stop, wait until `deadline` for the jobs in hand, abort the rest, and return
    /// once every worker has ended.
    pub async fn shutdown(self, deadline: Duration) -> Stopped {
        self.stop.cancel();
        self.workers.close(); // `wait` returns once it is closed and empty
        if timeout(deadline, self.workers.wait()).await.is_ok() {
            return Stopped::Gracefully;
        }
        let working = self.workers.len();
        for handle in &self.handles {
            handle.abort();
        }
        self.workers.wait().await;
        Stopped::Aborted(working)
    }

    /// Twin: stops and closes, and returns without waiting.
    pub async fn shutdown_without_waiting(self, _deadline: Duration) -> Stopped {
        self.stop.cancel();
        self.workers.close(); // BUG: `close` does not wait; `wait` does
        Stopped::Gracefully
    }
}

/// A worker: takes jobs until told to stop; a job in hand is finished first.
async fn work(i: usize, queue: Arc<Mutex<mpsc::Receiver<Duration>>>, stop: CancellationToken) {
    loop {
        let job = tokio::select! {
            _ = stop.cancelled() => return,
            job = async { queue.lock().await.recv().await } => job,
        };
        let Some(job) = job else { return };
        waiting_on(format!("worker {i}'s job of {job:?}"), sleep(job)).await;
    }
}

/// Starts 3 workers, hands them `jobs`, lets them start, and shuts down with `shutdown`.
async fn serve<F, Fut>(jobs: &[Duration], shutdown: F) -> Stopped
where
    F: FnOnce(Server, Duration) -> Fut,
    Fut: std::future::Future<Output = Stopped>,
{
    let server = Server::start(3);
    for &job in jobs {
        server.submit(job).await;
    }
    sleep(Duration::from_millis(1)).await; // every job is in a worker's hands
    shutdown(server, DEADLINE).await
}

fn reference() -> TokioFuture {
    Box::pin(async {
        let quick = serve(&[SHORT, SHORT], Server::shutdown).await;
        assert_eq!(quick, Stopped::Gracefully);
        let slow = serve(&[SHORT, LONG], Server::shutdown).await;
        assert_eq!(slow, Stopped::Aborted(1));
    })
}

fn without_waiting() -> TokioFuture {
    Box::pin(async {
        let slow = serve(&[SHORT, LONG], Server::shutdown_without_waiting).await;
        assert_eq!(slow, Stopped::Gracefully);
    })
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "tokio_shutdown",
            pattern: "graceful shutdown (tokio)",
            role: Role::Reference,
            summary: "cancel, wait for jobs in hand until the deadline, abort the rest, wait",
            body: Body::Tokio(reference),
            max_live_tasks: Some(3),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_shutdown_without_waiting",
            pattern: "graceful shutdown (tokio)",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "cancel and TaskTracker::close, no wait: a long job outlives the server",
            body: Body::Tokio(without_waiting),
            max_live_tasks: Some(3),
            loom_preemption_bound: None,
        },
    ]
}
