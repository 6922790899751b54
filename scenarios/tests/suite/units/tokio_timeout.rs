//! Unit tests of `concheck_scenarios::tokio_timeout`: the tokio request timeout on a paused clock:
//! the deadline to the millisecond, an answer before it, and the tokio gate naming the leaked calls
//! of the twins.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/tokio_timeout.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::tokio_gate::scope;
use concheck::TaskState;
use concheck::ViolationKind;
use concheck_scenarios::tokio_timeout::*;
use std::time::Duration;
use tokio_test::{assert_pending, assert_ready_eq, task};

#[tokio::test(start_paused = true)]
async fn request_times_out_exactly_at_the_deadline() {
    let mut req = task::spawn(request(7, HUNG, DEADLINE));
    assert_pending!(req.poll());
    tokio::time::advance(DEADLINE - Duration::from_millis(1)).await;
    assert_pending!(req.poll());
    tokio::time::advance(Duration::from_millis(1)).await;
    // The deadline fired: the call is aborted, and the request waits for it to end.
    assert_pending!(req.poll());
    tokio::task::yield_now().await;
    assert_ready_eq!(req.poll(), Err(RequestError::TimedOut));
}

#[tokio::test(start_paused = true)]
async fn request_answers_before_the_deadline() {
    let mut req = task::spawn(request(3, FAST, DEADLINE));
    assert_pending!(req.poll());
    tokio::task::yield_now().await; // the call starts
    tokio::time::advance(FAST).await;
    tokio::task::yield_now().await; // the call answers
    assert!(req.is_woken(), "the reply wakes the request");
    assert_ready_eq!(req.poll(), Ok(30));
}

#[tokio::test(start_paused = true)]
async fn shared_mailbox_leaks_the_second_late_call_blocked_on_send() {
    let v = scope(shared_mailbox()).await.unwrap_err();
    assert_eq!(v.kind, ViolationKind::Leak);
    assert_eq!(v.tasks.len(), 1, "{v}");
    assert_eq!(v.tasks[0].name, "backend call 3");
    assert!(
        matches!(&v.tasks[0].state, TaskState::Blocked { object, .. } if object == "send on 'mailbox'"),
        "{v}"
    );
}

#[tokio::test(start_paused = true)]
async fn no_abort_leaks_the_hung_call_in_the_backend() {
    let v = scope(no_abort()).await.unwrap_err();
    assert_eq!(v.tasks[0].name, "backend call 2");
    assert!(
        v.to_string().contains("blocked in .await on the backend"),
        "{v}"
    );
}
