//! A oneshot channel: one value from one sender to one receiver, awaited through a Waker.
//!
//! The request/response building block: send a `oneshot::Sender` with a request, await the
//! reply on the receiver. If the sender is dropped without sending, the receive completes with
//! [`RecvError`] instead of waiting forever; if the receiver is gone, `send` gives the value back.
//!
//! # The bug it avoids
//!
//! The receive checks for the value and registers its Waker under one lock, and the send stores
//! the value and takes the Waker under the same lock. A receive that checked, released the lock
//! and only then registered could miss a send that came in between, and sleep forever:
//! the check-then-register-waker lost wakeup (`async_patterns`'s twin shows it caught).
//!
//! ```
//! use concheck::future::{self, oneshot};
//!
//! let (reply_tx, reply_rx) = oneshot::named::<u32>("reply");
//! let server = future::spawn(async move { reply_tx.send(42).unwrap() });
//! assert_eq!(future::block_on(reply_rx.recv()), Ok(42));
//! future::block_on(server).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::awaiting;
use super::waiters::{register_one, Wakeups};
use crate::sync::Mutex;
use crate::violation::Site;

/// Creates an unnamed oneshot channel.
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    make(None, Location::caller())
}

/// Creates a oneshot channel that reports name as `name` (e.g. `"reply"`).
#[track_caller]
pub fn named<T>(name: &str) -> (Sender<T>, Receiver<T>) {
    make(Some(name.to_owned()), Location::caller())
}

fn make<T>(name: Option<String>, at: &'static Location<'static>) -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::internal(State {
            value: None,
            sender: SenderState::Alive,
            receiver_gone: false,
            waker: None,
        }),
        name,
        created_at: at,
    });
    (
        Sender {
            inner: Some(Arc::clone(&inner)),
        },
        Receiver {
            end: ReceiverEnd(inner),
        },
    )
}

struct Inner<T> {
    state: Mutex<State<T>>,
    name: Option<String>,
    created_at: &'static Location<'static>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SenderState {
    Alive,
    Sent,
    Dropped,
}

struct State<T> {
    value: Option<T>,
    sender: SenderState,
    receiver_gone: bool,
    /// The receive's Waker, registered under the same lock as its check for the value.
    waker: Option<Waker>,
}

impl<T> Inner<T> {
    fn label(&self) -> String {
        let at = Site::from(self.created_at);
        match &self.name {
            Some(n) => format!("oneshot '{n}' (created at {at})"),
            None => format!("oneshot created at {at}"),
        }
    }
}

/// The sending half; [`send`](Sender::send) consumes it.
pub struct Sender<T> {
    /// `None` once sent, so the drop knows it has nothing to report.
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver. Never waits.
    ///
    /// # Errors
    ///
    /// Gives `value` back if the receiver was dropped: nobody will ever read it.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("present until send or drop");
        let waker = {
            let mut state = inner.state.lock();
            if state.receiver_gone {
                return Err(value);
            }
            state.value = Some(value);
            crate::rt::progress::made();
            state.sender = SenderState::Sent;
            state.waker.take()
        };
        Wakeups::one(waker).wake();
        Ok(())
    }

    /// Whether the receiver is gone (a send would fail).
    pub fn is_closed(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.state.lock().receiver_gone)
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let waker = {
                let mut state = inner.state.lock();
                state.sender = SenderState::Dropped;
                state.waker.take()
            };
            Wakeups::one(waker).wake();
        }
    }
}

/// The receiving half; [`recv`](Receiver::recv) consumes it.
pub struct Receiver<T> {
    end: ReceiverEnd<T>,
}

/// Marks the receiver gone when the `Receiver` or its `Recv` future is dropped.
struct ReceiverEnd<T>(Arc<Inner<T>>);

impl<T> Drop for ReceiverEnd<T> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock();
        state.receiver_gone = true;
        state.waker = None;
    }
}

impl<T> Receiver<T> {
    /// A future of the value: `Ok` once sent, `Err(RecvError)` if the sender was dropped first.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the receiver: a later send fails and gives its value back.
    #[track_caller]
    pub fn recv(self) -> Recv<T> {
        Recv {
            end: Some(self.end),
            at: Location::caller(),
        }
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<T> {
    /// `None` once it returned `Ready`.
    end: Option<ReceiverEnd<T>>,
    at: &'static Location<'static>,
}

impl<T> std::fmt::Debug for Recv<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recv")
            .field("done", &self.end.is_none())
            .field("at", &format_args!("{}", self.at))
            .finish_non_exhaustive()
    }
}

impl<T> Future for Recv<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(end) = &this.end else {
            super::polled_after_ready("oneshot Recv");
        };
        let inner = &end.0;
        let mut state = inner.state.lock();
        let ready = match (state.value.take(), state.sender) {
            (Some(v), _) => Ok(v),
            (None, SenderState::Dropped) => Err(RecvError),
            (None, _) => {
                // Checked and registered under one lock: a send cannot fall in between.
                register_one(&mut state.waker, cx.waker());
                drop(state);
                awaiting::note(crate::rt::op::ASYNC_ONESHOT_RECV, || inner.label(), this.at);
                return Poll::Pending;
            }
        };
        drop(state);
        this.end = None;
        Poll::Ready(ready)
    }
}

/// The oneshot's sender was dropped without sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "oneshot sender dropped without sending: no value will come; send on every path, \
             or treat this as a cancelled request",
        )
    }
}

impl std::error::Error for RecvError {}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver")
            .field("oneshot", &self.end.0.label())
            .finish()
    }
}
