//! One run of a checked body: its backend, its task registry and the violation it found.
//!
//! The registry lives behind a std mutex that is never held across a facade operation, so under
//! loom and shuttle (one OS thread) it is never contended, and under std it is a short critical
//! section. Each spawned task holds a ticket that is removed when the task ends, even by panic;
//! the facade records what each task blocks on. That is what tells a leak from a deadlock.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::context::Backend;
use super::object::{Object, TaskName};
use crate::rt::violation::{Site, TaskInfo, TaskState, Violation, ViolationKind};

/// Execution ids start at 1; 0 means "no execution" for [`crate::sync::Lazy`].
static NEXT_EXECUTION: AtomicU64 = AtomicU64::new(1);

/// Joins a task whose `JoinHandle` the user may have dropped; used by scope ends.
pub(crate) trait Joinable: Send + Sync {
    /// Blocks until the task ends. Idempotent.
    fn join_erased(&self);
}

/// What a task blocks on, recorded by the facade around each blocking call.
#[derive(Clone, Debug)]
pub(crate) struct BlockedOn {
    pub op: &'static super::Op,
    /// The address of the mutex it waits to lock, if it blocks locking one.
    pub lock: Option<usize>,
    pub object: Object,
    pub at: &'static Location<'static>,
}

/// Where a task is.
#[derive(Clone, Debug)]
pub(crate) enum Status {
    Running,
    Blocked(BlockedOn),
    Finished,
    Panicked,
}

pub(crate) struct TaskRecord {
    pub name: TaskName,
    pub spawned_at: Option<&'static Location<'static>>,
    pub status: Status,
    /// Every scope this task belongs to: its parent's open scopes at spawn time.
    pub scopes: Vec<u64>,
    /// Scopes this task opened and has not closed yet; its children join them.
    pub open_scopes: Vec<u64>,
    pub joiner: Option<Arc<dyn Joinable>>,
    /// The scope whose end this task is waiting at, if it is.
    pub ending_scope: Option<u64>,
    /// What the task's future awaits, noted by async primitives that returned `Pending` during
    /// the current poll; `future::block_on` reports it when the task parks.
    pub awaiting: Vec<BlockedOn>,
    /// The locks it holds (model backends; see `rt::held`).
    pub holds: Vec<Hold>,
}

/// A lock a task holds: a mutex, or an `RwLock` for reading or writing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hold {
    /// The lock's address.
    pub address: usize,
    /// Held for reading (an `RwLock` read guard): others may read it too.
    pub shared: bool,
    /// Where it was locked, when the locking call knew (a condvar's re-lock does not).
    pub at: Option<&'static Location<'static>>,
    /// Its guard was dropped while the task unwound: kept for the report of the hang that
    /// tore the task down, but no longer held for `rt::relock`.
    pub unwound: bool,
}

impl TaskRecord {
    /// A running task's record, its lists taken from `lists` (empty, maybe recycled).
    fn new(
        name: TaskName,
        spawned_at: Option<&'static Location<'static>>,
        lists: super::recycle::Lists,
    ) -> TaskRecord {
        TaskRecord {
            name,
            spawned_at,
            status: Status::Running,
            scopes: lists.scopes,
            open_scopes: lists.open_scopes,
            joiner: None,
            ending_scope: None,
            awaiting: lists.awaiting,
            holds: lists.holds,
        }
    }

    /// Its lists, emptied, for a record of a later execution.
    fn into_lists(self) -> super::recycle::Lists {
        super::recycle::Lists {
            scopes: self.scopes,
            open_scopes: self.open_scopes,
            awaiting: self.awaiting,
            holds: self.holds,
        }
        .emptied()
    }

    pub(crate) fn is_done(&self) -> bool {
        matches!(self.status, Status::Finished | Status::Panicked)
    }
}

/// A panic seen by the hook while this execution ran.
#[derive(Clone, Debug)]
pub(crate) struct PanicRecord {
    pub task: Option<usize>,
    pub message: String,
    pub at: Option<Site>,
    /// The user's latest facade call into the model checker when it panicked
    /// (`rt::last_site`): where a panic inside loom's or shuttle's own source is reported.
    pub last_call: Option<Site>,
}

