//! The gate: runs an async body, then holds that no task it started outlives it.

use std::future::{Future, IntoFuture};
use std::panic::Location;
use std::pin::pin;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::time::Instant;

use super::task;
use super::tracker::Tracker;
use crate::violation::{Site, TaskInfo, Violation, ViolationKind};

/// The first wait for stragglers; each later wait doubles, up to what is left of the grace. A
/// task that ends wakes the scope at once; the waits only pace the re-reads of tokio's task
/// count, which has no notification: about 10 re-reads over a 1 s grace.
const FIRST_POLL: Duration = Duration::from_millis(1);

/// Settings of a leak gate. [`scope`] is `Scope::new().run`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use concheck::tokio_gate::{spawn, Scope};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let gate = Scope::new().grace(Duration::from_millis(50)).max_live_tasks(2);
/// let sum = gate
///     .run(async {
///         let a = spawn("a", async { 1 });
///         let b = spawn("b", async { 2 });
///         a.await.unwrap() + b.await.unwrap()
///     })
///     .await
///     .unwrap_or_else(|v| panic!("{v}"));
/// assert_eq!(sum, 3);
/// # });
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Scope {
    /// How long the gate waits, after the body returns, for tasks still ending. Default 1 s:
    /// virtual time under a paused clock (instant), real time otherwise.
    pub grace: Duration,
    /// The most tracked tasks alive at once, if the pattern declares a bound.
    pub max_live_tasks: Option<usize>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            grace: Duration::from_secs(1),
            max_live_tasks: None,
        }
    }
}

impl Scope {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the grace period; zero checks at once.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Declares that at most `n` tracked tasks are alive at once.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    pub fn max_live_tasks(mut self, n: usize) -> Self {
        assert!(
            n > 0,
            "max_live_tasks(0) forbids every spawn; declare the real bound of the pattern (>= 1)"
        );
        self.max_live_tasks = Some(n);
        self
    }

    /// Runs `body`, then gives the tasks it started `grace` to end, and returns the body's value,
    /// or the violation: a declared bound exceeded, a tracked task that panicked, or tasks still
    /// alive (tracked ones by name, spawn site and what they await; untracked ones counted).
    ///
    /// Must be awaited inside a tokio runtime with its time driver enabled (the grace period
    /// sleeps); outside one the result is a [`ViolationKind::Misuse`].
    #[track_caller]
    pub fn run<F: IntoFuture>(
        &self,
        body: F,
    ) -> impl Future<Output = Result<F::Output, Violation>> {
        let tracker = match self.max_live_tasks {
            Some(n) => Tracker::new().max_live_tasks(n),
            None => Tracker::new(),
        };
        self.run_tracked(tracker, body, Location::caller())
    }

    /// [`Scope::run`] with a given tracker (the checker keeps a handle for its watchdog).
    pub(crate) fn run_tracked<F: IntoFuture>(
        &self,
        tracker: Tracker,
        body: F,
        at: &'static Location<'static>,
    ) -> impl Future<Output = Result<F::Output, Violation>> {
        let grace = self.grace;
        let body = body.into_future();
        async move {
            let Ok(handle) = Handle::try_current() else {
                return Err(Violation::new(
                    ViolationKind::Misuse,
                    format!(
                        "concheck::tokio_gate::scope at {} was awaited outside a tokio runtime: await \
                         it inside one (#[tokio::test], Runtime::block_on) with time enabled",
                        Site::from(at)
                    ),
                ));
            };
            let baseline = handle.metrics().num_alive_tasks();
            let value = run_as_body(&tracker, body).await;
            let untracked = wait_for_quiet(&tracker, &handle, baseline, grace).await;
            match verdict(&tracker, untracked, at, grace) {
                Some(v) => Err(v),
                None => Ok(value),
            }
        }
    }
}

/// Runs `body` with [`Scope::default`]: the body's value, or the violation it left behind.
///
/// # Examples
///
/// ```
/// use concheck::tokio_gate::{scope, spawn};
///
/// #[tokio::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let answer = scope(async {
///         spawn("worker", async { 6 * 7 }).await.unwrap()
///     })
///     .await
///     .unwrap_or_else(|violation| panic!("{violation}"));
///     assert_eq!(answer, 42);
/// }
/// # main();
/// ```
#[track_caller]
pub fn scope<F: IntoFuture>(body: F) -> impl Future<Output = Result<F::Output, Violation>> {
    Scope::new().run_tracked(Tracker::new(), body, Location::caller())
}

