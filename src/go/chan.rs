//! Go channels: capacity 0 (rendezvous), 1 or N; close; receive reports "closed" once drained.
//!
//! # Go semantics, checked
//!
//! - Capacity 0 is a rendezvous: a send completes only when a receiver takes the value. A plain
//!   send to a waiting receiver hands the value to that receiver directly; otherwise the sender
//!   blocks with its value on offer until a receiver takes it. A `select` waiting on the channel
//!   offers its send or receive case the same way, and any operation on the other side, plain or
//!   select, meets it (claiming the select, so that it completes only one case).
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
//!
//! # Wakeups
//!
//! Blocked receivers and senders are counted in the channel's state, under its lock
//! (`Waiters`), and an operation notifies a condvar only while some waiter on it has not been
//! notified yet: on std a notify is a `futex` syscall whether or not anyone waits, and under
//! shuttle it is a scheduling point. What each change wakes:
//!
//! - a value handed to a blocked receiver, or a capacity-0 offer taken: the one task it
//!   completes (`Waiters::wake_the_one`), notified before the lock is released, so that a task
//!   starting to wait meanwhile cannot absorb the notify;
//! - a value taken from a full buffer: one blocked sender, since any of them can use the room
//!   (`Waiters::wake_any_one`). A woken sender that finds the room taken was not needed; one
//!   that hands its value to a receiver instead leaves the room free, so it wakes the next;
//! - a value queued, or a capacity-0 offer made: no receiver. A value is queued only when no
//!   receiver is registered, and every receiver inside `recv` is either registered or has its
//!   value handed to it already;
//! - `close`: everyone.
//!
//! `waiters.rs` shows why no wakeup is lost; the unit tests below fail within a few shuttle
//! schedules on each mistake this accounting could make.

use std::collections::VecDeque;
use std::fmt;
use std::ops::DerefMut;
use std::panic::Location;
use std::sync::Arc;

use super::closing::Closed;
use super::waiters::Waiters;
use crate::rt::{self, Object};
use crate::sync::signal::{self, fire_all, Claim, Party, Signal, Watchers};
use crate::sync::{Condvar, Mutex, MutexGuard};
#[cfg(doc)]
use crate::violation::ViolationKind;

/// Creates an unnamed channel of capacity `cap` (0: rendezvous).
#[track_caller]
pub fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    make(None, cap, Location::caller())
}

/// Creates a channel that reports name as `name` (e.g. `"results"`).
#[track_caller]
pub fn named<T>(name: &str, cap: usize) -> (Sender<T>, Receiver<T>) {
    make(Some(Arc::from(name)), cap, Location::caller())
}

/// [`named`], created at `at`: a channel the facade makes for the caller (a timer's) is
/// reported, and traced, as made at the caller's site.
pub(crate) fn named_at<T>(
    name: &str,
    cap: usize,
    at: &'static Location<'static>,
) -> (Sender<T>, Receiver<T>) {
    make(Some(Arc::from(name)), cap, at)
}

