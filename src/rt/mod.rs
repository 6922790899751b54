//! The private engine under the facade: context, task registry, violations.
//!
//! Users never name these types; the facade (`sync`, `thread`, `go`) and the checkers (`check`)
//! are built on them, as loom's public `sync` is built on its private `rt`.

pub(crate) mod clock_state;
pub(crate) mod context;
pub(crate) mod coverage;
pub(crate) mod execution;
pub(crate) mod feedback;
pub(crate) mod last_op;
pub(crate) mod live;
mod object;
pub(crate) mod op;
pub(crate) mod progress;
mod recycle;
pub(crate) mod steps;
pub(crate) mod trace;
pub(crate) mod violation;

use std::cell::Cell;
use std::panic::Location;
use std::sync::Arc;

pub use context::Backend;
pub(crate) use context::{
    backend, catch_loom_panic, check_backend, construction_backend, execution_id, last_site,
    loom_callable, loom_callable_unwinding, loom_execution_starts, loom_failed, loom_goes_on,
    loom_unwinding, note_site,
};
pub(crate) use execution::{BlockedOn, Execution, Hold, Joinable, Limits, PanicRecord};

pub(crate) use object::Object;
pub(crate) use op::Op;
pub use op::OpKind;

use crate::rt::violation::{Site, Violation};
use execution::{State, Status};

thread_local! {
    /// The task running on this OS thread, under std.
    static STD_TASK: Cell<Option<usize>> = const { Cell::new(None) };
}

loom::thread_local! {
    static LOOM_TASK: Cell<Option<usize>> = Cell::new(None);
}

/// Records that the current backend task is task `id` of the current execution.
///
/// Under shuttle the registry keeps shuttle's id of each task instead of a thread-local:
/// shuttle's thread-locals are hash-map lookups, and [`current_task`] runs on every blocking
/// call (a third of concheck's time per shuttle execution went to them).
pub(crate) fn set_current_task(id: usize) {
    let now = backend();
    match now {
        Backend::Std => STD_TASK.with(|t| t.set(Some(id))),
        Backend::Loom => LOOM_TASK.with(|t| t.set(Some(id))),
        Backend::Shuttle => {}
    }
    if let Some(e) = context::execution() {
        let mut state = e.state();
        if now == Backend::Shuttle {
            if let Some(shuttle_id) = shuttle_engine::current::try_get_current_task() {
                state.shuttle_tasks.push((shuttle_id, id));
            }
        }
        state.last_running = Some(id);
    }
}

pub(crate) fn clear_std_task() {
    STD_TASK.with(|t| t.set(None));
}

/// The registry number of the running task, if the current thread is in an execution.
pub(crate) fn current_task() -> Option<usize> {
    match backend() {
        Backend::Std => STD_TASK.with(Cell::get),
        Backend::Loom if loom_callable() => LOOM_TASK.try_with(Cell::get).ok().flatten(),
        Backend::Shuttle => shuttle_task(&context::execution()?.state()),
        // While unwinding loom may not be called: the last task an operation saw.
        Backend::Loom => context::execution().and_then(|e| e.state().last_running),
    }
}

/// The running shuttle task's registry number, from shuttle's own (never panicking) task id.
/// Every task concheck spawns is in `shuttle_tasks` from its first step; while a task unwinds,
/// a task shuttle cannot name falls back on the last one that started.
fn shuttle_task(state: &State) -> Option<usize> {
    let shuttle_id = shuttle_engine::current::try_get_current_task()?;
    let found = state
        .shuttle_tasks
        .iter()
        .find(|(s, _)| *s == shuttle_id)
        .map(|&(_, id)| id);
    if std::thread::panicking() {
        found.or(state.last_running)
    } else {
        found
    }
}

/// A readable name for the running task: `#2 'worker-1'`, or `the caller` outside executions.
pub(crate) fn current_task_label() -> String {
    match (context::execution(), current_task()) {
        (Some(e), Some(id)) => task_label(&e.state(), id),
        _ => "the caller".to_owned(),
    }
}

