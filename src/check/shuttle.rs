//! The shuttle runner: random, PCT and DFS schedules, each seeded and capped in code.
//!
//! Random and PCT sample the schedule space and are never complete; DFS is complete when it
//! runs out of schedules before its cap. A failing run is shrunk first (fewer preemptions,
//! fewer steps, the same kind of violation: see `super::shrink`), and the report carries the
//! shrunk run's violation and shuttle's own schedule string for it, which [`super::replay`] (or
//! `shuttle::replay`) runs again.
//!
//! Random and PCT split: over OS threads ([`ShuttleConfig::workers`]) and over machines
//! ([`ShuttleConfig::shard`]), each worker of each shard walking its own seed stream. A search
//! may be cut by time instead of a count ([`ShuttleConfig::time_budget`]). Every search records
//! its [`Coverage`](super::Coverage).

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler, Scheduler};
use shuttle_engine::runtime::execution::CurrentSchedule;
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};

use super::classify::{classify, Ending};
use super::coverage::Coverage;
use super::hooks;
use super::panic_text::{self, Model};
use super::replay::ReplayError;
use super::runner::{Failed, Found, Replayed, Runner, Searched, Shrunk};
use super::settings::Invalid;
use super::shard::Shard;
use super::shrink;
use super::strategy::delay::DelayBounded;
use super::strategy::delay_dfs::{DelayDfs, Walk};
use super::strategy::guided::Guided;
use super::strategy::pos::Pos;
use super::strategy::rotate::{self, Member, Rotate};
use super::verdict::{thousands, AllowedLeaks, Completeness};
use super::Check;
use crate::go::choice;
use crate::rt::{self, context, Backend, Execution};
use crate::violation::{Violation, ViolationKind};

/// Replay strings of shuttle reports start with this; the rest is shuttle's own encoding.
pub(super) const REPLAY_PREFIX: &str = "shuttle:";

/// How shuttle picks schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// Uniformly random choice at every step, from `seed`.
    Random {
        /// The seed: the same seed explores the same schedules.
        seed: u64,
    },
    /// Probabilistic concurrency testing: random priorities with `depth - 1` priority changes,
    /// which finds a bug of depth `d` with probability at least 1/(n * k^(d-1)) per run.
    Pct {
        /// The seed.
        seed: u64,
        /// The bug depth targeted.
        depth: usize,
    },
    /// Depth-first over every schedule; complete when it finishes before the cap.
    Dfs,
    /// Partial order sampling (Yuan et al., CAV'18): random task priorities, re-sampled for the
    /// tasks whose operations conflict with the step just run (see `strategy::pos`).
    Pos {
        /// The seed.
        seed: u64,
    },
    /// Iterative-deepening PCT: PCT at depths 1 to 6 in turn, one execution each, so a bug of
    /// unknown depth is searched at its own.
    PctDeepening {
        /// The seed.
        seed: u64,
    },
    /// Random delay bounding (Emmi et al., POPL'11): a deterministic round-robin scheduler
    /// that deviates at `delays` random steps per execution (see `strategy::delay`).
    DelayBounded {
        /// The seed.
        seed: u64,
        /// Deviations from round-robin per execution.
        delays: usize,
    },
    /// Coverage-guided fuzzing of schedules (after RFF, Wolff et al., ASPLOS'24): schedules
    /// that ran a pair of conflicting operations in a new order are kept and mutated (a swap,
    /// a delay, new priorities at a chosen step), half the mutants aimed at turning a pair seen
    /// in one order only (see `strategy::guided`).
    CoverageGuided {
        /// The seed.
        seed: u64,
        /// Whether coverage steers the search (on by default); off, every schedule is kept and
        /// mutated at random steps, which is what the feedback's worth is measured against.
        feedback: bool,
    },
    /// Delay-bounded DFS (Emmi et al., POPL'11): every schedule of a deterministic round-robin
    /// scheduler with at most `delays` deviations, each once (see `strategy::delay_dfs`). A walk
    /// that finishes is complete only if the bound never cut a schedule off; otherwise its report
    /// says it covered every schedule within the bound.
    DelayBoundedDfs {
        /// The delay bound.
        delays: usize,
    },
    /// A portfolio: PCT (depth 3), POS, coverage-guided, random, iterative-deepening PCT and
    /// delay bounding,
    /// dealt over the workers (worker `i` of `n` takes members `i`, `i + n`, ...), each worker
    /// running its members in turn; the first failure stops every worker and the report names
    /// the member that found it.
    Portfolio {
        /// The seed.
        seed: u64,
    },
}

impl Strategy {
    /// `shuttle-random`, `shuttle-pct`, `shuttle-dfs`, `shuttle-pos`, `shuttle-guided`, ...
    pub fn short_name(&self) -> &'static str {
        match self {
            Strategy::Random { .. } => "shuttle-random",
            Strategy::Pct { .. } => "shuttle-pct",
            Strategy::Dfs => "shuttle-dfs",
            Strategy::Pos { .. } => "shuttle-pos",
            Strategy::PctDeepening { .. } => "shuttle-pct-deepening",
            Strategy::DelayBounded { .. } => "shuttle-delay",
            Strategy::CoverageGuided { .. } => "shuttle-guided",
            Strategy::DelayBoundedDfs { .. } => "shuttle-delay-dfs",
            Strategy::Portfolio { .. } => "shuttle-portfolio",
        }
    }

    /// The seed, for every strategy but DFS.
    fn seed(&self) -> Option<u64> {
        match *self {
            Strategy::Random { seed }
            | Strategy::Pct { seed, .. }
            | Strategy::Pos { seed }
            | Strategy::PctDeepening { seed }
            | Strategy::DelayBounded { seed, .. }
            | Strategy::CoverageGuided { seed, .. }
            | Strategy::Portfolio { seed } => Some(seed),
            Strategy::Dfs | Strategy::DelayBoundedDfs { .. } => None,
        }
    }

    /// What a report's table calls the schedules: `random`, `pct`, `pos`, ...
    fn kind(&self) -> &'static str {
        self.short_name()
            .strip_prefix("shuttle-")
            .unwrap_or("shuttle")
    }

    /// Whether a scheduler of this strategy reads each task's latest operation, or the
    /// coverage recorder's feedback: either needs the recorder on.
    fn reads_operations(&self) -> bool {
        matches!(
            self,
            Strategy::Pos { .. } | Strategy::CoverageGuided { .. } | Strategy::Portfolio { .. }
        )
    }

    /// Whether this is a walk over a whole space (DFS, delay-bounded DFS): one worker, one
    /// shard, complete when it finishes within its cap.
    pub fn is_exhaustive(&self) -> bool {
        matches!(self, Strategy::Dfs | Strategy::DelayBoundedDfs { .. })
    }
}

