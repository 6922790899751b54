//! Misuse of `task` is a clear panic or a report that says what to change, never a hang: every
//! future polled again after it completed, a handle joined after it was awaited, a primitive
//! carried into a checker from outside, and Go's channel misuses outside any checker.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use concheck::check::{Check, Checker};
use concheck::future::{self, channel, oneshot, race, CancellationToken};
use concheck::ViolationKind;

/// Wakes the polling thread by unparking it, so a future that completes on another thread (a
/// spawned task's `JoinHandle`) is polled again as soon as it can be ready, however loaded the
/// machine is.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// How long a future may stay pending before the test calls it a hang: far above any scheduling
/// delay of a loaded CI machine, and only ever waited out when the future is really stuck.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

fn message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .expect("a panic with a message")
}

/// Polls `future` until it is ready, then once more, which must panic naming `what`.
fn assert_second_poll_panics<F: Future + Unpin>(mut future: F, what: &str) {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let deadline = std::time::Instant::now() + READY_WITHIN;
    while Pin::new(&mut future).poll(&mut cx).is_pending() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(
            !left.is_zero(),
            "{what} never became ready in {READY_WITHIN:?}"
        );
        std::thread::park_timeout(left);
    }
    let Err(panic) = catch_unwind(AssertUnwindSafe(|| {
        let _ = Pin::new(&mut future).poll(&mut cx);
    })) else {
        panic!("a second poll of {what} after Ready must panic");
    };
    let text = message(panic);
    assert!(
        text.starts_with(&format!("{what} polled after it completed")),
        "{text}"
    );
    assert!(text.contains("await it once"), "{text}");
}

#[test]
fn every_future_polled_after_it_completed_panics_with_its_name() {
    let (tx, rx) = oneshot::channel::<u32>();
    tx.send(1).unwrap();
    assert_second_poll_panics(rx.recv(), "oneshot Recv");

    let (tx, rx) = channel::channel::<u32>(1);
    assert_second_poll_panics(tx.send(1), "async channel SendFuture");
    assert_second_poll_panics(rx.recv(), "async channel RecvFuture");

    let token = CancellationToken::new();
    token.cancel();
    assert_second_poll_panics(token.cancelled(), "CancellationToken::cancelled");

    assert_second_poll_panics(race(std::future::ready(1), std::future::ready(2)), "race");

    assert_second_poll_panics(future::spawn(async { 3 }), "JoinHandle");
}

#[test]
fn joining_a_handle_after_awaiting_it_panics() {
    let mut handle = future::Builder::new().name("once").spawn(async { 3 });
    assert_eq!(future::block_on(&mut handle).unwrap(), 3);
    let text = message(catch_unwind(AssertUnwindSafe(|| handle.join())).unwrap_err());
    assert!(
        text.contains("async task 'once' was joined after its JoinHandle was awaited"),
        "{text}"
    );
}

#[test]
fn a_oneshot_made_outside_the_check_is_a_mixed_backend_misuse() {
    let (tx, rx) = oneshot::channel::<u32>();
    let slot = std::sync::Mutex::new(Some((tx, rx)));
    let check = Check::new(move || {
        if let Some((tx, rx)) = slot.lock().unwrap().take() {
            tx.send(1).unwrap();
            let _ = future::block_on(rx.recv());
        }
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::Misuse);
    assert!(
        report.to_string().contains("create it inside the closure"),
        "{report}"
    );
}

#[test]
fn channel_misuse_outside_a_checker_panics_as_go_does() {
    let (tx, _rx) = channel::named::<u32>("results", 1);
    tx.close();
    let text =
        message(catch_unwind(AssertUnwindSafe(|| future::block_on(tx.send(1)))).unwrap_err());
    assert!(
        text.starts_with("send after close: async channel 'results'"),
        "{text}"
    );
    let text = message(catch_unwind(AssertUnwindSafe(|| tx.close())).unwrap_err());
    assert!(
        text.starts_with("double close: async channel 'results'"),
        "{text}"
    );
}

/// A future that is `Pending` once, for `block_on(&mut handle)`-style reuse checks.
struct Yield(bool);

impl Future for Yield {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[test]
fn block_on_works_outside_any_runner() {
    // Production use: no checker, real threads; nothing to report, nothing to set up.
    future::block_on(Yield(false));
    let (tx, rx) = oneshot::channel::<u32>();
    let sender = future::spawn(async move { tx.send(5).unwrap() });
    assert_eq!(future::block_on(rx.recv()), Ok(5));
    future::block_on(sender).unwrap();
}
