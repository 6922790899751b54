//! Unit tests of `concheck_scenarios::bounded_parallel`: the semaphore-bounded map: input errors,
//! order and limit kept on real threads, and a task's panic reaching the caller.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/bounded_parallel.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck_scenarios::bounded_parallel::*;
use std::sync::Arc;

#[test]
fn bounded_parallel_rejects_zero_limit() {
    let err = map_bounded(vec![1u32], 0, |x| x).unwrap_err();
    assert_eq!(err, BoundedError::ZeroLimit);
    assert!(err.to_string().contains("pass limit >= 1"));
}

#[test]
fn bounded_parallel_empty_input_is_empty_output() {
    assert_eq!(map_bounded(Vec::<u32>::new(), 3, |x| x), Ok(Vec::new()));
}

#[test]
fn bounded_parallel_keeps_order_and_limit_on_real_threads() {
    let (working, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let f = {
        let (working, peak) = (Arc::clone(&working), Arc::clone(&peak));
        move |x: u32| {
            let now = working.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::yield_now();
            working.fetch_sub(1, Ordering::SeqCst);
            x * 2
        }
    };
    let out = map_bounded((0..200u32).collect(), 4, f).unwrap();
    assert_eq!(out, (0..200u32).map(|x| x * 2).collect::<Vec<_>>());
    assert!(peak.load(Ordering::SeqCst) <= 4);
    assert_eq!(working.load(Ordering::SeqCst), 0);
}

#[test]
fn bounded_parallel_resumes_a_panic_without_hanging() {
    let r = std::panic::catch_unwind(|| {
        map_bounded((0..10u32).collect(), 1, |x| {
            assert_ne!(x, 3, "item 3 fails");
            x
        })
    });
    assert!(r.is_err(), "the task's panic reaches the caller");
}

#[test]
fn acquire_inside_task_twin_breaks_only_the_declared_bound() {
    use concheck::check::{Check, Checker};
    use concheck::ViolationKind;
    // Without the bound the twin does its work in every schedule (the third task waits for a
    // slot): its only bug is that every task is alive at once.
    let unbounded = Check::new(acquire_inside_task).run(&Checker::loom());
    assert_eq!(unbounded.violation(), None, "{unbounded}");
    Check::new(acquire_inside_task)
        .max_live_tasks(2)
        .run(&Checker::loom())
        .assert_finds(ViolationKind::BoundExceeded);
}
