//! The checkers: loom (exhaustive up to a preemption bound), shuttle (random, PCT, DFS) and real
//! std threads with a watchdog. Each runs a [`Check`] and returns a [`Report`].
//!
//! ```
//! use concheck::check::{Check, Checker};
//! use concheck::sync::{Arc, Mutex};
//! use concheck::thread;
//!
//! let check = Check::new(|| {
//!     let n = Arc::new(Mutex::new(0));
//!     let n2 = Arc::clone(&n);
//!     let t = thread::spawn(move || *n2.lock() += 1);
//!     *n.lock() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*n.lock(), 2);
//! });
//! for checker in Checker::defaults() {
//!     check.run(&checker).assert_no_violation();
//! }
//! ```
//!
//! # Searching at scale
//!
//! - Every core: [`ShuttleConfig::workers`] runs a search on several OS threads, each from its
//!   own seed; [`ShuttleConfig::portfolio`] deals several strategies (PCT, POS,
//!   coverage-guided, random, iterative-deepening PCT, delay bounding) over them and names the one that found a bug.
//! - Past PCT: [`ShuttleConfig::pos`] (partial order sampling), [`ShuttleConfig::pct_deepening`]
//!   (PCT at depths 1 to 6 in turn), [`ShuttleConfig::delay_bounded`] (round-robin with a few
//!   random delays), [`ShuttleConfig::coverage_guided`] (schedules fuzzed with the coverage of
//!   conflicting pairs as feedback, after RFF), [`ShuttleConfig::delay_bounded_dfs`] (every
//!   round-robin schedule within a delay bound; complete only within it). Their failures
//!   replay and shrink like PCT's; [`ShuttleConfig::strategies`] lists every strategy.
//! - Many machines: [`ShuttleConfig::shard`] (or `CONCHECK_SHARD=K/N`, see [`Shard`]) gives each
//!   CI job its own seed streams; [`crate::report::merge_shards`] makes one report of the jobs' reports.
//! - Time instead of a count: [`ShuttleConfig::time_budget`], [`LoomConfig::time_budget`]; the
//!   report says how many schedules the budget covered.
//! - How much was seen: every loom and shuttle [`Report`] carries a [`Coverage`], the pairs of
//!   conflicting operations the search ran in both orders.
//!
//! # Reading a failure
//!
//! A failing loom or shuttle report carries its execution's interleaving ([`Trace`]);
//! [`Report::to_html`] (or [`Report::write_html`]) draws a report as one self-contained HTML page, a lane
//! per task, blocked time as bars, the violation marked at the end.

mod classify;
#[cfg(test)]
mod classify_cases;
mod coverage;
pub mod explain;
#[cfg(test)]
mod explain_cases;
#[cfg(test)]
pub(crate) mod fixtures;
mod hooks;
mod loom;
mod loom_path;
mod loom_path_text;
#[cfg(test)]
mod op_text;
mod panic_text;
mod quiet;
mod replay;
mod runner;
mod settings;
mod shard;
mod shrink;
mod shuttle;
mod std_runs;
mod strategy;
mod tokio_runs;
mod verdict;

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

pub use self::coverage::Coverage;
pub use self::loom::{LoomConfig, MAX_BRANCHES_LIMIT};
pub use self::shuttle::{worker_seed, ShuttleConfig, Strategy, DEFAULT_DELAY_BOUND, DEFAULT_SEED};
pub use self::std_runs::StdConfig;
pub use crate::rt::steps::{Step, StepKind, Trace, TraceObject, TraceTask};
pub use replay::{replay, ReplayError, VERSION};
pub use shard::{Shard, ShardError, SHARD_ENV};
pub use shrink::Shrinkage;
pub(crate) use verdict::thousands;
pub use verdict::{completeness_label, AllowedLeaks, Completeness, Outcome, Report};

use crate::leak;
use crate::rt::{self, context, Backend, Execution, Limits};
use crate::tokio_gate::TokioConfig;
use runner::Runner;

/// A body to check, with the limits it declares.
#[derive(Clone)]
pub struct Check {
    body: Arc<dyn Fn() + Send + Sync + 'static>,
    limits: Limits,
    at: &'static Location<'static>,
    /// The async body of a [`Check::tokio`]; `body` then refuses the other checkers.
    tokio: Option<crate::tokio_gate::Body>,
    /// The name given with [`Check::id`], if any.
    id: Option<Arc<str>>,
    /// The type of the body's closure or function (`crate::module::{{closure}}`, or `fn()`).
    body_type: &'static str,
    /// Names of tasks allowed to be still blocked at a scope end ([`Check::allow_leak`]).
    allowed_leaks: Arc<[String]>,
}