/// The portfolio's members, in the order they are dealt to workers: PCT first (the strongest
/// single strategy on the catalog), then POS, so two workers run both, then coverage-guided.
const PORTFOLIO: [Strategy; 6] = [
    Strategy::Pct {
        seed: DEFAULT_SEED,
        depth: 3,
    },
    Strategy::Pos { seed: DEFAULT_SEED },
    Strategy::CoverageGuided {
        seed: DEFAULT_SEED,
        feedback: true,
    },
    Strategy::Random { seed: DEFAULT_SEED },
    Strategy::PctDeepening { seed: DEFAULT_SEED },
    Strategy::DelayBounded {
        seed: DEFAULT_SEED,
        delays: super::strategy::delay::DEFAULT_DELAYS,
    },
];

/// shuttle's settings, every bound with its reason.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ShuttleConfig {
    /// How schedules are chosen.
    pub(crate) strategy: Strategy,
    /// Executions to run. Random and PCT default to 1,000: every seeded bug in this crate is
    /// found within 100 (most within ~10), so 1,000 gives a wide margin at
    /// about a second per pattern. DFS defaults to 100,000 and reports whether it finished.
    pub(crate) iterations: u64,
    /// Steps one execution may take before it is a livelock. Default 100,000: the seed patterns
    /// take under 1,000; shuttle's own default (1,000,000) makes a spinning twin slow to fail.
    pub(crate) max_steps: usize,
    /// Stop after this much time (reported incomplete). Default none; see
    /// [`ShuttleConfig::time_budget`].
    pub(crate) max_duration: Option<Duration>,
    /// OS threads searching at once (random and PCT; DFS always uses one). Default 1. Worker
    /// `i` runs its share of the iterations from [`worker_seed`]`(seed, i)`, so worker 0 with
    /// all the iterations is exactly the one-worker search, and a failure any worker finds
    /// replays alone from its report (the replay string is the failing schedule itself).
    pub(crate) workers: usize,
    /// The shard of a search split over machines: worker `i` of shard `K/N` walks seed stream
    /// `(K - 1) + N * i` instead of `i`, so shards never repeat each other's schedules; DFS runs
    /// whole in shard 1 only. Default: random and PCT take [`Shard::from_env`]
    /// (`CONCHECK_SHARD=K/N`), DFS none (see [`Shard`] for why the environment never skips a
    /// search).
    pub(crate) shard: Option<Shard>,
    /// Trial runs spent shrinking a failing schedule before it is reported (see
    /// [`Shrinkage`](super::Shrinkage)), besides one replay of the found schedule that records
    /// it; 0 reports the schedule as the search found it. Default 200: each trial is one
    /// execution on a fresh OS thread (0.1 to 2 ms in release builds on the project's shared
    /// 2-core machine). The catalog's 74 failing shuttle checks shrink in 0 to 132 trials, 70
    /// of them in under 15, 629 in all for 0.45 s; one random schedule of 137 steps spends all
    /// 200 (69 ms). A shrink cut by this budget says so in the report.
    pub(crate) max_shrink_trials: usize,
    /// Whether the search records its [`Coverage`]. Default on; off, the report's `coverage` is
    /// `None` and each execution is about 4,300 instructions cheaper (8.7% of shuttle's own
    /// execution of a 2-task lock model; BENCHMARKS.md, `model_overhead`).
    pub(crate) coverage: bool,
    /// The first invalid setting, reported by the run.
    invalid: Invalid,
}

