//! The loom runner: every interleaving of the body up to a preemption bound.
//!
//! loom explores schedules exhaustively, but the count grows exponentially with the number of
//! preemptions, so a bound is almost always needed; a bounded run that finds nothing is reported
//! incomplete. A failing run is replayable: the runner re-explores up to the failing iteration
//! with loom's checkpoint file enabled and puts the failing execution's path in the replay
//! string, so `replay` runs exactly that execution once. Unlike shuttle's, the failing path is
//! not shrunk: it is a list of branch choices of loom's own walk, not a schedule that can be
//! rewritten, and the preemption bound already caps it (see `super::shrink`).
//!
//! A search may be cut by time instead of a count ([`LoomConfig::time_budget`]): loom checks
//! the budget before every execution (checkpoint interval 1), so it stops cleanly between two.
//! loom is not split over shards: it runs whole in shard 1 (see [`Shard`]). Every search
//! records its [`Coverage`](super::Coverage).

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::classify::{classify, Ending};
use super::coverage::Coverage;
use super::hooks;
use super::panic_text::{self, Model};
use super::replay::ReplayError;
use super::runner::{Failed, Found, Replayed, Runner, Searched};
use super::settings::Invalid;
use super::shard::Shard;
use super::verdict::{thousands, AllowedLeaks, Completeness};
use super::Check;
use crate::go::choice;
use crate::rt::{self, context, Backend, Execution};
use crate::violation::Violation;

/// Replay strings of loom reports start with this.
pub(super) const REPLAY_PREFIX: &str = "loom:";

/// The most scheduling points one loom execution may take ([`LoomConfig::max_branches`]):
/// loom counts an execution's events per thread in `u16` version vectors, which overflow (a
/// panic inside loom) past 65,535; 60,000 leaves room for the events between two branches.
pub const MAX_BRANCHES_LIMIT: usize = 60_000;

/// loom's settings, every bound with its reason.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LoomConfig {
    /// Preemptions explored per execution; `None` is exhaustive.
    ///
    /// Default 2. Measured on a 2-core machine: a 4-thread fan-in with a
    /// capacity-1 channel and a WaitGroup takes 8,407 iterations (0.5 s) at bound 2, 128,012
    /// (8.3 s) at bound 3, and did not finish in 15 minutes unbounded. Most concurrency bugs
    /// need at most two preemptions to show; shuttle's random and PCT searches cover breadth.
    pub(crate) preemption_bound: Option<usize>,
    /// Stop after this many executions (reported incomplete). Default 200,000: about a minute
    /// for the largest seed pattern at bound 2, so a mistake in a bound cannot stall CI.
    pub(crate) iterations: Option<u64>,
    /// Stop after this much time (reported incomplete). Default none: the iteration cap rules.
    /// See [`LoomConfig::time_budget`].
    pub(crate) max_duration: Option<Duration>,
    /// Most scheduling points in one execution before loom calls it a livelock. Default 1,000
    /// (loom's own default); at most [`MAX_BRANCHES_LIMIT`], checked before loom runs (a run
    /// with more panics saying so).
    pub(crate) max_branches: usize,
    /// The shard of a split run: loom runs whole in shard 1 and is skipped in the others (its
    /// depth-first walk derives every execution from the one before, so it cannot start
    /// midway). Default none: `CONCHECK_SHARD` does not apply to loom (see [`Shard`] for why
    /// the environment never skips a search); set it with [`LoomConfig::shard`] or the main
    /// command's `--shard`, which runs every check in every shard.
    pub(crate) shard: Option<Shard>,
    /// Whether the search records its [`Coverage`]. Default on; off, the report's `coverage` is
    /// `None` and the search is about 20% cheaper in instructions on a 2-task lock model
    /// (BENCHMARKS.md, `model_overhead`).
    pub(crate) coverage: bool,
    /// The first invalid setting, reported by the run.
    invalid: Invalid,
}

impl Default for LoomConfig {
    fn default() -> Self {
        LoomConfig {
            preemption_bound: Some(2),
            iterations: Some(200_000),
            max_duration: None,
            max_branches: 1_000,
            shard: None,
            coverage: true,
            invalid: Invalid::default(),
        }
    }
}

impl LoomConfig {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the preemption bound (`None`: exhaustive).
    pub fn preemption_bound(mut self, bound: Option<usize>) -> Self {
        self.preemption_bound = bound;
        self
    }

    /// Sets the iteration cap.
    pub fn iterations(mut self, n: Option<u64>) -> Self {
        self.iterations = n;
        self
    }

    /// Sets the time budget.
    pub fn max_duration(mut self, d: Option<Duration>) -> Self {
        self.max_duration = d;
        self
    }

