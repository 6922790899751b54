//! A bounded async channel with Go's semantics: `send(v).await` waits for room (capacity N) or
//! for a receiver to take the value (capacity 0, a rendezvous); `recv().await` waits for a value
//! and returns `None` once the channel is closed and drained.
//!
//! As with [`go::chan`](crate::go::chan), the async twin of this channel:
//!
//! - `close` is on the sending side; closing twice is a [`ViolationKind::DoubleClose`] and a
//!   send on a closed channel (or one pending when it closes) a
//!   [`ViolationKind::SendAfterClose`], each naming both sites. Outside a checker they panic.
//! - Dropping every `Sender` does not close the channel, as in Go: a receiver then waits
//!   forever, which a checker reports as a task leak naming the receive. Close explicitly.
//! - Both ends are `Clone` (many senders, many receivers).
//!
//! Every change wakes every waiter of the side it concerns (see `waiters`), so a cancelled
//! receive or send never swallows a wakeup another one needed.
//!
//! ```
//! use concheck::future::{self, channel};
//!
//! let (tx, rx) = channel::named::<u32>("jobs", 1);
//! let producer = future::spawn(async move {
//!     for v in 1..=3 {
//!         tx.send(v).await; // waits for room: capacity 1
//!     }
//!     tx.close();
//! });
//! let sum = future::block_on(async move {
//!     let mut sum = 0;
//!     while let Some(v) = rx.recv().await {
//!         sum += v;
//!     }
//!     sum
//! });
//! assert_eq!(sum, 6);
//! future::block_on(producer).unwrap();
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::awaiting;
use super::waiters::{Waiters, Wakeups};
use crate::go::closing::Closed;
use crate::rt::{self, Object};
use crate::sync::{Mutex, MutexGuard};
#[cfg(doc)]
use crate::violation::ViolationKind;

/// Creates an unnamed channel of capacity `cap` (0: rendezvous).
#[track_caller]
pub fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    make(None, cap, Location::caller())
}

/// Creates a channel of capacity `cap` that reports name as `name` (e.g. `"jobs"`).
#[track_caller]
pub fn named<T>(name: &str, cap: usize) -> (Sender<T>, Receiver<T>) {
    make(Some(Arc::from(name)), cap, Location::caller())
}

fn make<T>(
    name: Option<Arc<str>>,
    cap: usize,
    at: &'static Location<'static>,
) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan {
        state: Mutex::internal(State {
            queue: VecDeque::new(),
            last_ticket: 0,
            closed: None,
            receivers: Waiters::default(),
            senders: Waiters::default(),
        }),
        cap,
        name,
        created_at: at,
    });
    (
        Sender {
            chan: Arc::clone(&chan),
        },
        Receiver { chan },
    )
}

struct Chan<T> {
    state: Mutex<State<T>>,
    cap: usize,
    name: Option<Arc<str>>,
    created_at: &'static Location<'static>,
}

struct State<T> {
    /// Capacity N: the buffered values. Capacity 0: the values offered by pending sends, oldest
    /// first. Each under its send's ticket, so a send knows whether its offer was taken and a
    /// cancelled send can withdraw it.
    queue: VecDeque<(u64, T)>,
    last_ticket: u64,
    closed: Option<Closed>,
    /// Receives waiting for a value or the close.
    receivers: Waiters,
    /// Sends waiting for room (capacity N) or for their offer to be taken (capacity 0).
    senders: Waiters,
}

impl<T> State<T> {
    fn offered(&self, ticket: u64) -> bool {
        self.queue.iter().any(|(t, _)| *t == ticket)
    }

    fn withdraw(&mut self, ticket: u64) {
        self.queue.retain(|(t, _)| *t != ticket);
    }
}

impl<T> Chan<T> {
    fn label(&self) -> String {
        Object::named("async channel", self.name.as_ref(), self.created_at).to_string()
    }

