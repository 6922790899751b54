//! Conformance suites: check your own concurrent type against the semantics it claims, under
//! loom, shuttle and std threads, from your own `cargo test`.
//!
//! # Background
//!
//! concheck's [`go`](crate::go) primitives are held to Go's semantics by its own tests. A crate
//! that writes its own channel, WaitGroup or map can be held to the same properties: implement
//! a small trait for your type, call the suite with the checkers you want, and get back a
//! [`SuiteReport`] saying which named property held and which did not, with each checker's
//! [`Report`](crate::check::Report).
//!
//! | suite | trait | checks |
//! |---|---|---|
//! | [`check_channel`] | [`Channel`] | Go channels: rendezvous, buffering, FIFO, close and drain, exactly-once delivery, wakeups, misuse refused |
//! | [`check_wait_group`] | [`Latch`] | Go's `sync.WaitGroup`: wait after every done, waiters released at zero, reuse, negative counter refused |
//! | [`check_map`] | [`ConcurrentMap`] | linearizability of `get`/`insert`/`remove` against a sequential `HashMap` |
//! | [`check_once`] | [`OnceLike`] | Go's `sync.Once`: runs once, callers wait for it, a panic counts as done |
//! | [`check_mutex`] | [`GoLock`] | Go's `sync.Mutex` by call: exclusion, unlock from another task, unlock of unlocked refused |
//! | [`check_rw_mutex`] | [`RwLocker`] | Go's `sync.RWMutex`: writer exclusion, shared readers, a queued writer blocks new readers, misuse refused |
//! | [`check_semaphore`] | [`WeightedSemaphore`] | x/sync's weighted semaphore: size bound, FIFO with no barging, cancellation, misuse refused |
//! | [`check_errgroup`] | [`Group`] | x/sync's errgroup: first error, cancel on first error and on wait, `set_limit` |
//!
//! Each suite's module ([`channel`], [`wait_group`], [`map`], [`once`], [`lock`], [`rwmutex`],
//! [`semaphore`], [`errgroup`]) lists its properties and what each requires; [`GoChannel`] and
//! concheck's own [`go`](crate::go) types pass their suites (concheck's own tests run them).
//!
//! # Writing your type for the checkers
//!
//! Add concheck as a dev-dependency and build your type from its facade, [`crate::sync`]
//! (`Mutex`, `Condvar`, atomics), [`crate::thread`] and [`crate::go`]: each primitive is std,
//! loom or shuttle depending on the runner active when it is created, so the same type runs in
//! production and under every checker. The suites create a fresh instance inside every
//! execution (that is why the traits construct: `with_capacity`, `new`). loom and shuttle
//! cannot see or schedule std's own primitives: a type built on those belongs under the std
//! checker only.
//!
//! # Running a suite
//!
//! A small latch, written the way a user would, checked by the WaitGroup suite:
//!
//! ```
//! use concheck::check::{Checker, ShuttleConfig};
//! use concheck::conformance::{check_wait_group, Latch};
//! use concheck::sync::{Condvar, Mutex};
//!
//! struct MyLatch {
//!     count: Mutex<usize>,
//!     zero: Condvar,
//! }
//!
//! impl Latch for MyLatch {
//!     fn new() -> Self {
//!         MyLatch { count: Mutex::new(0), zero: Condvar::new() }
//!     }
//!     fn add(&self, n: usize) {
//!         *self.count.lock() += n;
//!     }
//!     fn done(&self) {
//!         let mut count = self.count.lock();
//!         *count = count.checked_sub(1).expect("done called more times than add");
//!         if *count == 0 {
//!             self.zero.notify_all();
//!         }
//!     }
//!     fn wait(&self) {
//!         drop(self.zero.wait_while(self.count.lock(), |n| *n > 0));
//!     }
//! }
//!
//! // A cheap subset for a doc example; in a test use `Checker::defaults()`.
//! let checkers = [
//!     Checker::loom(),
//!     Checker::Shuttle(ShuttleConfig::random().iterations(200)),
//! ];
//! let report = check_wait_group::<MyLatch>(&checkers);
//! println!("{report}");
//! report.assert_passed();
//! ```
//!
//! `assert_passed` panics with every failed property: its name, the checker, the violation and
//! the replay string. To test that a known-buggy variant is caught, look at
//! [`SuiteReport::failed_names`] or [`SuiteReport::property`] instead.
//!
//! # Debugging and replay
//!
//! Each suite has a function that gives one property's body as a [`Check`]
//! ([`channel_property`], [`wait_group_property`], [`map_property`]): pass it and a failing
//! report's `replay` string to [`replay`](crate::check::replay) to run exactly that schedule
//! again, once.
//!
//! # Limitations
//!
//! - The suites send and store `u32`s; implement the trait for your type at `u32`.
//! - Every body is small (at most three spawned tasks, a handful of calls) so loom can explore
//!   it; a bug that needs more tasks or longer runs is out of their reach.
//! - loom's condvar wakes its waiters first in, first out, and real futexes mostly do too: a
//!   bug where a `notify_one` reaches the wrong waiter (one that started to wait after the
//!   change it was sent for) is found by the shuttle schedulers, which wake any waiter.
//! - The std checker runs real threads under a watchdog: a lost wakeup there costs the
//!   watchdog's timeout (5 s by default) before it is reported.
//! - "Refused" misuse means a panic (or concheck's own violation). An implementation that
//!   returns an error instead does not fit these traits; panic in your trait impl on that error.

pub mod channel;
pub mod errgroup;
pub mod lock;
pub mod map;
pub mod once;
mod report;
pub mod rwmutex;
pub mod semaphore;
pub mod wait_group;

pub use channel::{channel_property, check_channel, Channel, GoChannel};
pub use errgroup::{check_errgroup, errgroup_property, Group};
pub use lock::{check_mutex, mutex_property, GoLock};
pub use map::{check_map, map_property, ConcurrentMap};
pub use once::{check_once, once_property, OnceLike};
pub use report::{Expect, PropertyReport, SuiteReport};
pub use rwmutex::{check_rw_mutex, rw_mutex_property, RwLocker};
pub use semaphore::{check_semaphore, semaphore_property, WeightedSemaphore};
pub use wait_group::{check_wait_group, wait_group_property, Latch};

use crate::check::{Check, Checker};
use crate::thread::{self, JoinHandle};

/// One named property of a suite: its body and what every checker must report on it.
pub(crate) struct Property {
    pub(crate) name: &'static str,
    pub(crate) requirement: &'static str,
    pub(crate) expect: Expect,
    pub(crate) body: fn(),
}

impl Property {
    fn check(&self) -> Check {
        Check::new(self.body)
    }

    fn run(&self, checkers: &[Checker]) -> PropertyReport {
        PropertyReport::run(
            self.name,
            self.requirement,
            self.expect,
            &self.check(),
            checkers,
        )
    }
}

/// Lets every other task run until it blocks, for a body that needs them asleep (a writer
/// queued, say): returns whether that is now certain. Under a model checker time moves only
/// once every task is blocked, so a 2 ms sleep returns exactly then (true); on std it is a real
/// 2 ms, after which a slow thread may still be running (false): an assertion that needs the
/// others asleep must then be skipped, or a correct type would fail it.
pub(crate) fn settle() -> bool {
    crate::time::sleep(std::time::Duration::from_millis(2));
    crate::time::clock::Clock::current().is_virtual()
}

/// Spawns a named task: reports name it, and its spawn site is the caller's.
#[track_caller]
pub(crate) fn spawn<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> JoinHandle<T> {
    thread::Builder::new().name(name).spawn(f)
}
