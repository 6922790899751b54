//! `race`: the first of two futures to complete wins; the other is dropped (cancelled).
//!
//! The async form of Go's two-case `select`, and of tokio's `select!` with two branches. Paired
//! with [`CancellationToken::cancelled`](super::CancellationToken::cancelled) it is the
//! cancellable wait: `race(work, token.cancelled())`.
//!
//! ```
//! use concheck::future::{self, oneshot, race, CancellationToken, Either};
//!
//! let (_reply_tx, reply_rx) = oneshot::channel::<u32>();
//! let token = CancellationToken::new();
//! token.cancel();
//! let got = future::block_on(race(reply_rx.recv(), token.cancelled()));
//! assert!(matches!(got, Either::Right(())));
//! ```

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::awaiting;

/// Which of two futures completed first, with its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Either<A, B> {
    /// The first future won.
    Left(A),
    /// The second future won.
    Right(B),
}

/// A future that completes with the output of whichever of `a` and `b` completes first, and
/// drops the other.
///
/// The race is biased: each poll polls `a` first, so when both are ready `a` wins (as a Go
/// `select` may pick either, a pattern must be correct either way; the checkers reach the other
/// order through the interleavings where only `b` is ready). The loser is dropped inside the
/// winning poll: its cancellation (a withdrawn send, a deregistered Waker) happens before the
/// race returns.
#[track_caller]
pub fn race<A: Future, B: Future>(a: A, b: B) -> Race<A, B> {
    Race {
        futures: Some((Box::pin(a), Box::pin(b))),
        at: Location::caller(),
    }
}

/// The two futures, pinned on the heap so the race itself is `Unpin` (no unsafe projection).
type Racers<A, B> = (Pin<Box<A>>, Pin<Box<B>>);

/// The future of [`race`].
#[must_use = "futures do nothing unless awaited"]
pub struct Race<A, B> {
    /// `None` once it completed.
    futures: Option<Racers<A, B>>,
    at: &'static Location<'static>,
}

impl<A, B> std::fmt::Debug for Race<A, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Race")
            .field("done", &self.futures.is_none())
            .field("at", &format_args!("{}", self.at))
            .finish_non_exhaustive()
    }
}

impl<A: Future, B: Future> Future for Race<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some((a, b)) = &mut this.futures else {
            super::polled_after_ready("race");
        };
        let mark = awaiting::mark();
        let won = match a.as_mut().poll(cx) {
            Poll::Ready(v) => Either::Left(v),
            Poll::Pending => match b.as_mut().poll(cx) {
                Poll::Ready(v) => Either::Right(v),
                Poll::Pending => {
                    awaiting::combine(mark, crate::rt::op::ASYNC_RACE, this.at);
                    return Poll::Pending;
                }
            },
        };
        // Cancel the loser now, and forget what it awaited.
        this.futures = None;
        awaiting::truncate(mark);
        Poll::Ready(won)
    }
}
