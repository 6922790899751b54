//! `spawn`: an async task on its own facade task, with a `JoinHandle` that is both a future and
//! a blocking `join`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::awaiting;
use super::block_on::block_on_at;
use super::waiters::{register_one, Wakeups};
use crate::sync::Mutex;
use crate::thread;

/// Async task configuration: a name for reports. The facade task that runs the future is
/// configured by the [`thread::Builder`] inside.
#[derive(Default)]
#[must_use]
pub struct Builder {
    thread: thread::Builder,
}

impl fmt::Debug for Builder {
    /// As the [`thread::Builder`] inside: `Builder { name: .. }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.thread.fmt(f)
    }
}

impl Builder {
    /// A builder with no name (the task is reported as `task-N`).
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the task; reports show it.
    pub fn name(self, name: impl Into<String>) -> Self {
        Builder {
            thread: self.thread.name(name),
        }
    }

    /// Spawns `future` as a new async task; see [`spawn`].
    ///
    /// # Panics
    ///
    /// As [`thread::Builder::spawn`]: past the check's `max_live_tasks`, or past loom's limit of
    /// 4 spawned tasks, both reported.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let at = Location::caller();
        let joined = Arc::new(Joined {
            state: Mutex::internal(JoinState {
                outcome: Outcome::Running,
                waker: None,
            }),
        });
        let completion = Completion {
            joined: Arc::clone(&joined),
            value: None,
        };
        // `thread::Builder::spawn` is `#[track_caller]` too: the registry gets the caller's site.
        let thread = self.thread.spawn(move || {
            let mut completion = completion;
            completion.value = Some(block_on_at(future, at));
        });
        let label = match (thread.task_id(), thread.name()) {
            (Some(id), Some(name)) => format!("async task #{id} '{name}'"),
            (Some(id), None) => format!("async task #{id}"),
            (None, Some(name)) => format!("async task '{name}'"),
            (None, None) => "an async task".to_owned(),
        };
        JoinHandle {
            joined,
            thread: Some(thread),
            label,
            spawned_at: at,
            done: false,
        }
    }
}

/// Spawns `future` as a new, unnamed async task and returns its handle.
///
/// The task is a facade task running [`block_on`](crate::future::block_on) on the future: under a
/// checker it is registered like any spawned task, so a task that never ends is reported as a
/// leak with its spawn site and what it awaits. Dropping the handle detaches the task; the
/// enclosing scope still waits for it.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Builder::new().spawn(future)
}

/// The end of an async task, as its handle sees it.
enum Outcome<T> {
    Running,
    Returned(T),
    Panicked,
    /// The handle took the value (or the panic).
    Taken,
}

struct JoinState<T> {
    outcome: Outcome<T>,
    /// The handle's waker while it is awaited.
    waker: Option<Waker>,
}

struct Joined<T> {
    state: Mutex<JoinState<T>>,
}

/// Publishes the task's end when dropped: its value on return, `Panicked` on unwind.
struct Completion<T> {
    joined: Arc<Joined<T>>,
    value: Option<T>,
}

impl<T> Drop for Completion<T> {
    fn drop(&mut self) {
        let outcome = match self.value.take() {
            Some(v) => Outcome::Returned(v),
            None => Outcome::Panicked,
        };
        let waker = {
            let mut state = self.joined.state.lock();
            state.outcome = outcome;
            state.waker.take()
        };
        Wakeups::one(waker).wake();
    }
}

/// An async task ended by a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError {
    task: String,
    message: Option<String>,
}

impl JoinError {
    /// The panic message, when the task's panic carried a string and it was joined with
    /// [`JoinHandle::join`] (an awaited handle only learns that the task panicked).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} panicked", self.task)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for JoinError {}

/// Owns an async task: `.await` it, or [`join`](JoinHandle::join) it from blocking code.
///
/// # Cancel safety
///
/// Dropping the handle (or an `.await` of it) does not cancel the task: it runs on, detached,
/// and the enclosing scope waits for it.
#[must_use = "a dropped handle detaches the task; await or join it"]
pub struct JoinHandle<T> {
    joined: Arc<Joined<T>>,
    thread: Option<thread::JoinHandle<()>>,
    label: String,
    spawned_at: &'static Location<'static>,
    done: bool,
}

impl<T> JoinHandle<T> {
    /// Blocks the calling task until the async task ends; `Err` if it panicked.
    ///
    /// # Panics
    ///
    /// If the handle was already awaited to completion.
    #[track_caller]
    pub fn join(mut self) -> Result<T, JoinError> {
        let thread = self
            .thread
            .take()
            .expect("the thread handle is taken only here");
        let joined = thread.join();
        self.take_outcome(joined.err().and_then(|p| panic_text(p.as_ref())))
    }

    /// The task's registry number in the current checker run, if any.
    pub fn task_id(&self) -> Option<usize> {
        self.thread.as_ref().and_then(thread::JoinHandle::task_id)
    }

    /// The value or the panic, once the task ended; `message` is the panic's, if known.
    #[track_caller]
    fn take_outcome(&mut self, message: Option<String>) -> Result<T, JoinError> {
        let outcome = std::mem::replace(&mut self.joined.state.lock().outcome, Outcome::Taken);
        self.done = true;
        match outcome {
            Outcome::Returned(v) => Ok(v),
            Outcome::Panicked => Err(JoinError {
                task: self.label.clone(),
                message,
            }),
            // join() after the thread ended sees Running only if a loom unwind skipped the join.
            Outcome::Running => Err(JoinError {
                task: self.label.clone(),
                message: Some("not joined: a loom execution was unwinding".to_owned()),
            }),
            Outcome::Taken => panic!(
                "{} was joined after its JoinHandle was awaited to completion: take the \
                 result from the .await",
                self.label
            ),
        }
    }
}

/// A panic payload's text, if it is a string (as `panic!` with a message makes).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.done {
            super::polled_after_ready("JoinHandle");
        }
        {
            let mut state = this.joined.state.lock();
            if matches!(state.outcome, Outcome::Running) {
                register_one(&mut state.waker, cx.waker());
                drop(state);
                let label = &this.label;
                // A `.await` has no caller location: the site is where the task was spawned.
                awaiting::note(crate::rt::op::ASYNC_JOIN, || label.clone(), this.spawned_at);
                return Poll::Pending;
            }
        }
        Poll::Ready(this.take_outcome(None))
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("task", &self.label)
            .finish_non_exhaustive()
    }
}