    /// Explores until `budget` has passed instead of up to an iteration cap (the cap is
    /// removed). A search that ends first is reported as usual (`verified` when exhaustive);
    /// one the budget cuts says how far it got: `incomplete: time budget 10s: 12,345 loom
    /// schedules (preemption bound 2)`, never a pass. A zero budget (a search of no time
    /// proves nothing) is reported as a misuse by the run.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.invalid.note_if(budget.is_zero(), || {
            "a loom time budget must be more than zero: a search of no time proves nothing"
                .to_owned()
        });
        self.max_duration = Some(budget);
        self.iterations = None;
        self
    }

    /// Sets the most scheduling points one execution may take ([`LoomConfig::get_max_branches`]).
    /// A value outside 1 to [`MAX_BRANCHES_LIMIT`] is reported as a misuse by the run.
    pub fn max_branches(mut self, n: usize) -> Self {
        self.invalid
            .note_if(!(1..=MAX_BRANCHES_LIMIT).contains(&n), || {
                format!(
                "LoomConfig::max_branches is {n}: give 1 to {MAX_BRANCHES_LIMIT} (loom counts an \
                 execution's events in u16 and overflows past 65,535)"
            )
            });
        self.max_branches = n;
        self
    }

    /// Runs as shard `index` of `count` (numbered from 1): loom runs whole in shard 1 and is
    /// skipped in the others. See [`Shard`]. A shard that does not exist (`index` not in
    /// `1..=count`) is reported as a misuse by the run.
    pub fn shard(mut self, index: u32, count: u32) -> Self {
        match Shard::new(index, count) {
            Ok(shard) => self.shard = Some(shard),
            Err(e) => self.invalid.note_if(true, || e.to_string()),
        }
        self
    }

    /// Sets whether the search records its coverage ([`LoomConfig::get_coverage`]).
    pub fn coverage(mut self, record: bool) -> Self {
        self.coverage = record;
        self
    }

    /// The preemption bound (`None`: exhaustive).
    pub fn get_preemption_bound(&self) -> Option<usize> {
        self.preemption_bound
    }

    /// The iteration cap, if any.
    pub fn get_iterations(&self) -> Option<u64> {
        self.iterations
    }

    /// The time budget, if any.
    pub fn get_max_duration(&self) -> Option<Duration> {
        self.max_duration
    }

    /// The most scheduling points one execution may take before loom calls it a livelock.
    /// Default 1,000 (loom's own default); at most [`MAX_BRANCHES_LIMIT`].
    pub fn get_max_branches(&self) -> usize {
        self.max_branches
    }

    /// The shard of a split run, if any.
    pub fn get_shard(&self) -> Option<Shard> {
        self.shard
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
        match self.preemption_bound {
            Some(b) => format!("loom (preemption bound {b})"),
            None => "loom (exhaustive)".to_owned(),
        }
    }

    fn builder(&self) -> loom::model::Builder {
        // `Builder::new` reads LOOM_* variables; every field that matters is set here so a
        // developer's environment cannot change what CI checks.
        let mut b = loom::model::Builder::new();
        b.max_threads = loom::MAX_THREADS;
        b.preemption_bound = self.preemption_bound;
        b.max_branches = self.max_branches;
        // loom checks the permutation cap before running iteration i, so N + 1 runs N.
        b.max_permutations = self.iterations.map(|n| n as usize + 1);
        b.max_duration = self.max_duration;
        b.checkpoint_file = None;
        // With interval 1, loom checks the caps before every iteration, not every 20,000th.
        b.checkpoint_interval = 1;
        b.expect_explicit_explore = false;
        b.location = false;
        b.log = false;
        b
    }
}

/// What one loom search did.
struct Search {
    iterations: u64,
    elapsed: Duration,
    failure: Option<(Arc<Execution>, String)>,
    /// The ordered pairs of conflicting operations seen (see [`Coverage`]).
    pairs: Vec<u64>,
    /// A select may have had a choice among ready cases, which loom does not explore.
    choice_unexplored: bool,
}

fn search(check: &Check, builder: &loom::model::Builder) -> Search {
    hooks::install();
    let current: Arc<Mutex<Option<Arc<Execution>>>> = Arc::default();
    let iterations = Arc::new(AtomicU64::new(0));
    let body = {
        let check = check.clone();
        let current = Arc::clone(&current);
        let iterations = Arc::clone(&iterations);
        move || {
            iterations.fetch_add(1, Ordering::Relaxed);
            rt::loom_execution_starts();
            check.execute(Backend::Loom, |e| {
                *current.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(e));
            });
        }
    };
    let start = Instant::now();
    let previous = context::replace(None);
    rt::coverage::start();
    choice::reset_unexplored();
    let result = panic::catch_unwind(AssertUnwindSafe(|| builder.check(body)));
    rt::loom_execution_starts();
    let pairs = rt::coverage::finish();
    context::replace(previous);
    let failure = result.err().map(|payload| {
        let execution = current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect("a failed loom run ran at least one execution");
        (execution, hooks::message_of(payload.as_ref()))
    });
    Search {
        iterations: iterations.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
        failure,
        pairs,
        choice_unexplored: choice::unexplored(),
    }
}