    /// Reports a send on the closed channel; `pending`: the send was waiting when it closed.
    fn send_after_close(
        &self,
        state: MutexGuard<'_, State<T>>,
        at: &'static Location<'static>,
        pending: bool,
    ) -> ! {
        let closed = state.closed.clone().expect("called on a closed channel");
        drop(state);
        let how = if pending {
            "was waiting in a send when it closed"
        } else {
            "sent after it closed"
        };
        let advice = "close only after every send has returned";
        rt::violation(closed.send_after_close(&self.label(), at, how, Some(advice)))
    }
}

/// The sending half: `send`, `close`. Clone it for more senders.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving half: `recv`. Clone it for more receivers.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Sender<T> {
    /// A future that sends `value`: complete once it is buffered (capacity N) or taken by a
    /// receiver (capacity 0).
    ///
    /// # Panics
    ///
    /// When polled on a closed channel, or when the channel closes while it waits: a
    /// [`ViolationKind::SendAfterClose`] naming the close.
    ///
    /// # Cancel safety
    ///
    /// A dropped send either completed (its value is buffered or was taken) or withdrew its
    /// value: it is never delivered later.
    #[track_caller]
    pub fn send(&self, value: T) -> SendFuture<T> {
        SendFuture {
            chan: Arc::clone(&self.chan),
            value: Some(value),
            offer: None,
            key: None,
            waited: false,
            done: false,
            at: Location::caller(),
        }
    }

    /// Closes the channel: receivers drain what is buffered, then get `None`. Sends still
    /// pending (a capacity-0 offer nobody took, a send waiting for room) fail with
    /// [`ViolationKind::SendAfterClose`].
    ///
    /// # Panics
    ///
    /// If the channel is already closed ([`ViolationKind::DoubleClose`], naming both sites).
    #[track_caller]
    pub fn close(&self) {
        let at = Location::caller();
        let chan = &*self.chan;
        let mut state = chan.state.lock();
        if let Some(first) = &state.closed {
            let first = first.clone();
            drop(state);
            let advice = "close once, from the one task that knows every send is done";
            rt::violation(first.double_close(&chan.label(), at, Some(advice)));
        }
        state.closed = Some(Closed::now(at));
        crate::rt::progress::made();
        let wakeups = state.receivers.take_all().and(state.senders.take_all());
        drop(state);
        wakeups.wake();
    }

    /// Whether the channel has been closed.
    pub fn is_closed(&self) -> bool {
        self.chan.state.lock().closed.is_some()
    }

    /// How reports name this channel.
    pub fn label(&self) -> String {
        self.chan.label()
    }
}

/// The future of [`Sender::send`].
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture<T> {
    chan: Arc<Chan<T>>,
    /// The value until it is queued.
    value: Option<T>,
    /// Capacity 0: the ticket of the value offered and not yet known to be taken.
    offer: Option<u64>,
    key: Option<u64>,
    /// Whether it returned `Pending` before (a close then finds it waiting).
    waited: bool,
    done: bool,
    at: &'static Location<'static>,
}

impl<T> std::fmt::Debug for SendFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendFuture")
            .field("queued", &self.value.is_none())
            .field("waited", &self.waited)
            .field("done", &self.done)
            .field("at", &format_args!("{}", self.at))
            .finish_non_exhaustive()
    }
}

impl<T> Unpin for SendFuture<T> {}

impl<T> SendFuture<T> {
    fn pending(&mut self, mut state: MutexGuard<'_, State<T>>, cx: &Context<'_>) -> Poll<()> {
        state.senders.register(&mut self.key, cx.waker());
        drop(state);
        self.waited = true;
        let chan = &self.chan;
        awaiting::note(crate::rt::op::ASYNC_SEND, || chan.label(), self.at);
        Poll::Pending
    }

    fn complete(&mut self, mut state: MutexGuard<'_, State<T>>, wakeups: Wakeups) -> Poll<()> {
        state.senders.remove(self.key.take());
        drop(state);
        wakeups.wake();
        self.done = true;
        Poll::Ready(())
    }
}

