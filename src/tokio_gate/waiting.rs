//! Labels for what a tracked task awaits, so a leaked task is reported as blocked on something
//! a reader recognises ("send on 'results'") instead of an anonymous future.

use std::borrow::Cow;
use std::future::{poll_fn, Future, IntoFuture};
use std::panic::Location;
use std::pin::pin;
use std::sync::Arc;

use super::task;

/// Awaits `future`, and while it is pending, marks the tracked task that awaits it as blocked on
/// `what` at the caller's line. A task that leaks while inside it is reported as
/// `blocked in .await on <what> at <file:line>`; one that leaks elsewhere as `running`.
///
/// Outside a tracked task (production, no [`scope`](super::scope)) it costs one thread-local
/// read per pending poll and changes nothing.
///
/// # Examples
///
/// ```
/// use concheck::tokio_gate::{scope, spawn, waiting_on};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let (tx, rx) = tokio::sync::mpsc::channel::<u32>(1);
/// let leaked = scope(async move {
///     spawn("producer", async move {
///         for v in 0..3 {
///             // The second send waits for room that never comes: nobody receives.
///             let _ = waiting_on("send on 'results'", tx.send(v)).await;
///         }
///     });
/// })
/// .await
/// .unwrap_err();
/// assert!(leaked.to_string().contains("blocked in .await on send on 'results'"));
/// drop(rx);
/// # });
/// ```
#[track_caller]
pub fn waiting_on<F: IntoFuture>(
    what: impl Into<Cow<'static, str>>,
    future: F,
) -> impl Future<Output = F::Output> {
    let at = Location::caller();
    // Shared, not cloned: a label is noted on every pending poll.
    let what: Arc<str> = Arc::from(what.into());
    let future = future.into_future();
    async move {
        let mut future = pin!(future);
        poll_fn(|cx| {
            let polled = future.as_mut().poll(cx);
            if polled.is_pending() {
                if let Some((tracker, id)) = task::current() {
                    tracker.note_wait(id, &what, at);
                }
            }
            polled
        })
        .await
    }
}
