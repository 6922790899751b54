//! Channel hazards: four small shapes of bugs that real Go programs shipped, each beside its fix.
//!
//! The shapes come from Tu, Liu, Song and Zhang, "Understanding Real-World Concurrency Bugs in
//! Go" (ASPLOS 2019), a study of 171 concurrency bugs in Docker, Kubernetes, etcd, gRPC,
//! CockroachDB and BoltDB: a channel closed twice by closers that checked a flag first (its
//! non-blocking bugs caused by message passing), a lock held across a channel operation whose
//! peer needs the same lock, and a condition-variable wait that no signal ever satisfies (its
//! blocking bugs). The fourth, a sleep standing in for synchronization, is not one of the
//! study's categories by name; it stands for the timing assumptions behind many of the races
//! it reports, and for what real threads cannot show.
//!
//! # Guarantees (the references)
//!
//! - [`CloseOnce`]: any number of tasks may close; the channel is closed exactly once, and every
//!   `close` returns only after the channel is closed.
//! - Send after unlocking ([`send_after_unlock`]): a lock is never held across a blocking channel
//!   operation, so the receiver can take the lock before receiving and both make progress.
//! - Wait on the field that is set ([`predicate_set`]): the waiter's predicate reads the field
//!   the setter writes, under the lock, in a loop: it returns whatever the order.
//! - Join, not sleep ([`join_not_sleep`]): the reader joins the writer before reading.
//!
//! # Twins
//!
//! - [`check_then_close`]: two closers read an `AtomicBool closed`, both see `false`, both
//!   close: a double close (Go panics).
//! - [`lock_while_sending`]: a task sends on an unbuffered channel while holding a mutex; the
//!   receiver takes that mutex before receiving: each waits for the other (a deadlock).
//! - [`predicate_never_true`]: the waiter loops on `ready`; the setter sets `done` and notifies.
//!   The waiter is the body itself, so the checkers report it as a lost wakeup: every task is
//!   blocked or done and one waits on a condvar whose notify never satisfies it. (Were the
//!   waiter a spawned task that nobody joins, the same bug would surface as a task leak at the
//!   scope end; the body as waiter names the condvar, which is the bug.)
//! - [`sleep_as_sync`]: the body "waits" for a writer with `thread::sleep(10ms)` and then reads
//!   what it wrote. On real threads the writer almost always finishes within 10 ms, so the std
//!   runner usually passes it: that is the lesson, a test that sleeps proves nothing. Under the
//!   model checkers a sleep takes no time (it is only a yield), so they run the read before the
//!   write and the body's assertion fails.

use std::sync::Arc;
use std::time::Duration;

use concheck::go::{self, Sender};
use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::{Condvar, Mutex};
use concheck::thread;
use concheck::time::{self, Policy};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// A sender whose [`close`](CloseOnce::close) may be called by any number of tasks: the channel
/// is closed exactly once (Go's fix for the double close: `sync.Once`, or a flag under a mutex).
///
/// # Examples
///
/// ```
/// use concheck::go;
/// use concheck_scenarios::channel_hazards::CloseOnce;
///
/// let (tx, rx) = go::channel::<u32>(0);
/// let tx = CloseOnce::new(tx);
/// assert!(tx.close(), "the first close closes");
/// assert!(!tx.close(), "the second does nothing");
/// assert_eq!(rx.recv(), None);
/// ```
pub struct CloseOnce<T> {
    tx: Sender<T>,
    /// Whether the channel is closed. A mutex, not an atomic read followed by a close: the
    /// check and the close happen in one critical section, so two closers cannot both see
    /// `false` (the twin), and a second closer returns only after the first has closed.
    closed: Mutex<bool>,
}

impl<T> std::fmt::Debug for CloseOnce<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloseOnce").finish_non_exhaustive()
    }
}

impl<T> CloseOnce<T> {
    /// Wraps `tx`; close it only through this wrapper.
    pub fn new(tx: Sender<T>) -> Self {
        CloseOnce {
            tx,
            closed: Mutex::new(false),
        }
    }

    /// Closes the channel unless it is already closed; returns whether this call closed it.
    pub fn close(&self) -> bool {
        let mut closed = self.closed.lock();
        if *closed {
            return false;
        }
        self.tx.close();
        *closed = true;
        true
    }

    /// The sender, for sending.
    pub fn sender(&self) -> &Sender<T> {
        &self.tx
    }
}

