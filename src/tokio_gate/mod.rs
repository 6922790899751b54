//! A leak gate and a checker for async code on a real tokio runtime.
//!
//! The module is `tokio_gate`, not `tokio`, so that `use tokio::...` in a file that also uses
//! concheck still names the tokio crate.
//!
//! tokio's runtime cannot run under loom or shuttle (its internals use std atomics and threads,
//! which no model checker sees), so async code on tokio is checked for real: run many times, on
//! a current-thread runtime with a paused clock (timeouts cost no time) or on a multi-thread
//! one, with every task it spawns tracked. What it finds is what a run shows; it explores no
//! interleavings, and a clean report says `incomplete: N real runs`, never `verified`.
//!
//! # The gate
//!
//! Spawn with [`spawn`] (or wrap a future with [`track`] for `JoinSet::spawn` and tokio-util's
//! `TaskTracker::spawn`): each task gets a name and its spawn site. Wrap the awaits a task can
//! get stuck in with [`waiting_on`], so a stuck task says what it awaits. Run the code in a
//! [`scope`]: when its body returns, the scope gives stragglers a grace period and then reports,
//! as a [`Violation`](crate::Violation):
//!
//! - [`ViolationKind::Leak`](crate::ViolationKind::Leak): tasks still alive, each by name,
//!   spawn site and what it awaits; tasks spawned with plain `tokio::spawn` are counted through
//!   tokio's `num_alive_tasks` metric ("2 untracked tasks");
//! - [`ViolationKind::BoundExceeded`](crate::ViolationKind::BoundExceeded): more tracked tasks
//!   alive at once than [`Scope::max_live_tasks`] declares;
//! - [`ViolationKind::TaskPanicked`](crate::ViolationKind::TaskPanicked): a tracked task
//!   panicked (tokio would hand the panic to a `JoinHandle` nobody may read).
//!
//! ```
//! use std::time::Duration;
//! use concheck::tokio_gate::{scope, spawn, waiting_on};
//! use concheck::ViolationKind;
//! use tokio::sync::mpsc;
//!
//! /// Asks a slow backend, gives up after `deadline`. The bug: the reply goes into the
//! /// client's mailbox, which the child keeps alive and nobody reads after a timeout.
//! async fn request(mailbox: mpsc::Sender<u32>, replies: &mut mpsc::Receiver<u32>) -> Option<u32> {
//!     spawn("backend call", async move {
//!         tokio::time::sleep(Duration::from_millis(100)).await;
//!         let _ = waiting_on("send on 'mailbox'", mailbox.send(7)).await;
//!     });
//!     tokio::time::timeout(Duration::from_millis(10), replies.recv()).await.ok().flatten()
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let (mailbox, mut replies) = mpsc::channel(1);
//! let violation = scope(async {
//!     assert_eq!(request(mailbox.clone(), &mut replies).await, None); // reply 1 fills the slot
//!     assert_eq!(request(mailbox.clone(), &mut replies).await, None); // reply 2 waits forever
//! })
//! .await
//! .unwrap_err();
//! assert_eq!(violation.kind, ViolationKind::Leak);
//! assert!(violation.message.contains("'backend call'"));
//! assert!(violation.message.contains("blocked in .await on send on 'mailbox'"));
//! # });
//! ```
//!
//! On a paused clock the grace period is virtual time: tokio jumps the clock to the next timer
//! whenever every task waits, so a 1 s grace costs microseconds. On the real clock it costs at
//! most the grace, and only when something is still alive.
//!
//! # The checker
//!
//! [`Check::tokio`](crate::check::Check::tokio) takes an async body and
//! [`Checker::Tokio`](crate::check::Checker::Tokio) runs it: every run on a fresh runtime inside
//! the gate, under a watchdog, returning the same [`Report`](crate::check::Report) the other
//! checkers do.
//!
//! ```
//! use concheck::check::{Check, Checker};
//! use concheck::tokio_gate::{spawn, TokioConfig};
//!
//! let check = Check::tokio(|| async {
//!     let workers: Vec<_> = (0..2).map(|i| spawn(format!("worker-{i}"), async move { i })).collect();
//!     for w in workers {
//!         w.await.unwrap();
//!     }
//! })
//! .max_live_tasks(2);
//! check.run(&Checker::tokio()).assert_no_violation(); // current-thread, paused clock
//! check.run(&Checker::Tokio(TokioConfig::multi_thread(2))).assert_no_violation();
//! ```
//!
//! # Limitations
//!
//! - Real runs, not a search: a leak that needs a rare timing shows only if a run hits it.
//! - The untracked count is tokio's task count minus the tracked tasks and the tasks alive
//!   before the body, so it sees net growth only, and only on the scope's runtime.
//! - On a paused clock a leaked task that spins without ever waiting keeps the clock from
//!   moving; the checker's watchdog reports it as a hang, a bare [`scope`] hangs.
//! - The gate sees what tasks do, not what blocking threads (`spawn_blocking`) do.

mod body;
mod config;
mod scope;
mod task;
mod tracker;
mod waiting;

pub(crate) use body::{body, refuse_other_checkers, Body};
pub use config::{Flavor, TokioConfig};
pub use scope::{scope, Scope};
pub use task::{spawn, track, Tracked};
pub use tracker::Tracker;
pub use waiting::waiting_on;
