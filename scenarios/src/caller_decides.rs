//! Leave concurrency to the caller: expose a synchronous function; a caller that wants it
//! concurrent spawns it, and so owns the task, its lifetime and its result.
//!
//! Mirrors Dave Cheney's "Practical Go: Real world advice for writing maintainable Go programs"
//! (QCon 2019), sections "Leave concurrency to the caller" and "Never start a goroutine without
//! knowing when it will stop": a function that returns a channel fed by a goroutine it started
//! has decided for every caller that the work runs in the background, and a caller that stops
//! listening (a cancelled request, an early return) leaves that goroutine blocked forever.
//!
//! # Guarantees
//!
//! - [`checksum`] is an ordinary function: it returns when its work is done and leaves no task
//!   behind, whether called directly or from a task the caller spawned.
//! - A caller that runs calls concurrently spawns the tasks itself and joins them; its tasks are
//!   exactly the ones it asked for (here two), and none outlives it.
//!
//! # Twins
//!
//! - [`hidden_goroutine`]: the API spawns a task and returns a channel for its result (Go's
//!   `func ChecksumAsync(data []byte) <-chan uint64`). The caller's request is cancelled, so it
//!   stops waiting; the hidden task then blocks forever on an unbuffered send nobody receives
//!   (a task leak), and the caller had no handle to prevent it.

use concheck::go::{self, Context, Receiver, Select};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// The 64-bit FNV-1a hash of `data`: a synchronous API, with no task of its own.
///
/// # Examples
///
/// ```
/// use concheck_scenarios::caller_decides::checksum;
///
/// assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
/// // The caller decides: run two at once on its own tasks.
/// let a = std::thread::spawn(|| checksum(b"left"));
/// let b = std::thread::spawn(|| checksum(b"right"));
/// assert_ne!(a.join().unwrap(), b.join().unwrap());
/// ```
pub fn checksum(data: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    data.iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The caller runs two checksums concurrently, on tasks it spawns and joins.
fn reference() {
    let left = thread::Builder::new()
        .name("left")
        .spawn(|| checksum(b"left"));
    let right = thread::Builder::new()
        .name("right")
        .spawn(|| checksum(b"right"));
    let (l, r) = (
        left.join().expect("left panicked"),
        right.join().expect("right panicked"),
    );
    assert_eq!(l, checksum(b"left"), "same answer as the synchronous call");
    assert_eq!(r, checksum(b"right"), "same answer as the synchronous call");
}

/// The twin's API: starts the checksum on a task of its own and returns at once.
fn checksum_in_background(data: Vec<u8>) -> Receiver<u64> {
    let (tx, rx) = go::named("checksum", 0);
    // BUG: the API decides the work runs in the background; nobody owns this task.
    thread::Builder::new()
        .name("hidden")
        .spawn(move || tx.send(checksum(&data)));
    rx
}

/// Twin: the API hides a task; the caller's request is cancelled and it stops listening.
pub fn hidden_goroutine() {
    let (ctx, cancel) = Context::background().with_cancel();
    let sum = checksum_in_background(b"left".to_vec());
    // The client gives up (a deadline, a closed connection) while the checksum runs.
    cancel.cancel();
    let got = Select::new().recv(&sum, |v| v).done(&ctx, || None).wait();
    // The caller returns either way; if it took the cancel, the hidden task waits forever.
    if let Some(v) = got {
        assert_eq!(v, checksum(b"left"));
    }
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "caller_decides",
            pattern: "leave concurrency to the caller",
            role: Role::Reference,
            summary: "synchronous checksum; the caller runs 2 on its own tasks and joins them",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Two tasks that share nothing: exhaustive loom takes 3 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "caller_decides_hidden_goroutine",
            pattern: "leave concurrency to the caller",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "API spawns a task and returns a channel; a cancelled caller stops listening",
            body: Body::Sync(hidden_goroutine),
            max_live_tasks: Some(2),
            // One hidden task: exhaustive loom finds the leak in its first iteration.
            loom_preemption_bound: None,
        },
    ]
}
