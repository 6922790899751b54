//! The tracker: every tracked task's name, spawn site and state, and the declared bound on how
//! many may be alive at once.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::task::{self, Tracked};
use crate::violation::{Site, TaskInfo, TaskState, Violation, ViolationKind};

/// A registry of tokio tasks: each one's name, spawn site, state and what it awaits.
///
/// A [`scope`](super::scope) makes one and tracks every [`spawn`](super::spawn) inside it; make
/// one yourself to track tasks outside a scope or to read their states. Cloning gives another
/// handle to the same registry.
///
/// # Tracker vs tokio-util's `TaskTracker`
///
/// `TaskTracker` counts tasks so that a shutdown can wait for them; it knows no names. This
/// tracker knows each task by name and spawn site, what it awaits (see
/// [`waiting_on`](super::waiting_on)) and how it ended, so a report can say which task leaked
/// and where it is stuck. They compose: pass [`Tracker::track`]'s future to
/// `TaskTracker::spawn` or `JoinSet::spawn`.
///
/// # Examples
///
/// ```
/// use concheck::tokio_gate::Tracker;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let tracker = Tracker::new();
/// let handle = tracker.spawn("answer", async { 42 });
/// assert_eq!(handle.await.unwrap(), 42);
/// assert_eq!(tracker.live(), 0);
/// assert_eq!(tracker.tasks()[0].name, "answer");
/// # });
/// ```
#[derive(Clone, Default)]
pub struct Tracker {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    /// Notified each time a task ends, so a scope waiting for stragglers wakes at once.
    ended: Notify,
}

#[derive(Default)]
struct State {
    tasks: Vec<Record>,
    live: usize,
    max_live: Option<usize>,
    /// The first bound violation, reported when the scope ends.
    violation: Option<Violation>,
}

struct Record {
    name: String,
    spawned_at: &'static Location<'static>,
    status: Status,
    /// What the task's last poll left it waiting on, innermost first (a `select!` over two
    /// labelled futures leaves both).
    waiting: Vec<(Arc<str>, &'static Location<'static>)>,
}

/// How a tracked task ended, or that it has not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Alive,
    Finished,
    Panicked(String),
    /// Dropped before it completed: aborted, or its runtime shut down.
    Cancelled,
}

/// The operation a task waiting in [`waiting_on`](super::waiting_on) is reported in.
pub(crate) const AWAIT_OP: &crate::rt::Op = crate::rt::op::TOKIO_AWAIT;

impl Tracker {
    /// An empty tracker with no bound.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares that at most `n` tracked tasks may be alive at once; tracking one more records
    /// a [`ViolationKind::BoundExceeded`] that the scope reports (the task still runs: tokio
    /// cannot refuse a spawn).
    ///
    /// # Panics
    ///
    /// If `n` is zero: a tracker that may track nothing needs no bound.
    pub fn max_live_tasks(self, n: usize) -> Self {
        assert!(
            n > 0,
            "max_live_tasks(0) forbids every spawn; declare the real bound of the pattern (>= 1)"
        );
        self.state().max_live = Some(n);
        self
    }

    /// The tracker of the tracked task (or scope body) being polled on this thread, if any.
    pub fn current() -> Option<Tracker> {
        task::current().map(|(tracker, _)| tracker)
    }

    /// Spawns `future` on the current tokio runtime as a tracked task named `name`; the spawn
    /// site is the caller's.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn` does.
    #[track_caller]
    pub fn spawn<F>(&self, name: impl Into<String>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::spawn(self.track(name, future))
    }

    /// `future`, tracked as a task named `name` from now until it completes or is dropped; the
    /// spawn site is the caller's. Spawn the result anywhere: `JoinSet::spawn`,
    /// `TaskTracker::spawn`, `tokio::spawn`.
    #[track_caller]
    pub fn track<F: Future>(&self, name: impl Into<String>, future: F) -> Tracked<F> {
        let id = self.register(name.into(), Location::caller());
        Tracked::new(future, Some((self.clone(), id)))
    }

    /// Every task tracked so far, in spawn order, numbered from `#1` (`#0` is a scope's body).
    pub fn tasks(&self) -> Vec<TaskInfo> {
        let state = self.state();
        state
            .tasks
            .iter()
            .enumerate()
            .map(|(i, r)| info(i + 1, r))
            .collect()
    }