/// Polls `body` as the tracker's task `#0`, so every spawn inside it is tracked.
async fn run_as_body<F: Future>(tracker: &Tracker, body: F) -> F::Output {
    let mut body = pin!(body);
    std::future::poll_fn(|cx| {
        let _entered = task::enter(tracker.clone(), 0);
        body.as_mut().poll(cx)
    })
    .await
}

/// Waits until no tracked task is alive and tokio counts no more tasks than it did before the
/// body (plus the tracked ones), or until `grace` passes; returns the untracked tasks left.
///
/// tokio's count is not strongly consistent on a multi-thread runtime (a task that has ended can
/// still be counted for a moment), so it is re-read until it settles, never read once.
async fn wait_for_quiet(
    tracker: &Tracker,
    handle: &Handle,
    baseline: usize,
    grace: Duration,
) -> usize {
    let deadline = Instant::now() + grace;
    let mut step = FIRST_POLL;
    loop {
        let ended = tracker.ended().notified();
        let mut ended = pin!(ended);
        // Registered before the counts are read: an ending between the read and the wait wakes it.
        ended.as_mut().enable();
        let untracked = untracked(tracker, handle, baseline);
        let now = Instant::now();
        if (tracker.live() == 0 && untracked == 0) || now >= deadline {
            return untracked;
        }
        let wait = step.min(deadline - now);
        let _ = tokio::time::timeout(wait, ended).await;
        step = step.saturating_mul(2);
    }
}

/// Tasks alive on the runtime beyond those alive before the body and the tracked ones.
fn untracked(tracker: &Tracker, handle: &Handle, baseline: usize) -> usize {
    handle
        .metrics()
        .num_alive_tasks()
        .saturating_sub(baseline + tracker.live())
}

fn verdict(
    tracker: &Tracker,
    untracked: usize,
    at: &'static Location<'static>,
    grace: Duration,
) -> Option<Violation> {
    if let Some(v) = tracker.take_violation() {
        return Some(v);
    }
    if let Some((task, message)) = tracker.panicked().into_iter().next() {
        let mut v = Violation::new(
            ViolationKind::TaskPanicked,
            format!("{task} panicked: {message}"),
        );
        v.sites.extend(task.spawned_at.clone());
        v.tasks.push(task);
        return Some(v);
    }
    let alive = tracker.alive();
    if alive.is_empty() && untracked == 0 {
        return None;
    }
    Some(leak(alive, untracked, at, grace))
}

fn leak(
    alive: Vec<TaskInfo>,
    untracked: usize,
    at: &'static Location<'static>,
    grace: Duration,
) -> Violation {
    let mut parts = Vec::new();
    if !alive.is_empty() {
        let list: Vec<String> = alive.iter().map(ToString::to_string).collect();
        parts.push(format!(
            "{} task{} outlived {} scope: [{}]",
            alive.len(),
            plural(alive.len()),
            if alive.len() == 1 { "its" } else { "their" },
            list.join(", ")
        ));
    }
    if untracked > 0 {
        parts.push(format!(
            "{untracked} untracked task{} outlived the scope (spawned with tokio::spawn, so \
             nameless: spawn them with concheck::tokio_gate::spawn to see which)",
            plural(untracked)
        ));
    }
    let running = alive.iter().any(|t| t.state == crate::TaskState::Running);
    let hint = if running {
        "; a task shown as running awaits a future not wrapped in concheck::tokio_gate::waiting_on"
    } else {
        ""
    };
    let mut v = Violation::new(
        ViolationKind::Leak,
        format!(
            "{}; the scope ended at {} and waited {:?} of grace{hint}",
            parts.join(", and "),
            Site::from(at),
            grace
        ),
    );
    v.sites = alive.iter().filter_map(|t| t.spawned_at.clone()).collect();
    v.sites.push(Site::from(at));
    v.tasks = alive;
    v
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