/// The seed worker `worker` of a parallel search starts from: worker 0 keeps `seed`; the others
/// get SplitMix64 mixes of it, far apart, so no two workers walk the same schedules.
pub fn worker_seed(seed: u64, worker: usize) -> u64 {
    if worker == 0 {
        return seed;
    }
    let mut z = seed.wrapping_add((worker as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The delay bound of delay-bounded DFS when none is given (the main command's
/// `--checker shuttle-delay-dfs`, [`ShuttleConfig::strategies`]): SCTBench found most of its
/// delay-bounded bugs at 1 or 2 delays, and each delay more multiplies the schedules by about
/// the execution's length times its task count.
pub const DEFAULT_DELAY_BOUND: usize = super::strategy::delay_dfs::DEFAULT_BOUND;

/// The seed every default shuttle search starts from, fixed so CI explores the same schedules
/// on every run. Change it (or use the CLI's `--seed`) to look further.
pub const DEFAULT_SEED: u64 = 0x00c0_ffee;

impl ShuttleConfig {
    /// Random scheduling, 1,000 executions from [`DEFAULT_SEED`].
    pub fn random() -> Self {
        Self::with(Strategy::Random { seed: DEFAULT_SEED }, 1_000)
    }

    /// PCT at depth 3 (bugs needing up to two ordering constraints), 1,000 executions.
    pub fn pct() -> Self {
        Self::with(
            Strategy::Pct {
                seed: DEFAULT_SEED,
                depth: 3,
            },
            1_000,
        )
    }

    /// DFS, up to 100,000 executions.
    pub fn dfs() -> Self {
        Self::with(Strategy::Dfs, 100_000)
    }

    /// Partial order sampling ([`Strategy::Pos`]), 1,000 executions.
    pub fn pos() -> Self {
        Self::with(Strategy::Pos { seed: DEFAULT_SEED }, 1_000)
    }

    /// Iterative-deepening PCT ([`Strategy::PctDeepening`]), 1,000 executions.
    pub fn pct_deepening() -> Self {
        Self::with(Strategy::PctDeepening { seed: DEFAULT_SEED }, 1_000)
    }

    /// Random delay bounding with 2 delays per execution ([`Strategy::DelayBounded`]), 1,000
    /// executions.
    pub fn delay_bounded() -> Self {
        Self::with(
            Strategy::DelayBounded {
                seed: DEFAULT_SEED,
                delays: super::strategy::delay::DEFAULT_DELAYS,
            },
            1_000,
        )
    }

    /// Coverage-guided fuzzing of schedules ([`Strategy::CoverageGuided`]), 1,000 executions.
    pub fn coverage_guided() -> Self {
        Self::with(
            Strategy::CoverageGuided {
                seed: DEFAULT_SEED,
                feedback: true,
            },
            1_000,
        )
    }

    /// Delay-bounded DFS within `delays` delays ([`Strategy::DelayBoundedDfs`]), up to 100,000
    /// executions (DFS's cap: the walk within 2 delays of the catalog's bodies takes at most a
    /// few thousand).
    pub fn delay_bounded_dfs(delays: usize) -> Self {
        Self::with(Strategy::DelayBoundedDfs { delays }, 100_000)
    }

    /// Every strategy, each with its defaults (delay-bounded DFS within 2 delays), in the order
    /// a table lists them: the one place to iterate for a comparison of strategies.
    pub fn strategies() -> Vec<ShuttleConfig> {
        vec![
            Self::random(),
            Self::pct(),
            Self::dfs(),
            Self::pos(),
            Self::pct_deepening(),
            Self::delay_bounded(),
            Self::delay_bounded_dfs(DEFAULT_DELAY_BOUND),
            Self::coverage_guided(),
            Self::portfolio(),
        ]
    }

    /// The portfolio ([`Strategy::Portfolio`]), 1,000 executions over all its workers: give it
    /// [`ShuttleConfig::workers`] (one per core) and a [`ShuttleConfig::time_budget`] for a
    /// long search.
    pub fn portfolio() -> Self {
        Self::with(Strategy::Portfolio { seed: DEFAULT_SEED }, 1_000)
    }

    fn with(strategy: Strategy, iterations: u64) -> Self {
        ShuttleConfig {
            strategy,
            iterations,
            max_steps: 100_000,
            max_duration: None,
            workers: 1,
            max_shrink_trials: shrink::MAX_TRIALS,
            coverage: true,
            invalid: Invalid::default(),
            // The environment splits only the searches that split; see `shard`.
            shard: if strategy.is_exhaustive() {
                None
            } else {
                Shard::from_env()
            },
        }
    }

    /// Runs shard `index` of `count` of this search (numbered from 1, like nextest's
    /// `--partition count:K/N`): `count` machines each running their shard together run
    /// `count` times the schedules, none twice. See [`Shard`]. A shard that does not exist
    /// (`index` not in `1..=count`) is reported as a misuse by the run.
    pub fn shard(mut self, index: u32, count: u32) -> Self {
        match Shard::new(index, count) {
            Ok(shard) => self.shard = Some(shard),
            Err(e) => self.invalid.note_if(true, || e.to_string()),
        }
        self
    }

    /// Runs the whole search whatever [`SHARD_ENV`](super::SHARD_ENV) says (a measurement or
    /// a comparison that must not be split).
    pub fn unsharded(mut self) -> Self {
        self.shard = None;
        self
    }

    /// Searches with `strategy`, keeping every other setting (a comparison of strategies at
    /// one budget).
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Runs schedules until `budget` has passed instead of a fixed count (every worker of a
    /// parallel search stops then). The report says how many schedules that was and never calls
    /// it a pass: `incomplete: time budget 10s: 12,345 random schedules`. A DFS that runs out of
    /// schedules first is complete. A zero budget (a search of no time proves nothing) is
    /// reported as a misuse by the run.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.invalid.note_if(budget.is_zero(), || {
            "a shuttle time budget must be more than zero: a search of no time proves nothing"
                .to_owned()
        });
        self.max_duration = Some(budget);
        self.iterations = u64::MAX;
        self
    }

    /// The seed worker `worker` of this search (and shard) starts from.
    fn stream_seed(&self, seed: u64, worker: usize) -> u64 {
        worker_seed(seed, self.shard.map_or(worker, |s| s.stream(worker)))
    }

    /// Searches on `n` OS threads at once (random and PCT), splitting the iterations. Zero is
    /// reported as a misuse by the run.
    pub fn workers(mut self, n: usize) -> Self {
        self.invalid.note_if(n == 0, || {
            "a shuttle search needs at least 1 worker: give workers(1) or more".to_owned()
        });
        self.workers = n;
        self
    }

    /// Sets the number of executions. Zero (a search of no schedules proves nothing) is
    /// reported as a misuse by the run.
    pub fn iterations(mut self, n: u64) -> Self {
        self.invalid.note_if(n == 0, || {
            "shuttle iterations must be at least 1: a search of no schedules proves nothing"
                .to_owned()
        });
        self.iterations = n;
        self
    }

    /// Sets the seed (random and PCT).
    pub fn seed(mut self, seed: u64) -> Self {
        match &mut self.strategy {
            Strategy::Random { seed: s }
            | Strategy::Pct { seed: s, .. }
            | Strategy::Pos { seed: s }
            | Strategy::PctDeepening { seed: s }
            | Strategy::DelayBounded { seed: s, .. }
            | Strategy::CoverageGuided { seed: s, .. }
            | Strategy::Portfolio { seed: s } => *s = seed,
            Strategy::Dfs | Strategy::DelayBoundedDfs { .. } => {}
        }
        self
    }

    /// Sets whether the search records its coverage ([`ShuttleConfig::coverage`]).
    pub fn coverage(mut self, record: bool) -> Self {
        self.coverage = record;
        self
    }

    /// Sets the trial runs spent shrinking a failing schedule; 0 turns shrinking off.
    pub fn max_shrink_trials(mut self, n: usize) -> Self {
        self.max_shrink_trials = n;
        self
    }

    /// Sets the time budget.
    pub fn max_duration(mut self, d: Option<Duration>) -> Self {
        self.max_duration = d;
        self
    }

    /// Sets the steps one execution may take before it is a livelock. Zero is reported as a
    /// misuse by the run.
    pub fn max_steps(mut self, n: usize) -> Self {
        self.invalid.note_if(n == 0, || {
            "shuttle max_steps must be at least 1: an execution of no steps runs nothing".to_owned()
        });
        self.max_steps = n;
        self
    }

    /// How schedules are chosen.
    pub fn get_strategy(&self) -> Strategy {
        self.strategy
    }

    /// Executions to run (`u64::MAX` under a time budget).
    pub fn get_iterations(&self) -> u64 {
        self.iterations
    }

    /// Steps one execution may take before it is a livelock.
    pub fn get_max_steps(&self) -> usize {
        self.max_steps
    }

    /// The time budget, if any.
    pub fn get_max_duration(&self) -> Option<Duration> {
        self.max_duration
    }

    /// OS threads searching at once.
    pub fn get_workers(&self) -> usize {
        self.workers
    }

    /// The shard of a split search, if any.
    pub fn get_shard(&self) -> Option<Shard> {
        self.shard
    }

    /// Trial runs spent shrinking a failing schedule.
    pub fn get_max_shrink_trials(&self) -> usize {
        self.max_shrink_trials
    }

    /// Whether the search records its [`Coverage`].
    pub fn get_coverage(&self) -> bool {
        self.coverage
    }

    /// Why these settings cannot run, if they cannot (the first invalid setting).
    pub(crate) fn invalid(&self) -> Option<&str> {
        self.invalid.reason()
    }

    fn label(&self) -> String {
        // shuttle lets SHUTTLE_RANDOM_SEED override the seed in code; name the one in force.
        match self.strategy {
            Strategy::Random { seed } => format!(
                "shuttle random (seed {:#x})",
                shuttle_engine::seed_from_env(seed)
            ),
            Strategy::Pct { seed, depth } => {
                format!(
                    "shuttle pct (depth {depth}, seed {:#x})",
                    shuttle_engine::seed_from_env(seed)
                )
            }
            Strategy::Dfs => "shuttle dfs".to_owned(),
            Strategy::DelayBounded { seed, delays } => {
                format!("shuttle delay bounding ({delays} delays, seed {seed:#x})")
            }
            Strategy::PctDeepening { seed } => {
                format!(
                    "shuttle pct deepening (depth 1-{}, seed {seed:#x})",
                    rotate::MAX_DEPTH
                )
            }
            Strategy::Pos { seed } => format!("shuttle pos (seed {seed:#x})"),
            Strategy::CoverageGuided { seed, feedback } => format!(
                "shuttle coverage-guided ({}seed {seed:#x})",
                if feedback { "" } else { "feedback off, " }
            ),
            Strategy::DelayBoundedDfs { delays } => {
                format!("shuttle delay-bounded dfs (delay bound {delays})")
            }
            Strategy::Portfolio { seed } => format!(
                "shuttle portfolio ({}, seed {seed:#x})",
                PORTFOLIO.map(|m| m.kind()).join("+")
            ),
        }
    }

    fn shuttle_config(&self) -> shuttle::Config {
        let mut c = shuttle::Config::new();
        // We capture the schedule ourselves; shuttle printing it would only be noise.
        c.failure_persistence = shuttle::FailurePersistence::None;
        c.max_steps = shuttle::MaxSteps::FailAfter(self.max_steps);
        c.max_time = self.max_duration;
        // The warning is about shuttle's sequentially consistent atomics; the crate docs say it.
        c.silence_warnings = true;
        c
    }
}

/// shuttle's random scheduler prints its seed when dropped after a failure; our report already
/// carries the exact schedule, so the scheduler is forgotten instead (a few bytes per failure).
struct Quiet<S>(Option<S>);

impl<S: Scheduler> Scheduler for Quiet<S> {
    fn new_execution(&mut self) -> Option<shuttle::scheduler::Schedule> {
        self.0.as_mut()?.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&shuttle::scheduler::Task],
        current: Option<shuttle::scheduler::TaskId>,
        is_yielding: bool,
    ) -> Option<shuttle::scheduler::TaskId> {
        self.0.as_mut()?.next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.0.as_mut().map_or(0, Scheduler::next_u64)
    }
}

impl<S> Drop for Quiet<S> {
    fn drop(&mut self) {
        std::mem::forget(self.0.take());
    }
}

/// A scheduler that starts no execution once `stop` is set (another worker of a parallel
/// search found a violation), so a worker ends at once instead of running empty executions
/// until its share or its time budget is spent.
struct UntilStopped<S> {
    inner: S,
    stop: Arc<AtomicBool>,
}

impl<S: Scheduler> Scheduler for UntilStopped<S> {
    fn new_execution(&mut self) -> Option<shuttle::scheduler::Schedule> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&shuttle::scheduler::Task],
        current: Option<shuttle::scheduler::TaskId>,
        is_yielding: bool,
    ) -> Option<shuttle::scheduler::TaskId> {
        let next = self.inner.next_task(runnable, current, is_yielding);
        rt::progress::step(next.map(usize::from));
        next
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

struct Search {
    /// Which worker of a parallel search this came from (0 for a single search).
    worker: usize,
    iterations: u64,
    elapsed: Duration,
    failure: Option<(Arc<Execution>, String, String)>,
    /// The member of a rotation that ran the failing execution (iterative-deepening PCT's
    /// depth, the portfolio's strategy).
    member: Option<String>,
    /// The ordered pairs of conflicting operations seen (see [`Coverage`]).
    pairs: Vec<u64>,
    /// Executions that ended with only allowed tasks leaked (see `Check::allow_leak`).
    allowed: Option<AllowedLeaks>,
    /// The search stopped at an execution that reached the step bound while its tasks were
    /// still making progress (see `rt::progress`): a program longer than the bound, not a
    /// violation. Its steps.
    cut: Option<u64>,
    /// A delay-bounded walk's end: whether it ran every schedule within its bound, and whether
    /// the bound cut any off.
    walk: Option<(bool, bool)>,
}

/// One scheduler shared by the successive shuttle runs of one search (a run ends at an
/// execution whose leak the check allows; the next run takes the next schedule). The runs are
/// one after the other on the search's thread, so an `Rc<RefCell>`: a mutex here cost 36
/// instructions per scheduling step, 1,350 per execution of BENCHMARKS.md's model_overhead
/// model (callgrind).
struct Shared<S>(Rc<RefCell<S>>);

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<S: Scheduler> Scheduler for Shared<S> {
    fn new_execution(&mut self) -> Option<shuttle::scheduler::Schedule> {
        self.0.borrow_mut().new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&shuttle::scheduler::Task],
        current: Option<shuttle::scheduler::TaskId>,
        is_yielding: bool,
    ) -> Option<shuttle::scheduler::TaskId> {
        self.0
            .borrow_mut()
            .next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.0.borrow_mut().next_u64()
    }
}