impl Check {
    /// A check of `body`, which is run once per execution. It should create every primitive it
    /// uses (or take them from [`crate::sync::Lazy`]).
    #[track_caller]
    pub fn new(body: impl Fn() + Send + Sync + 'static) -> Self {
        let body_type = std::any::type_name_of_val(&body);
        Check {
            body: Arc::new(body),
            limits: Limits::default(),
            at: Location::caller(),
            tokio: None,
            id: None,
            body_type,
            allowed_leaks: Arc::new([]),
        }
    }

    /// A check of an async body on tokio, run by [`Checker::Tokio`] only: each run awaits one
    /// future from `body` on a fresh runtime inside a [`crate::tokio_gate::Scope`], whose tracker
    /// holds the [`Check::max_live_tasks`] bound. loom, shuttle and std report it as a misuse:
    /// tokio's runtime cannot run under them.
    #[track_caller]
    pub fn tokio<F, Fut>(body: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + 'static,
    {
        let body_type = std::any::type_name_of_val(&body);
        Check {
            body: Arc::new(crate::tokio_gate::refuse_other_checkers),
            limits: Limits::default(),
            at: Location::caller(),
            tokio: Some(crate::tokio_gate::body(body)),
            id: None,
            body_type,
            allowed_leaks: Arc::new([]),
        }
    }

    /// Names this check in its replay strings (a scenario's name, a test's): a string recorded
    /// for a check of another name is refused by [`replay`] as recorded for another check.
    /// Without a name, the check is known by where it was built and its body's type, which
    /// cannot tell apart two bodies passed as plain `fn()` pointers from one place.
    pub fn id(mut self, name: impl Into<String>) -> Self {
        self.id = Some(Arc::from(name.into()));
        self
    }

    /// What replay strings fingerprint: the name, or where the check was built and its
    /// body's type.
    pub(crate) fn identity(&self) -> String {
        match &self.id {
            Some(id) => format!("id {id}"),
            None => format!(
                "at {}:{}:{} body {}",
                self.at.file(),
                self.at.line(),
                self.at.column(),
                self.body_type
            ),
        }
    }

    /// Whether this is a [`Check::tokio`] body, which loom and shuttle cannot run.
    pub(crate) fn is_tokio(&self) -> bool {
        self.tokio.is_some()
    }

    /// Allows the tasks named `name` (by [`thread::Builder::name`](crate::thread::Builder::name))
    /// to leak: an execution that ends with only such tasks still blocked at a scope end is
    /// not a violation, and the report counts it under
    /// [`Report::allowed_leaks`] with the first one's leak report. In the spirit of goleak's
    /// `IgnoreTopFunction`, for programs that leave goroutines blocked on purpose (Go's prime
    /// sieve). A leak of any other task, or a named task that is still running (a spin), is
    /// still a [`ViolationKind::Leak`](crate::ViolationKind::Leak).
    ///
    /// Such an execution ends at that scope end: the tasks are blocked forever, so nothing
    /// after the scope runs. shuttle goes on with its next schedule; loom cannot go on past an
    /// execution that ends blocked, so its search stops there and is reported incomplete; on
    /// std the watchdog decides that the tasks are blocked, so each such run costs the
    /// [`StdConfig::watchdog`].
    pub fn allow_leak(mut self, name: impl Into<String>) -> Self {
        let mut names = self.allowed_leaks.to_vec();
        names.push(name.into());
        self.allowed_leaks = names.into();
        self
    }

    /// Whether `v` is a leak of allowed tasks only, each still blocked: then the execution
    /// passes and the leak is noted in the report (see [`Check::allow_leak`]).
    pub(crate) fn allows(&self, v: &crate::violation::Violation) -> bool {
        v.kind == crate::ViolationKind::Leak
            && !v.tasks.is_empty()
            && v.tasks.iter().all(|t| {
                matches!(t.state, crate::violation::TaskState::Blocked { .. })
                    && self.allowed_leaks.contains(&t.name)
            })
    }

    /// Declares that at most `n` spawned tasks are alive at once; a spawn past it is a
    /// [`ViolationKind::BoundExceeded`](crate::ViolationKind::BoundExceeded).
    ///
    /// # Panics
    ///
    /// If `n` is zero: a body that may not spawn needs no bound; say so with `Some(0)` nowhere.
    pub fn max_live_tasks(mut self, n: usize) -> Self {
        assert!(
            n > 0,
            "max_live_tasks(0) forbids every spawn; declare the real bound of the pattern (>= 1)"
        );
        self.limits.max_live_tasks = Some(n);
        self
    }

    /// Runs this check under each of `checkers`; panics with the first report that found a
    /// violation (and its replay string). Returns the reports.
    #[track_caller]
    pub fn assert_no_violation(&self, checkers: &[Checker]) -> Vec<Report> {
        checkers
            .iter()
            .map(|c| {
                let report = self.run(c);
                report.assert_no_violation();
                report
            })
            .collect()
    }

    /// Runs this check under each of `checkers`; panics unless every one finds a violation of
    /// `kind`. Returns the reports. For a known-buggy variant: the test that its bug IS found.
    #[track_caller]
    pub fn assert_finds(&self, kind: crate::ViolationKind, checkers: &[Checker]) -> Vec<Report> {
        checkers
            .iter()
            .map(|c| {
                let report = self.run(c);
                report.assert_finds(kind);
                report
            })
            .collect()
    }

    /// Runs this check under `checker`: its search, then the one finish step (classify,
    /// shrink, trace) that builds the report.
    pub fn run(&self, checker: &Checker) -> Report {
        if let Some(why) = checker.invalid() {
            // A setting no search can use: reported before anything runs (`check::settings`).
            let violation = crate::violation::Violation::new(
                crate::rt::violation::ViolationKind::Misuse,
                format!("invalid {} settings: {why}", checker.short_name()),
            );
            let searched = runner::Searched::real(
                format!("{} (not run: invalid settings)", checker.short_name()),
                std::time::Instant::now(),
                Some(violation),
                0,
            );
            return runner::finish(&runner::NotRun, self, searched);
        }
        match checker {
            Checker::Loom(c) => runner::finish(c, self, c.search(self)),
            Checker::Shuttle(c) => {
                let _quiet = quiet::Quiet::enter();
                runner::finish(c, self, c.search(self))
            }
            Checker::Std(c) => runner::finish(c, self, c.search(self)),
            Checker::Tokio(c) => runner::finish(c, self, c.search(self)),
        }
    }

    /// Runs `body` as one execution on the current thread, under `backend`. The execution is
    /// published through `publish` before the body starts, so a runner can read its registry
    /// after the body panics.
    pub(crate) fn execute(&self, backend: Backend, publish: impl FnOnce(&Arc<Execution>)) {
        let execution = Execution::new(backend, self.limits);
        rt::coverage::begin_execution();
        rt::trace::begin_execution();
        publish(&execution);
        context::replace(Some(Arc::clone(&execution)));
        rt::set_current_task(0);
        let root = leak::open_root(&execution);
        if backend == Backend::Loom {
            // A panic that leaves the body ends loom's execution: from here on what unwinds
            // (loom's own frames, spawns it had queued) runs outside any loom thread.
            if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (self.body)();
                fail_if_stray(&execution);
            })) {
                rt::loom_failed("the body panicked");
                std::panic::resume_unwind(payload);
            }
        } else {
            (self.body)();
            fail_if_stray(&execution);
        }
        if backend == Backend::Loom {
            // Raises loom's own failure again if the body caught it.
            rt::loom_goes_on();
        }
        execution.close_scope(0, root);
        leak::join_scope(&execution, root, Some(0), self.at);
        // Every task ended: an `Arc` of this execution still alive now is a leak.
        crate::sync::report_leaked(&execution);
        execution.finish(0, false);
        crate::time::join_driver(&execution);
        // Whatever runs between executions (a scheduler's own panic) is not this body's.
        context::replace(None);
    }
}

