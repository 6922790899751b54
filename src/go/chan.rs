//! Go channels: capacity 0 (rendezvous), 1 or N; close; receive reports "closed" once drained.
//!
//! # Go semantics, checked
//!
//! - Capacity 0 is a rendezvous: a send completes only when a receiver takes the value. A plain
//!   send to a waiting receiver hands the value to that receiver directly; otherwise the sender
//!   blocks with its value on offer until a receiver takes it.
//! - `close` is on the sending side only (Rust's types forbid closing from a `Receiver`, which
//!   Go allows and regrets). Closing twice is a [`ViolationKind::DoubleClose`] naming both close
//!   sites; sending on a closed channel, or being blocked in a send when the channel closes, is a
//!   [`ViolationKind::SendAfterClose`] naming the close and the send. Inside a checker these are
//!   reported violations; outside one they panic, as Go's do.
//! - `recv` returns `Some(v)` until the channel is closed *and* drained, then `None` forever.
//! - Dropping every `Sender` does not close the channel, as in Go: a receiver then waits
//!   forever, which a checker reports as a leak or deadlock. Close explicitly.
//!
//! Both ends are `Clone` (Go channels are many-to-many) and `Send`. The channel is built on the
//! facade's `Mutex` and `Condvar`, so every interleaving of it is explored by the checkers.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use super::signal::{fire_all, Signal, Watchers};
use crate::rt;
use crate::sync::{Condvar, Mutex, MutexGuard};
use crate::violation::{Site, Violation, ViolationKind};

/// Creates an unnamed channel of capacity `cap` (0: rendezvous).
#[track_caller]
pub fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    make(None, cap, Location::caller())
}

/// Creates a channel that reports name as `name` (e.g. `"results"`).
#[track_caller]
pub fn named<T>(name: &str, cap: usize) -> (Sender<T>, Receiver<T>) {
    make(Some(name.to_owned()), cap, Location::caller())
}

fn make<T>(
    name: Option<String>,
    cap: usize,
    at: &'static Location<'static>,
) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            offered: 0,
            taken: 0,
            closed: None,
            waiting: VecDeque::new(),
            handed: HashMap::new(),
            next_receiver: 0,
            watchers: Watchers::default(),
        }),
        recv_cv: Condvar::new(),
        send_cv: Condvar::new(),
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
    /// Receivers wait here: a value handed to them, a value queued, or the close.
    recv_cv: Condvar,
    /// Senders wait here: room in the buffer, their offer taken, or the close.
    send_cv: Condvar,
    cap: usize,
    name: Option<String>,
    created_at: &'static Location<'static>,
}

struct Closed {
    at: &'static Location<'static>,
    by: String,
}

struct State<T> {
    /// Capacity N: the buffer. Capacity 0: values offered by blocked senders, oldest first.
    queue: VecDeque<T>,
    /// Values ever pushed onto `queue`; a capacity-0 sender's offer is number `offered` at push.
    offered: u64,
    /// Values ever taken off `queue`: offer `t` was taken iff `taken > t` (FIFO).
    taken: u64,
    closed: Option<Closed>,
    /// Receivers blocked in `recv`, oldest first, by ticket. A send hands its value to the
    /// oldest directly (`handed`), so a close cannot take back a completed rendezvous.
    waiting: VecDeque<u64>,
    handed: HashMap<u64, T>,
    next_receiver: u64,
    /// `select`s waiting on this channel.
    watchers: Watchers,
}

/// The sending half: `send`, `close`. Clone it for more senders.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving half: `recv`, iteration. Clone it for more receivers.
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

/// Why a non-blocking receive returned nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing to receive now.
    Empty,
    /// Closed and drained.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "receiving on an empty channel",
            TryRecvError::Closed => "receiving on a closed and drained channel",
        })
    }
}

impl std::error::Error for TryRecvError {}

/// A non-blocking send found no room and no waiting receiver; the value is returned.
#[derive(PartialEq, Eq)]
pub struct TrySendError<T>(pub T);

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrySendError(..)")
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a full channel")
    }
}

impl<T> std::error::Error for TrySendError<T> {}

