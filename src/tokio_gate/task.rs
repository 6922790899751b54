//! A tracked task: the future wrapper that keeps its tracker's record true, and the spawn
//! functions that find the tracker of the code that calls them.
//!
//! While a tracked future is polled, this thread's *current* task is it: a
//! [`spawn`] inside it goes to the same tracker, and a [`waiting_on`](super::waiting_on) inside
//! it labels it. That is how tracking passes from a scope's body to its tasks and to theirs, on
//! any executor, with no task-local the spawner has to set up.

use std::cell::RefCell;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::task::JoinHandle;

use super::tracker::{Status, Tracker};
use crate::rt::panic_message;

thread_local! {
    /// The tracked task being polled on this thread, and its number (`0`: a scope's body).
    static CURRENT: RefCell<Option<(Tracker, usize)>> = const { RefCell::new(None) };
}

/// The tracked task being polled on this thread.
pub(crate) fn current() -> Option<(Tracker, usize)> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Makes `(tracker, id)` this thread's current task until the guard drops, which restores the
/// one before (a tracked future polled inside another's poll, or a nested scope).
pub(crate) fn enter(tracker: Tracker, id: usize) -> Entered {
    let previous = CURRENT.with(|c| c.replace(Some((tracker, id))));
    Entered { previous }
}

#[must_use]
pub(crate) struct Entered {
    previous: Option<(Tracker, usize)>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Spawns `future` as a task named `name`: tracked by the current tracker when called inside a
/// [`scope`](super::scope) (from its body or from a task it tracks), a plain `tokio::spawn`
/// otherwise, so the same code runs in production and under the gate.
///
/// # Panics
///
/// Outside a tokio runtime, as `tokio::spawn` does.
///
/// # Examples
///
/// ```
/// use concheck::tokio_gate::{scope, spawn};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let leaked = scope(async {
///     let (tx, rx) = tokio::sync::oneshot::channel::<()>();
///     spawn("waiter", async move { rx.await.ok() });
///     std::mem::forget(tx); // the sender is never dropped: the waiter waits forever
/// })
/// .await
/// .unwrap_err();
/// assert!(leaked.message.contains("'waiter'"));
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(name: impl Into<String>, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(track(name, future))
}

/// `future`, tracked as a task named `name` by the current tracker (as [`spawn`] finds it), for
/// spawning through something else: `JoinSet::spawn`, tokio-util's `TaskTracker::spawn`.
/// Outside a scope it is `future` unchanged.
#[track_caller]
pub fn track<F: Future>(name: impl Into<String>, future: F) -> Tracked<F> {
    match current() {
        Some((tracker, _)) => tracker.track(name, future),
        None => Tracked::new(future, None),
    }
}

/// A future tracked as a task: its record says alive until it completes (finished), panics
/// (panicked) or is dropped first (cancelled).
#[must_use = "a tracked future does nothing unless spawned or awaited"]
pub struct Tracked<F> {
    future: Pin<Box<F>>,
    entry: Option<(Tracker, usize)>,
    /// Dropped right after the record says ended; see [`Tracked::holding`].
    held: Option<Box<dyn Send>>,
}

impl<F> std::fmt::Debug for Tracked<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracked")
            .field("tracked", &self.entry.as_ref().map(|(_, id)| *id))
            .finish_non_exhaustive()
    }
}

impl<F> Tracked<F> {
    pub(crate) fn new(future: F, entry: Option<(Tracker, usize)>) -> Self {
        Tracked {
            future: Box::pin(future),
            entry,
            held: None,
        }
    }

    /// Keeps `guard` until the task's record says it ended, then drops it.
    ///
    /// For a semaphore permit that bounds live tasks: a permit dropped inside the task is free
    /// before the task's record ends, and on a multi-thread runtime the next spawn can take it
    /// in that window and count one task too many. Held here, the permit is released only after
    /// the record ends.
    pub fn holding(mut self, guard: impl Send + 'static) -> Self {
        self.held = Some(Box::new(guard));
        self
    }

    fn end(&mut self, status: Status) {
        if let Some((tracker, id)) = self.entry.take() {
            tracker.end(id, status);
        }
        self.held = None;
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let Some((tracker, id)) = this.entry.clone() else {
            return this.future.as_mut().poll(cx);
        };
        tracker.begin_poll(id);
        let polled = {
            let _entered = enter(tracker, id);
            panic::catch_unwind(AssertUnwindSafe(|| this.future.as_mut().poll(cx)))
        };
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => {
                this.end(Status::Finished);
                Poll::Ready(value)
            }
            Err(payload) => {
                this.end(Status::Panicked(panic_message(payload.as_ref())));
                panic::resume_unwind(payload)
            }
        }
    }
}

impl<F> Drop for Tracked<F> {
    fn drop(&mut self) {
        self.end(Status::Cancelled);
    }
}
