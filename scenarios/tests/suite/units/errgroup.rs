//! Unit tests of `concheck_scenarios::errgroup`: the error group: input errors, the first error
//! cancelling blocked siblings, the context cancelled by `wait`, the limit on real threads, and a
//! task's panic resumed.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/errgroup.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::go::Context;
pub(super) use concheck::go::{ErrGroup, ErrGroupError};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn errgroup_rejects_zero_limit() {
    let mut g = ErrGroup::<()>::new();
    let err = g.set_limit(0).unwrap_err();
    assert_eq!(err, ErrGroupError::ZeroLimit);
    assert!(err.to_string().contains("pass n >= 1"));
    assert_eq!(g.wait(), Ok(()));
}

#[test]
fn errgroup_rejects_limit_after_go() {
    let mut g = ErrGroup::<()>::new();
    g.go(|_| Ok(()));
    assert_eq!(g.set_limit(2), Err(ErrGroupError::LimitAfterGo));
    assert_eq!(g.wait(), Ok(()));
}

#[test]
fn errgroup_first_error_cancels_blocked_siblings_on_real_threads() {
    let (mut g, ctx) = ErrGroup::with_context(&Context::background());
    for _ in 0..8 {
        g.go(|ctx| {
            ctx.done();
            Err("cancelled")
        });
    }
    g.go(|_| Err("root cause"));
    assert_eq!(g.wait(), Err("root cause"));
    assert!(ctx.err().is_some(), "the group's context ends cancelled");
}

#[test]
fn errgroup_wait_cancels_the_context_on_success() {
    let (g, ctx) = ErrGroup::<()>::with_context(&Context::background());
    assert_eq!(g.wait(), Ok(()));
    assert!(ctx.err().is_some());
}

#[test]
fn errgroup_limit_holds_on_real_threads() {
    let mut g = ErrGroup::<()>::new();
    g.set_limit(3).unwrap();
    let (working, peak, sum) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    for x in 0..100 {
        let (working, peak, sum) = (Arc::clone(&working), Arc::clone(&peak), Arc::clone(&sum));
        g.go(move |_| {
            let now = working.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::yield_now();
            sum.fetch_add(x, Ordering::SeqCst);
            working.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        });
    }
    assert_eq!(g.wait(), Ok(()));
    assert_eq!(sum.load(Ordering::SeqCst), (0..100).sum::<usize>());
    assert!(peak.load(Ordering::SeqCst) <= 3);
}

#[test]
fn errgroup_resumes_a_task_panic() {
    let r = std::panic::catch_unwind(|| {
        let mut g = ErrGroup::<()>::new();
        g.set_limit(1).unwrap();
        g.go(|_| panic!("task fails hard"));
        g.go(|_| Ok(()));
        g.wait()
    });
    assert!(r.is_err());
}
