//! Unit tests of `concheck_scenarios::channel_hazards`: the channel-hazard fixes: `CloseOnce`
//! closing once on real threads and still sending, and the references running on real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/channel_hazards.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use concheck::go;
use concheck::thread;
use concheck_scenarios::channel_hazards::*;
use std::sync::Arc;

#[test]
fn channel_hazards_close_once_closes_once_on_real_threads() {
    for _ in 0..50 {
        let (tx, rx) = go::channel::<u32>(0);
        let tx = Arc::new(CloseOnce::new(tx));
        let closers: Vec<_> = (0..8)
            .map(|_| {
                let tx = Arc::clone(&tx);
                thread::spawn(move || tx.close())
            })
            .collect();
        let closed = closers
            .into_iter()
            .map(|c| c.join().unwrap())
            .filter(|&c| c)
            .count();
        assert_eq!(closed, 1);
        assert_eq!(rx.recv(), None);
    }
}

#[test]
fn channel_hazards_close_once_still_sends() {
    let (tx, rx) = go::channel::<u32>(1);
    let tx = CloseOnce::new(tx);
    tx.sender().send(7);
    tx.close();
    assert_eq!(rx.recv(), Some(7), "buffered values drain after the close");
    assert_eq!(rx.recv(), None);
}

#[test]
fn channel_hazards_references_run_on_real_threads() {
    for _ in 0..100 {
        send_after_unlock();
        predicate_set();
        join_not_sleep();
    }
}
