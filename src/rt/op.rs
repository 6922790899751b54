//! Typed operations: what a facade call is, as a kind the checkers decide on, plus the text a
//! report prints for it.
//!
//! Every blocking mark, trace step, coverage event and reported task state carries an [`Op`].
//! Verdicts (which violation a hang is, what caused it) are decided on [`OpKind`] alone; the
//! display text (`Mutex::lock`, `Receiver::recv`) is for people and may change freely without
//! changing a verdict.

use serde::{Deserialize, Serialize};

/// What kind of operation a task ran or blocks in. Checkers classify and explain violations
/// by kind, never by the operation's display text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OpKind {
    /// `Mutex::lock` or `Mutex::try_lock`.
    Lock,
    /// `RwLock::read`.
    ReadLock,
    /// `RwLock::write`.
    WriteLock,
    /// `Condvar::wait`: it returns only when notified.
    CondvarWait,
    /// `Condvar::wait_timeout`: a timer ends it if no notify does.
    CondvarWaitTimeout,
    /// `Condvar::notify_one`.
    NotifyOne,
    /// `Condvar::notify_all`.
    NotifyAll,
    /// An atomic load.
    AtomicLoad,
    /// An atomic store, read-modify-write or compare-exchange.
    AtomicWrite,
    /// A channel send (`send`, `try_send`, a select's send case). Not named `Send`: a public
    /// item of that name makes rustc print `std::marker::Send` in users' errors.
    ChannelSend,
    /// A channel receive (`recv`, `try_recv`).
    ChannelRecv,
    /// A `select` over several cases.
    Select,
    /// A channel close.
    Close,
    /// `WaitGroup::add` with a positive delta.
    WaitGroupAdd,
    /// `WaitGroup::done`, or `add` with a negative delta.
    WaitGroupDone,
    /// `WaitGroup::wait`.
    WaitGroupWait,
    /// Waiting for a context to be done.
    ContextDone,
    /// Reading a context's error.
    ContextErr,
    /// Cancelling a context.
    Cancel,
    /// Joining a task.
    Join,
    /// `thread::park`: waiting for an `unpark`.
    Park,
    /// `Barrier::wait`: waiting for the other parties.
    BarrierWait,
    /// Sleeping on the clock.
    Sleep,
    /// A timer firing onto its channel.
    TimerFire,
    /// A scope end waiting for the tasks spawned in the scope.
    ScopeEnd,
    /// An async task parked on a future's send.
    AsyncSend,
    /// An async task parked on a future's receive.
    AsyncRecv,
    /// An async task parked on another async task's end.
    AsyncJoin,
    /// An async task parked until a cancellation token is cancelled.
    AsyncCancelled,
    /// An async task parked on any of several futures (a race).
    AsyncRace,
    /// An async task parked on a future of its own (`future::awaiting`, tokio's `.await`).
    Await,
    /// Spawning a task.
    Spawn,
    /// A task returning.
    Return,
    /// A task panicking, or being stopped at a violation.
    Panic,
    /// Anything else (also what a report written before kinds existed reads as).
    #[default]
    Other,
}

impl OpKind {
    /// Every kind, for properties over all of them.
    pub const ALL: [OpKind; 35] = [
        OpKind::Lock,
        OpKind::ReadLock,
        OpKind::WriteLock,
        OpKind::CondvarWait,
        OpKind::CondvarWaitTimeout,
        OpKind::NotifyOne,
        OpKind::NotifyAll,
        OpKind::AtomicLoad,
        OpKind::AtomicWrite,
        OpKind::ChannelSend,
        OpKind::ChannelRecv,
        OpKind::Select,
        OpKind::Close,
        OpKind::WaitGroupAdd,
        OpKind::WaitGroupDone,
        OpKind::WaitGroupWait,
        OpKind::ContextDone,
        OpKind::ContextErr,
        OpKind::Cancel,
        OpKind::Join,
        OpKind::Park,
        OpKind::BarrierWait,
        OpKind::Sleep,
        OpKind::TimerFire,
        OpKind::ScopeEnd,
        OpKind::AsyncSend,
        OpKind::AsyncRecv,
        OpKind::AsyncJoin,
        OpKind::AsyncCancelled,
        OpKind::AsyncRace,
        OpKind::Await,
        OpKind::Spawn,
        OpKind::Return,
        OpKind::Panic,
        OpKind::Other,
    ];

    /// Whether it changes its object, for coverage: two operations conflict only if one writes.
    pub fn writes(self) -> bool {
        !matches!(
            self,
            OpKind::AtomicLoad
                | OpKind::ReadLock
                | OpKind::WaitGroupWait
                | OpKind::ContextDone
                | OpKind::ContextErr
        )
    }

    /// Whether it acquires a lock (a mutex, or either side of a `RwLock`).
    pub fn acquires_lock(self) -> bool {
        matches!(self, OpKind::Lock | OpKind::ReadLock | OpKind::WriteLock)
    }

    /// Whether it is a condvar notify.
    pub fn notifies(self) -> bool {
        matches!(self, OpKind::NotifyOne | OpKind::NotifyAll)
    }

