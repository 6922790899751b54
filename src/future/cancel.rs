//! `CancellationToken`: a flag many tasks can await; cancelling wakes them all.
//!
//! The async counterpart of Go's `ctx.Done()` (and tokio-util's token). Cancelling is
//! idempotent, as Go's `CancelFunc` is. Clones share one token.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::awaiting;
use super::waiters::Waiters;
use crate::sync::Mutex;
use crate::violation::Site;

/// A cancellation flag with a future that completes once it is set; clones share it.
#[derive(Clone)]
pub struct CancellationToken {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    name: Option<String>,
    created_at: &'static Location<'static>,
}

struct State {
    cancelled: bool,
    waiters: Waiters,
}

impl Inner {
    fn label(&self) -> String {
        let at = Site::from(self.created_at);
        match &self.name {
            Some(n) => format!("cancellation token '{n}' (created at {at})"),
            None => format!("cancellation token created at {at}"),
        }
    }
}

impl CancellationToken {
    /// A token not cancelled yet.
    #[track_caller]
    pub fn new() -> Self {
        Self::make(None, Location::caller())
    }

    /// A token that reports name as `name` (e.g. `"shutdown"`).
    #[track_caller]
    pub fn named(name: &str) -> Self {
        Self::make(Some(name.to_owned()), Location::caller())
    }

    fn make(name: Option<String>, at: &'static Location<'static>) -> Self {
        CancellationToken {
            inner: Arc::new(Inner {
                state: Mutex::internal(State {
                    cancelled: false,
                    waiters: Waiters::default(),
                }),
                name,
                created_at: at,
            }),
        }
    }

    /// Cancels the token and wakes every task awaiting it. Idempotent.
    pub fn cancel(&self) {
        let wakeups = {
            let mut state = self.inner.state.lock();
            state.cancelled = true;
            state.waiters.take_all()
        };
        wakeups.wake();
    }

    /// Whether the token has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.inner.state.lock().cancelled
    }

    /// A future that completes once the token is cancelled (at once if it already is).
    ///
    /// # Cancel safety
    ///
    /// Dropping it only deregisters its Waker.
    #[track_caller]
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            inner: Arc::clone(&self.inner),
            key: None,
            done: false,
            at: Location::caller(),
        }
    }
}

impl Default for CancellationToken {
    #[track_caller]
    fn default() -> Self {
        CancellationToken::new()
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationToken")
            .field("token", &self.inner.label())
            .finish()
    }
}

/// The future of [`CancellationToken::cancelled`].
#[must_use = "futures do nothing unless awaited"]
pub struct Cancelled {
    inner: Arc<Inner>,
    key: Option<u64>,
    done: bool,
    at: &'static Location<'static>,
}

impl std::fmt::Debug for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cancelled")
            .field("done", &self.done)
            .field("at", &format_args!("{}", self.at))
            .finish_non_exhaustive()
    }
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            super::polled_after_ready("CancellationToken::cancelled");
        }
        let inner = &*this.inner;
        let mut state = inner.state.lock();
        if state.cancelled {
            state.waiters.remove(this.key.take());
            this.done = true;
            return Poll::Ready(());
        }
        state.waiters.register(&mut this.key, cx.waker());
        drop(state);
        awaiting::note(crate::rt::op::ASYNC_CANCELLED, || inner.label(), this.at);
        Poll::Pending
    }
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        if self.key.is_some() {
            self.inner.state.lock().waiters.remove(self.key.take());
        }
    }
}
