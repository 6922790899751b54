//! Unit tests of `concheck_scenarios::first_response`: first response wins: input errors, the
//! deadline on real threads (stuck replicas stop with it), and both outcomes of a tie at the
//! deadline under shuttle.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/first_response.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use std::collections::BTreeSet;
use std::sync::Mutex as StdMutex;

use concheck::check::{Check, Checker};

use concheck::go::{self, Context, ContextError};
use concheck_scenarios::first_response::*;
use concheck_scenarios::test_support::{
    first_response_replica as replica_taking, FIRST_RESPONSE_TIMEOUT as TIMEOUT,
};
use std::time::Duration;

/// Replicas of different kinds in one list.
type Replica = Box<dyn FnOnce(&Context, u32) -> Result<u32, ContextError> + Send>;

#[test]
fn first_response_rejects_no_replicas() {
    let none: Vec<fn(u32) -> u32> = Vec::new();
    let err = first(1, none.clone()).unwrap_err();
    assert_eq!(err, FirstError::NoReplicas);
    assert!(err.to_string().contains("pass one or more replicas"));
    assert_eq!(first_try_send(1, none), Err(FirstError::NoReplicas));
    let none: Vec<Replica> = Vec::new();
    let timeout = Duration::from_secs(1);
    assert_eq!(first_within(1, none, timeout), Err(FirstError::NoReplicas));
}

#[test]
fn first_response_rejects_a_zero_timeout() {
    let err = first_within(1, vec![replica_taking(TIMEOUT)], Duration::ZERO).unwrap_err();
    assert_eq!(err, FirstError::ZeroTimeout);
    assert!(err.to_string().contains("pass a positive timeout"));
}

#[test]
fn first_response_within_a_deadline_on_real_threads() {
    // Replicas stuck until their context is done; each says when it stopped.
    let (stopped_tx, stopped_rx) = go::channel::<()>(8);
    let stuck = move || {
        let stopped_tx = stopped_tx.clone();
        move |ctx: &Context, _: u32| -> Result<u32, ContextError> {
            ctx.done();
            stopped_tx.send(());
            Err(ctx.err().expect("done"))
        }
    };
    for _ in 0..20 {
        // A fast replica beside two stuck ones wins, and returning cancels the stuck ones.
        let replicas: Vec<Replica> = vec![
            Box::new(stuck()),
            Box::new(|_, q| Ok(q + 1)),
            Box::new(stuck()),
        ];
        assert_eq!(first_within(1, replicas, Duration::from_secs(10)), Ok(2));
        // All stuck: the deadline, and the replicas stop with it.
        let replicas = vec![stuck(), stuck()];
        let late = first_within(1, replicas, Duration::from_millis(1));
        assert_eq!(late, Err(FirstError::DeadlineExceeded));
        assert!(late
            .unwrap_err()
            .to_string()
            .contains("no replica answered"));
        for _ in 0..4 {
            assert_eq!(stopped_rx.recv(), Some(()), "every stuck replica stopped");
        }
    }
}

#[test]
fn first_response_deadline_tie_reaches_both_outcomes() {
    // The reference's replica due exactly at the deadline races it: the answer and the
    // deadline must both be reached, or its either-or assertion would be vacuous. shuttle
    // only: loom's 12,559 executions are the catalog's job.
    static SEEN: StdMutex<BTreeSet<Option<u32>>> = StdMutex::new(BTreeSet::new());
    let check = Check::new(|| {
        let replicas = vec![replica_taking(TIMEOUT), replica_taking(2 * TIMEOUT)];
        let answer = match first_within(4, replicas, TIMEOUT) {
            Ok(answer) => Some(answer),
            Err(e) => {
                assert_eq!(e, FirstError::DeadlineExceeded);
                None
            }
        };
        SEEN.lock().unwrap().insert(answer);
    });
    for checker in [Checker::shuttle_random(), Checker::shuttle_pct()] {
        SEEN.lock().unwrap().clear();
        check.run(&checker).assert_no_violation();
        assert_eq!(
            *SEEN.lock().unwrap(),
            BTreeSet::from([Some(40), None]),
            "{}",
            checker.short_name()
        );
    }
}

#[test]
fn first_response_returns_one_answer_on_real_threads() {
    for _ in 0..100 {
        let replicas: Vec<_> = (0..8usize).map(|i| move |q: u32| (i, q + 1)).collect();
        let (who, answer) = first(1, replicas.clone()).unwrap();
        assert!(who < 8);
        assert_eq!(answer, 2);
        let (who, answer) = first_try_send(1, replicas).unwrap();
        assert!(who < 8);
        assert_eq!(answer, 2);
    }
}
