//! Turns a failed execution (its registry and panic) into a [`Violation`].
//!
//! loom says `deadlock; threads = [...]` and shuttle `deadlock! blocked tasks: [...]` for every
//! "all tasks blocked" state, leaks included. The registry knows better: if the body is blocked
//! at a scope end waiting for its tasks, those tasks leaked; if a blocked task waits on a
//! condition variable while it holds a lock (a mutex or an `RwLock`) another blocked task wants, the two wait for each
//! other: a deadlock; else if a blocked task waits on a condition variable, or is an async task
//! parked until its Waker is called, its wakeup was lost; otherwise it is a deadlock. Each
//! decision reads the kinds of the operations the tasks block in (`OpKind`), never their text.

use crate::rt::execution::Status;
use crate::rt::{Execution, OpKind, PanicRecord};
use crate::violation::{TaskInfo, TaskState, Violation, ViolationKind};

/// How the checker said the execution ended.
#[derive(Clone, Debug)]
pub(crate) enum Ending {
    /// Every task blocked (the checker's deadlock detection, or the std watchdog).
    AllBlocked,
    /// A task ran past the step bound: a livelock or a spin that never yields.
    StepBound(String),
    /// Some task panicked with this message.
    Panic(String),
    /// The std watchdog fired after this long.
    Watchdog(std::time::Duration),
}

impl Ending {
    /// Whether every task was blocked (where a leak of allowed tasks may be what ended it).
    pub(crate) fn is_all_blocked(&self) -> bool {
        matches!(self, Ending::AllBlocked)
    }
}

/// Whether `task` waits for a wakeup that may have been lost: a condvar wait, or an async task
/// parked after `Pending` (its Waker is never called).
fn awaits_wakeup(task: &TaskInfo) -> bool {
    blocked_in(task) == Some(OpKind::CondvarWait) || parked_async(task)
}

fn parked_async(task: &TaskInfo) -> bool {
    blocked_in(task).is_some_and(OpKind::is_async)
}

/// The kind of operation `task` is blocked in, if it is blocked.
fn blocked_in(task: &TaskInfo) -> Option<OpKind> {
    match &task.state {
        TaskState::Blocked { op_kind, .. } => Some(*op_kind),
        _ => None,
    }
}

/// The violation for an execution that ended this way.
pub(crate) fn classify(execution: &Execution, ending: Ending) -> Violation {
    if let Some(v) = execution.state().violation.clone() {
        return v;
    }
    let (first_panic, locks) = {
        let state = execution.state();
        let locks = state
            .tasks
            .iter()
            .map(|t| Locks {
                holds: t.holds.iter().map(|h| h.address).collect(),
                wants: match &t.status {
                    Status::Blocked(on) => on.lock,
                    _ => None,
                },
            })
            .collect();
        (state.panics.first().cloned(), locks)
    };
    let ended = Ended {
        tasks: execution.tasks(),
        leaked: execution.leaked(),
        first_panic,
        locks,
    };
    classify_ended(&ended, ending)
}

/// What [`classify`] reads of an ended execution that recorded no violation.
pub(crate) struct Ended {
    /// Every task, as reports show it.
    pub(crate) tasks: Vec<TaskInfo>,
    /// The tasks that outlived their scope.
    pub(crate) leaked: Vec<usize>,
    /// The first panic the panic hook saw, if any.
    pub(crate) first_panic: Option<PanicRecord>,
    /// The locks (mutexes and `RwLock`s) each task holds and wants, by task id (model
    /// backends; empty under std).
    pub(crate) locks: Vec<Locks>,
}

/// The locks (by address) one task holds, and the one it blocks locking, if any.
#[derive(Clone, Debug, Default)]
pub(crate) struct Locks {
    pub(crate) holds: Vec<usize>,
    pub(crate) wants: Option<usize>,
}

impl Ended {
    /// The unfinished task blocked locking a lock that `task` holds, if any.
    fn blocked_behind(&self, task: usize, unfinished: &[TaskInfo]) -> Option<usize> {
        let holds = &self.locks.get(task)?.holds;
        unfinished
            .iter()
            .filter(|t| t.id != task)
            .find(|t| {
                self.locks
                    .get(t.id)
                    .and_then(|l| l.wants)
                    .is_some_and(|w| holds.contains(&w))
            })
            .map(|t| t.id)
    }
}

