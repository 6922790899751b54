//! Cancellation contexts, after Go's `context` package: `cancel`, `done`, `err`, children.
//!
//! A context is cancelled once, by its [`CancelFunc`] or by its parent's; cancelling a parent
//! cancels every descendant, never the other way round. A context made by
//! [`Context::with_timeout`] or [`Context::with_deadline`] also cancels itself, with
//! [`ContextError::DeadlineExceeded`], when the [`crate::time`] clock reaches its deadline (real
//! time on std, virtual time under a model checker).
//!
//! ```
//! use concheck::go::{Context, ContextError};
//!
//! let (parent, cancel_parent) = Context::background().with_cancel();
//! let (child, _cancel_child) = parent.with_cancel();
//! cancel_parent.cancel();
//! assert_eq!(child.err(), Some(ContextError::Canceled));
//! ```
//!
//! A context made by [`Context::with_cancel_cause`] is cancelled with a cause (Go's
//! `context.WithCancelCause`), which [`Context::cause`] returns, to it and its descendants:
//!
//! ```
//! use concheck::go::{Context, ContextError};
//!
//! let (ctx, cancel) = Context::background().with_cancel_cause();
//! let (child, _cancel_child) = ctx.with_cancel();
//! cancel.cancel("disk full");
//! assert_eq!(child.err(), Some(ContextError::Canceled));
//! assert_eq!(child.cause().unwrap().to_string(), "disk full");
//! ```

use std::fmt;
use std::panic::Location;
use std::sync::{Arc, Weak};

use crate::sync::signal::{fire_all, Signal, Watchers};
use crate::sync::{Condvar, Mutex};
use crate::time::clock::{Clock, TimerKey};
use crate::time::Instant;

/// Why a context is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextError {
    /// Its cancel function (or an ancestor's) was called.
    Canceled,
    /// Its deadline (or an ancestor's) passed.
    DeadlineExceeded,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl std::error::Error for ContextError {}

struct Inner {
    state: Mutex<State>,
    cv: Condvar,
    created_at: &'static Location<'static>,
    deadline: Option<Instant>,
}

/// Why a context was cancelled, as [`Context::cause`] returns it (Go's `context.Cause`).
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

struct State {
    err: Option<ContextError>,
    /// The cause given to a [`CancelCauseFunc`] (inherited by descendants), if any.
    cause: Option<Cause>,
    children: Vec<Weak<Inner>>,
    watchers: Watchers,
    /// The timer that will cancel this context at its deadline, stopped by an earlier cancel.
    timer: Option<(Clock, TimerKey)>,
}

/// A cancellation signal shared by a tree of tasks. Cheap to clone.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

/// Cancels the context it came with (and its descendants). Idempotent, as in Go.
#[must_use = "a context that is never cancelled leaks whatever waits on it"]
pub struct CancelFunc {
    ctx: Context,
}

impl Context {
    /// A root context that is never cancelled.
    #[track_caller]
    pub fn background() -> Context {
        Context::fresh(None, None, None, Location::caller())
    }

    fn fresh(
        err: Option<ContextError>,
        cause: Option<Cause>,
        deadline: Option<Instant>,
        at: &'static Location<'static>,
    ) -> Context {
        Context {
            inner: Arc::new(Inner {
                state: Mutex::internal(State {
                    err,
                    cause,
                    children: Vec::new(),
                    watchers: Watchers::default(),
                    timer: None,
                }),
                cv: Condvar::new(),
                created_at: at,
                deadline,
            }),
        }
    }

    /// A child context and the function that cancels it. If `self` is already cancelled, so is
    /// the child.
    #[track_caller]
    pub fn with_cancel(&self) -> (Context, CancelFunc) {
        self.child(self.inner.deadline, Location::caller())
    }

    /// A child context that is cancelled with [`ContextError::DeadlineExceeded`] `timeout` from
    /// now (Go's `context.WithTimeout`), or earlier by its cancel function or its parent.
    #[track_caller]
    pub fn with_timeout(&self, timeout: std::time::Duration) -> (Context, CancelFunc) {
        self.with_deadline_at(crate::time::now() + timeout, Location::caller())
    }

    /// A child context that is cancelled with [`ContextError::DeadlineExceeded`] at `deadline`
    /// (Go's `context.WithDeadline`); a parent's earlier deadline still applies.
    #[track_caller]
    pub fn with_deadline(&self, deadline: Instant) -> (Context, CancelFunc) {
        self.with_deadline_at(deadline, Location::caller())
    }

    fn with_deadline_at(
        &self,
        deadline: Instant,
        at: &'static Location<'static>,
    ) -> (Context, CancelFunc) {
        if self.inner.deadline.is_some_and(|d| d <= deadline) {
            // The parent's deadline comes first and cancels the child with it.
            return self.child(self.inner.deadline, at);
        }
        let (child, cancel) = self.child(Some(deadline), at);
        let clock = Clock::current();
        if clock.now() >= deadline {
            child.cancel_with(ContextError::DeadlineExceeded, None);
            return (child, cancel);
        }
        let weak = Arc::downgrade(&child.inner);
        let key = clock.schedule(
            deadline,
            Box::new(move || {
                if let Some(inner) = weak.upgrade() {
                    Context { inner }.cancel_with(ContextError::DeadlineExceeded, None);
                }
            }),
        );
        let mut state = child.inner.state.lock();
        if state.err.is_none() {
            state.timer = Some((clock, key));
            drop(state);
        } else {
            drop(state);
            clock.cancel(key);
        }
        (child, cancel)
    }

