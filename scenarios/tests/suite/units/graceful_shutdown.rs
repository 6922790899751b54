//! Unit tests of `concheck_scenarios::graceful_shutdown`: the graceful-shutdown server: every
//! accepted request answered, refusals after shutdown, and the deadline-bound shutdown that cuts
//! off long polls.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/graceful_shutdown.rs`: the suite is
//! the crate's only test binary, so `cargo test` compiles the catalog once, not a second time in
//! test mode.

use concheck::go::ContextError;
use concheck::thread;
use concheck_scenarios::graceful_shutdown::*;
use concheck_scenarios::test_support::{
    graceful_shutdown_handle as handle, GRACEFUL_SHUTDOWN_LONG_POLL as LONG_POLL,
};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn graceful_shutdown_answers_every_accepted_request_on_real_threads() {
    let server = Arc::new(Server::start(|x: u64| x * 2));
    let clients: Vec<_> = (0..4u64)
        .map(|c| {
            let server = Arc::clone(&server);
            thread::spawn(move || {
                let mut replies = Vec::new();
                for i in 0..50 {
                    match server.submit(c * 1000 + i) {
                        Ok(reply) => replies.push((c * 1000 + i, reply)),
                        Err(ShutDown) => break,
                    }
                }
                replies
            })
        })
        .collect();
    let early = server.submit(7).unwrap();
    let served = server.shutdown().unwrap();
    assert_eq!(early.try_recv(), Ok(14));
    let mut accepted = 1;
    for client in clients {
        for (req, reply) in client.join().unwrap() {
            assert_eq!(
                reply.try_recv(),
                Ok(req * 2),
                "answered before shutdown returned"
            );
            accepted += 1;
        }
    }
    assert_eq!(served, accepted, "every accepted request, and only those");
}

#[test]
fn graceful_shutdown_refuses_after_shutdown_and_twice() {
    let server = Server::start(|x: u32| x);
    assert_eq!(server.shutdown(), Ok(0));
    let err = server.submit(1).unwrap_err();
    assert!(err.to_string().contains("start a new server"));
    assert_eq!(server.shutdown(), Err(ShutDown));
}

#[test]
fn graceful_shutdown_within_rejects_a_zero_timeout_and_a_second_shutdown() {
    let server = Server::start_cancellable(handle);
    let err = server.shutdown_within(Duration::ZERO).unwrap_err();
    assert_eq!(err, ShutdownError::ZeroTimeout);
    assert!(err.to_string().contains("pass a positive timeout"));
    // Bad input changed nothing: the server still serves.
    assert_eq!(server.submit(3).unwrap().recv(), Some(Ok(30)));
    let report = server.shutdown_within(Duration::from_secs(10)).unwrap();
    assert_eq!(
        report,
        ShutdownReport {
            handled: 1,
            cut_off: Vec::new()
        }
    );
    let again = server.shutdown_within(Duration::from_secs(10)).unwrap_err();
    assert_eq!(again, ShutdownError::ShutDown);
    assert!(again.to_string().contains("start a new server"));
    assert_eq!(server.shutdown(), Err(ShutDown));
}

#[test]
fn graceful_shutdown_within_cuts_off_long_polls_on_real_threads() {
    let server = Server::start_cancellable(handle);
    let mut polls = Vec::new();
    let mut quick = Vec::new();
    for i in 0..20 {
        let req = if i % 2 == 0 { LONG_POLL } else { i };
        let (id, reply) = server.submit_numbered(req).unwrap();
        assert_eq!(id, u64::from(i), "numbered in the order accepted");
        if req == LONG_POLL {
            polls.push((id, reply));
        } else {
            quick.push((req, reply));
        }
    }
    let report = server.shutdown_within(Duration::from_millis(5)).unwrap();
    assert_eq!(report.handled, 20);
    for (id, reply) in polls {
        assert!(report.cut_off.contains(&id), "long poll {id} was cut off");
        assert_eq!(reply.try_recv(), Ok(Err(ContextError::Canceled)));
    }
    for (req, reply) in quick {
        assert_eq!(reply.try_recv(), Ok(Ok(req * 10)));
    }
}

#[test]
fn graceful_shutdown_drop_stops_accepting() {
    let server = Server::start(|x: u32| x + 1);
    let reply = server.submit(1).unwrap();
    drop(server);
    // The request in flight still finishes after the drop.
    assert_eq!(reply.recv(), Some(2));
}

#[test]
fn graceful_shutdown_a_dropped_server_stops_its_acceptor() {
    use concheck::check::{Check, Checker};
    // Dropped without a shutdown, the server stops accepting: its acceptor ends rather than
    // wait for requests forever (a leak the checkers would name).
    fn served_then_dropped() {
        let server = Server::start(|x: u32| x + 1);
        let reply = server.submit(1).expect("accepting");
        assert_eq!(reply.recv(), Some(2));
        drop(server);
    }
    for checker in [Checker::loom(), Checker::shuttle_random()] {
        let report = Check::new(served_then_dropped).run(&checker);
        assert_eq!(report.violation(), None, "{report}");
    }
}