/// Ends the execution with the misuse of a thread no checker scheduled, if one was recorded
/// (`rt::Execution::record_stray`): the body may have ignored the failed join that followed.
fn fail_if_stray(execution: &Execution) {
    if let Some(v) = execution.stray() {
        panic!("{v}");
    }
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("limits", &self.limits)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// A checker and its settings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Checker {
    /// loom: every interleaving up to a preemption bound.
    Loom(LoomConfig),
    /// shuttle: random, PCT, DFS, POS, iterative-deepening PCT, delay-bounded or portfolio
    /// schedules.
    Shuttle(ShuttleConfig),
    /// Real std threads, many runs, with a watchdog.
    Std(StdConfig),
    /// Async bodies ([`Check::tokio`]) on a real tokio runtime, many runs, each inside a leak
    /// gate ([`crate::tokio_gate`]).
    Tokio(TokioConfig),
}

impl Checker {
    /// loom with [`LoomConfig::default`].
    pub fn loom() -> Self {
        Checker::Loom(LoomConfig::default())
    }

    /// shuttle random with [`ShuttleConfig::random`].
    pub fn shuttle_random() -> Self {
        Checker::Shuttle(ShuttleConfig::random())
    }

    /// shuttle PCT with [`ShuttleConfig::pct`].
    pub fn shuttle_pct() -> Self {
        Checker::Shuttle(ShuttleConfig::pct())
    }

