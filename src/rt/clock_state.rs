//! The state of a model execution's virtual clock: its time, its timer queue, its policy and
//! its driver's handle.
//!
//! The engine owns it (it lives in each execution's registry, `rt::execution`); the facade's
//! `time` module reads and advances it (`time::clock`, `time::driver`).

use std::collections::BTreeMap;
use std::time::Duration;

/// What a timer does when it fires. It runs on the timer thread or the driver task, so it must
/// not block on anything user code holds for long (it locks a channel, a sleeper's signal, a
/// context: all short critical sections of the facade).
pub(crate) type Action = Box<dyn FnOnce() + Send>;

/// Identifies one scheduled timer on one clock, to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TimerKey {
    deadline: Duration,
    seq: u64,
}

impl TimerKey {
    /// The key of the timer numbered `seq` on its clock, due at `deadline`.
    pub(crate) fn new(deadline: Duration, seq: u64) -> TimerKey {
        TimerKey { deadline, seq }
    }

    pub(crate) fn deadline(self) -> Duration {
        self.deadline
    }

    /// The smallest key of any timer due strictly after `t`.
    pub(crate) fn after(t: Duration) -> TimerKey {
        TimerKey {
            deadline: t + Duration::from_nanos(1),
            seq: 0,
        }
    }
}

/// When virtual timers may fire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// Time advances only when every task is blocked, to the earliest deadline, and every timer
    /// due then fires at once (the woken tasks race). Running code takes no time, as in Go's
    /// `testing/synctest`: a timeout never beats work that can still make progress.
    #[default]
    WhenIdle,
    /// A due timer may also fire while other tasks can still run, at any point the checker
    /// chooses, as on a loaded machine where a task can be descheduled for longer than any
    /// timeout. Finds the bugs that assume a task is fast (a sleep used as synchronization);
    /// a pattern correct under every timing passes under both policies.
    Anytime,
}

/// The virtual clock of one model execution; lives in its registry.
#[derive(Default)]
pub(crate) struct VirtualState {
    /// Virtual time since the execution began.
    pub now: Duration,
    pub timers: BTreeMap<TimerKey, Action>,
    pub next_seq: u64,
    pub policy: Policy,
    /// Whether a driver task is alive in this execution (it exits when it has nothing to do).
    pub driver_alive: bool,
    /// Driver tasks ever started in this execution: each is a model thread (loom counts them).
    pub drivers_started: usize,
    /// Facade operations user tasks have returned from: the driver's evidence, under loom, that
    /// a task ran while it yielded.
    pub progress: u64,
    /// The alive driver's model thread.
    pub driver: Option<DriverHandle>,
}

/// The model thread of a clock's driver (`time::driver`), joined when the body's execution
/// ends.
pub(crate) enum DriverHandle {
    /// A loom thread.
    Loom(loom::thread::JoinHandle<()>),
    /// A shuttle thread.
    Shuttle(shuttle::thread::JoinHandle<()>),
}