fn search<S: Scheduler + 'static>(check: &Check, scheduler: S, config: shuttle::Config) -> Search {
    search_until(check, scheduler, config, Arc::default())
}

/// A search that skips the body of every execution once `stop` is set (another worker of a
/// parallel search found a violation): the remaining executions are empty and quick.
fn search_until<S: Scheduler + 'static>(
    check: &Check,
    scheduler: S,
    config: shuttle::Config,
    stop: Arc<AtomicBool>,
) -> Search {
    hooks::install();
    let current: Arc<Mutex<Option<Arc<Execution>>>> = Arc::default();
    let iterations = Arc::new(AtomicU64::new(0));
    let body = {
        let check = check.clone();
        let current = Arc::clone(&current);
        let iterations = Arc::clone(&iterations);
        let stop = Arc::clone(&stop);
        move || {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            iterations.fetch_add(1, Ordering::Relaxed);
            check.execute(Backend::Shuttle, |e| {
                *current.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(e));
            });
        }
    };
    let scheduler = Shared(Rc::new(RefCell::new(UntilStopped {
        inner: scheduler,
        stop: Arc::clone(&stop),
    })));
    let start = Instant::now();
    let previous = context::replace(None);
    rt::coverage::start();
    let mut allowed = None;
    let mut cut = None;
    // An execution whose only leak is of tasks the check allows to leak ends shuttle's run
    // (every task blocked is a failure to shuttle): it is noted, and a new run goes on with
    // the same scheduler, from the next schedule. Bounded by the scheduler's own count.
    let failure = loop {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            shuttle::Runner::new(scheduler.clone(), config.clone()).run(body.clone())
        }));
        // Stopped by another worker: the empty executions after the stop are not a failure
        // (PCT even panics that they "did not exercise any concurrency").
        let stopped_by_another = stop.load(Ordering::Relaxed);
        let Err(payload) = result else { break None };
        if stopped_by_another {
            break None;
        }
        // shuttle keeps the failing schedule in a thread-local until the next execution
        // starts. shuttle wraps the string every 64 characters and ignores whitespace when
        // reading it: one line is easier to copy from a report or a CI log.
        let schedule: String = serialize_schedule(&CurrentSchedule::get_schedule())
            .split_whitespace()
            .collect();
        let execution = current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect("a failed shuttle run ran at least one execution");
        let mut message = hooks::message_of(payload.as_ref());
        if let Ending::StepBound(_) = ending(&message) {
            // Still at work, or stuck? Every later execution would run as long: stop here.
            let standing = rt::progress::standing();
            if !standing.stuck() {
                cut = Some(standing.steps);
                stop.store(true, Ordering::Relaxed);
                break None;
            }
            message = format!(
                "{message}; livelock: no task made progress (a value moved, a task ended, a \
                 write) in the last {} of its {} steps, while {} kept running",
                thousands(standing.idle),
                thousands(standing.steps),
                looping_names(&execution, &standing.looping)
            );
        }
        if ending(&message).is_all_blocked() {
            let v = classify(&execution, ending(&message));
            if check.allows(&v) {
                AllowedLeaks::note(&mut allowed, &v.to_string());
                continue;
            }
        }
        // PCT giving up on this worker's body ("no concurrency") is not a failure: another
        // worker may be inside the execution that fails, so the others are not stopped.
        if !panic_text::is_no_concurrency(&message) {
            stop.store(true, Ordering::Relaxed);
        }
        break Some((execution, message, schedule));
    };
    let pairs = rt::coverage::finish();
    context::replace(previous);
    Search {
        iterations: iterations.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
        failure,
        worker: 0,
        member: None,
        pairs,
        allowed,
        cut,
        walk: None,
    }
}

