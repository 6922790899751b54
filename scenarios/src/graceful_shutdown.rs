//! Graceful shutdown: a server accepts requests from a channel and handles each in its own task;
//! shutdown stops accepting, then waits for every request in flight, so no accepted request
//! goes unanswered.
//!
//! Mirrors `net/http`'s `Server.Shutdown` (pkg.go.dev/net/http#Server.Shutdown: "first closing
//! all open listeners ... and then waiting indefinitely for connections to return to idle and
//! then shut down"): a goroutine per request counted by a `sync.WaitGroup`, a listener that
//! closes, and a `Shutdown` that waits for the count to reach zero. Go's `Shutdown` also takes
//! a context whose deadline bounds the wait; deadlines come later with the virtual clock, so
//! this shutdown waits for as long as the handlers take.
//!
//! # Guarantees
//!
//! - Every request [`Server::submit`] accepted (returned `Ok`) gets its response: by the time
//!   [`Server::shutdown`] returns, its handler has run and the response is in its reply channel.
//! - A request submitted after shutdown began is refused with [`ShutDown`], never sent on the
//!   closed requests channel: the "is it closed?" check and the send happen under one lock
//!   that shutdown takes to close the channel.
//! - It terminates: closing the requests channel ends the acceptor's loop; the acceptor is
//!   joined *before* the WaitGroup wait, so every `add` (done by the acceptor before it spawns a
//!   handler) comes before the wait; each handler's reply channel has a slot, so no handler
//!   blocks, and the count reaches zero.
//! - Tasks: the acceptor plus one per request in flight, as `net/http` does (no bound).
//!
//! # Twins
//!
//! - [`check_then_close`]: the "is it closed?" flag is an atomic read without a lock. A client
//!   reads "open", shutdown then sets the flag and closes the requests channel, and the client
//!   sends on it: a send on a closed channel (Go panics).

use std::fmt;
use std::sync::Arc;

use concheck::go::{self, Receiver, Sender, WaitGroup};
use concheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use concheck::sync::Mutex;
use concheck::thread::{self, JoinHandle};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// The server is shut down (or shutting down): it accepts no more requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShutDown;

impl fmt::Display for ShutDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "server is shut down: it accepts no more requests; start a new server to serve more",
        )
    }
}

impl std::error::Error for ShutDown {}

/// A request and where its response goes.
type Envelope<Req, Resp> = (Req, Sender<Resp>);

/// A server that handles each request in its own task; see the [module docs](self).
///
/// Share it between clients with an `Arc`. Call [`shutdown`](Server::shutdown) to stop it and
/// wait for the requests in flight; dropping it without a shutdown only stops accepting (the
/// requests in flight still finish, but nobody waits for them).
pub struct Server<Req, Resp> {
    requests: Sender<Envelope<Req, Resp>>,
    /// Whether shutdown has begun. Held across a submit's check *and* send, and across
    /// shutdown's flag set *and* close: a submit either sends before the close or sees `true`.
    closed: Mutex<bool>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
    in_flight: Arc<WaitGroup>,
    /// Requests handled. Relaxed: each increment comes before its handler's `done`, and the
    /// count is read only after the WaitGroup wait, which that `done` happens-before.
    served: Arc<AtomicUsize>,
}

