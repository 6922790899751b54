//! concheck: Go's production concurrency patterns in Rust, checked by loom, shuttle and real
//! threads in one `cargo test`.
//!
//! # Background
//!
//! Concurrent code fails in a few ways over and over: a task that outlives its scope, blocked
//! forever on a channel nobody reads; a channel closed twice, or sent on after it was closed; a
//! notify that came before the wait it was meant for; a WaitGroup counted inside the task it
//! waits for; more tasks alive than a design allows; an update lost between a load and a store.
//! Rust's types rule out data races and some of Go's mistakes, not these.
//!
//! Two model checkers find such bugs by controlling the scheduler: [loom](https://docs.rs/loom)
//! explores every interleaving up to a bound on preemptions, [shuttle](https://docs.rs/shuttle)
//! samples schedules at random, with PCT's priorities, or depth-first. Each needs the code
//! written against its own types, usually behind a `cfg` flag that rebuilds the world and keeps
//! the checker out of the normal test run. concheck instead has one facade, [`sync`],
//! [`thread`] and [`go`], whose every primitive is std, loom or shuttle depending on the runner
//! active when it is created: the same body runs in production on std and under every checker,
//! in one `cargo test`, with no flags.
//!
//! # Writing a check
//!
//! Write the body against the facade, create every primitive inside it (or in a
//! [`sync::Lazy`]), share with [`sync::Arc`] (an `Arc` alive when an execution ends is a reported
//! resource leak), and assert what must hold:
//!
//! ```
//! use concheck::check::{Check, Checker};
//! use concheck::go::{self, WaitGroup};
//! use concheck::sync::Arc;
//! use concheck::thread;
//!
//! let check = Check::new(|| {
//!     let (results_tx, results_rx) = go::named::<u32>("results", 0);
//!     let wg = Arc::new(WaitGroup::new());
//!     for i in 0..2 {
//!         wg.add(1); // before the spawn: the closer must see both
//!         let (tx, wg) = (results_tx.clone(), Arc::clone(&wg));
//!         thread::Builder::new().name(format!("worker-{i}")).spawn(move || {
//!             tx.send(i);
//!             wg.done();
//!         });
//!     }
//!     thread::Builder::new().name("closer").spawn(move || {
//!         wg.wait();
//!         results_tx.close();
//!     });
//!     assert_eq!(results_rx.iter().count(), 2);
//! })
//! .max_live_tasks(3);
//! ```
//!
//! Every run of a body is a leak scope: it passes only if every task it spawned has ended.
//! [`leak::scope`] makes a narrower one. `max_live_tasks` declares the most tasks the pattern
//! may have alive at once.
//!
//! # Running it
//!
//! [`check::Check::run`] takes a [`check::Checker`] and returns a [`check::Report`]:
//!
//! ```
//! # use concheck::check::{Check, Checker};
//! # let check = Check::new(|| {});
//! for checker in Checker::defaults() {
//!     // loom (preemption bound 2), shuttle random and PCT (1,000 schedules), std (100 runs)
//!     let report = check.run(&checker);
//!     report.assert_no_violation();
//! }
//! ```
//!
//! For a known-buggy variant, `report.assert_finds(ViolationKind::SendAfterClose)` fails the
//! test unless that violation is found. A report carries the violation (kind, message, the
//! source sites, each task involved with its name, spawn site and what it was blocked on), the
//! iterations, the time, and whether the search was complete: a search cut by any bound that
//! found nothing is "no violation (incomplete: bound)", never a pass.
//!
//! # Adopting concheck
//!
//! A crate that checks its own code with concheck must optimise the model checkers in its test
//! profile: `cargo test` builds every dependency unoptimised, and loom and shuttle run a body
//! thousands of times through their schedulers. In the Cargo.toml at the root of your
//! workspace:
//!
//! ```toml
//! [profile.dev.package.loom]
//! opt-level = 3
//! [profile.dev.package.shuttle]
//! opt-level = 3
//! [profile.dev.package.shuttle-engine]
//! opt-level = 3
//! [profile.dev.package.shuttle-std]
//! opt-level = 3
//! [profile.dev.package.shuttle-schedulers]
//! opt-level = 3
//! [profile.dev.package.generator]
//! opt-level = 3
//! [profile.dev.package.concheck]
//! opt-level = 2
//! ```
//!
//! concheck cannot set this itself: Cargo reads `[profile]` only from the root manifest of the
//! workspace being built and ignores a dependency's, and no manifest key lets a library ask for
//! its own opt-level. Both halves matter: measured on `examples/bounded_queue`'s exhaustive loom
//! test, 1.9 s of CPU with the whole block, 5.4 s with only the checkers' lines, 6.0 s with only
//! concheck's, 11.2 s with none (median of 3; README, "Adopting concheck").
//!
//! # Async
//!
//! [`future`] runs async code on the facade: [`future::block_on`], [`future::spawn`] (an async
//! task is a facade task, so reports name it, its spawn site and what it awaits), a Waker-based
//! [`future::oneshot`], a bounded [`future::channel`] with Go's semantics, [`future::race`] and a
//! [`future::CancellationToken`]. An async body is checked like any other: call `block_on` in it.
//! A task whose Waker is never called after its last `Pending` is a lost wakeup, or a task leak
//! at its scope's end.
//!
//! # Checking your own type
//!
//! [`conformance`] runs suites of properties on your implementation through a trait: Go
//! channel semantics ([`conformance::check_channel`]), a WaitGroup or latch
//! ([`conformance::check_wait_group`]), Go's `Once`, `Mutex`, `RWMutex`, x/sync's weighted
//! semaphore and errgroup ([`conformance::check_once`], [`conformance::check_mutex`],
//! [`conformance::check_rw_mutex`], [`conformance::check_semaphore`],
//! [`conformance::check_errgroup`]), and a concurrent map whose recorded histories must be
//! linearizable against a sequential `HashMap` ([`conformance::check_map`]). The crate's
//! `examples/bounded_queue` is a whole crate that adopts concheck on a queue of its own.
//!
//! # Async code on tokio
//!
//! tokio's runtime cannot run under loom or shuttle, so [`tokio_gate`] checks async code for
//! real: spawn with [`tokio_gate::spawn`] (a name and the spawn site for every task), label the
//! awaits a task can get stuck in with [`tokio_gate::waiting_on`], and run the code in a
//! [`tokio_gate::scope`],
//! which reports every task still alive when the body returns (after a grace period, free on a
//! paused clock) by name, spawn site and what it awaits. [`check::Check::tokio`] with
//! [`check::Checker::tokio`] runs an async body many times on fresh runtimes and returns the
//! same [`check::Report`]; real runs are never `verified`.
//!
//! # Debugging and replay
//!
//! A failing loom or shuttle report has a `replay` string; [`check::replay`] runs exactly that
//! schedule again, once, so a debugger or `println!` sees the failing interleaving. A failing
//! shuttle schedule is shrunk first (fewer preemptions, then fewer steps, the same kind of
//! violation), and [`check::Report::shrunk`] says by how much:
//!
//! ```
//! use concheck::check::{replay, Check, Checker};
//! use concheck::sync::atomic::{AtomicBool, Ordering};
//! use concheck::sync::{Arc, Condvar, Mutex};
//! use concheck::{thread, ViolationKind};
//!
//! let check = Check::new(|| {
//!     let flag = Arc::new(AtomicBool::new(false));
//!     let pair = Arc::new((Mutex::new(()), Condvar::new()));
//!     let (f, p) = (Arc::clone(&flag), Arc::clone(&pair));
//!     let setter = thread::spawn(move || {
//!         f.store(true, Ordering::SeqCst); // not under the lock: the notify can come first
//!         p.1.notify_one();
//!     });
//!     let guard = pair.0.lock();
//!     if !flag.load(Ordering::SeqCst) {
//!         drop(pair.1.wait(guard));
//!     }
//!     setter.join().unwrap();
//! });
//! let report = check.run(&Checker::shuttle_random());
//! report.assert_finds(ViolationKind::LostWakeup);
//! assert_eq!(report.shrunk.unwrap().preemptions_after, 1); // the notify before the wait
//! let again = replay(&check, report.replay.as_deref().unwrap()).unwrap();
//! assert_eq!(again.kind(), Some(ViolationKind::LostWakeup));
//! assert_eq!(again.iterations, 1);
//! ```
//!
//! Panics inside checker runs are recorded in the report, not printed, and so are shuttle's own
//! lines about each failing schedule (`Test deadlocked, ...`, `test panicked in task ...`,
//! filtered out of stderr on Unix while a shuttle check runs); set `CONCHECK_SHOW_PANICS=1` to
//! see them as they happen.
//!
//! # Limitations
//!
//! - loom models at most 4 spawned tasks per execution (5 threads with the body); a fifth is a
//!   reported [`ViolationKind::Misuse`]. With a preemption bound its search is exhaustive only
//!   up to that bound, and the report says so.
//! - shuttle's random and PCT searches are samples; it treats atomics as sequentially
//!   consistent, so weak-memory bugs need loom.
//! - Time is virtual under the model checkers ([`time`]): it moves only when every task is
//!   blocked, so work takes no time unless [`time::Policy::Anytime`] says a task may be slow.
//! - A destructor that runs while a loom execution unwinds (after loom found a deadlock) may not
//!   call loom: the facade then skips it (a wait returns at once, a notify does nothing, a join
//!   does not happen, a spawn does not start). A destructor that locks a mutex that a blocked
//!   task holds cannot proceed at all, and the process aborts with that message.
//! - loom cannot branch on [`go::Select`]'s choice among several ready cases, and shuttle's DFS
//!   does not explore random values: such a search takes one choice and, if a select may have
//!   had another, reports itself incomplete (`select choice among ready cases not explored`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cell;
pub mod check;
pub mod conformance;
mod flavors;
pub mod future;
pub mod go;
pub mod hint;
pub mod leak;
pub mod report;
mod rt;
pub mod sync;
pub mod thread;
pub mod time;
pub mod tokio_gate;
mod violation;

/// The backends, for the expansion of [`thread_local!`]; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use loom;
    pub use shuttle;
}

pub use rt::{Backend, OpKind};
pub use violation::{Site, TaskInfo, TaskState, Violation, ViolationKind};

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
