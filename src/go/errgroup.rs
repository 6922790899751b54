//! `ErrGroup`: run tasks that may fail, wait for all of them, get the first error, after
//! `golang.org/x/sync/errgroup` (`WithContext`, `Go`, `Wait`, `SetLimit`).
//!
//! # Semantics, as in x/sync
//!
//! - [`ErrGroup::wait`] returns only after every task has returned, with the first error any
//!   task returned (first by the time it was recorded), or `Ok(())`; it then cancels the
//!   group's context.
//! - The first error cancels the context [`ErrGroup::with_context`] derived, so siblings that
//!   watch it stop early. The error is recorded before the cancel, so an error a sibling returns
//!   *because* of the cancellation can never be the one reported.
//! - With [`ErrGroup::set_limit`]`(n)`, [`ErrGroup::go`] blocks until fewer than `n` tasks are
//!   alive. Go's errgroup frees its slot in the goroutine's last deferred call, while the
//!   goroutine is still alive; here the finished task is also joined before its slot is
//!   reused, so `n` is a bound on live tasks a checker's `max_live_tasks` can hold it to.
//! - It terminates if every task does: a task blocked on something only another task's success
//!   would provide must also watch the group's context (not its parent: the common slip with
//!   `g, gctx := errgroup.WithContext(ctx)`).
//! - A task that panics: the first panic is resumed in `wait`, after every task has ended.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::chan::{self as go, Receiver, Sender};
use super::context::{CancelFunc, Context};
use crate::sync::Mutex;
use crate::thread::{self, JoinHandle};

/// Why an error group's limit cannot be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrGroupError {
    /// `set_limit(0)`: no task could ever start, and the first `go` would block forever.
    ZeroLimit,
    /// `set_limit` after a `go`: tasks already counted against the old limit (Go panics with
    /// "modify limit while goroutines in the group are still active").
    LimitAfterGo,
}

impl fmt::Display for ErrGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrGroupError::ZeroLimit => {
                "error group limit must be at least one: with zero, the first go blocks forever; \
                 pass n >= 1, or set no limit"
            }
            ErrGroupError::LimitAfterGo => {
                "error group limit set after tasks were started: set the limit before the first \
                 go"
            }
        })
    }
}

impl std::error::Error for ErrGroupError {}

/// The slots of a limited group: running tasks send their index when they release.
struct Limit {
    max: usize,
    in_use: usize,
    released_tx: Sender<usize>,
    released_rx: Receiver<usize>,
}

/// Releases the task's slot when dropped (also if the task panics).
struct Release {
    released: Sender<usize>,
    task: usize,
}

impl Drop for Release {
    fn drop(&mut self) {
        // Never blocks: the channel holds `max` releases and at most `max` slots are in use.
        self.released.send(self.task);
    }
}

/// A group of tasks that may fail; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck::go::Context;
/// use concheck::go::ErrGroup;
///
/// let (mut g, _ctx) = ErrGroup::with_context(&Context::background());
/// g.go(|_ctx| Ok(()));
/// g.go(|_ctx| Err("disk full"));
/// g.go(|ctx| {
///     ctx.done(); // cancelled by the first error
///     Err("cancelled")
/// });
/// assert_eq!(g.wait(), Err("disk full"));
/// ```
#[must_use = "call wait: it joins the tasks and returns the first error"]
pub struct ErrGroup<E> {
    ctx: Context,
    cancel: Arc<CancelFunc>,
    first_err: Arc<Mutex<Option<E>>>,
    handles: Vec<Option<JoinHandle<()>>>,
    limit: Option<Limit>,
    panicked: Option<Box<dyn Any + Send>>,
}

