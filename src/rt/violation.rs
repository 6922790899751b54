//! Violations as data: what broke, where, and which tasks were involved.
//!
//! The facade records a [`Violation`] in the execution before it panics to stop the run, so a
//! checker returns it in its report instead of a bare panic message.

use std::fmt;
use std::panic::Location;

use serde::{Deserialize, Serialize};

use super::op::OpKind;

/// The class of bug a checker found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ViolationKind {
    /// A task spawned in a scope never finished after the scope ended.
    Leak,
    /// A channel was closed twice.
    DoubleClose,
    /// A value was sent on a closed channel (or a blocked sender saw the channel close).
    SendAfterClose,
    /// Every task is blocked and none waits on a condition variable: a lock cycle, a join cycle, a
    /// receive nobody will send to; or a task waits on a condition variable while it holds a
    /// mutex another blocked task wants (so that task can never notify it).
    Deadlock,
    /// Every task is blocked and at least one waits on a condition variable whose notify came
    /// before the wait, went to another waiter (a `notify_one` on a condvar shared by two kinds
    /// of waiters), or never comes.
    LostWakeup,
    /// A WaitGroup counter went negative, or `add` from zero raced a `wait`.
    WaitGroupMisuse,
    /// More tasks were alive at once than the check declared (`max_live_tasks`).
    BoundExceeded,
    /// The checked body itself panicked (an `assert!` in it failed).
    AssertionFailed,
    /// A spawned task panicked.
    TaskPanicked,
    /// The std runner's watchdog fired: the body did not finish in time.
    Hang,
    /// The library was used in a way it cannot check (mixed backends, too many loom threads).
    Misuse,
    /// Two tasks accessed a [`crate::cell::UnsafeCell`] with no happens-before between them,
    /// at least one of them writing.
    DataRace,
    /// A resource built in the execution outlived it: a [`crate::sync::Arc`] still alive when
    /// every task had ended (a reference cycle, a clone kept where nothing drops it).
    ResourceLeak,
}

impl ViolationKind {
    /// Every kind, for tables and CLI parsing.
    pub const ALL: [ViolationKind; 13] = [
        ViolationKind::Leak,
        ViolationKind::DoubleClose,
        ViolationKind::SendAfterClose,
        ViolationKind::Deadlock,
        ViolationKind::LostWakeup,
        ViolationKind::WaitGroupMisuse,
        ViolationKind::BoundExceeded,
        ViolationKind::AssertionFailed,
        ViolationKind::TaskPanicked,
        ViolationKind::Hang,
        ViolationKind::Misuse,
        ViolationKind::DataRace,
        ViolationKind::ResourceLeak,
    ];

    /// The short lowercase name used in tables and messages.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::Leak => "task leak",
            ViolationKind::DoubleClose => "double close",
            ViolationKind::SendAfterClose => "send after close",
            ViolationKind::Deadlock => "deadlock",
            ViolationKind::LostWakeup => "lost wakeup",
            ViolationKind::WaitGroupMisuse => "waitgroup misuse",
            ViolationKind::BoundExceeded => "concurrency bound exceeded",
            ViolationKind::AssertionFailed => "assertion failed",
            ViolationKind::TaskPanicked => "task panicked",
            ViolationKind::Hang => "hang",
            ViolationKind::Misuse => "misuse",
            ViolationKind::DataRace => "data race",
            ViolationKind::ResourceLeak => "resource leak",
        }
    }

    /// Whether the kind says tasks could not go on (every task blocked, a task that never
    /// ends, an execution past its bound), rather than that one did something wrong.
    pub fn is_hang_like(self) -> bool {
        matches!(
            self,
            ViolationKind::Deadlock
                | ViolationKind::LostWakeup
                | ViolationKind::Leak
                | ViolationKind::Hang
        )
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A source location, owned so reports can be serialized.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Site {
    /// Source file, as the compiler names it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl From<&Location<'_>> for Site {
    fn from(l: &Location<'_>) -> Self {
        Site {
            file: l.file().to_owned(),
            line: l.line(),
            column: l.column(),
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What a task was doing when the report was taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskState {
    /// Running or runnable.
    Running,
    /// Blocked in a facade operation.
    Blocked {
        /// The operation, e.g. `Sender::send`: for people; checkers decide on `op_kind`.
        op: String,
        /// What kind of operation it is.
        #[serde(default)]
        op_kind: OpKind,
        /// The object it waits on, e.g. `channel 'results'`.
        object: String,
        /// Where the operation was called.
        at: Site,
    },
    /// Returned normally.
    Finished,
    /// Ended by a panic.
    Panicked,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskState::Running => f.write_str("running"),
            TaskState::Blocked { op, object, at, .. } => {
                write!(f, "blocked in {op} on {object} at {at}")
            }
            TaskState::Finished => f.write_str("finished"),
            TaskState::Panicked => f.write_str("panicked"),
        }
    }
}

/// One task as a report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// Task number within its execution; `#0` is the checked body itself.
    pub id: usize,
    /// The name given at spawn (`thread::Builder::name`), or `task-N`.
    pub name: String,
    /// Where it was spawned; `None` for the body.
    pub spawned_at: Option<Site>,
    /// What it was doing.
    pub state: TaskState,
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} '{}'", self.id, self.name)?;
        if let Some(site) = &self.spawned_at {
            write!(f, " spawned at {site}")?;
        }
        write!(f, " ({})", self.state)
    }
}

/// A bug found in one execution. Built with [`Violation::new`] and its `with_` setters; the
/// fields are public to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    /// Its class.
    pub kind: ViolationKind,
    /// Lowercase, one paragraph: what broke, where.
    pub message: String,
    /// The source locations involved (both closes of a double close, say).
    pub sites: Vec<Site>,
    /// The tasks involved: leaked, blocked, or the one that broke the rule.
    pub tasks: Vec<TaskInfo>,
}

impl Violation {
    /// A violation with a message and no sites or tasks yet.
    pub fn new(kind: ViolationKind, message: impl Into<String>) -> Self {
        Violation {
            kind,
            message: message.into(),
            sites: Vec::new(),
            tasks: Vec::new(),
        }
    }

    /// This violation with the source locations involved.
    pub fn with_sites(mut self, sites: Vec<Site>) -> Self {
        self.sites = sites;
        self
    }

    /// This violation with the tasks involved.
    pub fn with_tasks(mut self, tasks: Vec<TaskInfo>) -> Self {
        self.tasks = tasks;
        self
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        // One line per task, unless the message already lists it the same way.
        for task in &self.tasks {
            let line = task.to_string();
            if !self.message.contains(&line) {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
}