    /// shuttle DFS with [`ShuttleConfig::dfs`].
    pub fn shuttle_dfs() -> Self {
        Checker::Shuttle(ShuttleConfig::dfs())
    }

    /// shuttle partial order sampling with [`ShuttleConfig::pos`].
    pub fn shuttle_pos() -> Self {
        Checker::Shuttle(ShuttleConfig::pos())
    }

    /// shuttle iterative-deepening PCT with [`ShuttleConfig::pct_deepening`].
    pub fn shuttle_pct_deepening() -> Self {
        Checker::Shuttle(ShuttleConfig::pct_deepening())
    }

    /// shuttle random delay bounding with [`ShuttleConfig::delay_bounded`].
    pub fn shuttle_delay_bounded() -> Self {
        Checker::Shuttle(ShuttleConfig::delay_bounded())
    }

    /// The shuttle portfolio with [`ShuttleConfig::portfolio`] (one worker: give it more with
    /// [`ShuttleConfig::workers`]).
    pub fn shuttle_portfolio() -> Self {
        Checker::Shuttle(ShuttleConfig::portfolio())
    }

    /// std threads with [`StdConfig::default`].
    pub fn std() -> Self {
        Checker::Std(StdConfig::default())
    }

    /// tokio with [`TokioConfig::default`]: current-thread runtime, paused clock, 100 runs.
    pub fn tokio() -> Self {
        Checker::Tokio(TokioConfig::default())
    }

    /// The checkers every pattern is held to: loom, shuttle random, shuttle PCT, std.
    pub fn defaults() -> Vec<Checker> {
        vec![
            Checker::loom(),
            Checker::shuttle_random(),
            Checker::shuttle_pct(),
            Checker::std(),
        ]
    }

    /// The model checkers of [`Checker::defaults`]: loom, shuttle random, shuttle PCT. A buggy
    /// variant is held to these: real threads find interleaving bugs only by chance.
    pub fn models() -> Vec<Checker> {
        vec![
            Checker::loom(),
            Checker::shuttle_random(),
            Checker::shuttle_pct(),
        ]
    }

    /// Why this checker's settings cannot run, if they cannot.
    fn invalid(&self) -> Option<&str> {
        match self {
            Checker::Loom(c) => c.invalid(),
            Checker::Shuttle(c) => c.invalid(),
            Checker::Std(c) => c.invalid(),
            Checker::Tokio(c) => c.invalid(),
        }
    }

    /// A short name for tables: `loom`, `shuttle-random`, `shuttle-pct`, `shuttle-dfs`,
    /// `shuttle-pos`, `shuttle-pct-deepening`, `shuttle-delay`, `shuttle-delay-dfs`,
    /// `shuttle-guided`, `shuttle-portfolio`, `std`,
    /// `tokio`, `tokio-mt`.
    pub fn short_name(&self) -> &'static str {
        match self {
            Checker::Loom(_) => "loom",
            Checker::Shuttle(c) => c.strategy.short_name(),
            Checker::Std(_) => "std",
            Checker::Tokio(c) => c.short_name(),
        }
    }
}

/// Runs a search on a fresh OS thread and returns its result.
///
/// A model checker can leave the thread it ran on with a panic count that never returns to zero:
/// shuttle suspends a task in the middle of unwinding and never resumes it, and the count is the
/// OS thread's, shared by every coroutine on it. On that thread `std::thread::panicking()` stays
/// true, which would make every later check there skip waits and build std primitives (the
/// facade's loom-unwinding guards). On a fresh thread that state dies with the thread.
pub(crate) fn on_fresh_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("concheck-search".to_owned())
            .spawn_scoped(scope, f)
            .expect("spawn a thread for the search")
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
    })
}