    /// The tracked tasks that have not ended.
    pub fn alive(&self) -> Vec<TaskInfo> {
        alive(&self.state())
    }

    /// How many tracked tasks have not ended.
    pub fn live(&self) -> usize {
        self.state().live
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock is held cannot leave the registry inconsistent: every update
        // is a single assignment.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, name: String, at: &'static Location<'static>) -> usize {
        let mut state = self.state();
        state.tasks.push(Record {
            name,
            spawned_at: at,
            status: Status::Alive,
            waiting: Vec::new(),
        });
        state.live += 1;
        let id = state.tasks.len();
        if let Some(max) = state.max_live {
            if state.live > max && state.violation.is_none() {
                state.violation = Some(bound_exceeded(&state, id, max));
            }
        }
        id
    }

    /// Marks task `id` ended (once: later calls do nothing) and wakes a waiting scope.
    pub(crate) fn end(&self, id: usize, status: Status) {
        {
            let mut state = self.state();
            let record = &mut state.tasks[id - 1];
            if record.status != Status::Alive {
                return;
            }
            record.status = status;
            record.waiting.clear();
            state.live -= 1;
        }
        self.inner.ended.notify_waiters();
    }

    /// Forgets what task `id` waited on: a new poll says again.
    pub(crate) fn begin_poll(&self, id: usize) {
        if id > 0 {
            self.state().tasks[id - 1].waiting.clear();
        }
    }

    /// Notes that task `id`'s current poll left it waiting on `what`.
    pub(crate) fn note_wait(&self, id: usize, what: &Arc<str>, at: &'static Location<'static>) {
        if id == 0 {
            return;
        }
        let mut state = self.state();
        let waiting = &mut state.tasks[id - 1].waiting;
        if !waiting.iter().any(|(w, a)| w == what && *a == at) {
            waiting.push((Arc::clone(what), at));
        }
    }

    pub(crate) fn ended(&self) -> &Notify {
        &self.inner.ended
    }

    pub(crate) fn take_violation(&self) -> Option<Violation> {
        self.state().violation.take()
    }

    /// The tasks that ended by a panic, with their messages.
    pub(crate) fn panicked(&self) -> Vec<(TaskInfo, String)> {
        let state = self.state();
        state
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &r.status {
                Status::Panicked(m) => Some((info(i + 1, r), m.clone())),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Debug for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Tracker")
            .field("tracked", &state.tasks.len())
            .field("live", &state.live)
            .field("max_live", &state.max_live)
            .finish()
    }
}

fn info(id: usize, r: &Record) -> TaskInfo {
    let state = match &r.status {
        Status::Alive => match r.waiting.as_slice() {
            [] => TaskState::Running,
            [(what, at), rest @ ..] => {
                let mut object = what.to_string();
                for (other, _) in rest {
                    object.push_str(" or ");
                    object.push_str(other);
                }
                TaskState::Blocked {
                    op: AWAIT_OP.name.to_owned(),
                    op_kind: AWAIT_OP.kind,
                    object,
                    at: Site::from(*at),
                }
            }
        },
        // The report's states have no "cancelled": a dropped task ended, as a finished one did.
        Status::Finished | Status::Cancelled => TaskState::Finished,
        Status::Panicked(_) => TaskState::Panicked,
    };
    TaskInfo {
        id,
        name: r.name.clone(),
        spawned_at: Some(Site::from(r.spawned_at)),
        state,
    }
}

fn alive(state: &State) -> Vec<TaskInfo> {
    let tasks = state.tasks.iter().enumerate();
    tasks
        .filter(|(_, r)| r.status == Status::Alive)
        .map(|(i, r)| info(i + 1, r))
        .collect()
}

fn bound_exceeded(state: &State, id: usize, max: usize) -> Violation {
    let alive = alive(state);
    let new = &state.tasks[id - 1];
    let others: Vec<String> = alive
        .iter()
        .filter(|t| t.id != id)
        .map(ToString::to_string)
        .collect();
    let mut v = Violation::new(
        ViolationKind::BoundExceeded,
        format!(
            "{} tracked tasks alive at once, over the declared bound of {max}: #{id} '{}' was \
             spawned at {} while [{}] were alive; acquire the bound's permit before spawning, \
             not inside the task",
            state.live,
            new.name,
            Site::from(new.spawned_at),
            others.join(", ")
        ),
    );
    v.sites.push(Site::from(new.spawned_at));
    v.tasks = alive;
    v
}
