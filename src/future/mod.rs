//! Async on the facade: an executor, a oneshot, a bounded channel, `race` and a cancellation
//! token, all built from [`crate::sync`] and [`crate::thread`], so the same async body runs on
//! std and under loom and shuttle, and the checkers explore its polls, wakes and parks. loom
//! and shuttle name their executor module `future` too, so `future::block_on` reads the same
//! under all three.
//!
//! ```
//! use concheck::check::{Check, Checker};
//! use concheck::future::{self, oneshot};
//!
//! let check = Check::new(|| {
//!     let (reply_tx, reply_rx) = oneshot::named::<u32>("reply");
//!     let server = future::Builder::new()
//!         .name("server")
//!         .spawn(async move { reply_tx.send(42).unwrap() });
//!     future::block_on(async move {
//!         assert_eq!(reply_rx.recv().await, Ok(42));
//!         server.await.unwrap();
//!     });
//! });
//! for checker in Checker::defaults() {
//!     check.run(&checker).assert_no_violation();
//! }
//! ```
//!
//! # The executor: a facade task per async task
//!
//! [`block_on`] polls a future on the calling task and, between polls, parks that task on a
//! facade `Condvar` until the future's Waker is called. The Waker sets a flag that stays set
//! until the park consumes it, so a wake that comes before the park is not lost. [`spawn`]
//! starts a facade task (a thread on std, a model thread under loom and shuttle) that runs
//! `block_on` on the future, and returns a [`JoinHandle`] that is a future and has a blocking
//! [`join`](JoinHandle::join).
//!
//! Why a task per async task, not one run queue: the polls of different async tasks then
//! interleave at every facade operation, as on a multi-threaded runtime (tokio's default), and
//! the checkers explore those interleavings; a single-threaded queue would run each poll to its
//! end and hide every interleaving but the wakes that come from other threads. And an async task
//! is then a registered facade task for free: a report names it, its spawn site and what it
//! awaits, and the leak detector waits for it at its scope's end. The cost: under loom every
//! async task is a model thread, and loom models at most 4 spawned tasks per execution.
//!
//! # What a report says about an async task
//!
//! When a primitive's future returns `Pending` it notes what it awaits (`async recv` on `async
//! channel 'jobs'`, `async oneshot recv` on `oneshot 'reply'`, at the line that made the future),
//! and the task parks reported blocked on it, exactly as a blocking call is recorded. A future of
//! your own can do the same with [`awaiting`]. A task parked after its last `Pending` whose Waker
//! is never called is then reported like a `Condvar::wait` that is never notified: a *lost
//! wakeup* when every task is blocked, a *task leak* when the body is waiting for it at its
//! scope's end. An awaited [`JoinHandle`] reports the awaited task's spawn site (an `.await` has
//! no caller location).
//!
//! # Misuse
//!
//! Polling any of these futures again after it returned `Ready` panics, saying which future. A
//! primitive made outside a checked body and used inside it is a reported misuse, as for every
//! facade primitive. Outside any runner everything works on real threads: it is production code.

mod awaiting;
mod block_on;
mod cancel;
pub mod channel;
pub mod oneshot;
mod park;
mod race;
mod spawn;
mod waiters;

pub use awaiting::awaiting;
pub use block_on::block_on;
pub use cancel::{CancellationToken, Cancelled};
pub use race::{race, Either, Race};
pub use spawn::{spawn, Builder, JoinError, JoinHandle};

/// The panic of a future polled again after it returned `Ready`.
#[cold]
#[track_caller]
fn polled_after_ready(what: &str) -> ! {
    panic!(
        "{what} polled after it completed: a future must not be polled again once it returned \
         Ready (await it once, or fuse it)"
    )
}