/// How [`current_task_label`] names task `id` of the execution whose registry is `state`.
pub(crate) fn task_label(state: &State, id: usize) -> String {
    match state.tasks.get(id) {
        Some(t) => format!("#{id} '{}'", t.name),
        None => format!("#{id}"),
    }
}

/// Marks the running task blocked in `op` on `object()` until the guard drops. `object` is only
/// called inside an execution, so the std fast path pays one thread-local read; it returns an
/// [`Object`] (a `String` converts), formatted only if a report shows the task.
#[inline]
pub(crate) fn blocking<O: Into<Object>>(
    op: &'static Op,
    object: impl FnOnce() -> O,
    at: &'static Location<'static>,
) -> BlockGuard {
    mark(op, None, object, at)
}

/// [`blocking`] in `Mutex::lock` of the mutex at `address`: the classifier matches it with the
/// task that holds that mutex (see [`held`]).
#[inline]
pub(crate) fn blocking_lock<O: Into<Object>>(
    address: usize,
    object: impl FnOnce() -> O,
    at: &'static Location<'static>,
) -> BlockGuard {
    mark(op::LOCK, Some(address), object, at)
}

#[inline]
fn mark<O: Into<Object>>(
    op: &'static Op,
    lock: Option<usize>,
    object: impl FnOnce() -> O,
    at: &'static Location<'static>,
) -> BlockGuard {
    const UNMARKED: BlockGuard = BlockGuard { marked: None };
    let Some(execution) = context::execution() else {
        return UNMARKED;
    };
    // Under std and loom the task is in a thread-local; under shuttle it is looked up in the
    // registry, in the same lock hold as the mark.
    let shuttle = backend() == Backend::Shuttle;
    let known = if shuttle {
        None
    } else {
        let Some(task) = current_task() else {
            return UNMARKED;
        };
        Some(task)
    };
    mark_task(execution, known, op, lock, object, at)
}

/// [`blocking`] in `op` (`Mutex::lock`, `RwLock::read` or `write`) on the lock at `lock` by the
/// task `me` found for the whole operation (see [`Running`]): matched, as [`blocking_lock`]
/// is, with the tasks that hold that lock.
#[inline]
fn blocking_lock_by<O: Into<Object>>(
    me: Option<&Running>,
    op: &'static Op,
    lock: usize,
    object: impl FnOnce() -> O,
    at: &'static Location<'static>,
) -> BlockGuard {
    match me {
        Some(me) => mark_task(
            Arc::clone(&me.execution),
            Some(me.task),
            op,
            Some(lock),
            object,
            at,
        ),
        None => BlockGuard { marked: None },
    }
}

/// Marks `known` (or, if `None`, shuttle's running task, looked up under the registry lock)
/// blocked in `op`: the second half of [`mark`].
fn mark_task<O: Into<Object>>(
    execution: Arc<Execution>,
    known: Option<usize>,
    op: &'static Op,
    lock: Option<usize>,
    object: impl FnOnce() -> O,
    at: &'static Location<'static>,
) -> BlockGuard {
    // Built before the registry is locked: a label may read the registry.
    let on = BlockedOn {
        op,
        lock,
        object: object().into(),
        at,
    };
    let traced = trace::on().then(|| on.clone());
    let mut state = execution.state();
    let task = match known {
        Some(task) => Some(task),
        None => shuttle_task(&state),
    };
    if let Some(task) = task {
        // Blocking again after a panic, not while unwinding it: the panic was caught.
        if !std::thread::panicking() && (!state.panics.is_empty() || state.violation.is_some()) {
            state.recovered(task);
        }
    }
    let marked = task.filter(|&task| {
        let record = &mut state.tasks[task];
        // An outer operation (a condvar wait re-locking its mutex) may have marked it already.
        let unmarked = matches!(record.status, Status::Running);
        if unmarked {
            record.status = Status::Blocked(on);
        }
        unmarked
    });
    drop(state);
    if let (Some(task), Some(on)) = (marked, traced) {
        trace::block(task, &on);
    }
    BlockGuard {
        marked: marked.map(|task| (execution, task)),
    }
}