    /// Whether it sends a value (on a channel of either kind).
    pub fn sends(self) -> bool {
        matches!(self, OpKind::ChannelSend | OpKind::AsyncSend)
    }

    /// Whether an async task parked in it waits for its Waker to be called.
    pub fn is_async(self) -> bool {
        matches!(
            self,
            OpKind::AsyncSend
                | OpKind::AsyncRecv
                | OpKind::AsyncJoin
                | OpKind::AsyncCancelled
                | OpKind::AsyncRace
                | OpKind::Await
        )
    }
}

/// One operation: its kind, and the text reports print for it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Op {
    /// What checkers decide on.
    pub(crate) kind: OpKind,
    /// What reports print: `Mutex::lock`, `Receiver::recv`.
    pub(crate) name: &'static str,
}

impl Op {
    /// An operation of `kind`, printed as `name`.
    pub(crate) const fn new(kind: OpKind, name: &'static str) -> Op {
        Op { kind, name }
    }

    /// Whether it changes its object (see [`OpKind::writes`]).
    pub(crate) fn writes(&self) -> bool {
        self.kind.writes()
    }
}

macro_rules! ops {
    ($($(#[$doc:meta])* $id:ident = $kind:ident, $name:literal;)*) => {$(
        $(#[$doc])*
        pub(crate) const $id: &Op = &Op::new(OpKind::$kind, $name);
    )*};
}

ops! {
    LOCK = Lock, "Mutex::lock";
    TRY_LOCK = Lock, "Mutex::try_lock";
    READ = ReadLock, "RwLock::read";
    /// `go::Mutex::lock` (a lock without a guard, built on a condvar).
    GO_LOCK = Lock, "Mutex::lock";
    /// `go::RwMutex::rlock`.
    GO_RLOCK = ReadLock, "RwMutex::rlock";
    /// `go::RwMutex::lock`.
    GO_WLOCK = WriteLock, "RwMutex::lock";
    /// `go::Once::call` waiting for the call in progress on another task.
    ONCE_CALL = Other, "Once::call";
    WRITE = WriteLock, "RwLock::write";
    WAIT = CondvarWait, "Condvar::wait";
    WAIT_TIMEOUT = CondvarWaitTimeout, "Condvar::wait_timeout";
    NOTIFY_ONE = NotifyOne, "Condvar::notify_one";
    NOTIFY_ALL = NotifyAll, "Condvar::notify_all";
    LOAD = AtomicLoad, "atomic load";
    STORE = AtomicWrite, "atomic store or read-modify-write";
    CAS = AtomicWrite, "atomic compare_exchange";
    SEND = ChannelSend, "Sender::send";
    TRY_SEND = ChannelSend, "Sender::try_send";
    SELECT_SEND = ChannelSend, "select send";
    CLOSE = Close, "Sender::close";
    RECV = ChannelRecv, "Receiver::recv";
    TRY_RECV = ChannelRecv, "Receiver::try_recv";
    SELECT_RECV = ChannelRecv, "select recv";
    SELECT = Select, "select";
    WG_ADD = WaitGroupAdd, "WaitGroup::add";
    WG_DONE = WaitGroupDone, "WaitGroup::done";
    WG_WAIT = WaitGroupWait, "WaitGroup::wait";
    CTX_DONE = ContextDone, "Context::done";
    CTX_ERR = ContextErr, "Context::err";
    CANCEL = Cancel, "CancelFunc::cancel";
    JOIN = Join, "JoinHandle::join";
    PARK = Park, "thread::park";
    BARRIER_WAIT = BarrierWait, "Barrier::wait";
    /// `sync::mpsc::Receiver::recv` (and `iter`) waiting for a value or the last sender's drop.
    MPSC_RECV = ChannelRecv, "mpsc::Receiver::recv";
    /// `sync::mpsc::SyncSender::send` waiting for room, or for the receiver to take its value.
    MPSC_SEND = ChannelSend, "mpsc::SyncSender::send";
    /// `sync::OnceLock` initialisation waiting for the initialiser running on another task.
    ONCE_LOCK_INIT = Other, "OnceLock::get_or_init";
    SLEEP = Sleep, "sleep";
    /// A scope end waiting for its tasks (see `leak::scope`).
    SCOPE_END = ScopeEnd, "leak::scope end";
    ASYNC_SEND = AsyncSend, "async send";
    ASYNC_RECV = AsyncRecv, "async recv";
    ASYNC_ONESHOT_RECV = AsyncRecv, "async oneshot recv";
    ASYNC_JOIN = AsyncJoin, "async join";
    ASYNC_CANCELLED = AsyncCancelled, "async wait for cancel";
    ASYNC_RACE = AsyncRace, "async race";
    /// A future of the user's own (`future::awaiting`), or one that noted nothing.
    ASYNC_AWAIT = Await, "async await";
    /// A tokio task in `tokio::waiting_on`.
    TOKIO_AWAIT = Await, ".await";
    RETURN = Return, "returned";
    PANIC = Panic, "panicked";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_kind_once() {
        let mut seen = std::collections::HashSet::new();
        for kind in OpKind::ALL {
            assert!(seen.insert(kind), "{kind:?} listed twice in OpKind::ALL");
        }
        assert_eq!(seen.len(), OpKind::ALL.len());
    }
}
