//! Unit tests of `concheck_scenarios::sliding_window`: the sliding-window limiter: input errors,
//! the limit, the window on real threads, and that its window check catches a crowded window.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/sliding_window.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::sync::Mutex;
use concheck::thread;
use concheck::time;
use concheck_scenarios::sliding_window::*;
use concheck_scenarios::test_support::{assert_within_window, sliding_window_kept};
use std::sync::Arc;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn sliding_window_rejects_zero_limit_and_window() {
    let err = SlidingWindow::new(0, HOUR).unwrap_err();
    assert_eq!(err, WindowError::ZeroLimit);
    assert!(err.to_string().contains("pass limit >= 1"), "{err}");
    let err = SlidingWindow::new(1, Duration::ZERO).unwrap_err();
    assert_eq!(err, WindowError::ZeroWindow);
    assert!(err.to_string().contains("non-zero window"), "{err}");
}

#[test]
fn sliding_window_admits_the_limit_then_refuses() {
    let limiter = SlidingWindow::new(3, HOUR).unwrap();
    assert_eq!((0..10).filter(|_| limiter.try_admit().is_some()).count(), 3);
}

#[test]
fn sliding_window_holds_on_real_threads() {
    let (limit, window, tasks, attempts) = (3, Duration::from_millis(5), 4, 20);
    let limiter = Arc::new(SlidingWindow::new(limit, window).unwrap());
    let admissions = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (limiter, admissions) = (Arc::clone(&limiter), Arc::clone(&admissions));
            thread::spawn(move || {
                for _ in 0..attempts {
                    if let Some(t) = limiter.try_admit() {
                        admissions.lock().push(t);
                    }
                    time::sleep(Duration::from_millis(1));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let admissions = admissions.lock().clone();
    assert_within_window(&admissions, limit, window);
    assert!(admissions.len() >= limit, "the first {limit} always fit");
    assert!(
        sliding_window_kept(&limiter) <= limit,
        "keeps at most limit"
    );
}

#[test]
#[should_panic(expected = "sliding window over-admitted: 3 admissions")]
fn sliding_window_check_catches_a_crowded_window() {
    let t = time::now();
    let ms = Duration::from_millis(1);
    assert_within_window(&[t, t + ms, t + 2 * ms, t + 9 * ms], 2, 3 * ms);
}