/// [`classify`] of what the execution left: decided by the kinds of the operations its tasks
/// block in, never by their display text.
pub(crate) fn classify_ended(ended: &Ended, ending: Ending) -> Violation {
    let tasks = &ended.tasks;
    let unfinished: Vec<TaskInfo> = tasks
        .iter()
        .filter(|t| !matches!(t.state, TaskState::Finished | TaskState::Panicked))
        .cloned()
        .collect();
    // A task blocked at a scope end waits for tasks of its scope that can never end: those
    // leaked, whichever task owns the scope.
    let leaked_ids = &ended.leaked;
    let at_scope_end = !leaked_ids.is_empty()
        && tasks
            .iter()
            .any(|t| blocked_in(t) == Some(OpKind::ScopeEnd));
    match ending {
        Ending::AllBlocked | Ending::StepBound(_) | Ending::Watchdog(_) if at_scope_end => {
            let waiters: Vec<TaskInfo> = unfinished
                .iter()
                .filter(|t| blocked_in(t) == Some(OpKind::ScopeEnd))
                .cloned()
                .collect();
            let leaked: Vec<TaskInfo> = unfinished
                .into_iter()
                .filter(|t| leaked_ids.contains(&t.id))
                .collect();
            let how = match &ending {
                Ending::StepBound(m) => format!(" (they never stopped running: {m})"),
                Ending::Watchdog(d) => format!(" (still alive {:.1}s later)", d.as_secs_f64()),
                _ => String::new(),
            };
            let list: Vec<String> = leaked.iter().map(ToString::to_string).collect();
            let ends: Vec<String> = waiters
                .iter()
                .filter_map(|w| match &w.state {
                    TaskState::Blocked { at, .. } => {
                        Some(format!("at {at}, where #{} '{}' waits", w.id, w.name))
                    }
                    _ => None,
                })
                .collect();
            let mut v = Violation::new(
                ViolationKind::Leak,
                format!(
                    "{} task{} outlived {} scope{how}: [{}]; the scope ended {}",
                    leaked.len(),
                    if leaked.len() == 1 { "" } else { "s" },
                    if leaked.len() == 1 { "its" } else { "their" },
                    list.join(", "),
                    ends.join(" and ")
                ),
            );
            v.sites = leaked.iter().filter_map(|t| t.spawned_at.clone()).collect();
            v.sites
                .extend(waiters.iter().filter_map(|w| match &w.state {
                    TaskState::Blocked { at, .. } => Some(at.clone()),
                    _ => None,
                }));
            // Exactly the leaked tasks; who waits at the scope end is in the message and sites.
            v.tasks = leaked;
            v
        }
        Ending::AllBlocked => {
            let waits: Vec<&TaskInfo> = unfinished.iter().filter(|t| awaits_wakeup(t)).collect();
            let list: Vec<String> = unfinished.iter().map(ToString::to_string).collect();
            // A condvar waiter that holds a lock (a mutex, an RwLock for reading or writing)
            // another blocked task wants cannot be woken by that task: no wakeup was lost, the
            // two wait for each other.
            let lockout = waits.iter().find_map(|w| {
                let behind = (blocked_in(w) == Some(OpKind::CondvarWait))
                    .then(|| ended.blocked_behind(w.id, &unfinished))??;
                Some((w, unfinished.iter().find(|t| t.id == behind)?))
            });
            let (kind, message) = if let Some((waiter, behind)) = lockout {
                (
                    ViolationKind::Deadlock,
                    format!(
                        "#{} '{}' waits on a condvar while it holds a lock that #{} '{}' is \
                         blocked on, and every other task is blocked or done: [{}]",
                        waiter.id,
                        waiter.name,
                        behind.id,
                        behind.name,
                        list.join(", ")
                    ),
                )
            } else if waits.is_empty() {
                (
                    ViolationKind::Deadlock,
                    format!("every task is blocked: [{}]", list.join(", ")),
                )
            } else {
                let names: Vec<String> = waits
                    .iter()
                    .map(|t| format!("#{} '{}'", t.id, t.name))
                    .collect();
                // An async task waits for its Waker to be called, not for a notify.
                let what = if waits.iter().all(|t| parked_async(t)) {
                    "a Waker call after its last Pending"
                } else {
                    "a notify"
                };
                (
                    ViolationKind::LostWakeup,
                    format!(
                        "{} never got {what} and every other task is blocked or done: [{}]",
                        names.join(", "),
                        list.join(", ")
                    ),
                )
            };
            let mut v = Violation::new(kind, message);
            v.sites = unfinished
                .iter()
                .filter_map(|t| match &t.state {
                    TaskState::Blocked { at, .. } => Some(at.clone()),
                    _ => None,
                })
                .collect();
            v.tasks = unfinished;
            v
        }
        Ending::StepBound(message) => {
            let mut v = Violation::new(
                ViolationKind::Hang,
                format!("an execution never finished: {message}"),
            );
            v.tasks = unfinished;
            v
        }
        Ending::Watchdog(d) => {
            // The tasks follow one per line (Violation's Display), each with what it blocks on
            // and where, as a checker's deadlock report gives them.
            let blocked = unfinished
                .iter()
                .filter(|t| matches!(t.state, TaskState::Blocked { .. }))
                .count();
            let mut v = Violation::new(
                ViolationKind::Hang,
                format!(
                    "the watchdog fired: the body did not finish within {:.1}s; {} of its \
                     threads unfinished, {blocked} of them blocked in a facade operation:",
                    d.as_secs_f64(),
                    unfinished.len()
                ),
            );
            v.sites = unfinished
                .iter()
                .filter_map(|t| match &t.state {
                    TaskState::Blocked { at, .. } => Some(at.clone()),
                    _ => None,
                })
                .collect();
            v.tasks = unfinished;
            v
        }
        Ending::Panic(message) => {
            if let Some(v) = ended
                .first_panic
                .as_ref()
                .and_then(|r| inside_the_checker(r, tasks))
            {
                return v;
            }
            let (task, message, at) = match ended.first_panic.clone() {
                Some(r) => (r.task, r.message, r.at),
                None => (None, message, None),
            };
            let kind = if task.unwrap_or(0) == 0 {
                ViolationKind::AssertionFailed
            } else {
                ViolationKind::TaskPanicked
            };
            let who = task
                .and_then(|t| tasks.get(t))
                .map(|t| format!("#{} '{}'", t.id, t.name))
                .unwrap_or_else(|| "a task".to_owned());
            let place = at.as_ref().map(|a| format!(" at {a}")).unwrap_or_default();
            let mut v = Violation::new(kind, format!("{who} panicked{place}: {message}"));
            v.sites.extend(at);
            v.tasks = task
                .and_then(|t| tasks.get(t).cloned())
                .into_iter()
                .collect();
            v
        }
    }
}