/// Worker `worker` of a search (0 alone): `n` executions of its strategy's scheduler from its
/// seed stream, until `stop`. Runs on this thread, whose recorders it sets up.
fn search_worker(
    check: &Check,
    config: &ShuttleConfig,
    worker: usize,
    n: usize,
    sc: shuttle::Config,
    stop: Arc<AtomicBool>,
) -> Search {
    let reads = config.strategy.reads_operations();
    // POS reads each task's operations off the coverage recorder, which must record for it.
    if reads {
        rt::coverage::set_enabled(true);
    }
    rt::last_op::set_on(reads);
    let (scheduler, members, walk) = scheduler_for(config, worker, n);
    let mut s = search_until(check, scheduler, sc, stop);
    crate::rt::feedback::set_on(false);
    crate::rt::feedback::take();
    s.walk = walk.map(|w| {
        (
            w.done.load(Ordering::Relaxed),
            w.cut.load(Ordering::Relaxed),
        )
    });
    rt::last_op::set_on(false);
    if !config.coverage {
        s.pairs.clear();
    }
    s.worker = worker;
    s.member = members
        .filter(|_| s.failure.is_some())
        .map(|(names, latest)| names[latest.load(Ordering::Relaxed)].clone());
    s
}

/// The members of a rotation, and which ran the latest execution.
type Members = (Vec<String>, Arc<AtomicUsize>);

/// The scheduler worker `worker` of `config`'s search runs for `n` executions; for a rotation
/// (iterative-deepening PCT, the portfolio), its members too; for a delay-bounded walk, how far
/// it gets.
fn scheduler_for(
    config: &ShuttleConfig,
    worker: usize,
    n: usize,
) -> (Member, Option<Members>, Option<Arc<Walk>>) {
    let seed = config
        .strategy
        .seed()
        .map_or(0, |s| config.stream_seed(s, worker));
    match config.strategy {
        Strategy::PctDeepening { .. } => {
            let (rotation, members) = deepening(seed, n);
            (Box::new(rotation), Some(members), None)
        }
        Strategy::Portfolio { .. } => {
            let picked: Vec<Strategy> = if config.workers >= PORTFOLIO.len() {
                vec![PORTFOLIO[worker % PORTFOLIO.len()]]
            } else {
                (worker..PORTFOLIO.len())
                    .step_by(config.workers)
                    .map(|j| PORTFOLIO[j])
                    .collect()
            };
            let names = picked.iter().map(|m| m.kind().to_owned()).collect();
            let schedulers = picked
                .iter()
                .enumerate()
                .map(|(j, &m)| scheduler_of(m, worker_seed(seed, j), n))
                .collect();
            let (rotation, latest) = Rotate::new(schedulers, n);
            (Box::new(rotation), Some((names, latest)), None)
        }
        Strategy::DelayBoundedDfs { delays } => {
            let (dfs, walk) = DelayDfs::new(delays, n);
            (Box::new(dfs), None, Some(walk))
        }
        strategy => (scheduler_of(strategy, seed, n), None, None),
    }
}

