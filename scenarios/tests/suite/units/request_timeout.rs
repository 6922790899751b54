//! Unit tests of `concheck_scenarios::request_timeout`: the request with a timeout: input errors,
//! replies and timeouts on real threads, cancellation through a context, and both outcomes reached
//! under each model checker.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/request_timeout.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use std::collections::BTreeSet;
use std::sync::Mutex as StdMutex;

use concheck::check::{Check, Checker};

use concheck::go::{self, Context, ContextError};
use concheck::time::{self, Policy};
use concheck_scenarios::request_timeout::*;
use std::time::Duration;

#[test]
fn request_timeout_rejects_a_zero_timeout() {
    let err = call(Duration::ZERO, || 1).unwrap_err();
    assert_eq!(err, RequestError::ZeroTimeout);
    assert!(err.to_string().contains("pass a positive timeout"));
    let parent = Context::background();
    assert_eq!(
        call_with_context(&parent, Duration::ZERO, |_| Ok(1)),
        Err(RequestError::ZeroTimeout)
    );
    assert_eq!(
        Client::new(Duration::ZERO).unwrap_err(),
        RequestError::ZeroTimeout
    );
}

#[test]
fn request_timeout_answers_or_times_out_on_real_threads() {
    let mut client = Client::new(Duration::from_secs(10)).unwrap();
    for i in 0..100u32 {
        assert_eq!(call(Duration::from_secs(10), move || i), Ok(i));
        assert_eq!(client.call(move || i + 1), Ok(i + 1));
    }
    // A backend held back until after the timeout always loses, then still ends: the
    // gate's rendezvous shows it alive after the caller left, and its reply has room.
    let (gate_tx, gate_rx) = go::channel::<()>(0);
    let (done_tx, done_rx) = go::channel::<()>(1);
    let late = call(Duration::from_millis(1), move || {
        gate_rx.recv();
        done_tx.send(());
        7
    });
    assert_eq!(late, Err(RequestError::TimedOut));
    gate_tx.send(());
    assert_eq!(
        done_rx.recv(),
        Some(()),
        "the late backend finished its work"
    );
}

#[test]
fn request_timeout_context_stops_the_backend_and_reports_cancellation() {
    let waits_for_ctx = |ctx: &Context| -> Result<u32, ContextError> {
        ctx.done();
        Err(ctx.err().expect("done"))
    };
    let parent = Context::background();
    let late = call_with_context(&parent, Duration::from_millis(1), waits_for_ctx);
    assert_eq!(late, Err(RequestError::TimedOut));
    let (cancelled, cancel) = parent.with_cancel();
    cancel.cancel();
    let gone = call_with_context(&cancelled, Duration::from_secs(10), waits_for_ctx);
    assert_eq!(gone, Err(RequestError::Canceled));
    assert!(gone.unwrap_err().to_string().contains("canceled"));
}

/// The timeout of the ties, as small as the catalog's (2 ms): on the virtual clock its size costs
/// nothing.
const TIMEOUT: Duration = Duration::from_millis(2);

/// The replies (`None`: timed out) a test's request reached; one per test, since the
/// checkers run bodies on threads of their own and tests run in parallel.
type Seen = StdMutex<BTreeSet<Option<u32>>>;

/// Under each model checker, `request` reaches both a reply and a timeout, and nothing else.
fn assert_both_outcomes(
    what: &str,
    seen: &'static Seen,
    request: fn() -> Result<u32, RequestError>,
) {
    let check = Check::new(move || {
        let reply = match request() {
            Ok(v) => Some(v),
            Err(e) => {
                assert_eq!(e, RequestError::TimedOut);
                None
            }
        };
        seen.lock().unwrap().insert(reply);
    });
    for checker in Checker::models() {
        seen.lock().unwrap().clear();
        check.run(&checker).assert_no_violation();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen.len(),
            2,
            "{}: {what} reaches a reply and a timeout, got {seen:?}",
            checker.short_name()
        );
    }
}

#[test]
fn request_timeout_tie_at_the_deadline_reaches_both_outcomes() {
    // A backend due exactly at the timeout races it (and the client must leave its timer
    // clean after either outcome).
    static SEEN: Seen = StdMutex::new(BTreeSet::new());
    assert_both_outcomes("a tie", &SEEN, || {
        Client::new(TIMEOUT).unwrap().call(|| {
            time::sleep(TIMEOUT);
            7
        })
    });
}

#[test]
fn request_timeout_anytime_lets_the_timer_beat_a_fast_backend() {
    static SEEN: Seen = StdMutex::new(BTreeSet::new());
    assert_both_outcomes("a fast backend under Anytime", &SEEN, || {
        time::set_policy(Policy::Anytime);
        call_with_context(&Context::background(), TIMEOUT, |_| Ok(42))
    });
}