impl<E: Send + 'static> ErrGroup<E> {
    /// A group whose context derives from a background context (nothing else cancels it).
    pub fn new() -> Self {
        ErrGroup::with_context(&Context::background()).0
    }

    /// A group and its context, derived from `parent`: cancelled by the group's first error, by
    /// [`wait`](ErrGroup::wait) returning, or by `parent`.
    pub fn with_context(parent: &Context) -> (Self, Context) {
        let (ctx, cancel) = parent.with_cancel();
        let group = ErrGroup {
            ctx: ctx.clone(),
            cancel: Arc::new(cancel),
            first_err: Arc::new(Mutex::internal(None)),
            handles: Vec::new(),
            limit: None,
            panicked: None,
        };
        (group, ctx)
    }

    /// Limits the group to `n` tasks alive at once: [`go`](ErrGroup::go) blocks until a slot
    /// is free.
    ///
    /// # Errors
    ///
    /// [`ErrGroupError::ZeroLimit`] if `n` is zero; [`ErrGroupError::LimitAfterGo`] once a task
    /// has been started.
    pub fn set_limit(&mut self, n: usize) -> Result<(), ErrGroupError> {
        if n == 0 {
            return Err(ErrGroupError::ZeroLimit);
        }
        if !self.handles.is_empty() {
            return Err(ErrGroupError::LimitAfterGo);
        }
        let (released_tx, released_rx) = go::named("errgroup slots", n);
        self.limit = Some(Limit {
            max: n,
            in_use: 0,
            released_tx,
            released_rx,
        });
        Ok(())
    }

    /// Runs `f` in a new task with the group's context. With a limit, first waits until fewer
    /// than `n` tasks are alive. If `f` returns the group's first error, the error is recorded
    /// and the context is cancelled.
    pub fn go<F>(&mut self, f: F)
    where
        F: FnOnce(Context) -> Result<(), E> + Send + 'static,
    {
        let i = self.handles.len();
        let release = match &mut self.limit {
            None => None,
            Some(limit) => {
                if limit.in_use == limit.max {
                    // Wait for a release, then join that task: it has only its return left,
                    // and its slot is not free until it is gone.
                    let task = limit
                        .released_rx
                        .recv()
                        .expect("the slot channel is never closed");
                    let handle = self.handles[task].take().expect("each task releases once");
                    if let Err(payload) = handle.join() {
                        self.panicked.get_or_insert(payload);
                    }
                    limit.in_use -= 1;
                }
                limit.in_use += 1;
                Some(Release {
                    released: limit.released_tx.clone(),
                    task: i,
                })
            }
        };
        let (ctx, cancel, first_err) = (
            self.ctx.clone(),
            Arc::clone(&self.cancel),
            Arc::clone(&self.first_err),
        );
        let handle = thread::Builder::new()
            .name(format!("errgroup-{i}"))
            .spawn(move || {
                // Dropped last: the slot is released after the error is recorded.
                let _release = release;
                if let Err(e) = f(ctx) {
                    let mut first = first_err.lock();
                    if first.is_none() {
                        *first = Some(e);
                        drop(first);
                        // After recording: a sibling's error caused by this cancellation
                        // finds the first error already there.
                        cancel.cancel();
                    }
                }
            });
        self.handles.push(Some(handle));
    }

    /// Waits for every task, cancels the group's context, and returns the first error.
    ///
    /// # Panics
    ///
    /// If a task panicked: the first panic is resumed here, after every task has ended.
    pub fn wait(mut self) -> Result<(), E> {
        for handle in self.handles.drain(..).flatten() {
            if let Err(payload) = handle.join() {
                self.panicked.get_or_insert(payload);
            }
        }
        self.cancel.cancel();
        if let Some(payload) = self.panicked.take() {
            std::panic::resume_unwind(payload);
        }
        match self.first_err.lock().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl<E: Send + 'static> Default for ErrGroup<E> {
    fn default() -> Self {
        ErrGroup::new()
    }
}

impl<E> fmt::Debug for ErrGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrGroup")
            .field("ctx", &self.ctx)
            .field("tasks", &self.handles.len())
            .field("limit", &self.limit.as_ref().map(|l| l.max))
            .finish_non_exhaustive()
    }
}
