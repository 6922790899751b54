//! SCTBench's concurrency-software programs ("CS"), ported onto concheck's facade: the public
//! benchmark of the schedule-bounding study (Thomson, Donaldson and Betts, "Concurrency Testing
//! Using Schedule Bounding: an Empirical Study", PPoPP'14, and "Concurrency Testing Using
//! Controlled Schedulers: An Empirical Study", ACM TOPC 2016; programs in the
//! `mc-imperial/sctbench` repository, `benchmarks/`).
//!
//! Each file holds one C program rewritten in Rust (no code copied): the buggy program as the
//! study ran it, with the violation its bug shows here, and, where the bug allows, a fixed twin
//! that must stay clean. Programs that the study runs at several sizes (`reorder_N`,
//! `wronglock_N`, `twostage_N`, `din_phil_N`) are one parameterised body. [`scaled`] adds
//! larger versions of two of this crate's own twins, where the bug gets rare.
//!
//! # How the C is modelled
//!
//! - `pthread_mutex_t` is [`concheck::sync::Mutex`] where the program locks and unlocks in one
//!   scope, and [`concheck::go::Mutex`] (lock and unlock as separate calls, by any task) where
//!   it holds a lock across scopes (carter01, phase01).
//! - Shared plain variables read and written outside locks are facade atomics with `SeqCst`:
//!   the study's tool explored sequentially consistent interleavings of them, and the bugs are
//!   the assertions that such interleavings break. (A race on them as such would be
//!   `concheck::cell::UnsafeCell`'s to report, but it is reported in every schedule, so it
//!   would measure nothing about a search, and reading its pointer needs `unsafe`, which this
//!   crate forbids.) A `x++` is a load and a store, as in the C.
//! - ESBMC's `__ESBMC_atomic_begin`/`end` blocks are one global lock.
//! - `assert` is `assert!` (a task's panic: [`ViolationKind::AssertionFailed`]); a program that
//!   blocks forever is a [`ViolationKind::Deadlock`] (or a lost wakeup, when a condvar waiter
//!   is the one left). `main` returning without joining is a join here: the facade reports a
//!   task that outlives its scope, which the C programs do not mean.

use concheck::thread::{self, JoinHandle};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

pub mod account;
pub mod arithmetic_prog;
pub mod bluetooth_driver;
pub mod carter01;
pub mod circular_buffer;
pub mod deadlock01;
pub mod din_phil;
pub mod fsbench;
pub mod lazy01;
pub mod phase01;
pub mod reorder;
pub mod scaled;
pub mod stack;
pub mod stringbuffer;
pub mod sync01;
pub mod sync02;
pub mod token_ring;
pub mod twostage;
pub mod wronglock;

/// The most tasks loom models in one execution (4 spawned besides the body): programs with
/// more are run by shuttle's strategies only.
pub const LOOM_MAX_TASKS: usize = 4;

/// What the repository's `benchmarks/buggy.txt` lists beside a program: its thread count
/// (the C `main` included) and its second figure, the scheduling points of one execution as we
/// read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Study {
    /// Threads, `main` included.
    pub threads: u32,
    /// The second figure of `buggy.txt`.
    pub points: u32,
}

/// One benchmark program: its buggy body, its fixed twin if the bug allows one, and where it
/// comes from.
#[derive(Clone, Copy, Debug)]
pub struct Program {
    /// The buggy program (a twin: its violation must be found).
    pub buggy: Scenario,
    /// The fixed program (a reference: no violation), if the bug allows one.
    pub fixed: Option<Scenario>,
    /// The C file in `mc-imperial/sctbench` (or `scenarios/src/...` for a scaled crate twin).
    pub origin: &'static str,
    /// The study's figures for the program, where `buggy.txt` lists it.
    pub study: Option<Study>,
    /// Tasks the body spawns (the most alive at once).
    pub tasks: usize,
}

impl Program {
    /// The benchmark's name: the buggy scenario's, `sct_` dropped.
    pub fn name(&self) -> &'static str {
        self.buggy
            .name
            .strip_prefix("sct_")
            .unwrap_or(self.buggy.name)
    }

    /// Whether loom can run it: at most [`LOOM_MAX_TASKS`] spawned tasks.
    pub fn fits_loom(&self) -> bool {
        self.tasks <= LOOM_MAX_TASKS
    }
}

/// The violations a failed C `assert` shows as: an `assert!` in a task (or an index out of
/// bounds, a panic of another message).
pub const ASSERTS: &[ViolationKind] =
    &[ViolationKind::AssertionFailed, ViolationKind::TaskPanicked];

/// The violations a program that blocks forever shows as.
pub const BLOCKS: &[ViolationKind] = &[ViolationKind::Deadlock, ViolationKind::LostWakeup];

/// The loom bound of the benchmark: 2, the study's finding that most of its bugs need a bound
/// of 1 or 2 (TOPC'16, abstract).
const LOOM_BOUND: Option<usize> = Some(2);

/// A buggy program's scenario.
pub(crate) fn buggy(
    name: &'static str,
    summary: &'static str,
    expects: &'static [ViolationKind],
    body: fn(),
    tasks: usize,
) -> Scenario {
    Scenario {
        name,
        pattern: "sctbench",
        role: Role::Twin {
            expects,
            assertion: None,
        },
        summary,
        body: Body::Sync(body),
        max_live_tasks: Some(tasks),
        loom_preemption_bound: LOOM_BOUND,
    }
}

/// A fixed program's scenario.
pub(crate) fn fixed(
    name: &'static str,
    summary: &'static str,
    body: fn(),
    tasks: usize,
) -> Scenario {
    Scenario {
        name,
        pattern: "sctbench",
        role: Role::Reference,
        summary,
        body: Body::Sync(body),
        max_live_tasks: Some(tasks),
        loom_preemption_bound: LOOM_BOUND,
    }
}

/// Spawns a named task.
pub(crate) fn spawn(name: impl Into<String>, f: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    thread::Builder::new().name(name).spawn(f)
}

/// Joins every task; a task's panic is already the run's violation, so its `Err` is dropped.
pub(crate) fn join_all(handles: Vec<JoinHandle<()>>) {
    for h in handles {
        let _ = h.join();
    }
}

/// Every benchmark program, in the order the table lists them.
pub fn programs() -> Vec<Program> {
    let mut all = vec![
        account::program(),
        arithmetic_prog::program(),
        bluetooth_driver::program(),
        carter01::program(),
        circular_buffer::program(),
        deadlock01::program(),
    ];
    all.extend(din_phil::programs());
    all.push(fsbench::program());
    all.push(lazy01::program());
    all.push(phase01::program());
    all.extend(reorder::programs());
    all.push(stack::program());
    all.push(stringbuffer::program());
    all.push(sync01::program());
    all.push(sync02::program());
    all.push(token_ring::program());
    all.extend(twostage::programs());
    all.extend(wronglock::programs());
    all.extend(scaled::programs());
    all
}

/// Every benchmark scenario, buggy and fixed.
pub fn scenarios() -> Vec<Scenario> {
    programs()
        .into_iter()
        .flat_map(|p| std::iter::once(p.buggy).chain(p.fixed))
        .collect()
}