/// Runs `f` on the running task's list of what its future awaits (async primitives push to it
/// when they return `Pending`; `future::block_on` takes it when it parks). `None` outside an
/// execution, where nothing is reported.
pub(crate) fn with_awaiting<R>(f: impl FnOnce(&mut Vec<BlockedOn>) -> R) -> Option<R> {
    let execution = context::execution()?;
    let task = current_task()?;
    let mut state = execution.state();
    state.tasks.get_mut(task).map(|t| f(&mut t.awaiting))
}

/// Every task of the current execution with its state, if the thread is in one.
pub(crate) fn execution_tasks() -> Option<Vec<crate::rt::violation::TaskInfo>> {
    context::execution().map(|e| e.tasks())
}

/// Clears the blocked mark it set, and notes the task as running again.
#[must_use]
pub(crate) struct BlockGuard {
    marked: Option<(Arc<Execution>, usize)>,
}

impl BlockGuard {
    /// Whether this call marked the task; dropping the mark then notes the task running, so
    /// the caller need not call [`note_running`].
    pub(crate) fn marked(&self) -> bool {
        self.marked.is_some()
    }
}

impl Drop for BlockGuard {
    fn drop(&mut self) {
        // A blocking call that unwinds (a checker found the deadlock inside it, or tears the
        // task down) leaves the task blocked there: keep the mark for the report.
        if std::thread::panicking() {
            return;
        }
        if let Some((execution, task)) = self.marked.take() {
            execution.unblock(task);
        }
    }
}

/// A loom lock was left held because its guard was dropped while the body's own panic unwound
/// (see `flavors::lock::Guard`): noted in the execution, so that a hang that follows is
/// reported as the end of what loom can check, not as the body's deadlock.
pub(crate) fn loom_lock_lost() {
    if let Some(execution) = context::execution() {
        execution.state().loom_lock_lost = true;
    }
}

/// Records that the running task holds the lock at `address` (for reading if `shared`),
/// locked at `at`, until the mark drops (a lock guard under a model backend carries it). A task
/// that waits on a condvar while it holds a lock another blocked task wants cannot be woken by
/// it: the classifier calls that hang a deadlock, not a lost wakeup. Outside an execution it
/// records nothing.
pub(crate) fn held(address: usize, shared: bool, at: Option<&'static Location<'static>>) -> Held {
    held_by(running(), address, shared, at)
}

/// [`held`] by the task `me` found for the whole operation (see [`Running`]).
pub(crate) fn held_by(
    me: Option<Running>,
    address: usize,
    shared: bool,
    at: Option<&'static Location<'static>>,
) -> Held {
    let Some(Running { execution, task }) = me else {
        return Held::NONE;
    };
    execution.state().tasks[task].holds.push(Hold {
        address,
        shared,
        at,
        unwound: false,
    });
    Held {
        marked: std::mem::ManuallyDrop::new(Some((execution, task, address))),
    }
}

/// The running task and its execution, looked up once by an operation that needs them at
/// several steps (a lock: the recursive-lock check, the blocked mark, the note that it runs
/// again, the hold). A task is a coroutine (loom, shuttle) or a thread (std), so it is the same
/// task before and after the operation blocks; under loom each lookup is a loom task-local read
/// (a SipHash map), the largest of concheck's costs per loom execution (BENCHMARKS.md).
pub(crate) struct Running {
    execution: Arc<Execution>,
    task: usize,
}

/// The running task, if the current thread is in an execution (see [`Running`]).
pub(crate) fn running() -> Option<Running> {
    running_task().map(|(execution, task)| Running { execution, task })
}

