//! Unit tests of `concheck_scenarios::error_collection`: error collection: every error collected in
//! order, results in order, empty input, the message, and a task's panic resumed.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/error_collection.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use concheck_scenarios::error_collection::*;

/// The work of the catalog's bodies: odd items fail.
fn check_item(x: u32) -> Result<u32, &'static str> {
    if x % 2 == 1 {
        Err("odd item")
    } else {
        Ok(x * 10)
    }
}

#[test]
fn error_collection_collects_every_error_on_real_threads() {
    let errors = collect_all((0..100u32).collect(), |x| {
        if x % 7 == 0 {
            Err(x)
        } else {
            Ok(x)
        }
    })
    .unwrap_err()
    .into_errors();
    let expected: Vec<(usize, u32)> = (0..100u32)
        .filter(|x| x % 7 == 0)
        .map(|x| (x as usize, x))
        .collect();
    assert_eq!(errors, expected);
}

#[test]
fn error_collection_returns_results_in_order_when_all_succeed() {
    let out = collect_all((0..50u32).collect(), |x| Ok::<_, &str>(x * 2)).unwrap();
    assert_eq!(out, (0..50u32).map(|x| x * 2).collect::<Vec<_>>());
}

#[test]
fn error_collection_empty_input_is_empty_output() {
    let out = collect_all(Vec::<u32>::new(), Ok::<_, &str>).unwrap();
    assert!(out.is_empty());
}

#[test]
fn error_collection_message_lists_every_error() {
    let err = collect_all(vec![1u32, 2, 3], check_item).unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 tasks failed: item 0: odd item; item 2: odd item"
    );
}

#[test]
fn error_collection_resumes_a_task_panic() {
    let r = std::panic::catch_unwind(|| {
        collect_all(vec![1u32, 2], |x| {
            assert_ne!(x, 2, "item 2 fails hard");
            Ok::<_, &str>(x)
        })
    });
    assert!(r.is_err());
}