fn make<T>(
    name: Option<Arc<str>>,
    cap: usize,
    at: &'static Location<'static>,
) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan {
        state: Mutex::internal(State {
            queue: VecDeque::new(),
            offered: 0,
            taken: 0,
            closed: None,
            waiting: VecDeque::new(),
            handed: Vec::new(),
            next_receiver: 0,
            receivers: Waiters::new(),
            senders: Waiters::new(),
            watchers: Watchers::default(),
            select_senders: Vec::new(),
            select_receivers: Vec::new(),
            select_handed: Vec::new(),
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
    /// Shared with every report that names the channel: a blocked task's mark clones it.
    name: Option<Arc<str>>,
    created_at: &'static Location<'static>,
}

impl<T> State<T> {
    fn waiters(&mut self, side: Side) -> &mut Waiters {
        match side {
            Side::Sender => &mut self.senders,
            Side::Receiver => &mut self.receivers,
        }
    }
}

struct State<T> {
    /// Capacity N: the buffer. Capacity 0: values offered by blocked senders, oldest first.
    queue: VecDeque<T>,
    /// Capacity 0 only: offers ever pushed onto `queue`; a sender's offer is number `offered`
    /// at push. (Not counted at capacity N, where nothing reads it.)
    offered: u64,
    /// Capacity 0 only: offers ever taken off `queue`; offer `t` was taken iff `taken > t`
    /// (FIFO).
    taken: u64,
    closed: Option<Closed>,
    /// Receivers blocked in `recv`, oldest first, by ticket. A send hands its value to the
    /// oldest directly (`handed`), so a close cannot take back a completed rendezvous.
    waiting: VecDeque<u64>,
    /// Values handed to registered receivers, by ticket; at most one per blocked receiver.
    handed: Vec<(u64, T)>,
    next_receiver: u64,
    /// Receivers waiting on `recv_cv`, senders on `send_cv`, and the notifies the changes of
    /// the current lock hold owe them, sent by [`Chan::wake`] once the lock is released.
    receivers: Waiters,
    senders: Waiters,
    /// `select`s waiting on this channel.
    watchers: Watchers,
    /// Capacity 0: selects waiting with a send case on this channel, and the value each offers
    /// (Go's `sendq` entries of a blocked select). A receiver takes one by claiming its select.
    select_senders: Vec<SelectSend<T>>,
    /// Capacity 0: selects waiting with a receive case on this channel. A sender hands one its
    /// value by claiming its select, through `select_handed`.
    select_receivers: Vec<(Arc<Signal>, usize)>,
    /// Values handed to the receive case of a claimed select, until it takes them.
    select_handed: Vec<(Arc<Signal>, T)>,
}

/// A waiting select's send case on a capacity-0 channel.
struct SelectSend<T> {
    signal: Arc<Signal>,
    case: usize,
    value: T,
}

/// What one non-blocking send found. `Lost`: the caller is a select that a partner completed
/// in the meantime, through another case; the value is given back.
pub(crate) enum SendTry<T> {
    Sent,
    Full(T),
    Lost(T),
}

/// What one non-blocking receive found; `Lost` as for [`SendTry`].
pub(crate) enum RecvTry<T> {
    Got(T),
    Empty,
    Closed,
    Lost,
}

/// Which side of the channel a blocked task is on.
#[derive(Clone, Copy)]
enum Side {
    Sender,
    Receiver,
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
    /// Go's `len(ch)`: at capacity 0 the queue holds blocked senders' offers, not a buffer.
    fn len(&self) -> usize {
        if self.cap == 0 {
            0
        } else {
            self.state.lock().queue.len()
        }
    }

    fn label(&self) -> String {
        self.object().to_string()
    }

    /// What a task blocked on this channel waits on, formatted only if a report needs it.
    fn object(&self) -> Object {
        Object::named("channel", self.name.as_ref(), self.created_at)
    }

    /// Waits on `side`'s condvar, counted as waiting while it does.
    fn wait<'a>(
        &'a self,
        side: Side,
        mut state: MutexGuard<'a, State<T>>,
        at: &'static Location<'static>,
    ) -> MutexGuard<'a, State<T>> {
        let (op, cv) = match side {
            Side::Sender => (rt::op::SEND, &self.send_cv),
            Side::Receiver => (rt::op::RECV, &self.recv_cv),
        };
        state.waiters(side).start();
        let mut state = cv.wait_as(op, || self.object(), state, at);
        state.waiters(side).end();
        state
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
        rt::violation(closed.send_after_close(&self.label(), at, how, None))
    }

    /// One attempt to complete a send without blocking. `me`: the select case sending, which
    /// must win its select before the send may complete.
    fn try_send_locked(
        &self,
        state: &mut State<T>,
        value: T,
        at: &'static Location<'static>,
        me: Option<Party<'_>>,
    ) -> SendTry<T> {
        if let Some(closed) = &state.closed {
            if !signal::mark(me) {
                return SendTry::Lost(value);
            }
            self.send_after_close(closed, at, false);
        }
        if !state.waiting.is_empty() {
            if !signal::mark(me) {
                return SendTry::Lost(value);
            }
            let receiver = state.waiting.pop_front().expect("not empty");
            state.handed.push((receiver, value));
            rt::progress::made();
            state.receivers.wake_the_one();
            if self.cap > 0 {
                // The buffer is empty (a receiver was registered), so it has room; if this
                // sender was woken for that room it did not use it: pass the wake on.
                state.senders.wake_any_one();
            }
            return SendTry::Sent;
        }
        if self.cap == 0 {
            // A select waiting to receive: the value goes to the first that can be claimed.
            let mut i = 0;
            while i < state.select_receivers.len() {
                let (partner, case) = &state.select_receivers[i];
                if me.is_some_and(|(m, _)| Arc::ptr_eq(m, partner)) {
                    i += 1;
                    continue;
                }
                match signal::claim((partner, *case), me) {
                    Claim::Won => {
                        let (partner, _) = state.select_receivers.remove(i);
                        state.select_handed.push((partner, value));
                        rt::progress::made();
                        return SendTry::Sent;
                    }
                    // It completed another case and will withdraw this entry itself.
                    Claim::PartnerTaken => i += 1,
                    Claim::MeTaken => return SendTry::Lost(value),
                }
            }
        }
        if state.queue.len() < self.cap {
            if !signal::mark(me) {
                return SendTry::Lost(value);
            }
            // No receiver is registered (`waiting` is empty), so none waits for this value.
            state.queue.push_back(value);
            rt::progress::made();
            return SendTry::Sent;
        }
        SendTry::Full(value)
    }

    /// A send by a plain operation, which no select can have completed.
    ///
    /// Inlined with the common buffered send first: room in the buffer, not closed, no
    /// receiver registered. That is exactly the case [`Chan::try_send_locked`] handles by
    /// queueing (it checks the close, then registered receivers, then capacity-0 selects,
    /// which capacity N has none of), so the value is queued as it would queue it.
    #[inline]
    fn try_send_plain(
        &self,
        state: &mut State<T>,
        value: T,
        at: &'static Location<'static>,
    ) -> Result<(), T> {
        if state.queue.len() < self.cap && state.closed.is_none() && state.waiting.is_empty() {
            state.queue.push_back(value);
            rt::progress::made();
            return Ok(());
        }
        self.try_send_plain_other(state, value, at)
    }

    /// [`Chan::try_send_plain`] in every other case.
    #[inline(never)]
    fn try_send_plain_other(
        &self,
        state: &mut State<T>,
        value: T,
        at: &'static Location<'static>,
    ) -> Result<(), T> {
        match self.try_send_locked(state, value, at, None) {
            SendTry::Sent => Ok(()),
            SendTry::Full(v) | SendTry::Lost(v) => Err(v),
        }
    }

    /// One attempt to receive without blocking; `me` as for [`Chan::try_send_locked`].
    fn try_recv_locked(&self, state: &mut State<T>, me: Option<Party<'_>>) -> RecvTry<T> {
        if !state.queue.is_empty() {
            if !signal::mark(me) {
                return RecvTry::Lost;
            }
            let v = state.queue.pop_front().expect("not empty");
            rt::progress::made();
            // Capacity 0: offer number `taken - 1` completes, and only its sender may go on.
            // Capacity N: a slot is free for any blocked sender.
            if self.cap == 0 {
                state.taken += 1;
                state.senders.wake_the_one();
            } else {
                state.senders.wake_any_one();
            }
            return RecvTry::Got(v);
        }
        if state.closed.is_some() {
            // Before the selects' offers: a select blocked sending on a channel that closed
            // fails with send after close when it wakes; its value is not delivered.
            return if signal::mark(me) {
                RecvTry::Closed
            } else {
                RecvTry::Lost
            };
        }
        // Capacity 0: a select waiting to send; take the first offer that can be claimed.
        let mut i = 0;
        while i < state.select_senders.len() {
            let offer = &state.select_senders[i];
            if me.is_some_and(|(m, _)| Arc::ptr_eq(m, &offer.signal)) {
                i += 1;
                continue;
            }
            match signal::claim((&offer.signal, offer.case), me) {
                Claim::Won => {
                    rt::progress::made();
                    return RecvTry::Got(state.select_senders.remove(i).value);
                }
                Claim::PartnerTaken => i += 1,
                Claim::MeTaken => return RecvTry::Lost,
            }
        }
        RecvTry::Empty
    }

    /// A receive by a plain operation.
    ///
    /// Inlined with the common buffered receive first: capacity N and a value queued, which
    /// [`Chan::try_recv_locked`] takes as done here (oldest first, one blocked sender owed the
    /// free slot).
    #[inline]
    fn try_recv_plain(&self, state: &mut State<T>) -> Result<T, TryRecvError> {
        if self.cap > 0 {
            if let Some(v) = state.queue.pop_front() {
                rt::progress::made();
                state.senders.wake_any_one();
                return Ok(v);
            }
        }
        self.try_recv_plain_other(state)
    }

    /// [`Chan::try_recv_plain`] in every other case.
    #[inline(never)]
    fn try_recv_plain_other(&self, state: &mut State<T>) -> Result<T, TryRecvError> {
        match self.try_recv_locked(state, None) {
            RecvTry::Got(v) => Ok(v),
            RecvTry::Closed => Err(TryRecvError::Closed),
            RecvTry::Empty | RecvTry::Lost => Err(TryRecvError::Empty),
        }
    }

    /// Releases `state`, then wakes whoever the changes made under it let proceed, and every
    /// select watching the channel.
    ///
    /// Inlined with a fast path for the common change that owes nobody a wake: a value queued
    /// or taken while nobody waits and no select watches. Under every backend that is only the
    /// unlock (nothing to notify, nothing to fire), as [`Chan::wake_owed`] would do it.
    ///
    /// `state` is the facade guard, or on std the data guard of [`Mutex::try_lock_std`].
    #[inline]
    fn wake(&self, state: impl DerefMut<Target = State<T>>) {
        if state.receivers.owes_nothing()
            && state.senders.owes_nothing()
            && state.watchers.is_empty()
        {
            return drop(state);
        }
        self.wake_owed(state);
    }

    /// [`Chan::wake`] when some waiter is owed a notify or some select watches.
    #[inline(never)]
    fn wake_owed(&self, mut state: impl DerefMut<Target = State<T>>) {
        let receivers = state.receivers.take_owed();
        let senders = state.senders.take_owed();
        let watchers = state.watchers.snapshot();
        // A notify meant for one particular waiter goes out while the lock still keeps other
        // tasks from starting to wait (`waiters.rs`, "Two kinds of change").
        let (recv_now, send_now) = (receivers.under_lock(), senders.under_lock());
        if recv_now {
            receivers.notify(&self.recv_cv);
        }
        if send_now {
            senders.notify(&self.send_cv);
        }
        drop(state);
        if !recv_now {
            receivers.notify(&self.recv_cv);
        }
        if !send_now {
            senders.notify(&self.send_cv);
        }
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
        let (mut state, mut value) = match chan.state.try_lock_std() {
            // std outside any checker, lock free (coverage records nothing on std).
            Some(mut data) => match chan.try_send_plain(&mut data, value, at) {
                Ok(()) => return chan.wake(data),
                Err(v) => (chan.state.adopt_std(data), v),
            },
            None => {
                rt::coverage::op(&chan.state, || chan.object(), rt::coverage::SEND, at);
                let mut state = chan.state.lock();
                match chan.try_send_plain(&mut state, value, at) {
                    Ok(()) => return chan.wake(state),
                    Err(v) => (state, v),
                }
            }
        };
        if chan.cap > 0 {
            // Buffer full: wait for room, then try again.
            loop {
                state = chan.wait(Side::Sender, state, at);
                if let Some(closed) = &state.closed {
                    chan.send_after_close(closed, at, true);
                }
                value = match chan.try_send_plain(&mut state, value, at) {
                    Ok(()) => return chan.wake(state),
                    Err(v) => v,
                };
            }
        }
        // Rendezvous: offer the value and wait until a receiver takes it. No receiver is
        // registered, and no waiting select could be claimed to receive it (the send would have
        // handed it the value), so none waits for the offer: a select that registers later
        // polls the channel after registering, and finds it.
        let ticket = state.offered;
        state.queue.push_back(value);
        state.offered += 1;
        rt::progress::made();
        loop {
            if state.taken > ticket {
                return;
            }
            if let Some(closed) = &state.closed {
                chan.send_after_close(closed, at, true);
            }
            state = chan.wait(Side::Sender, state, at);
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
        rt::coverage::op(
            &self.chan.state,
            || self.chan.object(),
            rt::coverage::TRY_SEND,
            at,
        );
        let mut state = self.chan.state.lock();
        match self.chan.try_send_plain(&mut state, value, at) {
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
        rt::coverage::op(&chan.state, || chan.object(), rt::coverage::CLOSE, at);
        let mut state = chan.state.lock();
        if let Some(first) = &state.closed {
            let v = first.double_close(&chan.label(), at, None);
            drop(state);
            rt::violation(v);
        }
        state.closed = Some(Closed::now(at));
        rt::progress::made();
        if chan.cap == 0 {
            // Offers not taken never complete: their senders see the close.
            state.queue.clear();
        }
        state.receivers.wake_all();
        state.senders.wake_all();
        chan.wake(state);
    }

    /// Whether the channel has been closed.
    pub fn is_closed(&self) -> bool {
        self.chan.state.lock().closed.is_some()
    }

    /// Values buffered and not yet received (Go's `len(ch)`); always 0 at capacity 0, where a
    /// blocked sender's value is not in a buffer.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether no value is buffered ([`len`](Self::len) is 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The buffer's capacity (Go's `cap(ch)`); 0 for a rendezvous channel.
    pub fn cap(&self) -> usize {
        self.chan.cap
    }

    /// How reports name this channel.
    pub fn label(&self) -> String {
        self.chan.label()
    }

    pub(crate) fn object(&self) -> Object {
        self.chan.object()
    }

    /// A waiting select's send `case` registers: it is fired on every change, and on capacity 0
    /// its `value` is offered to receivers (who claim the select to take it). Gives the value
    /// back if it is not offered (capacity N: the select polls for room when it wakes).
    pub(crate) fn watch_send(&self, s: &Arc<Signal>, case: usize, value: T) -> Option<T> {
        let mut state = self.chan.state.lock();
        state.watchers.add(s);
        if self.chan.cap > 0 {
            return Some(value);
        }
        state.select_senders.push(SelectSend {
            signal: Arc::clone(s),
            case,
            value,
        });
        None
    }

    /// Withdraws what [`Sender::watch_send`] registered; the value back if no receiver took it.
    pub(crate) fn unwatch_send(&self, s: &Arc<Signal>) -> Option<T> {
        let mut state = self.chan.state.lock();
        state.watchers.remove(s);
        let i = state
            .select_senders
            .iter()
            .position(|o| Arc::ptr_eq(&o.signal, s))?;
        Some(state.select_senders.swap_remove(i).value)
    }

    /// A select's send case, completed only if it can be now and the select `me` (once it has
    /// registered) was not completed by another case meanwhile. The value is the case's
    /// (`held`), or, on capacity 0 once registered, its offer in the channel: taken out and put
    /// back in the same lock hold, so a receiver never finds neither the offer nor this send.
    pub(crate) fn try_send_select(
        &self,
        held: &mut Option<T>,
        at: &'static Location<'static>,
        me: Option<Party<'_>>,
    ) -> SendTry<()> {
        rt::coverage::op(
            &self.chan.state,
            || self.chan.object(),
            rt::coverage::SELECT_SEND,
            at,
        );
        let mut state = self.chan.state.lock();
        let (value, offered) = match held.take() {
            Some(v) => (v, None),
            None => {
                let (s, _) = me.expect("a case without its value has registered");
                let Some(i) = state
                    .select_senders
                    .iter()
                    .position(|o| Arc::ptr_eq(&o.signal, s))
                else {
                    // A receiver took the offer: it claimed the select for this case.
                    return SendTry::Lost(());
                };
                (state.select_senders.remove(i).value, Some(i))
            }
        };
        let (r, back) = match self.chan.try_send_locked(&mut state, value, at, me) {
            SendTry::Sent => {
                self.chan.wake(state);
                return SendTry::Sent;
            }
            SendTry::Full(v) => (SendTry::Full(()), v),
            SendTry::Lost(v) => (SendTry::Lost(()), v),
        };
        match (offered, me) {
            (Some(i), Some((s, case))) => state.select_senders.insert(
                i,
                SelectSend {
                    signal: Arc::clone(s),
                    case,
                    value: back,
                },
            ),
            _ => *held = Some(back),
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
        let mut state = match chan.state.try_lock_std() {
            // std outside any checker, lock free (coverage records nothing on std).
            Some(mut data) => match chan.try_recv_plain(&mut data) {
                Ok(v) => {
                    chan.wake(data);
                    return Some(v);
                }
                Err(TryRecvError::Closed) => return None,
                Err(TryRecvError::Empty) => chan.state.adopt_std(data),
            },
            None => {
                rt::coverage::op(&chan.state, || chan.object(), rt::coverage::RECV, at);
                let mut state = chan.state.lock();
                match chan.try_recv_plain(&mut state) {
                    Ok(v) => {
                        chan.wake(state);
                        return Some(v);
                    }
                    Err(TryRecvError::Closed) => return None,
                    Err(TryRecvError::Empty) => state,
                }
            }
        };
        // Registered in the hold that found nothing (no value, no select's offer that could
        // be claimed): a sender or select that comes later finds this receiver waiting.
        let ticket = state.next_receiver;
        state.next_receiver += 1;
        state.waiting.push_back(ticket);
        loop {
            if let Some(i) = state.handed.iter().position(|(t, _)| *t == ticket) {
                return Some(state.handed.swap_remove(i).1);
            }
            match chan.try_recv_plain(&mut state) {
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
            state = chan.wait(Side::Receiver, state, at);
        }
    }

    /// Values buffered and not yet received (Go's `len(ch)`); always 0 at capacity 0.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether no value is buffered ([`len`](Self::len) is 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The buffer's capacity (Go's `cap(ch)`); 0 for a rendezvous channel.
    pub fn cap(&self) -> usize {
        self.chan.cap
    }

    /// Receives without blocking.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        rt::coverage::op_here(
            &self.chan.state,
            || self.chan.object(),
            rt::coverage::TRY_RECV,
        );
        let mut state = self.chan.state.lock();
        let r = self.chan.try_recv_plain(&mut state);
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

    pub(crate) fn object(&self) -> Object {
        self.chan.object()
    }

    /// A waiting select's receive `case` registers: it is fired on every change, and on
    /// capacity 0 senders may hand it a value (claiming the select).
    pub(crate) fn watch_recv(&self, s: &Arc<Signal>, case: usize) {
        let mut state = self.chan.state.lock();
        state.watchers.add(s);
        if self.chan.cap == 0 {
            state.select_receivers.push((Arc::clone(s), case));
        }
    }

    /// Withdraws what [`Receiver::watch_recv`] registered; the value a sender handed the select,
    /// if one did.
    pub(crate) fn unwatch_recv(&self, s: &Arc<Signal>) -> Option<T> {
        let mut state = self.chan.state.lock();
        state.watchers.remove(s);
        state.select_receivers.retain(|(w, _)| !Arc::ptr_eq(w, s));
        let i = state
            .select_handed
            .iter()
            .position(|(w, _)| Arc::ptr_eq(w, s))?;
        Some(state.select_handed.swap_remove(i).1)
    }

    /// A select's receive case; `me` as for [`Sender::try_send_select`].
    pub(crate) fn try_recv_select(
        &self,
        at: &'static Location<'static>,
        me: Option<Party<'_>>,
    ) -> RecvTry<T> {
        rt::coverage::op(
            &self.chan.state,
            || self.chan.object(),
            rt::coverage::SELECT_RECV,
            at,
        );
        let mut state = self.chan.state.lock();
        let r = self.chan.try_recv_locked(&mut state, me);
        if matches!(r, RecvTry::Got(_)) {
            self.chan.wake(state);
        }
        r
    }
}

/// Iterator over a [`Receiver`]; ends when the channel is closed and drained.
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
    at: &'static Location<'static>,
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("at", &format_args!("{}", self.at))
            .finish_non_exhaustive()
    }
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
