//! Request timeout on tokio: ask a slow backend, give up at a deadline, leave nothing running.
//!
//! Go's original:
//!
//! ```go
//! ctx, cancel := context.WithTimeout(ctx, deadline)
//! defer cancel()
//! reply := make(chan int, 1) // buffered: the late child can always send and exit
//! go func() { reply <- backend(ctx, id) }()
//! select {
//! case v := <-reply:
//!     return v, nil
//! case <-ctx.Done():
//!     return 0, ctx.Err()
//! }
//! ```
//!
//! On tokio the call is a spawned task and the deadline is `tokio::time::timeout`. The reply
//! goes through a `oneshot`, whose `send` never waits; at the deadline the caller aborts the
//! call, and on either path it awaits the call's end: when `request` returns, nothing it
//! started is alive.
//!
//! Twins:
//! - [`no_abort`]: at the deadline the caller drops the `JoinHandle`. In tokio that detaches
//!   the task, it does not cancel it: the call keeps running after the request gave up (Go's
//!   child that ignores `ctx`). Reported as a task leak, blocked in the backend.
//! - [`shared_mailbox`]: replies go to the client's one mailbox (capacity 1), and the call
//!   task holds the client (`self: Arc<Self>`, the usual way), so the mailbox's receiver lives
//!   as long as the task does. After two timeouts the first late reply fills the slot and the
//!   second waits for room forever: Go's unbuffered reply channel, in tokio's terms.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use concheck::tokio_gate::{spawn, waiting_on};
use concheck::ViolationKind;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio::time::{sleep, timeout};

use crate::catalog::{Body, Role, Scenario, TokioFuture};

/// The request's deadline. Real time on a real runtime: a fast backend must answer within it
/// even on a loaded machine. At 50 ms (40 ms of margin over [`FAST`]) the multi-thread twin test
/// failed 1 run in 20 with a load average of 15 ("left: Err(TimedOut), right: Ok(10)"); 200 ms
/// leaves 190 ms for the scheduler.
pub const DEADLINE: Duration = Duration::from_millis(200);
/// A backend that answers in time.
pub const FAST: Duration = Duration::from_millis(10);
/// A backend that answers after the deadline, within the gate's 1 s grace.
pub const LATE: Duration = Duration::from_millis(500);
/// A backend that is down: it answers long after anyone waits.
pub const HUNG: Duration = Duration::from_secs(60);

/// Why a request has no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The deadline passed first.
    TimedOut,
    /// The call ended without answering (it panicked or was cancelled).
    NoReply,
}

/// The backend: answers `id * 10` after `latency`.
pub async fn backend(id: u32, latency: Duration) -> u32 {
    sleep(latency).await;
    id * 10
}

/// Reference: calls the backend in a task, waits until `deadline`, on timeout aborts the call,
/// and returns once the call has ended.
pub async fn request(id: u32, latency: Duration, deadline: Duration) -> Result<u32, RequestError> {
    let (reply, replied) = oneshot::channel();
    let call = spawn(format!("backend call {id}"), async move {
        let v = waiting_on("the backend", backend(id, latency)).await;
        let _ = reply.send(v); // never waits: a oneshot holds its one value
    });
    let answer = match timeout(deadline, replied).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(RequestError::NoReply),
        Err(_) => {
            call.abort();
            Err(RequestError::TimedOut)
        }
    };
    // The call has answered or was aborted: either way it ends now; awaiting that end is what
    // makes "nothing outlives the request" true on a multi-thread runtime too.
    let _ = call.await;
    answer
}

/// Twin: on timeout the `JoinHandle` is dropped, which detaches the call instead of
/// cancelling it.
pub async fn request_no_abort(
    id: u32,
    latency: Duration,
    deadline: Duration,
) -> Result<u32, RequestError> {
    let (reply, replied) = oneshot::channel();
    spawn(format!("backend call {id}"), async move {
        let v = waiting_on("the backend", backend(id, latency)).await;
        let _ = reply.send(v);
    });
    match timeout(deadline, replied).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(RequestError::NoReply),
        Err(_) => Err(RequestError::TimedOut), // BUG: the call runs on
    }
}

/// A client whose replies all arrive in one mailbox with room for one.
pub struct Client {
    mailbox: mpsc::Sender<u32>,
    replies: Mutex<mpsc::Receiver<u32>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with an empty mailbox.
    pub fn new() -> Arc<Self> {
        let (mailbox, replies) = mpsc::channel(1);
        Arc::new(Client {
            mailbox,
            replies: Mutex::new(replies),
        })
    }

    /// Twin: the call sends its reply into the shared mailbox, holding the client to do so.
    pub async fn request(
        self: &Arc<Self>,
        id: u32,
        latency: Duration,
        deadline: Duration,
    ) -> Result<u32, RequestError> {
        let client = Arc::clone(self);
        spawn(format!("backend call {id}"), async move {
            let v = waiting_on("the backend", backend(id, latency)).await;
            // BUG: waits for room in a mailbox nobody reads after a timeout, and keeps it alive.
            let _ = waiting_on("send on 'mailbox'", client.mailbox.send(v)).await;
        });
        let mut replies = self.replies.lock().await;
        match timeout(deadline, replies.recv()).await {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(RequestError::NoReply),
            Err(_) => Err(RequestError::TimedOut),
        }
    }
}

/// A request to a fast backend answers; one to a hung backend times out.
async fn fast_then_hung<Fut>(request: impl Fn(u32, Duration, Duration) -> Fut)
where
    Fut: Future<Output = Result<u32, RequestError>>,
{
    assert_eq!(request(1, FAST, DEADLINE).await, Ok(10));
    assert_eq!(
        request(2, HUNG, DEADLINE).await,
        Err(RequestError::TimedOut)
    );
}

fn reference() -> TokioFuture {
    Box::pin(fast_then_hung(request))
}

/// Twin body: the caller drops the call's handle at the deadline instead of aborting it.
pub fn no_abort() -> TokioFuture {
    Box::pin(fast_then_hung(request_no_abort))
}

/// Twin body: late replies go to the client's one shared mailbox and block on a full send.
pub fn shared_mailbox() -> TokioFuture {
    Box::pin(async {
        let client = Client::new();
        assert_eq!(client.request(1, FAST, DEADLINE).await, Ok(10));
        for id in [2, 3] {
            let late = client.request(id, LATE, DEADLINE).await;
            assert_eq!(late, Err(RequestError::TimedOut));
        }
    })
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "tokio_timeout",
            pattern: "request timeout (tokio)",
            role: Role::Reference,
            summary: "a fast and a hung backend; on timeout the call is aborted and awaited",
            body: Body::Tokio(reference),
            max_live_tasks: Some(1),
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_timeout_no_abort",
            pattern: "request timeout (tokio)",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "on timeout the JoinHandle is dropped: detached, the hung call runs on",
            body: Body::Tokio(no_abort),
            max_live_tasks: None,
            loom_preemption_bound: None,
        },
        Scenario {
            name: "tokio_timeout_shared_mailbox",
            pattern: "request timeout (tokio)",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "late replies go to a full mailbox the call keeps alive: blocked forever",
            body: Body::Tokio(shared_mailbox),
            max_live_tasks: None,
            loom_preemption_bound: None,
        },
    ]
}