/// A panic raised inside loom's or shuttle's own source that is not one of their verdicts: a
/// misuse reported at the user's latest call into the checker (`rt::last_site`), not as the
/// task's panic at the checker's file.
fn inside_the_checker(record: &PanicRecord, tasks: &[TaskInfo]) -> Option<Violation> {
    use super::panic_text::{self, Model};
    let at = record.at.as_ref()?;
    let model = panic_text::model_of_source(&at.file)?;
    if panic_text::is_model_verdict(model, &record.message) {
        return None;
    }
    let checker = match model {
        Model::Loom => "loom",
        Model::Shuttle => "shuttle",
    };
    let task = record.task.and_then(|t| tasks.get(t));
    let who = task.map_or_else(
        || "the running task".to_owned(),
        |t| format!("task '{}'", t.name),
    );
    let call = record.last_call.as_ref().map_or_else(
        || format!("no concheck call of {who} was noted"),
        |s| format!("the last concheck call of {who} was at {s}"),
    );
    let mut v = Violation::new(
        ViolationKind::Misuse,
        format!(
            "{checker} failed inside its own code: {} (at {}:{}); {call}: {}",
            record.message,
            at.file,
            at.line,
            panic_text::internal_meaning(model, &record.message)
        ),
    );
    v.sites.extend(record.last_call.clone());
    v.tasks = task.cloned().into_iter().collect();
    Some(v)
}
