//! Unit tests of `concheck_scenarios::cancellable_worker`: the cancellable worker: every job until
//! close, a cancel while waiting, and no job after a cancel.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/cancellable_worker.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use concheck::go::{self, Context, ContextError};
use concheck::thread;
use concheck_scenarios::cancellable_worker::*;

#[test]
fn cancellable_worker_handles_every_job_until_close_on_real_threads() {
    let (ctx, _cancel) = Context::background().with_cancel();
    let (tx, rx) = go::channel::<u64>(8);
    let worker = thread::spawn(move || {
        let mut sum = 0;
        (run(&ctx, &rx, |j| sum += j), sum)
    });
    for j in 1..=1000 {
        tx.send(j);
    }
    tx.close();
    let (stopped, sum) = worker.join().unwrap();
    assert_eq!(stopped, Ok(1000));
    assert_eq!(sum, 1000 * 1001 / 2);
}

#[test]
fn cancellable_worker_stops_on_cancel_while_waiting_on_real_threads() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (tx, rx) = go::channel::<u32>(0);
    let (handled_tx, handled_rx) = go::channel::<u32>(0);
    let worker = thread::spawn(move || run(&ctx, &rx, |j| handled_tx.send(j)));
    for j in 0..100 {
        tx.send(j);
        assert_eq!(handled_rx.recv(), Some(j));
    }
    // The worker now waits for a job that never comes: only the cancel can end it.
    cancel.cancel();
    assert_eq!(worker.join().unwrap(), Err(ContextError::Canceled));
}

#[test]
fn cancellable_worker_takes_no_job_after_cancel() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (tx, rx) = go::channel::<u32>(1);
    tx.send(1);
    cancel.cancel();
    let mut handled = 0;
    assert_eq!(
        run(&ctx, &rx, |_| handled += 1),
        Err(ContextError::Canceled)
    );
    assert_eq!(handled, 0, "a cancelled worker starts no job");
    assert_eq!(ContextError::Canceled.to_string(), "context canceled");
}
