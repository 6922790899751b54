//! Cancellation contexts, after Go's `context` package: `cancel`, `done`, `err`, children.
//!
//! A context is cancelled once, by its [`CancelFunc`] or by its parent's; cancelling a parent
//! cancels every descendant, never the other way round. Deadlines come with the virtual clock.
//!
//! ```
//! use concheck::go::{Context, ContextError};
//!
//! let (parent, cancel_parent) = Context::background().with_cancel();
//! let (child, _cancel_child) = parent.with_cancel();
//! cancel_parent.cancel();
//! assert_eq!(child.err(), Some(ContextError::Canceled));
//! ```

use std::fmt;
use std::panic::Location;
use std::sync::{Arc, Weak};

use super::signal::{fire_all, Signal, Watchers};
use crate::sync::{Condvar, Mutex};
use crate::violation::Site;

/// Why a context is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextError {
    /// Its cancel function (or an ancestor's) was called.
    Canceled,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
        })
    }
}

impl std::error::Error for ContextError {}

struct Inner {
    state: Mutex<State>,
    cv: Condvar,
    created_at: &'static Location<'static>,
}

struct State {
    err: Option<ContextError>,
    children: Vec<Weak<Inner>>,
    watchers: Watchers,
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
        Context::fresh(None, Location::caller())
    }

    fn fresh(err: Option<ContextError>, at: &'static Location<'static>) -> Context {
        Context {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    err,
                    children: Vec::new(),
                    watchers: Watchers::default(),
                }),
                cv: Condvar::new(),
                created_at: at,
            }),
        }
    }

    /// A child context and the function that cancels it. If `self` is already cancelled, so is
    /// the child.
    #[track_caller]
    pub fn with_cancel(&self) -> (Context, CancelFunc) {
        let at = Location::caller();
        let mut state = self.inner.state.lock();
        let child = Context::fresh(state.err, at);
        if state.err.is_none() {
            state.children.retain(|c| c.strong_count() > 0);
            state.children.push(Arc::downgrade(&child.inner));
        }
        drop(state);
        let cancel = CancelFunc { ctx: child.clone() };
        (child, cancel)
    }

    /// `Some(why)` once cancelled.
    pub fn err(&self) -> Option<ContextError> {
        self.inner.state.lock().err
    }

    /// Blocks until the context is cancelled (Go's `<-ctx.Done()` on its own).
    #[track_caller]
    pub fn done(&self) {
        let at = Location::caller();
        let mut state = self.inner.state.lock();
        while state.err.is_none() {
            state = self
                .inner
                .cv
                .wait_as("Context::done", || self.label(), state, at);
        }
    }

    /// How reports name this context.
    pub fn label(&self) -> String {
        format!("context created at {}", Site::from(self.inner.created_at))
    }

    fn cancel_with(&self, err: ContextError) {
        let mut state = self.inner.state.lock();
        if state.err.is_some() {
            return;
        }
        state.err = Some(err);
        let children = std::mem::take(&mut state.children);
        let watchers = state.watchers.snapshot();
        drop(state);
        self.inner.cv.notify_all();
        fire_all(watchers);
        // Children after the parent's lock is released: no lock is held across two contexts.
        for child in children.iter().filter_map(Weak::upgrade) {
            Context { inner: child }.cancel_with(err);
        }
    }

    pub(crate) fn watch(&self, s: &Arc<Signal>) {
        self.inner.state.lock().watchers.add(s);
    }

    pub(crate) fn unwatch(&self, s: &Arc<Signal>) {
        self.inner.state.lock().watchers.remove(s);
    }
}

impl CancelFunc {
    /// Cancels the context and its descendants; later calls do nothing.
    pub fn cancel(&self) {
        self.ctx.cancel_with(ContextError::Canceled);
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
