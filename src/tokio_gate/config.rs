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
    pub iterations: u64,
    /// The runtime. Default: current-thread with a paused clock.
    pub flavor: Flavor,
    /// How long each run's gate waits for stragglers after the body returns. Default 1 s, of
    /// virtual time on a paused clock (instant); [`TokioConfig::multi_thread`] sets 200 ms.
    pub grace: Duration,
    /// Real time one run may take before it is reported as a hang. Default 5 s: a paused clock
    /// never sleeps, so only a body that waits for something nothing will ever do (the runtime
    /// parks forever) or that spins comes near it.
    pub watchdog: Duration,
}

impl Default for TokioConfig {
    fn default() -> Self {
        TokioConfig {
            iterations: 100,
            flavor: Flavor::CurrentThread { paused: true },
            grace: Duration::from_secs(1),
            watchdog: Duration::from_secs(5),
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
    /// tasks do). Fewer runs than the default: each waits for its timers in real time.
    ///
    /// # Panics
    ///
    /// If `workers` is zero.
    pub fn multi_thread(workers: usize) -> Self {
        assert!(
            workers > 0,
            "a multi-thread runtime needs at least 1 worker thread"
        );
        TokioConfig {
            iterations: 20,
            flavor: Flavor::MultiThread { workers },
            grace: Duration::from_millis(200),
            ..Self::default()
        }
    }

    /// Sets the number of runs (iterations).
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    pub fn iterations(mut self, n: u64) -> Self {
        assert!(
            n > 0,
            "tokio iterations must be at least 1: zero runs prove nothing"
        );
        self.iterations = n;
        self
    }

    /// Sets the runtime flavor.
    ///
    /// # Panics
    ///
    /// If it is a multi-thread runtime with zero workers.
    pub fn flavor(mut self, flavor: Flavor) -> Self {
        assert!(
            flavor != Flavor::MultiThread { workers: 0 },
            "a multi-thread runtime needs at least 1 worker thread"
        );
        self.flavor = flavor;
        self
    }

    /// Sets the grace period of each run's gate.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Sets the watchdog.
    ///
    /// # Panics
    ///
    /// If `watchdog` is zero: every run would be a hang.
    pub fn watchdog(mut self, watchdog: Duration) -> Self {
        assert!(
            !watchdog.is_zero(),
            "a zero watchdog would report every run as a hang"
        );
        self.watchdog = watchdog;
        self
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