impl<T> Chan<T> {
    fn label(&self) -> String {
        let at = Site::from(self.created_at);
        match &self.name {
            Some(n) => format!("channel '{n}' (created at {at})"),
            None => format!("channel created at {at}"),
        }
    }

    /// Reports a send on a closed channel. `blocked`: the send was waiting when it closed.
    #[track_caller]
    fn send_after_close(
        &self,
        closed: &Closed,
        at: &'static Location<'static>,
        blocked: bool,
    ) -> ! {
        let how = if blocked {
            "was blocked in a send when it closed"
        } else {
            "sent after it closed"
        };
        let mut v = Violation::new(
            ViolationKind::SendAfterClose,
            format!(
                "{} was closed at {} by {}; {} {how}, at {}",
                self.label(),
                Site::from(closed.at),
                closed.by,
                rt::current_task_label(),
                Site::from(at)
            ),
        );
        v.sites = vec![Site::from(closed.at), Site::from(at)];
        rt::violation(v)
    }

    /// One attempt to complete a send without blocking.
    fn try_send_locked(
        &self,
        state: &mut State<T>,
        value: T,
        at: &'static Location<'static>,
    ) -> Result<(), T> {
        if let Some(closed) = &state.closed {
            self.send_after_close(closed, at, false);
        }
        if let Some(receiver) = state.waiting.pop_front() {
            state.handed.insert(receiver, value);
            return Ok(());
        }
        if state.queue.len() < self.cap {
            state.queue.push_back(value);
            state.offered += 1;
            return Ok(());
        }
        Err(value)
    }

    fn try_recv_locked(&self, state: &mut State<T>) -> Result<T, TryRecvError> {
        if let Some(v) = state.queue.pop_front() {
            state.taken += 1;
            return Ok(v);
        }
        if state.closed.is_some() {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Wakes whoever may now proceed, after `state` is released.
    fn wake(&self, state: MutexGuard<'_, State<T>>) {
        let watchers = state.watchers.snapshot();
        drop(state);
        // Receivers wait for their own ticket and senders for their own offer: wake them all.
        self.recv_cv.notify_all();
        self.send_cv.notify_all();
        fire_all(watchers);
    }
}

impl<T> Sender<T> {
    /// Sends `value`, blocking until there is room (capacity N) or a receiver takes it
    /// (capacity 0).
    ///
    /// # Panics
    ///
    /// On a closed channel, or when the channel closes while this send waits: a
    /// [`ViolationKind::SendAfterClose`], reported with the close site.
    #[track_caller]
    pub fn send(&self, value: T) {
        let at = Location::caller();
        let chan = &*self.chan;
        let mut state = chan.state.lock();
        let mut value = match chan.try_send_locked(&mut state, value, at) {
            Ok(()) => return chan.wake(state),
            Err(v) => v,
        };
        if chan.cap > 0 {
            // Buffer full: wait for room, then try again.
            loop {
                state = chan
                    .send_cv
                    .wait_as("Sender::send", || chan.label(), state, at);
                if let Some(closed) = &state.closed {
                    chan.send_after_close(closed, at, true);
                }
                value = match chan.try_send_locked(&mut state, value, at) {
                    Ok(()) => return chan.wake(state),
                    Err(v) => v,
                };
            }
        }
        // Rendezvous: offer the value and wait until a receiver takes it.
        let ticket = state.offered;
        state.queue.push_back(value);
        state.offered += 1;
        // Wake receivers and any select waiting to receive, once the offer is visible.
        chan.wake(state);
        let mut state = chan.state.lock();
        loop {
            if state.taken > ticket {
                return;
            }
            if let Some(closed) = &state.closed {
                chan.send_after_close(closed, at, true);
            }
            state = chan
                .send_cv
                .wait_as("Sender::send", || chan.label(), state, at);
        }
    }

    /// Sends without blocking; gives the value back if it cannot complete now.
    ///
    /// # Panics
    ///
    /// On a closed channel ([`ViolationKind::SendAfterClose`]).
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let at = Location::caller();
        let mut state = self.chan.state.lock();
        match self.chan.try_send_locked(&mut state, value, at) {
            Ok(()) => {
                self.chan.wake(state);
                Ok(())
            }
            Err(v) => Err(TrySendError(v)),
        }
    }

    /// Closes the channel: receivers drain what is buffered, then get `None`. Senders still
    /// blocked on a capacity-0 channel fail with [`ViolationKind::SendAfterClose`].
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
            let mut v = Violation::new(
                ViolationKind::DoubleClose,
                format!(
                    "{} was closed at {} by {} and again at {} by {}",
                    chan.label(),
                    Site::from(first.at),
                    first.by,
                    Site::from(at),
                    rt::current_task_label()
                ),
            );
            v.sites = vec![Site::from(first.at), Site::from(at)];
            drop(state);
            rt::violation(v);
        }
        state.closed = Some(Closed {
            at,
            by: rt::current_task_label(),
        });
        if chan.cap == 0 {
            // Offers not taken never complete: their senders see the close.
            state.queue.clear();
        }
        chan.wake(state);
    }

    /// Whether the channel has been closed.
    pub fn is_closed(&self) -> bool {
        self.chan.state.lock().closed.is_some()
    }

    /// How reports name this channel.
    pub fn label(&self) -> String {
        self.chan.label()
    }

    pub(crate) fn watch(&self, s: &Arc<Signal>) {
        self.chan.state.lock().watchers.add(s);
    }

    pub(crate) fn unwatch(&self, s: &Arc<Signal>) {
        self.chan.state.lock().watchers.remove(s);
    }

    /// A send that completes only if it can now; for `select`.
    pub(crate) fn try_send_at(&self, value: T, at: &'static Location<'static>) -> Result<(), T> {
        let mut state = self.chan.state.lock();
        let r = self.chan.try_send_locked(&mut state, value, at);
        if r.is_ok() {
            self.chan.wake(state);
        }
        r
    }
}