/// Two closers, one close: the reference for [`check_then_close`].
pub fn close_once() {
    let (tx, rx) = go::named::<u32>("events", 0);
    let tx = Arc::new(CloseOnce::new(tx));
    let closers: Vec<_> = (0..2)
        .map(|i| {
            let tx = Arc::clone(&tx);
            thread::Builder::new()
                .name(format!("closer-{i}"))
                .spawn(move || tx.close())
        })
        .collect();
    let closed: usize = closers
        .into_iter()
        .map(|c| usize::from(c.join().expect("closer panicked")))
        .sum();
    assert_eq!(closed, 1, "exactly one closer closed the channel");
    assert_eq!(rx.recv(), None, "closed");
}

/// Twin: each closer checks an atomic flag, then closes.
pub fn check_then_close() {
    let closed = Arc::new(AtomicBool::new(false));
    let (tx, rx) = go::named::<u32>("events", 0);
    let closers: Vec<_> = (0..2)
        .map(|i| {
            let (closed, tx) = (Arc::clone(&closed), tx.clone());
            thread::Builder::new()
                .name(format!("closer-{i}"))
                .spawn(move || {
                    // BUG: the check and the close are two steps: both closers can pass the check.
                    if !closed.load(Ordering::SeqCst) {
                        closed.store(true, Ordering::SeqCst);
                        tx.close();
                    }
                })
        })
        .collect();
    for c in closers {
        c.join().expect("closer panicked");
    }
    assert_eq!(rx.recv(), None, "closed");
}

/// The producer updates shared state under the lock, releases it, then sends: the reference
/// for [`lock_while_sending`].
pub fn send_after_unlock() {
    let sent = Arc::new(Mutex::new(0u32));
    let (tx, rx) = go::named::<u32>("updates", 0);
    let producer = {
        let sent = Arc::clone(&sent);
        thread::Builder::new().name("producer").spawn(move || {
            let n = {
                let mut sent = sent.lock();
                *sent += 1;
                *sent
            };
            // The lock is released: the consumer can take it while this send waits.
            tx.send(n);
        })
    };
    // The consumer reads the shared state under the lock before each receive.
    let before = *sent.lock();
    let got = rx.recv();
    producer.join().expect("producer panicked");
    assert!(before <= 1, "at most the one update");
    assert_eq!(got, Some(1), "the update arrives");
}

/// Twin: the producer sends while holding the lock the consumer takes before receiving.
pub fn lock_while_sending() {
    let sent = Arc::new(Mutex::new(0u32));
    let (tx, rx) = go::named::<u32>("updates", 0);
    let producer = {
        let sent = Arc::clone(&sent);
        thread::Builder::new().name("producer").spawn(move || {
            let mut sent = sent.lock();
            *sent += 1;
            // BUG: a rendezvous send with the lock held: the receiver needs this lock first.
            tx.send(*sent);
            drop(sent);
        })
    };
    let before = *sent.lock();
    let got = rx.recv();
    producer.join().expect("producer panicked");
    assert!(before <= 1, "at most the one update");
    assert_eq!(got, Some(1), "the update arrives");
}

/// Two fields a waiter and a setter share.
#[derive(Default)]
struct Flags {
    /// What the waiter waits for.
    ready: bool,
    /// Something else.
    done: bool,
}

/// The setter sets the field the waiter's predicate reads: the reference for
/// [`predicate_never_true`].
pub fn predicate_set() {
    let state = Arc::new((Mutex::new(Flags::default()), Condvar::new()));
    let setter = {
        let state = Arc::clone(&state);
        thread::Builder::new().name("setter").spawn(move || {
            let mut flags = state.0.lock();
            flags.done = true;
            flags.ready = true;
            drop(flags);
            state.1.notify_all();
        })
    };
    let mut flags = state.0.lock();
    while !flags.ready {
        flags = state.1.wait(flags);
    }
    assert!(flags.done, "set together with ready");
    drop(flags);
    setter.join().expect("setter panicked");
}

/// Twin: the waiter waits for `ready`; the setter sets `done` and notifies.
pub fn predicate_never_true() {
    let state = Arc::new((Mutex::new(Flags::default()), Condvar::new()));
    let setter = {
        let state = Arc::clone(&state);
        thread::Builder::new().name("setter").spawn(move || {
            state.0.lock().done = true; // BUG: not the field the waiter waits for
            state.1.notify_all();
        })
    };
    let mut flags = state.0.lock();
    while !flags.ready {
        flags = state.1.wait(flags);
    }
    drop(flags);
    setter.join().expect("setter panicked");
}