#[derive(Default)]
pub(crate) struct State {
    pub tasks: Vec<TaskRecord>,
    pub violation: Option<Violation>,
    /// The task whose panic carries `violation` (see [`State::recovered`]).
    pub violation_task: Option<usize>,
    /// A loom lock stays held because its guard was dropped while a panic of the body's own
    /// unwound (see `crate::rt::loom_lock_lost`).
    pub loom_lock_lost: bool,
    /// `violation` is a misuse of a thread no checker schedules ([`Execution::record_stray`]).
    pub stray: bool,
    pub panics: Vec<PanicRecord>,
    next_scope: u64,
    /// Under loom the panic hook may not ask loom who is running; this is the last task a facade
    /// operation saw, which is the running one (every operation notes it on return).
    pub last_running: Option<usize>,
    /// shuttle's id of each task, so a panicking task is named by shuttle's never-panicking
    /// `try_get_current_task` rather than guessed.
    pub shuttle_tasks: Vec<(shuttle::scheduler::TaskId, usize)>,
    /// The execution's virtual clock (model backends; unused on std).
    pub clock: super::clock_state::VirtualState,
    /// Every `sync::Arc` allocation built in this execution: where and by which task, `None`
    /// once its last clone dropped (indexed by the id its token holds).
    /// The task's registry number (`None`: made outside every task), formatted only when a
    /// leak is reported (a label per `Arc` was a fifth of concheck's formatting per execution).
    pub arcs: Vec<super::recycle::ArcEntry>,
    /// Emptied lists of an earlier execution's task records, for the records of this one's
    /// tasks (`rt::recycle`).
    spare_lists: Vec<super::recycle::Lists>,
}

impl State {
    /// `task` goes on after its panics: it returned normally, or blocks in a facade operation
    /// while not unwinding. A panic it raised (a violation included) was caught, as Go's
    /// `recover` catches one: ordinary control flow, not what the execution is reported for.
    pub(crate) fn recovered(&mut self, task: usize) {
        if self.violation_task == Some(task) {
            self.violation = None;
            self.violation_task = None;
        }
        self.panics.retain(|p| p.task != Some(task));
    }
}

/// Limits a check declares about the body.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Limits {
    /// At most this many spawned tasks alive at once; more is [`ViolationKind::BoundExceeded`].
    pub max_live_tasks: Option<usize>,
}

pub(crate) struct Execution {
    id: u64,
    backend: Backend,
    limits: Limits,
    state: Mutex<State>,
}

impl Execution {
    /// Records a new `sync::Arc` allocation; the id is for [`Execution::untrack_arc`].
    pub(crate) fn track_arc(&self, at: &'static Location<'static>, task: Option<usize>) -> usize {
        let mut state = self.state();
        state.arcs.push(Some((at, task)));
        state.arcs.len() - 1
    }

    /// The last clone of allocation `id` dropped.
    pub(crate) fn untrack_arc(&self, id: usize) {
        if let Some(slot) = self.state().arcs.get_mut(id) {
            *slot = None;
        }
    }

    /// The `sync::Arc` allocations still alive: where each was created, by which task (as
    /// `rt::current_task_label` named it).
    pub(crate) fn live_arcs(&self) -> Vec<(&'static Location<'static>, String)> {
        let state = self.state();
        state
            .arcs
            .iter()
            .flatten()
            .map(|&(at, task)| {
                let label = task.map_or_else(
                    || "the caller".to_owned(),
                    |id| super::task_label(&state, id),
                );
                (at, label)
            })
            .collect()
    }

    pub(crate) fn new(backend: Backend, limits: Limits) -> Arc<Execution> {
        super::progress::begin_execution();
        // The vectors of the last execution on this thread, emptied (`rt::recycle`).
        let spare = super::recycle::take();
        let mut state = State {
            tasks: spare.tasks,
            arcs: spare.arcs,
            spare_lists: spare.lists,
            ..State::default()
        };
        let lists = state.spare_lists.pop().unwrap_or_default();
        state
            .tasks
            .push(TaskRecord::new(TaskName::Main, None, lists));
        let execution = Arc::new(Execution {
            id: NEXT_EXECUTION.fetch_add(1, Ordering::Relaxed),
            backend,
            limits,
            state: Mutex::new(state),
        });
        super::live::register(&execution);
        execution
    }

