//! `block_on`: runs a future to completion on the calling task, parking it between polls.

use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::awaiting;
use super::park::Parker;

/// Runs `future` to completion on the calling task and returns its output.
///
/// Between polls the task parks on a facade `Condvar` until the future's Waker is called; a
/// Waker called before the park (or during the poll) is not lost, the park then returns at once.
/// While parked the task is reported blocked on what the future awaits (see
/// [`awaiting`](crate::future::awaiting)). Works on every backend: in production it parks a real
/// thread; under loom and shuttle every poll, wake and park is explored.
///
/// # Examples
///
/// ```
/// use concheck::future::{self, oneshot};
///
/// let (tx, rx) = oneshot::channel();
/// let sender = future::spawn(async move { tx.send(7).unwrap() });
/// assert_eq!(future::block_on(rx.recv()), Ok(7));
/// future::block_on(sender).unwrap();
/// ```
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    block_on_at(future, Location::caller())
}

/// [`block_on`], reporting a future that noted nothing as polled at `at`.
pub(crate) fn block_on_at<F: Future>(future: F, at: &'static Location<'static>) -> F::Output {
    let parker = Parker::new();
    let waker = Waker::from(std::sync::Arc::clone(&parker));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        awaiting::clear();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            awaiting::clear();
            return output;
        }
        parker.park(&awaiting::parked_on(at));
    }
}
