//! The list of every scenario: what it is, what it must show, and how to check it.

use std::future::Future;
use std::pin::Pin;

use concheck::check::{Check, Checker, Report};
use concheck::ViolationKind;

use crate::*;

/// What a scenario must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A reference implementation: no checker may find a violation.
    Reference,
    /// A buggy twin: loom and shuttle (the tokio checker, for an async twin) must find one of
    /// `expects` (the first is the bug's usual face; the rest are other faces of the same bug
    /// in other interleavings).
    Twin {
        /// The violation kinds that count as caught.
        expects: &'static [ViolationKind],
        /// For a twin whose bug shows as a failed assertion of its own: a fragment of that
        /// assertion's message. Any assert in the body fails as
        /// [`ViolationKind::AssertionFailed`], so without it a twin would count as caught when
        /// some other assertion failed (a mistake in the body, not the bug). The catalog's
        /// twins that expect `AssertionFailed` all give it (a test checks); `None` counts any
        /// failed assertion as the bug.
        assertion: Option<&'static str>,
    },
}

/// The future of one run of an async scenario.
pub type TokioFuture = Pin<Box<dyn Future<Output = ()>>>;

/// A scenario's body, and so the checkers that can run it.
#[derive(Clone, Copy, Debug)]
pub enum Body {
    /// Sync code on the facade, run once per execution under loom, shuttle and std.
    Sync(fn()),
    /// Async code on tokio: each call makes the future of one run, which only the tokio checker
    /// runs (tokio's runtime cannot run under loom or shuttle).
    Tokio(fn() -> TokioFuture),
}

/// One checked body.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// Unique, snake_case: `worker_pool`, `worker_pool_add_inside_task`.
    pub name: &'static str,
    /// The pattern it belongs to: `worker pool`.
    pub pattern: &'static str,
    /// Reference or twin.
    pub role: Role,
    /// One line: what the body does, and for a twin, the bug.
    pub summary: &'static str,
    /// The body, run once per execution.
    pub body: Body,
    /// The declared bound on live spawned tasks, if the pattern promises one.
    pub max_live_tasks: Option<usize>,
    /// loom's preemption bound for this body (`None`: exhaustive), chosen from measured costs
    /// written beside each scenario.
    pub loom_preemption_bound: Option<usize>,
}

/// The loom bound of most scenarios. Measured (release, 2 cores): the four multi-task
/// references take 2,053 to 31,918 iterations (0.2 s to 3.7 s) at bound 2; at bound 3
/// `pipeline_drain` takes 33,258 (3.6 s), `pipeline_cancel` 90,252 (8.9 s), and `worker_pool`
/// and `fan_in` did not finish in 40 s (over 400,000 iterations); unbounded, none finished in
/// 40 s. Bound 2 keeps the whole catalog within seconds; shuttle's searches add breadth.
pub const LOOM_BOUND: Option<usize> = Some(2);

impl Scenario {
    /// The check of this scenario's body with its declared limits.
    pub fn check(&self) -> Check {
        let check = match self.body {
            Body::Sync(body) => Check::new(body),
            Body::Tokio(body) => Check::tokio(body),
        }
        .id(self.name);
        match self.max_live_tasks {
            Some(n) => check.max_live_tasks(n),
            None => check,
        }
    }

    /// The checkers this scenario is held to: loom, shuttle random and PCT, and std. A twin's
    /// std watchdog is 1 s instead of 5 s: it is known to block, and real runs only show it.
    /// An async scenario is held to the tokio checker: 100 runs on a current-thread runtime
    /// with a paused clock, where its timeouts cost no real time (0.01 to 0.05 s a scenario).
    pub fn checkers(&self) -> Vec<Checker> {
        if let Body::Tokio(_) = self.body {
            return vec![Checker::tokio()];
        }
        let mut checkers = Checker::defaults();
        for c in &mut checkers {
            match c {
                Checker::Loom(config) => {
                    *config = config.clone().preemption_bound(self.loom_preemption_bound)
                }
                Checker::Std(config) if matches!(self.role, Role::Twin { .. }) => {
                    *config = config.clone().watchdog(std::time::Duration::from_secs(1));
                }
                _ => {}
            }
        }
        checkers
    }

    /// Whether a report meets this scenario's role; [`Scenario::unmet`] says why not.
    pub fn satisfied_by(&self, checker: &Checker, report: &Report) -> bool {
        self.unmet(checker, report).is_none()
    }

