//! The two ends of an mpsc channel: [`Sender`], [`SyncSender`] and [`Receiver`], with the
//! receiver's iterators.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use super::shared::Shared;
use super::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

/// The sending end of a [`channel`](super::channel); clone it for more producers.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The sending end of a [`sync_channel`](super::sync_channel); clone it for more producers.
pub struct SyncSender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving end of a channel.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
        Sender { shared }
    }

    /// Sends `value` without blocking; `Err` gives it back if the receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.shared.send(value, Location::caller())
    }
}

impl<T> SyncSender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
        SyncSender { shared }
    }

    /// Sends `value`, blocking while the buffer is full (for a rendezvous, until the receiver
    /// takes it); `Err` gives it back if the receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.shared.send(value, Location::caller())
    }

    /// Sends `value` if there is room now (for a rendezvous, if the receiver waits in `recv`).
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.shared.try_send(value)
    }
}

impl<T> Receiver<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
        Receiver { shared }
    }

    /// Blocks until a value arrives; `Err` once every sender is dropped and nothing is left.
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        self.shared.recv(Location::caller())
    }

    /// A value if one is buffered now: `Empty` if not, `Disconnected` if none ever will be.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.shared.try_recv()
    }

    /// [`Receiver::recv`] for at most `timeout` on the [`crate::time`] clock.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.shared.recv_timeout(timeout)
    }

    /// Receives until every sender is dropped.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// Receives what is buffered now, without blocking.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.add_sender();
        Sender::new(Arc::clone(&self.shared))
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        self.shared.add_sender();
        SyncSender::new(Arc::clone(&self.shared))
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.drop_sender();
    }
}

impl<T> Drop for SyncSender<T> {
    fn drop(&mut self) {
        self.shared.drop_sender();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.drop_receiver();
    }
}

/// [`Receiver::iter`]: blocking receives until every sender is dropped.
#[derive(Debug)]
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
}

/// [`Receiver::try_iter`]: the values buffered now.
#[derive(Debug)]
pub struct TryIter<'a, T> {
    rx: &'a Receiver<T>,
}

/// The owning iterator of a [`Receiver`].
#[derive(Debug)]
pub struct IntoIter<T> {
    rx: Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    #[track_caller]
    fn next(&mut self) -> Option<T> {
        self.rx.recv().ok()
    }
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    #[track_caller]
    fn next(&mut self) -> Option<T> {
        self.rx.recv().ok()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { rx: self }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for SyncSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