    /// The name of the task shuttle numbers `shuttle_id`, if it is one of this execution's.
    pub(crate) fn task_of_shuttle(&self, shuttle_id: usize) -> Option<String> {
        let state = self.state();
        let (_, id) = state
            .shuttle_tasks
            .iter()
            .find(|(s, _)| usize::from(*s) == shuttle_id)?;
        Some(state.tasks[*id].name.to_string())
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// The registry. Never hold this across a facade operation.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding it (in a report formatter) must not hide the report.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a task spawned by `parent`; fails when the declared bound is exceeded.
    pub(crate) fn register(
        &self,
        parent: Option<usize>,
        name: Option<String>,
        at: &'static Location<'static>,
    ) -> Result<usize, Violation> {
        let mut state = self.state();
        let id = state.tasks.len();
        let mut lists = state.spare_lists.pop().unwrap_or_default();
        if let Some(p) = parent.and_then(|p| state.tasks.get(p)) {
            lists.scopes.extend(&p.scopes);
            lists.scopes.extend(&p.open_scopes);
        }
        if name.is_some() {
            super::coverage::given_name(id);
        }
        let name = name.map_or(TaskName::Numbered(id), TaskName::Given);
        state.tasks.push(TaskRecord::new(name, Some(at), lists));
        if let Some(bound) = self.limits.max_live_tasks {
            let live = state.tasks[1..].iter().filter(|t| !t.is_done()).count();
            if live > bound {
                let mut v = Violation::new(
                    ViolationKind::BoundExceeded,
                    format!(
                        "{live} tasks alive at once, more than the declared bound of {bound}; \
                         the spawn at {} went past it",
                        Site::from(at)
                    ),
                );
                v.sites.push(Site::from(at));
                v.tasks = state.tasks[1..]
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| !t.is_done())
                    .map(|(i, t)| info(i + 1, t))
                    .collect();
                state.tasks[id].status = Status::Finished;
                return Err(v);
            }
        }
        super::trace::spawn(parent, id, &state.tasks[id].name, at);
        super::progress::made();
        Ok(id)
    }

    pub(crate) fn set_joiner(&self, task: usize, joiner: Arc<dyn Joinable>) {
        self.state().tasks[task].joiner = Some(joiner);
    }

    /// Marks `task` ended. A task torn down by the checker while blocked (its stack unwound
    /// after a deadlock was detected) stays blocked: that is what the report must show.
    pub(crate) fn finish(&self, task: usize, panicked: bool) {
        let mut state = self.state();
        if !panicked {
            state.recovered(task);
        }
        if panicked && matches!(state.tasks[task].status, Status::Blocked(_)) {
            return;
        }
        state.tasks[task].status = if panicked {
            Status::Panicked
        } else {
            Status::Finished
        };
        super::trace::end(task, panicked);
        super::progress::made();
    }

    /// Records a violation that `task`'s panic is about to carry; the first one recorded (and
    /// not recovered from) is the one reported.
    pub(crate) fn record_violation(&self, task: Option<usize>, violation: Violation) {
        let mut state = self.state();
        if state.violation.is_none() {
            state.violation = Some(violation);
            state.violation_task = task;
        }
    }

    /// Records the misuse of a thread no checker schedules (a `std::thread::spawn` in the
    /// body, see `context::check_backend`): it is the root of whatever follows (a hang, a
    /// failed join), so it replaces a violation recorded before it, except an earlier one of
    /// its own kind, and no task's recovery clears it.
    pub(crate) fn record_stray(&self, violation: Violation) {
        let mut state = self.state();
        if !state.stray {
            state.stray = true;
            state.violation = Some(violation);
            state.violation_task = None;
        }
    }

    /// The misuse [`Self::record_stray`] recorded, if any: a body that returns normally after
    /// it (it ignored the failed join) still fails with it.
    pub(crate) fn stray(&self) -> Option<Violation> {
        let state = self.state();
        state.stray.then(|| state.violation.clone()).flatten()
    }