    /// What a report lacks to meet this scenario's role, or `None` if it meets it.
    ///
    /// - A reference must show no violation, and must do concurrent work: loom's complete
    ///   search of a sync reference must find more than one execution. A body whose tasks never
    ///   interleave (one that does nothing, or does everything on one task) has one schedule,
    ///   passes every checker and checks nothing. A search its iteration cap or time budget cut
    ///   is not held to it, nor one at preemption bound 0 (which leaves two tasks one schedule
    ///   when they meet only at a join).
    /// - A twin must show one of its expected kinds, and a failed assertion must be the one
    ///   its `assertion` names. std runs of a twin are not held to it:
    ///   real threads find interleaving bugs only by chance, which is the point of the model
    ///   checkers. tokio runs are: an async twin's bug (a detached task, a spawn past the
    ///   bound) shows in every run.
    /// - A check this shard skipped is held by the shard that runs it, as
    ///   [`Report::assert_finds`] says.
    pub fn unmet(&self, checker: &Checker, report: &Report) -> Option<String> {
        if report.skipped() {
            return None;
        }
        match self.role {
            Role::Reference => match report.violation() {
                Some(v) => Some(format!(
                    "a reference must show no violation, found {}",
                    v.kind
                )),
                None if report.iterations <= 1 && searched_every_schedule(checker, report) => Some(
                    "loom's complete search found one schedule: the body has no interleaving \
                         to check (a reference must run tasks that meet)"
                        .to_owned(),
                ),
                None => None,
            },
            Role::Twin { .. } if matches!(checker, Checker::Std(_)) => None,
            Role::Twin { expects, assertion } => match report.violation() {
                Some(v) if expects.contains(&v.kind) => match assertion {
                    Some(a)
                        if v.kind == ViolationKind::AssertionFailed && !v.message.contains(a) =>
                    {
                        Some(format!(
                            "an assertion other than the bug's failed (the bug's says {a:?}): {}",
                            v.message
                        ))
                    }
                    _ => None,
                },
                Some(v) => Some(format!("found {}, expected one of {expects:?}", v.kind)),
                None => Some(format!("found no violation, expected one of {expects:?}")),
            },
        }
    }
}

/// Whether `report` is of a loom search that ran out of schedules under a preemption bound of
/// at least 1: one that its iteration cap or time budget did not stop.
fn searched_every_schedule(checker: &Checker, report: &Report) -> bool {
    let Checker::Loom(config) = checker else {
        return false;
    };
    let capped = config
        .get_iterations()
        .is_some_and(|n| report.iterations >= n);
    let out_of_time = config
        .get_max_duration()
        .is_some_and(|d| report.elapsed >= d);
    config.get_preemption_bound() != Some(0) && !capped && !out_of_time
}

/// A pattern module: its name and the function listing its scenarios.
pub(crate) type Module = (&'static str, fn() -> Vec<Scenario>);

/// Every pattern module, in the order the table lists them.
pub const MODULES: &[Module] = &[
    ("worker_pool", worker_pool::scenarios),
    ("fan_in", fan_in::scenarios),
    ("pipeline", pipeline::scenarios),
    ("ready_flag", ready_flag::scenarios),
    ("safe_counter", safe_counter::scenarios),
    ("rwlock_cache", rwlock_cache::scenarios),
    ("once", once::scenarios),
    ("pool", pool::scenarios),
    ("concurrent_map", concurrent_map::scenarios),
    ("lock_order", lock_order::scenarios),
    ("bounded_parallel", bounded_parallel::scenarios),
    ("errgroup", errgroup::scenarios),
    ("error_collection", error_collection::scenarios),
    ("wait_group_rules", wait_group_rules::scenarios),
    ("cancellable_worker", cancellable_worker::scenarios),
    ("generator", generator::scenarios),
    ("first_response", first_response::scenarios),
    ("graceful_shutdown", graceful_shutdown::scenarios),
    ("caller_decides", caller_decides::scenarios),
    ("static_init", static_init::scenarios),
    ("channel_hazards", channel_hazards::scenarios),
    ("buffer_sizing", buffer_sizing::scenarios),
    ("request_timeout", request_timeout::scenarios),
    ("token_bucket", token_bucket::scenarios),
    ("sliding_window", sliding_window::scenarios),
    ("tokio_timeout", tokio_timeout::scenarios),
    ("tokio_first_response", tokio_first_response::scenarios),
    ("tokio_shutdown", tokio_shutdown::scenarios),
    ("tokio_worker_pool", tokio_worker_pool::scenarios),
    ("async_patterns", async_patterns::scenarios),
];

/// Every scenario, references first within each pattern.
pub fn catalog() -> Vec<Scenario> {
    MODULES
        .iter()
        .flat_map(|(_, scenarios)| scenarios())
        .collect()
}
