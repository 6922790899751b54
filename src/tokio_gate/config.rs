//! Settings of the tokio checker, every bound with its reason.

use std::time::Duration;

/// Which tokio runtime each run builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flavor {
    /// One thread. With `paused`, the clock starts paused and jumps to the next timer whenever
    /// every task waits (tokio's `start_paused`): timeouts and the grace period cost no real
    /// time, and a run is deterministic but for `select!`'s random branch order.
    CurrentThread {
        /// Start with the clock paused.
        paused: bool,
    },
    /// `workers` threads and the real clock: real parallelism, real timing.
    MultiThread {
        /// Worker threads.
        workers: usize,
    },
}

/// Settings of [`Checker::Tokio`](crate::check::Checker::Tokio).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokioConfig {
    /// Runs of the body, each on a fresh runtime. Default 100: the catalog's patterns take
    /// 20 to 200 us a run on a paused clock, and `select!`'s random branch order differs from
    /// run to run.
    pub(crate) iterations: u64,
    /// The runtime. Default: current-thread with a paused clock.
    pub(crate) flavor: Flavor,
    /// How long each run's gate waits for stragglers after the body returns. Default 1 s, of
    /// virtual time on a paused clock (instant); [`TokioConfig::multi_thread`] sets 200 ms.
    pub(crate) grace: Duration,
    /// Real time one run may take before it is reported as a hang. Default 5 s: a paused clock
    /// never sleeps, so only a body that waits for something nothing will ever do (the runtime
    /// parks forever) or that spins comes near it.
    pub(crate) watchdog: Duration,
    /// The first invalid setting, reported by the run (a misuse) before anything runs.
    invalid: Option<String>,
}

impl Default for TokioConfig {
    fn default() -> Self {
        TokioConfig {
            iterations: 100,
            flavor: Flavor::CurrentThread { paused: true },
            grace: Duration::from_secs(1),
            watchdog: Duration::from_secs(5),
            invalid: None,
        }
    }
}

impl TokioConfig {
    /// The default settings: 100 runs on a current-thread runtime with a paused clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// 20 runs on a multi-thread runtime with `workers` threads and the real clock, and a grace
    /// of 200 ms of real time (what a leak costs to confirm; a clean run ends as soon as its
    /// tasks do). Fewer runs than the default: each waits for its timers in real time. Zero
    /// workers is reported as a misuse by the run.
    pub fn multi_thread(workers: usize) -> Self {
        TokioConfig {
            iterations: 20,
            grace: Duration::from_millis(200),
            ..Self::default()
        }
        .flavor(Flavor::MultiThread { workers })
    }

    /// Records `why` as the first invalid setting when `bad` holds.
    fn note_if(&mut self, bad: bool, why: &str) {
        if bad && self.invalid.is_none() {
            self.invalid = Some(why.to_owned());
        }
    }

    /// Sets the number of runs (iterations). Zero is reported as a misuse by the run.
    pub fn iterations(mut self, n: u64) -> Self {
        self.note_if(
            n == 0,
            "tokio iterations must be at least 1: zero runs prove nothing",
        );
        self.iterations = n;
        self
    }

    /// Sets the runtime flavor. A multi-thread runtime with zero workers is reported as a
    /// misuse by the run.
    pub fn flavor(mut self, flavor: Flavor) -> Self {
        self.note_if(
            flavor == Flavor::MultiThread { workers: 0 },
            "a multi-thread runtime needs at least 1 worker thread: give it 1 or more",
        );
        self.flavor = flavor;
        self
    }

    /// Sets the grace period of each run's gate.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Sets the watchdog. Zero (every run would be a hang) is reported as a misuse by the
    /// run.
    pub fn watchdog(mut self, watchdog: Duration) -> Self {
        self.note_if(
            watchdog.is_zero(),
            "a zero watchdog would report every run as a hang: give it more than the body takes",
        );
        self.watchdog = watchdog;
        self
    }

    /// Runs of the body.
    pub fn get_iterations(&self) -> u64 {
        self.iterations
    }

    /// The runtime each run builds.
    pub fn get_flavor(&self) -> Flavor {
        self.flavor
    }

    /// How long each run's gate waits for stragglers after the body returns.
    pub fn get_grace(&self) -> Duration {
        self.grace
    }

    /// Real time one run may take before it is reported as a hang.
    pub fn get_watchdog(&self) -> Duration {
        self.watchdog
    }

    /// Why these settings cannot run, if they cannot (the first invalid setting).
    pub(crate) fn invalid(&self) -> Option<&str> {
        self.invalid.as_deref()
    }

    /// `tokio` for a current-thread runtime, `tokio-mt` for a multi-thread one.
    pub fn short_name(&self) -> &'static str {
        match self.flavor {
            Flavor::CurrentThread { .. } => "tokio",
            Flavor::MultiThread { .. } => "tokio-mt",
        }
    }

    pub(crate) fn describe(&self) -> String {
        let flavor = match self.flavor {
            Flavor::CurrentThread { paused: true } => "current-thread, paused clock".to_owned(),
            Flavor::CurrentThread { paused: false } => "current-thread".to_owned(),
            Flavor::MultiThread { workers } => format!("multi-thread, {workers} workers"),
        };
        format!(
            "tokio {flavor} ({} runs, grace {:?}, watchdog {:?})",
            self.iterations, self.grace, self.watchdog
        )
    }
}