    /// The deadline after which this context is cancelled, if it (or an ancestor) has one.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline
    }

    fn child(
        &self,
        deadline: Option<Instant>,
        at: &'static Location<'static>,
    ) -> (Context, CancelFunc) {
        let mut state = self.inner.state.lock();
        let child = Context::fresh(state.err, state.cause.clone(), deadline, at);
        if state.err.is_none() {
            state.children.retain(|c| c.strong_count() > 0);
            state.children.push(Arc::downgrade(&child.inner));
        }
        drop(state);
        let cancel = CancelFunc { ctx: child.clone() };
        (child, cancel)
    }

    /// `Some(why)` once cancelled.
    #[track_caller]
    pub fn err(&self) -> Option<ContextError> {
        crate::rt::coverage::op_here(
            &self.inner.state,
            || self.object(),
            crate::rt::coverage::CTX_ERR,
        );
        self.inner.state.lock().err
    }

    /// A child context and the function that cancels it with a cause (Go's
    /// `context.WithCancelCause`); see [`Context::cause`].
    #[track_caller]
    pub fn with_cancel_cause(&self) -> (Context, CancelCauseFunc) {
        let (ctx, _) = self.child(self.inner.deadline, Location::caller());
        (ctx.clone(), CancelCauseFunc { ctx })
    }

    /// Why the context was cancelled (Go's `context.Cause`): `None` while it is not; the cause
    /// given to the [`CancelCauseFunc`] that cancelled it or an ancestor; otherwise its
    /// [`err`](Context::err) as the cause.
    pub fn cause(&self) -> Option<Cause> {
        let state = self.inner.state.lock();
        match (&state.cause, state.err) {
            (Some(cause), _) => Some(Arc::clone(cause)),
            (None, Some(err)) => Some(Arc::new(err)),
            (None, None) => None,
        }
    }

    /// Blocks until the context is cancelled (Go's `<-ctx.Done()` on its own).
    #[track_caller]
    pub fn done(&self) {
        let at = Location::caller();
        crate::rt::coverage::op(
            &self.inner.state,
            || self.object(),
            crate::rt::coverage::CTX_DONE,
            at,
        );
        let mut state = self.inner.state.lock();
        while state.err.is_none() {
            state = self
                .inner
                .cv
                .wait_as(crate::rt::op::CTX_DONE, || self.label(), state, at);
        }
    }

    /// How reports name this context.
    pub fn label(&self) -> String {
        self.object().to_string()
    }

    fn object(&self) -> crate::rt::Object {
        crate::rt::Object::created("context", self.inner.created_at)
    }

    fn cancel_with(&self, err: ContextError, cause: Option<Cause>) {
        let mut state = self.inner.state.lock();
        if state.err.is_some() {
            return;
        }
        state.err = Some(err);
        state.cause.clone_from(&cause);
        crate::rt::progress::made();
        let children = std::mem::take(&mut state.children);
        let watchers = state.watchers.snapshot();
        let timer = state.timer.take();
        drop(state);
        if let Some((clock, key)) = timer {
            clock.cancel(key);
        }
        self.inner.cv.notify_all();
        fire_all(watchers);
        // Children after the parent's lock is released: no lock is held across two contexts.
        for child in children.iter().filter_map(Weak::upgrade) {
            Context { inner: child }.cancel_with(err, cause.clone());
        }
    }

    pub(crate) fn watch(&self, s: &Arc<Signal>) {
        self.inner.state.lock().watchers.add(s);
    }

    pub(crate) fn unwatch(&self, s: &Arc<Signal>) {
        self.inner.state.lock().watchers.remove(s);
    }

    /// How many waiting selects are registered with this context (for the tests of `select`).
    #[cfg(test)]
    pub(crate) fn watcher_count(&self) -> usize {
        self.inner.state.lock().watchers.len()
    }
}

impl CancelFunc {
    /// Cancels the context and its descendants; later calls do nothing.
    #[track_caller]
    pub fn cancel(&self) {
        crate::rt::coverage::op_here(
            &self.ctx.inner.state,
            || self.ctx.object(),
            crate::rt::coverage::CANCEL,
        );
        self.ctx.cancel_with(ContextError::Canceled, None);
    }
}

/// Cancels the context it came with (and its descendants) with a cause; only the first call
/// counts, as in Go.
#[must_use = "a context that is never cancelled leaks whatever waits on it"]
pub struct CancelCauseFunc {
    ctx: Context,
}

impl CancelCauseFunc {
    /// Cancels the context with `cause`, which [`Context::cause`] then returns (Go's
    /// `cancel(cause)`); later calls, and a cancel by an ancestor first, keep the first cause.
    #[track_caller]
    pub fn cancel(&self, cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) {
        crate::rt::coverage::op_here(
            &self.ctx.inner.state,
            || self.ctx.object(),
            crate::rt::coverage::CANCEL,
        );
        let cause: Cause = Arc::from(cause.into());
        self.ctx.cancel_with(ContextError::Canceled, Some(cause));
    }
}

impl fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelCauseFunc")
            .field("ctx", &self.ctx)
            .finish()
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("created_at", &self.inner.created_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelFunc")
            .field("ctx", &self.ctx)
            .finish()
    }
}