fn ending(message: &str) -> Ending {
    panic_text::ending(Model::Loom, message)
}

/// Why a loom search that met a hang after a recovered panic stops without a verdict.
const LOCK_LOST_TO_UNWIND: &str = "stopped where a recovered panic had unwound while holding a \
     lock: loom cannot release a lock as a panic unwinds (its Mutex poisons itself), so that \
     lock stayed held and what followed was not checked; shuttle and std check it";

/// Why a loom search that met a leak the check allows stops there.
const ALLOWED_LEAK_STOPS_LOOM: &str = "stopped at the first execution with an allowed leak: \
     loom ends its whole search at an execution that ends with tasks blocked, so the \
     executions after it were not run; shuttle goes on past it";

impl Runner for LoomConfig {
    fn search(&self, check: &Check) -> Searched {
        super::on_fresh_thread(|| search_here(check, self))
    }

    /// A leak the check allows, or a hang after a lock loom could not release, lets the search
    /// pass with a completeness that says why it stopped; any other violation is kept, with
    /// the path of its execution as the replay string.
    fn judge(
        &self,
        check: &Check,
        searched: &mut Searched,
        failed: &Failed,
        v: Violation,
        _replay: Option<String>,
    ) -> Option<(Violation, Option<String>)> {
        if check.allows(&v) {
            // loom fails its whole model at an execution that ends blocked: the search
            // cannot go on past it (`Check::allow_leak`).
            searched.completeness = Completeness::Incomplete {
                bound: ALLOWED_LEAK_STOPS_LOOM.to_owned(),
            };
            AllowedLeaks::note(&mut searched.allowed_leaks, &v.to_string());
            return None;
        }
        // A violation the facade recorded and nobody recovered (a recursive lock found by
        // `rt::relock`, say) ended the execution itself: a lock lost as its panic unwound
        // came after it.
        let lock_lost = matches!(failed, Failed::Ended(e, _)
            if { let s = e.state(); s.loom_lock_lost && s.violation.is_none() });
        if lock_lost && v.kind.is_hang_like() {
            // Not the body's hang: a lock loom could not release (`flavors::lock::Guard`).
            searched.completeness = Completeness::Incomplete {
                bound: LOCK_LOST_TO_UNWIND.to_owned(),
            };
            return None;
        }
        let iterations = searched.iterations;
        let replay = super::on_fresh_thread(|| capture_replay(check, self, iterations, &v));
        Some((v, replay))
    }
}

/// The search, on this thread. A failure has no replay string yet: [`Runner::judge`] records
/// it, for the violations it keeps.
fn search_here(check: &Check, config: &LoomConfig) -> Searched {
    if let Some(shard) = config.shard.filter(|s| !s.is_first()) {
        return Searched::skipped(config.label(), "loom", shard);
    }
    rt::coverage::set_enabled(config.coverage);
    let s = search(check, &config.builder());
    let completeness = if config.iterations.is_some_and(|n| s.iterations >= n) {
        Completeness::Incomplete {
            bound: format!("iteration cap {}", thousands(s.iterations)),
        }
    } else if let Some(budget) = config.max_duration.filter(|d| s.elapsed >= *d) {
        let within = config
            .preemption_bound
            .map_or_else(String::new, |b| format!(" (preemption bound {b})"));
        Completeness::Incomplete {
            bound: format!(
                "time budget {budget:?}: {} loom schedules{within}",
                thousands(s.iterations)
            ),
        }
    } else if let Some(b) = config.preemption_bound {
        Completeness::Incomplete {
            bound: format!("preemption bound {b}"),
        }
    } else {
        Completeness::Complete
    };
    let completeness = if s.choice_unexplored {
        completeness.and_unexplored(choice::UNEXPLORED)
    } else {
        completeness
    };
    let found = match s.failure {
        None => Found::Nothing,
        Some((execution, message)) => Found::Failure {
            failed: Failed::Ended(execution, ending(&message)),
            replay: None,
        },
    };
    Searched {
        checker: config.label(),
        iterations: s.iterations,
        elapsed: s.elapsed,
        completeness,
        coverage: config.coverage.then(|| Coverage::from_ordered(s.pairs)),
        shard: config.shard,
        allowed_leaks: None,
        found,
    }
}