impl<T> Receiver<T> {
    /// Receives the next value, blocking until one arrives; `None` once closed and drained.
    #[track_caller]
    pub fn recv(&self) -> Option<T> {
        self.recv_at(Location::caller())
    }

    fn recv_at(&self, at: &'static Location<'static>) -> Option<T> {
        let chan = &*self.chan;
        let mut state = chan.state.lock();
        match chan.try_recv_locked(&mut state) {
            Ok(v) => {
                chan.wake(state);
                return Some(v);
            }
            Err(TryRecvError::Closed) => return None,
            Err(TryRecvError::Empty) => {}
        }
        let ticket = state.next_receiver;
        state.next_receiver += 1;
        state.waiting.push_back(ticket);
        // A select waiting to send on a capacity-0 channel can now hand its value to us.
        let watchers = state.watchers.snapshot();
        if !watchers.is_empty() {
            drop(state);
            fire_all(watchers);
            state = chan.state.lock();
        }
        loop {
            if let Some(v) = state.handed.remove(&ticket) {
                return Some(v);
            }
            match chan.try_recv_locked(&mut state) {
                Ok(v) => {
                    state.waiting.retain(|&t| t != ticket);
                    chan.wake(state);
                    return Some(v);
                }
                Err(TryRecvError::Closed) => {
                    state.waiting.retain(|&t| t != ticket);
                    return None;
                }
                Err(TryRecvError::Empty) => {}
            }
            state = chan
                .recv_cv
                .wait_as("Receiver::recv", || chan.label(), state, at);
        }
    }

    /// Receives without blocking.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.chan.state.lock();
        let r = self.chan.try_recv_locked(&mut state);
        if r.is_ok() {
            self.chan.wake(state);
        }
        r
    }

    /// Iterates over received values until the channel is closed and drained (Go's
    /// `for v := range ch`).
    #[track_caller]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            rx: self,
            at: Location::caller(),
        }
    }

    /// How reports name this channel.
    pub fn label(&self) -> String {
        self.chan.label()
    }

    pub(crate) fn watch(&self, s: &Arc<Signal>) {
        self.chan.state.lock().watchers.add(s);
    }

    pub(crate) fn unwatch(&self, s: &Arc<Signal>) {
        self.chan.state.lock().watchers.remove(s);
    }
}

/// Iterator over a [`Receiver`]; ends when the channel is closed and drained.
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
    at: &'static Location<'static>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.recv_at(self.at)
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    #[track_caller]
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
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