/// The scheduler of one strategy, from `seed`, for `n` executions.
fn scheduler_of(strategy: Strategy, seed: u64, n: usize) -> Member {
    match strategy {
        Strategy::Random { .. } => Box::new(Quiet(Some(RandomScheduler::new_from_seed(seed, n)))),
        Strategy::Pct { depth, .. } => Box::new(PctScheduler::new_from_seed(seed, depth, n)),
        Strategy::Dfs => Box::new(DfsScheduler::new(Some(n), true)),
        Strategy::Pos { .. } => Box::new(Pos::new(seed, n)),
        Strategy::CoverageGuided { feedback, .. } => Box::new(Guided::new(seed, n, feedback)),
        Strategy::DelayBoundedDfs { delays } => Box::new(DelayDfs::new(delays, n).0),
        Strategy::DelayBounded { delays, .. } => Box::new(DelayBounded::new(seed, delays, n)),
        Strategy::PctDeepening { .. } => Box::new(deepening(seed, n).0),
        Strategy::Portfolio { .. } => {
            let members = PORTFOLIO
                .iter()
                .enumerate()
                .map(|(j, &m)| scheduler_of(m, worker_seed(seed, j), n))
                .collect();
            Box::new(Rotate::new(members, n).0)
        }
    }
}

/// PCT at depths 1 to [`rotate::MAX_DEPTH`] in turn, each from its own seed.
fn deepening(seed: u64, n: usize) -> (Rotate, Members) {
    let depths = 1..=rotate::MAX_DEPTH;
    let schedulers = depths
        .clone()
        .map(|d| Box::new(PctScheduler::new_from_seed(worker_seed(seed, d), d, n)) as Member)
        .collect();
    let names = depths.map(|d| format!("pct depth {d}")).collect();
    let (rotation, latest) = Rotate::new(schedulers, n);
    (rotation, (names, latest))
}

/// A search on `config.workers` OS threads, each with its share of the iterations and its
/// own seed; the first failure stops the others.
fn search_parallel(check: &Check, config: &ShuttleConfig) -> Search {
    let workers = config.workers;
    let total = config.iterations as usize;
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let searches: Vec<Search> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|i| {
                let share = total / workers + usize::from(i < total % workers);
                let stop = Arc::clone(&stop);
                let sc = config.shuttle_config();
                std::thread::Builder::new()
                    .name(format!("concheck-shuttle-{i}"))
                    .spawn_scoped(scope, move || {
                        rt::coverage::set_enabled(config.coverage);
                        search_worker(check, config, i, share, sc, stop)
                    })
                    .expect("spawn a shuttle search worker")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a search worker panicked"))
            .collect()
    });
    let iterations = searches.iter().map(|s| s.iterations).sum();
    let mut pairs = Vec::new();
    let mut failure = None;
    let mut allowed: Option<AllowedLeaks> = None;
    let mut cut = None;
    for s in searches {
        pairs.extend(s.pairs);
        cut = cut.or(s.cut);
        match (&mut allowed, s.allowed) {
            (Some(a), Some(b)) => a.executions += b.executions,
            (slot @ None, b) => *slot = b,
            (Some(_), None) => {}
        }
        // The first worker's failure, but a real one before a worker's PCT giving up.
        let gave_up = |f: &Option<(Arc<Execution>, String, String)>| {
            f.as_ref()
                .is_some_and(|(_, message, _)| panic_text::is_no_concurrency(message))
        };
        let better = match &failure {
            None => s.failure.is_some(),
            Some((_, found, _)) => gave_up(found) && s.failure.is_some() && !gave_up(&s.failure),
        };
        if better {
            failure = Some((s.worker, s.failure, s.member));
        }
    }
    let (worker, failure, member) = failure.unwrap_or((0, None, None));
    Search {
        iterations,
        elapsed: start.elapsed(),
        worker,
        failure,
        member,
        pairs,
        allowed,
        cut,
        walk: None,
    }
}