/// The execution and the registry number of the running task, if there is one.
fn running_task() -> Option<(Arc<Execution>, usize)> {
    let execution = context::execution()?;
    let task = if backend() == Backend::Shuttle {
        shuttle_task(&execution.state())
    } else {
        current_task()
    };
    task.map(|task| (execution, task))
}

/// How a task asks for a lock (see [`relock`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LockMode {
    /// `Mutex::lock`.
    Mutex,
    /// `RwLock::read`.
    Read,
    /// `RwLock::write`.
    Write,
}

impl LockMode {
    /// The operation a task blocked asking for the lock this way is marked with.
    fn op(self) -> &'static Op {
        match self {
            LockMode::Mutex => op::LOCK,
            LockMode::Read => op::READ,
            LockMode::Write => op::WRITE,
        }
    }
}

/// What a model lock does before it waits, with the running task looked up once (`me`): stop
/// the execution if `me` already holds the lock ([`relock`]), then mark `me` blocked asking for
/// it ([`blocking_lock_by`]) until the returned guard is dropped.
#[inline]
pub(crate) fn begin_lock<O: Into<Object>>(
    me: Option<&Running>,
    address: usize,
    mode: LockMode,
    object: impl Fn() -> O,
    at: &'static Location<'static>,
) -> BlockGuard {
    relock(me, address, mode, &object, at);
    blocking_lock_by(me, mode.op(), address, object, at)
}

/// Stops the execution with a violation if the running task asks, at `at`, for the lock at
/// `address` (named `object`) that it already holds: a mutex or a write under its own hold
/// waits for itself forever (a deadlock); a read under its own read is a recursive read lock,
/// which deadlocks as soon as a writer queues between the two (a misuse: Go's `RWMutex`
/// forbids it, std's `RwLock` may deadlock or panic). Checked before the model checker is
/// asked for the lock: loom and shuttle would otherwise panic inside their own source (loom on
/// the second read guard's release, shuttle with "already holds"), far from the user's line.
/// `me` is the running task, found once for the whole lock operation (see [`Running`]).
#[track_caller]
fn relock<O: Into<Object>>(
    me: Option<&Running>,
    address: usize,
    mode: LockMode,
    object: impl FnOnce() -> O,
    at: &'static Location<'static>,
) {
    let Some(&Running {
        ref execution,
        task,
    }) = me
    else {
        return;
    };
    let first = {
        let state = execution.state();
        let Some(hold) = state.tasks[task]
            .holds
            .iter()
            .find(|h| h.address == address && !h.unwound)
            .copied()
        else {
            return;
        };
        hold
    };
    let object: Object = object().into();
    let who = current_task_label();
    let since = first
        .at
        .map_or_else(String::new, |l| format!(" (locked at {})", Site::from(l)));
    let how = if first.shared { "for reading" } else { "" };
    let (kind, message) = match mode {
        LockMode::Read if first.shared => (
            crate::rt::violation::ViolationKind::Misuse,
            format!(
                "recursive read lock: {who} read-locks {object} at {} while it already holds \
                 it for reading{since}; a writer that queues between the two reads deadlocks \
                 both (Go's RWMutex forbids this; std's RwLock may deadlock or panic): drop \
                 the first guard before locking again, or pass it down",
                Site::from(at)
            ),
        ),
        _ => (
            crate::rt::violation::ViolationKind::Deadlock,
            format!(
                "{who} {} {object} at {}, which it already holds{}{since}: it waits for \
                 itself forever (the lock is not reentrant); drop the first guard before \
                 locking again",
                match mode {
                    LockMode::Mutex => "locks",
                    LockMode::Read => "read-locks",
                    LockMode::Write => "write-locks",
                },
                Site::from(at),
                if how.is_empty() {
                    String::new()
                } else {
                    format!(" {how}")
                },
            ),
        ),
    };
    let mut sites = vec![Site::from(at)];
    sites.extend(first.at.map(Site::from));
    violation(crate::rt::violation::Violation::new(kind, message).with_sites(sites));
}