/// Re-explores up to the failing iteration with the checkpoint file written before every
/// iteration; when it fails again the file holds the failing execution's path. Passing runs pay
/// nothing for replay; failing ones explore twice. `None` if the body is not deterministic
/// enough to fail at the same iteration again.
fn capture_replay(
    check: &Check,
    config: &LoomConfig,
    failing_iteration: u64,
    first: &Violation,
) -> Option<String> {
    let file = TempFile::new();
    let mut builder = config.builder();
    builder.checkpoint_file = Some(file.0.clone());
    builder.max_permutations = Some(failing_iteration as usize + 1);
    builder.max_duration = None;
    let s = search(check, &builder);
    let (execution, message) = s.failure?;
    if s.iterations != failing_iteration
        || classify(&execution, ending(&message)).kind != first.kind
    {
        return None;
    }
    let json = std::fs::read_to_string(&file.0).ok()?;
    let path = super::loom_path_text::encode(&json);
    let payload = format!(
        "pb={};branches={}:{path}",
        config
            .preemption_bound
            .map_or_else(|| "none".to_owned(), |b| b.to_string()),
        config.max_branches
    );
    Some(super::replay::encode("loom", check, &payload))
}

/// Replays a decoded loom string (`rest` is the string after `loom:`, `payload` its part
/// after the header): its settings and path are checked before loom reads them.
pub(super) fn replay(check: &Check, rest: &str, payload: &str) -> Result<Replayed, ReplayError> {
    let malformed = |what: String| ReplayError::Malformed {
        checker: "loom",
        what,
    };
    let (settings, path) = payload
        .split_once(':')
        .ok_or_else(|| malformed("expected `pb=<n|none>;branches=<n>:<path>`".to_owned()))?;
    let mut config = LoomConfig::default();
    for kv in settings.split(';') {
        match kv.split_once('=') {
            Some(("pb", "none")) => config.preemption_bound = None,
            Some(("pb", n)) => {
                config.preemption_bound = Some(
                    n.parse()
                        .map_err(|_| malformed(format!("`pb={n}` is not a bound")))?,
                )
            }
            Some(("branches", n)) => {
                config.max_branches = n
                    .parse()
                    .ok()
                    .filter(|b| (1..=MAX_BRANCHES_LIMIT).contains(b))
                    .ok_or_else(|| malformed(format!("`branches={n}` is out of range")))?
            }
            _ => return Err(malformed(format!("unknown setting {kv:?}"))),
        }
    }
    // The compact form (or the JSON of strings written before it) back to loom's JSON.
    let path = super::loom_path_text::decode(path).map_err(malformed)?;
    super::loom_path::validate(&path, config.preemption_bound, config.max_branches)
        .map_err(malformed)?;
    Ok(super::on_fresh_thread(|| {
        replay_here(check, rest, &config, &path)
    }))
    .and_then(|r| r)
}

fn replay_here(
    check: &Check,
    rest: &str,
    config: &LoomConfig,
    path: &str,
) -> Result<Replayed, ReplayError> {
    let file = TempFile::new();
    std::fs::write(&file.0, path).map_err(|e| ReplayError::Diverged {
        why: format!("cannot write loom's checkpoint {}: {e}", file.0.display()),
    })?;
    let mut builder = config.builder();
    builder.checkpoint_file = Some(file.0.clone());
    // Permutation 1 is the loaded path; the cap stops before a second.
    builder.max_permutations = Some(2);
    // The search records coverage itself; the trace is on for this one run only.
    rt::trace::start();
    let s = search(check, &builder);
    let trace = rt::trace::finish();
    let found = match s.failure {
        None => Found::Nothing,
        Some((execution, message)) => {
            if let Some(why) = left_the_path(&execution, &message) {
                return Err(ReplayError::Diverged { why });
            }
            Found::Failure {
                failed: Failed::Ended(execution, ending(&message)),
                replay: None,
            }
        }
    };
    Ok(Replayed {
        searched: Searched {
            checker: format!("{} replay", config.label()),
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

/// Whether a replay failed inside loom itself rather than in the body: loom indexes the loaded
/// path without checks, so a body that takes another branch than the recorded one panics in
/// loom's source (an index out of bounds, a thread that is not runnable). Its deadlock and cap
/// verdicts are not such failures: they are the body's, reported as usual.
fn left_the_path(execution: &Execution, message: &str) -> Option<String> {
    // loom's own verdicts on the body: all tasks blocked, too many branches or threads.
    if panic_text::is_loom_verdict(message) {
        return None;
    }
    let panics = &execution.state().panics;
    let site = panics.first().and_then(|p| p.at.as_ref())?;
    let in_loom = site.file.contains("/loom-") || site.file.contains("\\loom-");
    in_loom.then(|| format!("loom stopped at {}:{}: {message}", site.file, site.line))
}

/// A checkpoint file in the temp directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        TempFile(
            std::env::temp_dir().join(format!("concheck-loom-{}-{n}.json", std::process::id())),
        )
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
