//! The two clocks behind [`crate::time`]: the real one (std, outside any model) and the virtual
//! one of a model execution, with their timer queues.
//!
//! A timer is a deadline and an action (send on a timer channel, wake a sleeper, cancel a
//! context). On the real clock one process-wide thread runs actions when they are due. On the
//! virtual clock a driver task ([`super::driver`]) runs them, advancing time only as
//! [`super::Policy`] allows.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Duration;

use super::{driver, Instant};
use crate::rt::{self, context, Backend, Execution};

pub use crate::rt::clock_state::Policy;
pub(crate) use crate::rt::clock_state::{Action, TimerKey};

/// The clock the calling task reads: the execution's virtual clock under a model, else the
/// real one.
pub(crate) enum Clock {
    Real,
    Virtual(Arc<Execution>),
}

impl Clock {
    pub(crate) fn current() -> Clock {
        match rt::backend() {
            Backend::Std => Clock::Real,
            Backend::Loom | Backend::Shuttle => match context::execution() {
                Some(e) => Clock::Virtual(e),
                // A model backend with no execution is a primitive used between runs: real.
                None => Clock::Real,
            },
        }
    }

    /// A handle for a timer action to reach this clock again without keeping its execution
    /// alive (an action lives in the execution's own timer queue).
    pub(crate) fn downgrade(&self) -> WeakClock {
        match self {
            Clock::Real => WeakClock::Real,
            Clock::Virtual(e) => WeakClock::Virtual(Arc::downgrade(e)),
        }
    }

    pub(crate) fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual(_))
    }

    pub(crate) fn now(&self) -> Instant {
        match self {
            Clock::Real => Instant(real_origin().elapsed()),
            Clock::Virtual(e) => Instant(e.state().clock.now),
        }
    }

    /// Schedules `action` at `at` (at once if `at` is not in the future, on the next step of
    /// the timer thread or driver). While a loom execution unwinds nothing is scheduled: the
    /// execution is over.
    pub(crate) fn schedule(&self, at: Instant, action: Action) -> TimerKey {
        match self {
            Clock::Real => std_timers().schedule(at.0, action),
            Clock::Virtual(e) => {
                let key = {
                    let mut state = e.state();
                    let clock = &mut state.clock;
                    let key = TimerKey::new(at.0.max(clock.now), clock.next_seq);
                    clock.next_seq += 1;
                    if !rt::loom_unwinding() {
                        clock.timers.insert(key, action);
                    }
                    key
                };
                if !rt::loom_unwinding() {
                    driver::ensure_running(e);
                }
                key
            }
        }
    }

    /// Cancels a pending timer; `true` if it had not fired yet.
    pub(crate) fn cancel(&self, key: TimerKey) -> bool {
        match self {
            Clock::Real => std_timers().cancel(key),
            Clock::Virtual(e) => {
                // Dropped outside the registry lock: an action may own channel ends.
                let removed = e.state().clock.timers.remove(&key);
                removed.is_some()
            }
        }
    }
}

/// A [`Clock`] that does not keep its execution alive.
#[derive(Clone)]
pub(crate) enum WeakClock {
    Real,
    Virtual(Weak<Execution>),
}

impl WeakClock {
    /// The clock, unless its execution has ended.
    pub(crate) fn upgrade(&self) -> Option<Clock> {
        match self {
            WeakClock::Real => Some(Clock::Real),
            WeakClock::Virtual(e) => e.upgrade().map(Clock::Virtual),
        }
    }
}

/// The origin of real [`Instant`]s: the first time anything in the process read the clock.
fn real_origin() -> std::time::Instant {
    static ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();
    *ORIGIN.get_or_init(std::time::Instant::now)
}

/// Real timers: one thread for the process, a queue ordered by deadline.
struct StdTimers {
    queue: Mutex<StdQueue>,
    changed: Condvar,
}

#[derive(Default)]
struct StdQueue {
    order: BinaryHeap<Reverse<TimerKey>>,
    actions: HashMap<TimerKey, Action>,
    next_seq: u64,
}

fn std_timers() -> &'static StdTimers {
    static TIMERS: OnceLock<&'static StdTimers> = OnceLock::new();
    TIMERS.get_or_init(|| {
        let timers: &'static StdTimers = Box::leak(Box::new(StdTimers {
            queue: Mutex::new(StdQueue::default()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("concheck-timers".to_owned())
            .spawn(move || timers.run())
            .expect("spawn concheck's timer thread");
        timers
    })
}

impl StdTimers {
    fn lock(&self) -> std::sync::MutexGuard<'_, StdQueue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn schedule(&self, deadline: Duration, action: Action) -> TimerKey {
        let mut q = self.lock();
        let key = TimerKey::new(deadline, q.next_seq);
        q.next_seq += 1;
        q.order.push(Reverse(key));
        q.actions.insert(key, action);
        drop(q);
        self.changed.notify_one();
        key
    }

    fn cancel(&self, key: TimerKey) -> bool {
        let removed = self.lock().actions.remove(&key);
        removed.is_some()
    }

    fn run(&self) {
        let mut q = self.lock();
        loop {
            let Some(&Reverse(next)) = q.order.peek() else {
                q = self.changed.wait(q).unwrap_or_else(|p| p.into_inner());
                continue;
            };
            let now = real_origin().elapsed();
            if next.deadline() > now {
                let (guard, _) = self
                    .changed
                    .wait_timeout(q, next.deadline() - now)
                    .unwrap_or_else(|p| p.into_inner());
                q = guard;
                continue;
            }
            q.order.pop();
            if let Some(action) = q.actions.remove(&next) {
                drop(q);
                // A panicking action (a bug in a user's timer callback) must not kill every
                // later timer of the process.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(action));
                q = self.lock();
            }
        }
    }
}