    pub(crate) fn record_panic(&self, record: PanicRecord) {
        self.state().panics.push(record);
    }

    pub(crate) fn note_running(&self, task: usize) {
        noted_running(&mut self.state(), task);
    }

    /// Clears `task`'s blocked mark, and notes it as the running task as [`Self::note_running`]
    /// does: the step counter must move, or loom's clock driver takes a task that just woke
    /// for an idle one (tests/time.rs `anytime_lets_a_timer_beat_runnable_work` fails), and the
    /// coverage recorder's next hook takes this task as the one running.
    pub(crate) fn unblock(&self, task: usize) {
        let mut state = self.state();
        let record = &mut state.tasks[task];
        if matches!(record.status, Status::Blocked(_)) {
            record.status = Status::Running;
        }
        noted_running(&mut state, task);
        super::trace::resume(task);
    }

    pub(crate) fn open_scope(&self, task: usize) -> u64 {
        let mut state = self.state();
        state.next_scope += 1;
        let scope = state.next_scope;
        state.tasks[task].open_scopes.push(scope);
        scope
    }

    pub(crate) fn close_scope(&self, task: usize, scope: u64) {
        let mut state = self.state();
        state.tasks[task].open_scopes.retain(|&s| s != scope);
    }

    /// An unfinished task of `scope` that no scope has joined yet, with its joiner (taken, so
    /// each task is joined by at most one scope end).
    pub(crate) fn next_unjoined(&self, scope: u64) -> Option<(usize, Arc<dyn Joinable>)> {
        let mut state = self.state();
        state.tasks.iter_mut().enumerate().find_map(|(i, t)| {
            if t.scopes.contains(&scope) && !t.is_done() {
                t.joiner.take().map(|j| (i, j))
            } else {
                None
            }
        })
    }

    /// Marks `task` as waiting at the end of `scope` (or no longer, with `None`).
    pub(crate) fn set_ending_scope(&self, task: usize, scope: Option<u64>) {
        self.state().tasks[task].ending_scope = scope;
    }

    /// The tasks that outlived a scope: for every task blocked at a scope end, the unfinished
    /// tasks of that scope. Empty when no task waits at a scope end.
    pub(crate) fn leaked(&self) -> Vec<usize> {
        let state = self.state();
        let ending: Vec<u64> = state
            .tasks
            .iter()
            .filter(|t| matches!(t.status, Status::Blocked(_)))
            .filter_map(|t| t.ending_scope)
            .collect();
        state
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_done() && t.scopes.iter().any(|s| ending.contains(s)))
            .map(|(i, _)| i)
            .collect()
    }

    /// Every task, as a report shows it.
    pub(crate) fn tasks(&self) -> Vec<TaskInfo> {
        let state = self.state();
        state
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| info(i, t))
            .collect()
    }
}

impl Drop for Execution {
    fn drop(&mut self) {
        super::live::unregister(self.id);
        // Hands the registry's vectors, emptied, to the next execution on this thread.
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        let mut tasks = std::mem::take(&mut state.tasks);
        let mut lists = std::mem::take(&mut state.spare_lists);
        lists.extend(tasks.drain(..).map(TaskRecord::into_lists));
        let mut arcs = std::mem::take(&mut state.arcs);
        arcs.clear();
        super::recycle::give(super::recycle::Spare { tasks, lists, arcs });
    }
}

/// Notes `task` as the one running after a model operation: for the panic hook, the clock
/// driver's step counter and the coverage recorder.
fn noted_running(state: &mut State, task: usize) {
    state.last_running = Some(task);
    super::coverage::noted(task);
    state.clock.progress += 1;
}

pub(crate) fn info(id: usize, t: &TaskRecord) -> TaskInfo {
    TaskInfo {
        id,
        name: t.name.to_string(),
        spawned_at: t.spawned_at.map(Site::from),
        state: match &t.status {
            Status::Running => TaskState::Running,
            Status::Blocked(b) => TaskState::Blocked {
                op: b.op.name.to_owned(),
                op_kind: b.op.kind,
                object: b.object.to_string(),
                at: Site::from(b.at),
            },
            Status::Finished => TaskState::Finished,
            Status::Panicked => TaskState::Panicked,
        },
    }
}