impl<T> Future for SendFuture<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            super::polled_after_ready("async channel SendFuture");
        }
        let chan = Arc::clone(&this.chan);
        let mut state = chan.state.lock();
        if let Some(ticket) = this.offer {
            if !state.offered(ticket) {
                this.offer = None;
                return this.complete(state, Wakeups::default());
            }
            if state.closed.is_some() {
                state.withdraw(ticket);
                this.offer = None;
                chan.send_after_close(state, this.at, true);
            }
            return this.pending(state, cx);
        }
        if state.closed.is_some() {
            chan.send_after_close(state, this.at, this.waited);
        }
        if chan.cap > 0 && state.queue.len() >= chan.cap {
            return this.pending(state, cx);
        }
        state.last_ticket += 1;
        let ticket = state.last_ticket;
        let value = this.value.take().expect("the value is queued once");
        state.queue.push_back((ticket, value));
        crate::rt::progress::made();
        let wakeups = state.receivers.take_all();
        if chan.cap > 0 {
            return this.complete(state, wakeups);
        }
        // Rendezvous: the value is on offer; the send completes when a receiver takes it.
        this.offer = Some(ticket);
        let poll = this.pending(state, cx);
        wakeups.wake();
        poll
    }
}

impl<T> Drop for SendFuture<T> {
    fn drop(&mut self) {
        if self.key.is_some() || self.offer.is_some() {
            let mut state = self.chan.state.lock();
            state.senders.remove(self.key.take());
            if let Some(ticket) = self.offer.take() {
                // Cancelled before a receiver took it: withdraw the value.
                state.withdraw(ticket);
            }
        }
    }
}

impl<T> Receiver<T> {
    /// A future of the next value; `None` once the channel is closed and drained (on capacity
    /// 0, once it is closed: offers not taken by then are their senders' violation).
    ///
    /// # Cancel safety
    ///
    /// A dropped receive took nothing: no value is lost.
    #[track_caller]
    pub fn recv(&self) -> RecvFuture<T> {
        RecvFuture {
            chan: Arc::clone(&self.chan),
            key: None,
            done: false,
            at: Location::caller(),
        }
    }

    /// How reports name this channel.
    pub fn label(&self) -> String {
        self.chan.label()
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct RecvFuture<T> {
    chan: Arc<Chan<T>>,
    key: Option<u64>,
    done: bool,
    at: &'static Location<'static>,
}

impl<T> std::fmt::Debug for RecvFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvFuture")
            .field("done", &self.done)
            .field("at", &format_args!("{}", self.at))
            .finish_non_exhaustive()
    }
}

impl<T> Future for RecvFuture<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        if this.done {
            super::polled_after_ready("async channel RecvFuture");
        }
        let chan = &*this.chan;
        let mut state = chan.state.lock();
        let closed = state.closed.is_some();
        // On capacity 0 the queue holds offers, which a close cancels.
        let value = if closed && chan.cap == 0 {
            None
        } else {
            state.queue.pop_front().map(|(_, v)| v)
        };
        if value.is_some() {
            crate::rt::progress::made();
        }
        if value.is_none() && !closed {
            state.receivers.register(&mut this.key, cx.waker());
            drop(state);
            awaiting::note(crate::rt::op::ASYNC_RECV, || chan.label(), this.at);
            return Poll::Pending;
        }
        state.receivers.remove(this.key.take());
        let wakeups = if value.is_some() {
            state.senders.take_all()
        } else {
            Wakeups::default()
        };
        drop(state);
        wakeups.wake();
        this.done = true;
        Poll::Ready(value)
    }
}

impl<T> Drop for RecvFuture<T> {
    fn drop(&mut self) {
        if self.key.is_some() {
            self.chan.state.lock().receivers.remove(self.key.take());
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("channel", &self.chan.label())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("channel", &self.chan.label())
            .finish()
    }
}