/// A lock the running task holds, in the registry until dropped (see [`held`]).
pub(crate) struct Held {
    /// The execution, the task and the lock's address; `None` for a std lock or outside an
    /// execution. `ManuallyDrop`: the field has no drop glue, so dropping [`Held::NONE`] is the
    /// inline check in `drop` (BENCHMARKS.md, facade); `drop` unmarks and releases it.
    marked: std::mem::ManuallyDrop<Option<(Arc<Execution>, usize, usize)>>,
}

impl Held {
    /// Records nothing: a std mutex, or no execution.
    pub(crate) const NONE: Held = Held {
        marked: std::mem::ManuallyDrop::new(None),
    };
}

impl Drop for Held {
    #[inline]
    fn drop(&mut self) {
        if self.marked.is_some() {
            self.unmark();
        }
    }
}

impl Held {
    /// Removes the mark from the registry. Out of line and by reference (only model backends
    /// have marks), so that what the caller inlines of `drop` stays one check.
    #[cold]
    #[inline(never)]
    fn unmark(&mut self) {
        let marked = std::mem::replace(&mut self.marked, std::mem::ManuallyDrop::new(None));
        let Some((execution, task, address)) = std::mem::ManuallyDrop::into_inner(marked) else {
            return;
        };
        let mut state = execution.state();
        let holds = &mut state.tasks[task].holds;
        // A task torn down after a checker found the hang keeps what it held, for the report;
        // but the guard is gone (shuttle and std released the lock), so `relock` ignores it.
        if std::thread::panicking() {
            if let Some(h) = holds.iter_mut().rev().find(|h| h.address == address) {
                h.unwound = true;
            }
            return;
        }
        if let Some(i) = holds.iter().rposition(|h| h.address == address) {
            holds.swap_remove(i);
        }
    }
}

/// Notes which task runs after an operation that may have switched tasks, for a panic hook
/// that may not ask loom who runs. shuttle can always be asked ([`shuttle_task`]), so only loom
/// pays for it.
#[inline]
pub(crate) fn note_running() {
    if backend() == Backend::Loom && loom_callable() {
        if let (Some(e), Some(t)) = (context::execution(), current_task()) {
            e.note_running(t);
        }
    }
}

/// [`note_running`] by `task` of `execution`, the running task found before an operation that
/// may switch tasks: after it, the same task runs on this coroutine again.
#[inline]
pub(crate) fn note_running_of(execution: &Execution, task: usize) {
    if backend() == Backend::Loom && loom_callable() {
        execution.note_running(task);
    }
}

/// [`note_running`] by the task `me` found for the whole operation (see [`Running`]): after
/// the operation it is still the task running on this coroutine.
#[inline]
pub(crate) fn note_running_by(me: Option<&Running>) {
    match me {
        Some(me) => note_running_of(&me.execution, me.task),
        None => note_running(),
    }
}

/// Reports a violation: recorded in the execution (so the checker returns it as data), then
/// raised as a panic to stop the run. Outside any execution it is a plain panic, as Go's are.
#[track_caller]
pub(crate) fn violation(mut v: Violation) -> ! {
    if v.sites.is_empty() {
        v.sites.push(Site::from(Location::caller()));
    }
    let message = v.to_string();
    if let Some(execution) = context::execution() {
        let task = current_task();
        if let Some(task) = task {
            let tasks = execution.tasks();
            if let Some(info) = tasks.into_iter().nth(task) {
                if !v.tasks.iter().any(|t| t.id == info.id) {
                    v.tasks.insert(0, info);
                }
            }
        }
        execution.record_violation(task, v);
    }
    panic!("{message}");
}

/// The text of a panic payload (`&str` or `String`), or a placeholder: what a report says a
/// task or a body panicked with.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}
