//! The state behind one mpsc channel and the operations both ends run on it.

use std::collections::VecDeque;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use super::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use crate::rt;
use crate::sync::{Condvar, Mutex, MutexGuard};
use crate::time::clock::Clock;

/// One channel: its buffer and who is still connected, under a facade mutex; one condvar that
/// every change notifies (senders and the receiver re-check their own condition).
pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    /// `None`: unbounded; `Some(0)`: rendezvous.
    bound: Option<usize>,
    created_at: &'static Location<'static>,
}

struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    receiver: bool,
    /// The receiver waits in `recv` (a rendezvous `try_send` may hand it a value).
    receiving: bool,
    /// Values pushed and values taken so far: a rendezvous sender waits until `taken` passes
    /// its own ticket.
    pushed: u64,
    taken: u64,
}

impl<T> Shared<T> {
    pub(super) fn new(bound: Option<usize>, at: &'static Location<'static>) -> Arc<Shared<T>> {
        Arc::new(Shared {
            state: Mutex::internal(State {
                queue: VecDeque::new(),
                senders: 1,
                receiver: true,
                receiving: false,
                pushed: 0,
                taken: 0,
            }),
            changed: Condvar::new(),
            bound,
            created_at: at,
        })
    }

    fn object(&self) -> rt::Object {
        rt::Object::created("mpsc channel", self.created_at)
    }

    pub(super) fn add_sender(&self) {
        self.state.lock().senders += 1;
    }

    pub(super) fn drop_sender(&self) {
        let mut state = self.state.lock();
        state.senders -= 1;
        rt::progress::made();
        if state.senders == 0 {
            drop(state);
            self.changed.notify_all();
        }
    }

    pub(super) fn drop_receiver(&self) {
        let mut state = self.state.lock();
        state.receiver = false;
        rt::progress::made();
        // Values nobody will receive are dropped now, as std drops them; a rendezvous sender
        // still waiting takes its own value back instead.
        let unreceived = if self.bound == Some(0) {
            VecDeque::new()
        } else {
            std::mem::take(&mut state.queue)
        };
        drop(state);
        self.changed.notify_all();
        drop(unreceived);
    }

    /// Waits on the channel's condvar, reported as `op` on this channel.
    fn wait<'a>(
        &'a self,
        op: &'static rt::Op,
        state: MutexGuard<'a, State<T>>,
        at: &'static Location<'static>,
    ) -> MutexGuard<'a, State<T>> {
        self.changed.wait_as(op, || self.object(), state, at)
    }

    fn push(&self, mut state: MutexGuard<'_, State<T>>, value: T) -> u64 {
        state.queue.push_back(value);
        rt::progress::made();
        state.pushed += 1;
        let ticket = state.pushed;
        drop(state);
        self.changed.notify_all();
        ticket
    }

    /// `Sender::send` (unbounded) and `SyncSender::send`.
    pub(super) fn send(
        &self,
        value: T,
        at: &'static Location<'static>,
    ) -> Result<(), SendError<T>> {
        let mut state = self.state.lock();
        let room = self.bound.map_or(usize::MAX, |b| b.max(1));
        // A rendezvous takes one value at a time: the next sender waits for the slot.
        while state.receiver && state.queue.len() >= room {
            if rt::loom_unwinding() {
                return Err(SendError(value));
            }
            state = self.wait(rt::op::MPSC_SEND, state, at);
        }
        if !state.receiver {
            return Err(SendError(value));
        }
        let ticket = self.push(state, value);
        if self.bound != Some(0) {
            return Ok(());
        }
        // A rendezvous returns once the receiver has taken the value.
        let mut state = self.state.lock();
        while state.taken < ticket {
            if !state.receiver || rt::loom_unwinding() {
                // Still in the slot: the receiver left without it, take it back.
                return match state.queue.pop_back() {
                    Some(value) => Err(SendError(value)),
                    None => Ok(()),
                };
            }
            state = self.wait(rt::op::MPSC_SEND, state, at);
        }
        Ok(())
    }

    /// `SyncSender::try_send`: never waits; a rendezvous succeeds only if the receiver is
    /// waiting in `recv` for it.
    pub(super) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let state = self.state.lock();
        if !state.receiver {
            return Err(TrySendError::Disconnected(value));
        }
        let room = match self.bound {
            Some(0) => usize::from(state.waiting_receiver()),
            Some(b) => b,
            None => usize::MAX,
        };
        if state.queue.len() >= room {
            return Err(TrySendError::Full(value));
        }
        self.push(state, value);
        Ok(())
    }

    fn take(&self, mut state: MutexGuard<'_, State<T>>) -> Option<T> {
        let value = state.queue.pop_front()?;
        rt::progress::made();
        state.taken += 1;
        drop(state);
        self.changed.notify_all();
        Some(value)
    }

    pub(super) fn recv(&self, at: &'static Location<'static>) -> Result<T, RecvError> {
        let mut state = self.state.lock();
        loop {
            if !state.queue.is_empty() {
                return self.take(state).ok_or(RecvError);
            }
            if state.senders == 0 || rt::loom_unwinding() {
                return Err(RecvError);
            }
            state.receiving = true;
            state = self.wait(rt::op::MPSC_RECV, state, at);
            state.receiving = false;
        }
    }

    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let state = self.state.lock();
        if state.queue.is_empty() {
            return Err(if state.senders == 0 {
                TryRecvError::Disconnected
            } else {
                TryRecvError::Empty
            });
        }
        self.take(state).ok_or(TryRecvError::Empty)
    }

    pub(super) fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        let clock = Clock::current();
        let deadline = clock.now() + timeout;
        let mut state = self.state.lock();
        loop {
            if !state.queue.is_empty() {
                return self.take(state).ok_or(RecvTimeoutError::Timeout);
            }
            if state.senders == 0 {
                return Err(RecvTimeoutError::Disconnected);
            }
            let now = clock.now();
            if now >= deadline || rt::loom_unwinding() {
                return Err(RecvTimeoutError::Timeout);
            }
            state.receiving = true;
            state = self.changed.wait_timeout(state, deadline - now).0;
            state.receiving = false;
        }
    }
}

impl<T> State<T> {
    fn waiting_receiver(&self) -> bool {
        self.receiving && self.queue.is_empty()
    }
}
