//! The std runner: the body on real threads, many times, each run under a watchdog.
//!
//! Real threads find what the model checkers abstract away (real timing, real memory), but only
//! by chance, and a failure cannot be replayed. The watchdog turns a hang into a report: a body
//! still waiting at its scope end is a task leak, anything else a hang, and every task is listed
//! with what it was blocked on. Threads of a hung run cannot be killed; they stay parked until
//! the process exits.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::classify::{classify, Ending};
use super::hooks;
use super::runner::{Runner, Searched};
use super::settings::Invalid;
use super::verdict::AllowedLeaks;
use super::Check;
use crate::rt::{Backend, Execution};

/// Settings of the std runner, every bound with its reason.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StdConfig {
    /// Runs of the body. Default 100: real runs find little that the model checkers miss, so
    /// this is a smoke test of the real primitives, about 0.1 s per pattern.
    pub(crate) iterations: u64,
    /// How long one run may take before the watchdog calls it a hang. Default 5 s: the seed
    /// patterns finish in milliseconds, so a 2-core CI machine under load has a wide margin.
    pub(crate) watchdog: Duration,
    /// The first invalid setting, reported by the run.
    invalid: Invalid,
}

impl Default for StdConfig {
    fn default() -> Self {
        StdConfig {
            iterations: 100,
            watchdog: Duration::from_secs(5),
            invalid: Invalid::default(),
        }
    }
}

impl StdConfig {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of runs (iterations). Zero is reported as a misuse by the run.
    pub fn iterations(mut self, n: u64) -> Self {
        self.invalid.note_if(n == 0, || {
            "std iterations must be at least 1: zero runs prove nothing".to_owned()
        });
        self.iterations = n;
        self
    }

    /// Sets how long one run may take before the watchdog calls it a hang. Zero (every run
    /// would be a hang) is reported as a misuse by the run.
    pub fn watchdog(mut self, watchdog: Duration) -> Self {
        self.invalid.note_if(watchdog.is_zero(), || {
            "a zero watchdog timeout would report every run as a hang: give it more than the \
             body takes"
                .to_owned()
        });
        self.watchdog = watchdog;
        self
    }

    /// Runs of the body.
    pub fn get_iterations(&self) -> u64 {
        self.iterations
    }

    /// How long one run may take before the watchdog calls it a hang.
    pub fn get_watchdog(&self) -> Duration {
        self.watchdog
    }

    /// Why these settings cannot run, if they cannot (the first invalid setting).
    pub(crate) fn invalid(&self) -> Option<&str> {
        self.invalid.reason()
    }
}

impl Runner for StdConfig {
    fn search(&self, check: &Check) -> Searched {
        search(check, self)
    }
}

fn search(check: &Check, config: &StdConfig) -> Searched {
    hooks::install();
    let checker = format!(
        "std threads ({} runs, watchdog {:?})",
        config.iterations, config.watchdog
    );
    let mut allowed = None;
    let mut searched = Searched::of_real_runs(checker, Instant::now(), config.iterations, || {
        let v = run_once(check, config.watchdog)?;
        if check.allows(&v) {
            // Only allowed tasks were still blocked when the watchdog fired: the run passes,
            // and the report counts it (`Check::allow_leak`).
            AllowedLeaks::note(&mut allowed, &v.to_string());
            return None;
        }
        Some(v)
    });
    searched.allowed_leaks = allowed;
    searched
}

fn run_once(check: &Check, timeout: Duration) -> Option<crate::violation::Violation> {
    let current: Arc<Mutex<Option<Arc<Execution>>>> = Arc::default();
    let (done_tx, done_rx) = mpsc::channel();
    let body = {
        let check = check.clone();
        let current = Arc::clone(&current);
        move || {
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                check.execute(Backend::Std, |e| {
                    *current.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(e));
                })
            }));
            let _ = done_tx.send(result.map_err(|p| hooks::message_of(p.as_ref())));
        }
    };
    std::thread::Builder::new()
        .name("concheck-main".to_owned())
        .spawn(body)
        .unwrap_or_else(|e| panic!("failed to spawn the std runner's body thread: {e}"));
    let result = done_rx.recv_timeout(timeout);
    let execution = current
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()?;
    match result {
        Ok(Ok(())) => {
            // A detached task that panicked fails the run too, as it does under the checkers.
            let first = execution.state().panics.first().cloned();
            first.map(|p| classify(&execution, Ending::Panic(p.message)))
        }
        Ok(Err(message)) => Some(classify(&execution, Ending::Panic(message))),
        Err(_) => Some(classify(&execution, Ending::Watchdog(timeout))),
    }
}