/// The tasks shuttle numbers `looping`, by name: `'poller'`, or `'a' and 'b'`.
fn looping_names(execution: &Execution, looping: &[usize]) -> String {
    let names: Vec<String> = looping
        .iter()
        .map(|&s| {
            execution
                .task_of_shuttle(s)
                .map_or_else(|| format!("shuttle task {s}"), |name| format!("'{name}'"))
        })
        .collect();
    match names.as_slice() {
        [] => "no task".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn ending(message: &str) -> Ending {
    panic_text::ending(Model::Shuttle, message)
}

fn on_workers(config: &ShuttleConfig) -> String {
    if config.workers > 1 && !config.strategy.is_exhaustive() {
        format!(" on {} workers", config.workers)
    } else {
        String::new()
    }
}

impl Runner for ShuttleConfig {
    fn search(&self, check: &Check) -> Searched {
        super::on_fresh_thread(|| search_here(check, self))
    }

    /// Shrinks the failing schedule `replay` (see [`super::shrink`]): the shrunk run's
    /// violation (whose message, sites and tasks may differ from the found run's), its replay
    /// string, and by how much. `iterations`, coverage and completeness still describe the
    /// search; the time spent here is added to the report's.
    ///
    /// Every trial is one execution run as the search runs one: on a fresh OS thread, through
    /// [`search`], its ending classified by [`classify`]. A trial counts only if it fails with
    /// the same [`ViolationKind`] and not by running past its step bound. Nothing is shrunk
    /// when the violation is a [`ViolationKind::Hang`] (a run past the step bound: every trial
    /// would cost the whole bound, and its steps cannot shrink), or when the found schedule,
    /// replayed, does not fail the same way again (a body that is not deterministic under a
    /// fixed schedule).
    fn shrink(&self, check: &Check, violation: &Violation, replay: &str) -> Option<Shrunk> {
        let config = self;
        let start = Instant::now();
        let kind = violation.kind;
        let found = replay
            .strip_prefix(REPLAY_PREFIX)
            .and_then(|r| super::replay::decode("shuttle", check, r).ok())
            .and_then(deserialize_schedule)?;
        if config.max_shrink_trials == 0 || kind == ViolationKind::Hang {
            return None;
        }
        let seed = found.seed;
        // A plan can send the default policy into a task that spins without yielding; such a
        // trial runs to its step bound and is rejected, so it need not run far past the found
        // schedule.
        let mut trial_config = config.shuttle_config();
        trial_config.max_time = None;
        let mut guided_config = trial_config.clone();
        guided_config.max_steps =
            shuttle::MaxSteps::FailAfter(config.max_steps.min(4 * found.len() + 1_000));
        // A body that does not follow the schedule again stops the replay (rather than
        // panicking in the scheduler): the run passes, and the report stays as found.
        let mut replayer = ReplayScheduler::new_from_schedule(found);
        replayer.set_allow_incomplete();
        let (recording, log) = shrink::Recording::new(replayer);
        let original = trial(check, recording, &log, trial_config, kind)?;
        let (best, shrunk) = shrink::shrink(original, config.max_shrink_trials, |plan| {
            let (guided, log) = shrink::Guided::new(plan, seed);
            trial(check, guided, &log, guided_config.clone(), kind)
        });
        let (violation, schedule) = best.run;
        Some(Shrunk {
            violation,
            replay: super::replay::encode("shuttle", check, &schedule),
            shrinkage: shrunk,
            elapsed: start.elapsed(),
        })
    }
}

/// One execution of `check` under `scheduler`, run as the search runs one; the failing run if
/// it fails with a violation of `kind` other than by running past its step bound.
fn trial<S: Scheduler + Send + 'static>(
    check: &Check,
    scheduler: S,
    log: &shrink::Log,
    config: shuttle::Config,
    kind: ViolationKind,
) -> Option<shrink::Failing<(Violation, String)>> {
    let s = super::on_fresh_thread(|| search(check, scheduler, config));
    let (execution, message, schedule) = s.failure?;
    let ending = ending(&message);
    if matches!(ending, Ending::StepBound(_)) {
        return None;
    }
    let violation = classify(&execution, ending);
    (violation.kind == kind).then(|| shrink::Failing {
        steps: shrink::take(log),
        run: (violation, schedule),
    })
}

/// DFS is one depth-first walk, not split over shards: shard 1 runs it whole.
fn skipped_shard(config: &ShuttleConfig) -> Option<Searched> {
    let shard = config.shard.filter(|s| !s.is_first())?;
    config
        .strategy
        .is_exhaustive()
        .then(|| Searched::skipped(config.label(), "shuttle dfs", shard))
}

/// The search, on this thread; the failure is classified by [`super::runner::finish`].
fn search_here(check: &Check, config: &ShuttleConfig) -> Searched {
    if let Some(searched) = skipped_shard(config) {
        return searched;
    }
    rt::coverage::set_enabled(config.coverage);
    let n = config.iterations as usize;
    let sc = config.shuttle_config();
    let parallel = config.workers > 1 && !config.strategy.is_exhaustive();
    let s = if parallel {
        search_parallel(check, config)
    } else {
        if config.strategy.is_exhaustive() {
            // Random values allowed: a select draws its poll order (`go::choice`). DFS does
            // not branch on them, and says so below.
            choice::reset_unexplored();
        }
        search_worker(check, config, 0, n, sc, Arc::default())
    };
    let kind = config.strategy.kind();
    let schedules = format!(
        "{} {kind} schedules{}",
        thousands(s.iterations),
        on_workers(config)
    );
    let completeness = match (config.max_duration, config.strategy) {
        (_, Strategy::Dfs) if s.iterations < config.iterations && !out_of_time(config, &s) => {
            Completeness::Complete
        }
        (_, Strategy::DelayBoundedDfs { .. }) if s.walk == Some((true, false)) => {
            Completeness::Complete
        }
        (_, Strategy::DelayBoundedDfs { delays }) if s.walk == Some((true, true)) => {
            Completeness::Incomplete {
                bound: format!(
                    "complete within delay bound {delays} only: every schedule with at most \
                     {delays} delays ({schedules})"
                ),
            }
        }
        (Some(budget), _) if out_of_time(config, &s) => Completeness::Incomplete {
            bound: format!("time budget {budget:?}: {schedules}"),
        },
        (_, Strategy::Dfs) => Completeness::Incomplete {
            bound: format!("dfs cap of {} schedules", thousands(config.iterations)),
        },
        (_, Strategy::DelayBoundedDfs { delays }) => Completeness::Incomplete {
            bound: format!(
                "delay-bounded dfs cap of {} schedules (delay bound {delays})",
                thousands(config.iterations)
            ),
        },
        _ => Completeness::Incomplete {
            bound: schedules.clone(),
        },
    };
    let completeness = match s.cut {
        Some(steps) if s.failure.is_none() => Completeness::Incomplete {
            bound: format!(
                "step bound {} reached by an execution still making progress ({} steps): it \
                 was not checked past the bound, and the search stopped there after {schedules}; \
                 raise ShuttleConfig::max_steps",
                thousands(config.max_steps as u64),
                thousands(steps)
            ),
        },
        _ => completeness,
    };
    let completeness = if config.strategy.is_exhaustive() && choice::unexplored() {
        completeness.and_unexplored(choice::UNEXPLORED)
    } else {
        completeness
    };
    let (found, completeness) = match s.failure {
        None => (Found::Nothing, completeness),
        Some((_, message, _)) if panic_text::is_no_concurrency(&message) => (
            Found::Nothing,
            Completeness::Incomplete {
                bound: "pct stopped: the body never had two tasks runnable at once".to_owned(),
            },
        ),
        Some((execution, message, schedule)) => (
            Found::Failure {
                failed: Failed::Ended(execution, ending(&message)),
                replay: Some(super::replay::encode("shuttle", check, &schedule)),
            },
            completeness,
        ),
    };
    let split = parallel || config.shard.is_some();
    let member = s
        .member
        .as_deref()
        .map_or(String::new(), |m| format!(" running {m}"));
    let failed = matches!(found, Found::Failure { .. });
    let found_by = match config.strategy.seed() {
        Some(seed) if failed && split => format!(
            ", found by worker {}{member} (seed {:#x})",
            s.worker,
            config.stream_seed(seed, s.worker)
        ),
        _ if failed && !member.is_empty() => format!(", found by{member}"),
        _ => String::new(),
    };
    Searched {
        checker: format!("{}{}{found_by}", config.label(), on_workers(config)),
        iterations: s.iterations,
        elapsed: s.elapsed,
        completeness,
        coverage: config.coverage.then(|| Coverage::from_ordered(s.pairs)),
        shard: config.shard,
        allowed_leaks: s.allowed,
        found,
    }
}

/// Whether the search was cut by its time budget (rather than its count, or running out).
fn out_of_time(config: &ShuttleConfig, s: &Search) -> bool {
    config.max_duration.is_some_and(|d| s.elapsed >= d)
}

/// Replays a decoded shuttle string (`rest` is the string after `shuttle:`, `schedule` its part
/// after the header): the schedule is checked before shuttle decodes it.
pub(super) fn replay(check: &Check, rest: &str, schedule: &str) -> Result<Replayed, ReplayError> {
    let steps = schedule_steps(schedule).map_err(|what| ReplayError::Malformed {
        checker: "shuttle",
        what,
    })?;
    super::on_fresh_thread(|| replay_here(check, rest, schedule, steps))
}

fn replay_here(
    check: &Check,
    rest: &str,
    schedule: &str,
    steps: usize,
) -> Result<Replayed, ReplayError> {
    let Some(decoded) = deserialize_schedule(schedule) else {
        return Err(ReplayError::Malformed {
            checker: "shuttle",
            what: "the schedule does not decode".to_owned(),
        });
    };
    let config = ShuttleConfig::random().shuttle_config();
    let taken = Arc::new(AtomicU64::new(0));
    let scheduler = Following {
        inner: ReplayScheduler::new_from_schedule(decoded),
        steps: steps as u64,
        taken: Arc::clone(&taken),
    };
    // The search records coverage itself; the trace is on for this one run only.
    rt::trace::start();
    let s = search(check, scheduler, config);
    let trace = rt::trace::finish();
    let taken = taken.load(Ordering::Relaxed);
    let found = match s.failure {
        None => Found::Nothing,
        Some((_, message, _)) if panic_text::left_the_schedule(&message) => {
            return Err(ReplayError::Diverged {
                why: format!("step {taken} of {steps}: {message}"),
            })
        }
        Some((execution, message, _)) => Found::Failure {
            failed: Failed::Ended(execution, ending(&message)),
            replay: None,
        },
    };
    if taken < steps as u64 {
        return Err(ReplayError::Diverged {
            why: format!("the execution ended after {taken} of the schedule's {steps} steps"),
        });
    }
    Ok(Replayed {
        searched: Searched {
            checker: "shuttle replay".to_owned(),
            iterations: s.iterations,
            elapsed: s.elapsed,
            completeness: Completeness::Incomplete {
                bound: "one replayed schedule".to_owned(),
            },
            coverage: None,
            shard: None,
            allowed_leaks: None,
            found,
        },
        replay: format!("{REPLAY_PREFIX}{rest}"),
        trace,
    })
}

/// shuttle's replay scheduler, counting the steps it hands out so a replay that ends before the
/// schedule's end is seen, and refusing a step past the end (shuttle's would index out of
/// bounds for a random choice).
struct Following {
    inner: ReplayScheduler,
    steps: u64,
    taken: Arc<AtomicU64>,
}

impl Scheduler for Following {
    fn new_execution(&mut self) -> Option<shuttle::scheduler::Schedule> {
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&shuttle::scheduler::Task],
        current: Option<shuttle::scheduler::TaskId>,
        is_yielding: bool,
    ) -> Option<shuttle::scheduler::TaskId> {
        let next = self.inner.next_task(runnable, current, is_yielding);
        if next.is_some() {
            self.taken.fetch_add(1, Ordering::Relaxed);
        }
        next
    }

    fn next_u64(&mut self) -> u64 {
        assert!(
            self.taken.load(Ordering::Relaxed) < self.steps,
            "{}",
            panic_text::SCHEDULE_ENDED_EARLY
        );
        self.taken.fetch_add(1, Ordering::Relaxed);
        self.inner.next_u64()
    }
}

