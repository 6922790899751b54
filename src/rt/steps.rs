//! The interleaving of one failing execution, as data: every task, and every step the scheduler
//! ran, in order.
//!
//! The engine's trace recorder (`rt::trace`) produces it; the checkers (`check`) re-export it
//! as `concheck::check::Trace` and render it. A checker that finds a violation replays the
//! failing schedule once more with the recorder on, so the search itself pays nothing for it.
//! Each step is one facade operation of one task (a lock, a send, a notify, a spawn), with the
//! object it touched and the caller's source line; a task that blocks gets a
//! [`StepKind::Block`] step and, if it ever runs again, a [`StepKind::Resume`]. A report renders
//! the steps that matter as a table with one column per task (see `check::explain`); the HTML
//! report draws all of them.

use serde::{Deserialize, Serialize};

use super::op::OpKind;
use super::violation::Site;

/// One execution's interleaving: its tasks and its steps in the order they ran.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Every task of the execution; `tasks[i].id == i`, and task 0 is the checked body.
    pub tasks: Vec<TraceTask>,
    /// Every object a step touched; [`Step::object`] indexes it.
    pub objects: Vec<TraceObject>,
    /// The steps, in the order the scheduler ran them.
    pub steps: Vec<Step>,
}

/// A task as the trace names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceTask {
    /// Registry number within the execution; 0 is the checked body.
    pub id: usize,
    /// The name given at spawn, or `task-N`; `main` for the body.
    pub name: String,
    /// Where it was spawned; `None` for the body.
    pub spawned_at: Option<Site>,
}

/// An object the steps touched: a mutex, a channel, a WaitGroup, a task to join.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceObject {
    /// What reports call it: `channel 'results' (created at src/pool.rs:12:5)`.
    pub name: String,
    /// The short form tables use: `channel 'results'`, `mutex @ pool.rs:12`.
    pub short: String,
}

/// What kind of step a [`Step`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepKind {
    /// A facade operation took effect.
    Op,
    /// The task blocked in an operation; it waits until its next [`StepKind::Resume`], or to the
    /// end of the execution if there is none.
    Block,
    /// The task runs again after a [`StepKind::Block`].
    Resume,
    /// The task spawned another ([`Step::object`] names none; [`Step::op`] is `spawn 'name'`).
    Spawn,
    /// The task returned.
    Finish,
    /// The task panicked, or the checker stopped it at a violation.
    Panic,
}

/// One step of one task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The task that ran it ([`Trace::tasks`] index).
    pub task: usize,
    /// What kind of step.
    pub kind: StepKind,
    /// The operation, as the facade names it: `Mutex::lock`, `Sender::send`, `WaitGroup::wait`.
    /// For people only; what the operation is, for a checker, is [`Step::op_kind`].
    pub op: String,
    /// What kind of operation it is; explanations decide on it, never on [`Step::op`].
    #[serde(default)]
    pub op_kind: OpKind,
    /// The object it touched ([`Trace::objects`] index), if any.
    pub object: Option<usize>,
    /// The caller's source location (the body's line, through `#[track_caller]`).
    pub at: Option<Site>,
}

impl Trace {
    /// The task's name, or `task-N` for a number the trace does not know.
    pub fn task_name(&self, task: usize) -> String {
        self.tasks
            .get(task)
            .map_or_else(|| format!("task-{task}"), |t| t.name.clone())
    }

    /// The object's short name, if the step touched one.
    pub fn object_short(&self, step: &Step) -> Option<&str> {
        step.object
            .and_then(|o| self.objects.get(o))
            .map(|o| o.short.as_str())
    }
}
