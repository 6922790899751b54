//! `sync::mpsc`: std's multi-producer, single-consumer channels, built on the facade's `Mutex`
//! and `Condvar` so that every send, receive and disconnect is a step the checkers explore.
//!
//! The API and semantics are std's ([`std::sync::mpsc`]): [`channel`] is unbounded (`send`
//! never blocks), [`sync_channel`]`(n)` holds at most `n` values (`send` blocks while it is full;
//! with `n == 0` every `send` waits until the receiver has taken its value). `recv` returns
//! `Err(RecvError)` once every sender is dropped and the buffer is empty; `send` returns the
//! value in `Err(SendError(value))` once the receiver is dropped. The error types are std's own,
//! so code that matches on them compiles unchanged.
//!
//! Under a checker a task blocked forever in `recv` (nobody will send, a sender is never
//! dropped) or in a `SyncSender::send` is reported by the operation and the channel's creation
//! site: a `deadlock` when every task is blocked, a `task leak` when the body returned without
//! it. `recv_timeout` waits on the [`crate::time`] clock (virtual under the checkers).

mod ends;
mod shared;

use std::panic::Location;

pub use ends::{IntoIter, Iter, Receiver, Sender, SyncSender, TryIter};
pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

/// An unbounded channel: `send` never blocks; see [`std::sync::mpsc::channel`].
///
/// # Examples
///
/// ```
/// use concheck::sync::mpsc;
/// use concheck::thread;
///
/// let (tx, rx) = mpsc::channel();
/// let t = thread::spawn(move || tx.send(7).unwrap());
/// assert_eq!(rx.recv(), Ok(7));
/// t.join().unwrap();
/// assert!(rx.recv().is_err()); // the only sender is gone
/// ```
#[track_caller]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = shared::Shared::new(None, Location::caller());
    (Sender::new(shared.clone()), Receiver::new(shared))
}

/// A channel holding at most `bound` values (`0`: a rendezvous); see
/// [`std::sync::mpsc::sync_channel`].
#[track_caller]
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let shared = shared::Shared::new(Some(bound), Location::caller());
    (SyncSender::new(shared.clone()), Receiver::new(shared))
}