/// The reader joins the writer, then reads: the reference for [`sleep_as_sync`].
pub fn join_not_sleep() {
    let value = Arc::new(Mutex::new(None::<u32>));
    let writer = {
        let value = Arc::clone(&value);
        thread::Builder::new()
            .name("writer")
            .spawn(move || *value.lock() = Some(42))
    };
    // Before the join the reader may see either value: nothing orders it after the write yet.
    let early = *value.lock();
    assert!(matches!(early, None | Some(42)), "unwritten or written");
    writer.join().expect("writer panicked");
    assert_eq!(*value.lock(), Some(42), "written before the join returned");
}

/// Twin: the reader sleeps instead of joining, then reads.
///
/// Under the checkers' virtual clock a sleep ends, by default, only once every other task is
/// blocked or done ([`Policy::WhenIdle`]), which would make the writer always finish first: the
/// same blind spot as Go's `testing/synctest`. The body therefore says that a task may be slow
/// ([`Policy::Anytime`]), as on a loaded machine, and the checkers find the early read.
pub fn sleep_as_sync() {
    time::set_policy(Policy::Anytime);
    let value = Arc::new(Mutex::new(None::<u32>));
    {
        let value = Arc::clone(&value);
        thread::Builder::new()
            .name("writer")
            .spawn(move || *value.lock() = Some(42));
    }
    // BUG: a sleep orders nothing; the writer may not have run yet.
    thread::sleep(Duration::from_millis(10));
    // The guard is held through the assertion, so the report names this read, not the writer.
    assert_eq!(*value.lock(), Some(42), "the writer has written");
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "channel_hazards_close_once",
            pattern: "channel hazards",
            role: Role::Reference,
            summary: "2 closers close through a mutex-guarded flag: closed exactly once",
            body: Body::Sync(close_once),
            max_live_tasks: Some(2),
            // Exhaustive loom takes 9 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_check_then_close",
            pattern: "channel hazards",
            role: Role::Twin {
                expects: &[ViolationKind::DoubleClose],
                assertion: None,
            },
            summary: "2 closers check an atomic closed flag, then close: both pass the check",
            body: Body::Sync(check_then_close),
            max_live_tasks: Some(2),
            // Exhaustive loom finds the double close in its first iteration.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_send_after_unlock",
            pattern: "channel hazards",
            role: Role::Reference,
            summary:
                "producer updates under the lock, unlocks, then sends to the lock-taking consumer",
            body: Body::Sync(send_after_unlock),
            max_live_tasks: Some(1),
            // Exhaustive loom takes 79 iterations (3 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_lock_while_sending",
            pattern: "channel hazards",
            role: Role::Twin {
                expects: &[ViolationKind::Deadlock],
                assertion: None,
            },
            summary: "producer sends unbuffered holding the lock the consumer takes before recv",
            body: Body::Sync(lock_while_sending),
            max_live_tasks: Some(1),
            // Exhaustive loom finds the deadlock in 21 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_predicate_set",
            pattern: "channel hazards",
            role: Role::Reference,
            summary: "waiter loops on ready; the setter sets ready under the lock and notifies",
            body: Body::Sync(predicate_set),
            max_live_tasks: Some(1),
            // Exhaustive loom takes 8 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_predicate_never_true",
            pattern: "channel hazards",
            role: Role::Twin {
                expects: &[ViolationKind::LostWakeup],
                assertion: None,
            },
            summary: "waiter loops on ready; the setter sets done and notifies: ready never comes",
            body: Body::Sync(predicate_never_true),
            max_live_tasks: Some(1),
            // Exhaustive loom finds it in its first iteration.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_join_not_sleep",
            pattern: "channel hazards",
            role: Role::Reference,
            summary: "the reader may look early, but relies only on what it reads after the join",
            body: Body::Sync(join_not_sleep),
            max_live_tasks: Some(1),
            // Exhaustive loom takes 4 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "channel_hazards_sleep_as_sync",
            pattern: "channel hazards",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("the writer has written"),
            },
            summary: "the reader sleeps 10ms instead of joining: std usually passes, models do not",
            body: Body::Sync(sleep_as_sync),
            max_live_tasks: Some(1),
            // Exhaustive loom finds the failing order in 2 iterations.
            loom_preemption_bound: None,
        },
    ]
}
