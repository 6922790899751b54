//! Unit tests of `concheck_scenarios::wait_group_rules`: the WaitGroup rules' reference: results
//! visible after `wait`, empty input, and a task's panic reported instead of a hang.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/wait_group_rules.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use concheck_scenarios::wait_group_rules::*;

#[test]
fn wait_group_rules_results_visible_after_wait_on_real_threads() {
    let out = map_all((0..200u32).collect(), |x| x * 3);
    assert_eq!(out, (0..200u32).map(|x| x * 3).collect::<Vec<_>>());
}

#[test]
fn wait_group_rules_empty_input_does_not_wait() {
    assert!(map_all(Vec::<u32>::new(), |x| x).is_empty());
}

#[test]
fn wait_group_rules_task_panic_is_reported_not_hung() {
    let r = std::panic::catch_unwind(|| {
        map_all(vec![1u32, 2, 3], |x| {
            assert_ne!(x, 2, "item 2 fails hard");
            x
        })
    });
    let payload = r.unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(message.contains("item 1"), "{message}");
}
