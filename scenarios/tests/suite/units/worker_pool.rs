//! Unit tests of `concheck_scenarios::worker_pool`: the worker pool: input errors, and every job
//! processed on real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/worker_pool.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::worker_pool::*;

/// The jobs' work.
fn square(x: u32) -> u32 {
    x * x
}

#[test]
fn worker_pool_rejects_zero_workers() {
    let err = run(vec![1u32], 0, square).unwrap_err();
    assert_eq!(err, PoolError::ZeroWorkers);
    assert!(err.to_string().contains("pass workers >= 1"));
}

#[test]
fn worker_pool_processes_every_job_on_real_threads() {
    let mut out = run((0..100u32).collect(), 4, square).unwrap();
    out.sort_unstable();
    assert_eq!(out, (0..100u32).map(square).collect::<Vec<_>>());
}