impl<Req, Resp> Server<Req, Resp>
where
    Req: Send + 'static,
    Resp: Send + 'static,
{
    /// Starts a server whose acceptor hands each request to `handler` in a new task.
    ///
    /// # Examples
    ///
    /// ```
    /// use concheck_scenarios::graceful_shutdown::Server;
    ///
    /// let server = Server::start(|name: String| format!("hello, {name}"));
    /// let reply = server.submit("gopher".to_owned()).unwrap();
    /// assert_eq!(server.shutdown(), Ok(1));
    /// assert_eq!(reply.recv().as_deref(), Some("hello, gopher"));
    /// ```
    pub fn start<F>(handler: F) -> Self
    where
        F: Fn(Req) -> Resp + Send + Sync + 'static,
    {
        let handler = Arc::new(handler);
        // Unbuffered: a request is accepted exactly when the acceptor has taken it.
        let (requests, incoming) = go::named::<Envelope<Req, Resp>>("requests", 0);
        let in_flight = Arc::new(WaitGroup::new());
        let served = Arc::new(AtomicUsize::new(0));
        let acceptor = {
            let (in_flight, served) = (Arc::clone(&in_flight), Arc::clone(&served));
            thread::Builder::new().name("acceptor").spawn(move || {
                for (req, reply) in &incoming {
                    // Before the spawn, and before the acceptor returns: shutdown waits on the
                    // count only after joining the acceptor, so it sees every handler counted.
                    in_flight.add(1);
                    let (handler, in_flight, served) = (
                        Arc::clone(&handler),
                        Arc::clone(&in_flight),
                        Arc::clone(&served),
                    );
                    // Detached, like Go's `go handle(conn)`: the WaitGroup is what waits for it.
                    drop(thread::Builder::new().name("handler").spawn(move || {
                        // The reply channel has one slot: this send never blocks.
                        reply.send(handler(req));
                        served.fetch_add(1, Ordering::Relaxed);
                        in_flight.done();
                    }));
                }
            })
        };
        Server {
            requests,
            closed: Mutex::new(false),
            acceptor: Mutex::new(Some(acceptor)),
            in_flight,
            served,
        }
    }

    /// Hands `req` to the server; the response arrives on the returned channel.
    ///
    /// Blocks until the acceptor takes the request (it takes them as fast as it can spawn a
    /// handler). An `Ok` is a promise: the request will be handled, even if shutdown starts
    /// right after.
    ///
    /// # Errors
    ///
    /// [`ShutDown`] once shutdown has begun.
    pub fn submit(&self, req: Req) -> Result<Receiver<Resp>, ShutDown> {
        let closed = self.closed.lock();
        if *closed {
            return Err(ShutDown);
        }
        let (reply_tx, reply_rx) = go::named("reply", 1);
        // Still under the lock: shutdown cannot close `requests` between the check and the
        // send. The acceptor never takes this lock, so the send cannot wait on it.
        self.requests.send((req, reply_tx));
        drop(closed);
        Ok(reply_rx)
    }

    /// Stops accepting requests, waits for every request in flight to be handled, and returns
    /// how many requests the server handled in all.
    ///
    /// # Errors
    ///
    /// [`ShutDown`] if shutdown was already called.
    ///
    /// # Panics
    ///
    /// If the acceptor task panicked (it runs no user code, so this is a bug in the server).
    pub fn shutdown(&self) -> Result<usize, ShutDown> {
        let mut closed = self.closed.lock();
        if *closed {
            return Err(ShutDown);
        }
        *closed = true;
        // Stop accepting: the acceptor's loop ends once it has taken every request sent.
        self.requests.close();
        drop(closed);
        let acceptor = self.acceptor.lock().take();
        if let Some(acceptor) = acceptor {
            acceptor.join().expect("the acceptor panicked");
        }
        // Every handler was counted before the acceptor returned: now wait for them.
        self.in_flight.wait();
        Ok(self.served.load(Ordering::Relaxed))
    }
}

impl<Req, Resp> Drop for Server<Req, Resp> {
    /// Stops accepting, without waiting (a drop must not block): the acceptor ends and the
    /// requests in flight finish on their own. Not while unwinding from a panic.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let mut closed = self.closed.lock();
        if !*closed {
            *closed = true;
            self.requests.close();
        }
    }
}

/// One request is in flight when shutdown starts, and a client submits a second one
/// concurrently with the shutdown: every accepted request is answered.
fn reference() {
    let server = Arc::new(Server::start(|x: u32| x * 10));
    let first = server.submit(1).expect("the server is open");
    let client = {
        let server = Arc::clone(&server);
        thread::Builder::new()
            .name("client")
            .spawn(move || server.submit(2))
    };
    let served = server.shutdown().expect("the first shutdown");
    assert_eq!(
        first.try_recv(),
        Ok(10),
        "the request in flight was answered before shutdown returned"
    );
    match client.join().expect("client panicked") {
        Ok(reply) => {
            assert_eq!(reply.try_recv(), Ok(20), "an accepted request is answered");
            assert_eq!(served, 2, "both requests handled");
        }
        Err(ShutDown) => assert_eq!(served, 1, "only the first request handled"),
    }
    assert_eq!(server.submit(3).unwrap_err(), ShutDown, "closed for good");
}

/// Twin: shutdown and the client check an unlocked `closed` flag, then act on it.
pub fn check_then_close() {
    let closed = Arc::new(AtomicBool::new(false));
    let (requests, incoming) = go::named::<u32>("requests", 0);
    let acceptor = thread::Builder::new()
        .name("acceptor")
        .spawn(move || incoming.iter().count());
    let client = {
        let (closed, requests) = (Arc::clone(&closed), requests.clone());
        thread::Builder::new().name("client").spawn(move || {
            if !closed.load(Ordering::SeqCst) {
                // BUG: "open" was true at the check; shutdown may close the channel before
                // (or while) this send happens.
                requests.send(2);
            }
        })
    };
    // Shutdown.
    if !closed.load(Ordering::SeqCst) {
        closed.store(true, Ordering::SeqCst);
        requests.close(); // BUG: nothing stops a client that already checked the flag
    }
    client.join().expect("client panicked");
    acceptor.join().expect("acceptor panicked");
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "graceful_shutdown",
            pattern: "graceful shutdown",
            role: Role::Reference,
            summary: "shutdown with 1 request in flight and 1 racing: every accepted one answered",
            body: Body::Sync(reference),
            // A task per request in flight, as net/http: the pattern promises no bound.
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "graceful_shutdown_check_then_close",
            pattern: "graceful shutdown",
            role: Role::Twin {
                expects: &[ViolationKind::SendAfterClose],
            },
            summary:
                "client checks an unlocked closed flag, then sends: shutdown closed it between",
            body: Body::Sync(check_then_close),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn graceful_shutdown_drop_stops_accepting() {
        let server = Server::start(|x: u32| x + 1);
        let reply = server.submit(1).unwrap();
        drop(server);
        // The request in flight still finishes after the drop.
        assert_eq!(reply.recv(), Some(2));
    }
}