/// The number of steps of shuttle's encoded schedule, checked the way shuttle's decoder reads
/// it (hex; magic byte; varints for the task-id width, the step count and the seed; then the
/// packed steps), so the decoder, which indexes without checks, never sees one it would panic
/// on.
fn schedule_steps(encoded: &str) -> Result<usize, String> {
    let hex: Vec<u8> = encoded
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if hex.len() % 2 != 0 || hex.is_empty() {
        return Err("the schedule is not whole bytes of hex".to_owned());
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let bytes: Vec<u8> = hex
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect::<Option<_>>()
        .ok_or_else(|| "the schedule is not hex".to_owned())?;
    // shuttle-engine 0.1's SCHEDULE_MAGIC_V2.
    if bytes[0] != 0x91 {
        return Err("the schedule does not start with shuttle's format byte".to_owned());
    }
    let mut at = 1;
    let mut varint = || -> Result<u64, String> {
        let mut value = 0u64;
        let mut next = || -> Result<u8, String> {
            let b = *bytes.get(at).ok_or("the schedule's header is cut short")?;
            at += 1;
            Ok(b)
        };
        for shift in (0..63).step_by(7) {
            let b = next()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        // Nine bytes hold 63 bits; shuttle writes the 64th as a tenth byte of exactly 1.
        match next()? {
            1 => Ok(value | 1 << 63),
            _ => Err("a number in the schedule's header is too long".to_owned()),
        }
    };
    let width = varint()?;
    let steps = varint()?;
    let _seed = varint()?;
    // Task ids are `usize`s shuttle loads from `width` bits; no run has 2^32 tasks.
    if !(1..=32).contains(&width) {
        return Err(format!("a task-id width of {width} bits"));
    }
    let bits = (bytes.len() - at) as u64 * 8;
    let bit = |i: u64| bytes[at + (i / 8) as usize] >> (i % 8) & 1 == 1;
    let mut offset = 0u64;
    for _ in 0..steps {
        if offset >= bits {
            return Err("the schedule holds fewer steps than its header says".to_owned());
        }
        offset += if bit(offset) { 1 } else { 1 + width };
        if offset > bits {
            return Err("the schedule's last step is cut short".to_owned());
        }
    }
    usize::try_from(steps).map_err(|_| "too many steps".to_owned())
}
