//! Unit tests of `concheck_scenarios::token_bucket`: the token bucket: input errors, the burst, the
//! token grid without drift, the rate on real threads, contexts that end a wait, and that its rate
//! check catches an over-admission.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/token_bucket.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::check::{Check, Checker};
use concheck::go::{Context, ContextError};
use concheck::sync::Mutex;
use concheck::thread;
use concheck::time;
use concheck_scenarios::test_support::assert_within_rate;
use concheck_scenarios::token_bucket::*;
use std::sync::Arc;
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);
/// Long enough that no token is earned during a test.
const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn token_bucket_rejects_zero_rate_period_and_burst() {
    for (args, err, hint) in [
        ((0, MS, 1), BucketError::ZeroRate, "pass rate >= 1"),
        (
            (1, Duration::ZERO, 1),
            BucketError::ZeroPeriod,
            "non-zero period",
        ),
        ((1, MS, 0), BucketError::ZeroBurst, "pass burst >= 1"),
    ] {
        let got = TokenBucket::new(args.0, args.1, args.2).unwrap_err();
        assert_eq!(got, err);
        assert!(got.to_string().contains(hint), "{got}");
    }
}

#[test]
fn token_bucket_grants_the_burst_then_nothing_until_a_token_is_earned() {
    let bucket = TokenBucket::new(1, HOUR, 3).unwrap();
    assert_eq!((0..5).filter(|_| bucket.try_acquire()).count(), 3);
}

#[test]
fn token_bucket_grid_has_no_drift() {
    // 3 tokens per 10 ns: the grid is 3.33.. ns apart; token k is due at ceil(10 k / 3). Run on
    // the model checkers' virtual clock, where a waiter wakes exactly at its timer's deadline
    // and no time passes otherwise, so each grant's time is the token's due time. One task, so
    // one execution per checker.
    for checker in Checker::models() {
        Check::new(|| {
            assert!(time::is_virtual(), "the grid needs the exact virtual clock");
            let origin = time::now();
            let bucket = TokenBucket::new(3, Duration::from_nanos(10), 1).unwrap();
            assert!(bucket.try_acquire(), "the burst's token, at the origin");
            let mut due = Vec::new();
            for _ in 0..6 {
                bucket.acquire(&Context::background()).unwrap();
                due.push((time::now() - origin).as_nanos());
                assert!(!bucket.try_acquire(), "and only one token at its due time");
            }
            assert_eq!(due, vec![4, 7, 10, 14, 17, 20]);
        })
        .run(&checker)
        .assert_no_violation();
    }
}

#[test]
fn token_bucket_keeps_its_rate_on_real_threads() {
    let (rate, burst, per_task, tasks) = (1, 2, 5, 4);
    let origin = time::now();
    let bucket = Arc::new(TokenBucket::new(rate, MS, burst).unwrap());
    let grants = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (bucket, grants) = (Arc::clone(&bucket), Arc::clone(&grants));
            thread::spawn(move || {
                for _ in 0..per_task {
                    bucket.acquire(&Context::background()).unwrap();
                    let t = time::now();
                    grants.lock().push(t);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let grants = grants.lock().clone();
    assert_eq!(grants.len(), tasks * per_task);
    assert_within_rate(&grants, origin, rate, MS, burst);
    let last = grants.iter().max().unwrap();
    assert!(
        *last - origin >= (tasks * per_task - burst as usize) as u32 * MS,
        "every token beyond the burst took a millisecond to earn"
    );
}

#[test]
fn token_bucket_done_context_gets_its_error_and_leaves_the_token() {
    let bucket = TokenBucket::new(1, HOUR, 1).unwrap();
    let (ctx, cancel) = Context::background().with_cancel();
    cancel.cancel();
    assert_eq!(bucket.acquire(&ctx), Err(ContextError::Canceled));
    assert!(bucket.try_acquire(), "the cancelled call took no token");
    let (ctx, _cancel) = Context::background().with_timeout(MS);
    assert_eq!(bucket.acquire(&ctx), Err(ContextError::DeadlineExceeded));
}

#[test]
fn token_bucket_cancel_wakes_a_waiter_on_real_threads() {
    let bucket = Arc::new(TokenBucket::new(1, HOUR, 1).unwrap());
    assert!(bucket.try_acquire());
    let (ctx, cancel) = Context::background().with_cancel();
    let waiter = {
        let bucket = Arc::clone(&bucket);
        thread::spawn(move || bucket.acquire(&ctx))
    };
    // Most likely in its wait by then; cancelled before it, it returns the same error.
    std::thread::sleep(MS);
    cancel.cancel();
    assert_eq!(waiter.join().unwrap(), Err(ContextError::Canceled));
}

#[test]
#[should_panic(expected = "token bucket over-admitted: 2 tokens granted")]
fn token_bucket_rate_check_catches_a_second_token_at_once() {
    let origin = time::now();
    assert_within_rate(&[origin, origin], origin, 1, HOUR, 1);
}

#[test]
fn lost_update_twin_needs_a_preemption_between_its_two_locks() {
    // With no preemption each take runs whole and the bucket admits what it should: the
    // twin's over-admission is an interleaving, not a bucket that always grants.
    crate::common::assert_needs_a_preemption(lost_update, concheck::ViolationKind::AssertionFailed);
}
