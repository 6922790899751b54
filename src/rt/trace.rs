//! The trace recorder: every step of one execution, for a failing report's interleaving.
//!
//! It is on only while a replay runs (`check::replay`, which every checker calls once on the
//! schedule it found failing), so searches pay nothing but one thread-local read per hook that
//! the coverage recorder already reaches. Like the coverage recorder it is a thread-local: loom
//! and shuttle run every task of an execution as a coroutine on the runner's OS thread.
//!
//! Its sources: the coverage recorder's events (one per facade operation that took effect, a Go
//! operation once, see `rt::coverage`), the registry's blocking marks (a task that blocks, and
//! runs again), spawns and task ends. A blocking mark that is cleared before any other step ran
//! was not a wait (an uncontended lock is marked and cleared at once) and is dropped.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::panic::Location;

use super::execution::BlockedOn;
use super::object::Object;
use super::op::{Op, OpKind};
use super::steps::{Step, StepKind, Trace, TraceObject, TraceTask};
use crate::rt::violation::Site;

thread_local! {
    static TRACE: RefCell<Option<Log>> = const { RefCell::new(None) };
    /// Whether `TRACE` holds a log: a cell without a destructor, so a hook outside a replay
    /// (every model operation of a search) costs a load, not the registered key's state check
    /// and borrow (about 35 instructions a hook, two hooks per recorded operation).
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

#[derive(Default)]
struct Log {
    trace: Trace,
    /// Object address (within the execution) to its index in `trace.objects`.
    by_address: HashMap<usize, usize>,
    /// Full name to the latest object of that name, for blocking marks (which name, not point).
    by_name: HashMap<String, usize>,
    /// Objects bound to an address (a blocking mark may name one before any hook points at it).
    bound: HashSet<usize>,
    /// Objects the facade made for itself (a channel's inner lock, a select's condvar): their
    /// steps are the implementation of an operation the trace already shows, and are left out.
    internal: HashSet<usize>,
}

/// Whether `object` was made inside concheck's own sources.
fn made_inside(object: &Object) -> bool {
    object
        .created_at()
        .is_some_and(|at| super::coverage::is_facade_source(at.file()))
}

/// Starts recording on this thread (a replay's runner thread).
pub(crate) fn start() {
    TRACE.with(|t| *t.borrow_mut() = Some(Log::default()));
    RECORDING.with(|r| r.set(true));
}

/// Stops recording and returns the trace of the last execution, if recording was on.
pub(crate) fn finish() -> Option<Trace> {
    RECORDING.with(|r| r.set(false));
    TRACE
        .with(|t| t.borrow_mut().take())
        .map(|log| drop_instant_blocks(log.trace))
}

/// Starts an execution's trace: forgets the previous execution's, registers the body as task 0.
pub(crate) fn begin_execution() {
    with(|log| {
        *log = Log::default();
        log.trace.tasks.push(TraceTask {
            id: 0,
            name: "main".to_owned(),
            spawned_at: None,
        });
    });
}

/// Whether a trace is being recorded on this thread.
pub(crate) fn on() -> bool {
    RECORDING.with(Cell::get) && TRACE.with(|t| t.try_borrow().is_ok_and(|t| t.is_some()))
}

#[inline]
fn with(f: impl FnOnce(&mut Log)) {
    if !RECORDING.with(Cell::get) {
        return;
    }
    TRACE.with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            if let Some(log) = t.as_mut() {
                f(log);
            }
        }
    });
}

impl Log {
    /// The index of a new object named `object`; two objects with one name (two mutexes made
    /// at one line) are told apart by a number in the short form.
    fn add(&mut self, object: &Object) -> usize {
        let name = object.to_string();
        let mut short = object.short();
        let same = self.trace.objects.iter().filter(|o| o.name == name).count();
        if same > 0 {
            short = format!("{short} #{}", same + 1);
        }
        let index = self.trace.objects.len();
        if made_inside(object) {
            self.internal.insert(index);
        }
        self.trace.objects.push(TraceObject {
            name: name.clone(),
            short,
        });
        self.by_name.insert(name, index);
        index
    }

    fn push(
        &mut self,
        task: usize,
        kind: StepKind,
        op: &Op,
        object: Option<usize>,
        at: Option<Site>,
    ) {
        self.push_named(task, kind, op.kind, op.name.to_owned(), object, at);
    }

    fn push_named(
        &mut self,
        task: usize,
        kind: StepKind,
        op_kind: OpKind,
        op: String,
        object: Option<usize>,
        at: Option<Site>,
    ) {
        self.trace.steps.push(Step {
            task,
            kind,
            op,
            op_kind,
            object,
            at,
        });
    }
}

/// Names the object at `address` for the steps that touch it, the first time it is seen.
pub(crate) fn name(address: usize, object: impl FnOnce() -> Object) {
    with(|log| {
        if log.by_address.contains_key(&address) {
            return;
        }
        let object = object();
        let index = match log.by_name.get(&object.to_string()) {
            Some(&named) if !log.bound.contains(&named) => named,
            _ => log.add(&object),
        };
        log.bound.insert(index);
        log.by_address.insert(address, index);
    });
}

/// A facade operation `op` of `task` on the object at `address` took effect at `at`.
pub(crate) fn op(task: usize, address: usize, op: &'static Op, at: &'static Location<'static>) {
    with(|log| {
        // A facade call inside another (a select trying its cases) is that operation's detail.
        if super::coverage::is_facade_source(at.file()) {
            return;
        }
        let object = log.by_address.get(&address).copied();
        if object.is_some_and(|o| log.internal.contains(&o)) {
            return;
        }
        log.push(task, StepKind::Op, op, object, Some(Site::from(at)));
    });
}

/// `task` blocked in `on`.
pub(crate) fn block(task: usize, on: &BlockedOn) {
    if made_inside(&on.object) {
        return;
    }
    with(|log| {
        let name = on.object.to_string();
        let object = match log.by_name.get(&name) {
            Some(&index) => index,
            None => log.add(&on.object),
        };
        log.push(
            task,
            StepKind::Block,
            on.op,
            Some(object),
            Some(Site::from(on.at)),
        );
    });
}

/// `task` runs again after blocking.
pub(crate) fn resume(task: usize) {
    with(|log| {
        let blocked = log
            .trace
            .steps
            .iter()
            .rev()
            .find(|s| s.task == task)
            .filter(|s| s.kind == StepKind::Block)
            .map(|s| (s.op_kind, s.op.clone(), s.object, s.at.clone()));
        if let Some((op_kind, op, object, at)) = blocked {
            log.push_named(task, StepKind::Resume, op_kind, op, object, at);
        }
    });
}

/// `parent` spawned task `child`, named `name`, at `at`. The name is formatted only while a
/// trace records (a `task-N` formatted per spawn was 900 instructions of every search's spawn).
pub(crate) fn spawn(
    parent: Option<usize>,
    child: usize,
    name: &dyn std::fmt::Display,
    at: &'static Location<'static>,
) {
    with(|log| {
        let name = name.to_string();
        let site = Site::from(at);
        while log.trace.tasks.len() <= child {
            let id = log.trace.tasks.len();
            log.trace.tasks.push(TraceTask {
                id,
                name: format!("task-{id}"),
                spawned_at: None,
            });
        }
        log.push_named(
            parent.unwrap_or(0),
            StepKind::Spawn,
            OpKind::Spawn,
            format!("spawn '{name}'"),
            None,
            Some(site.clone()),
        );
        log.trace.tasks[child] = TraceTask {
            id: child,
            name,
            spawned_at: Some(site),
        };
    });
}

/// `task` returned, or panicked.
pub(crate) fn end(task: usize, panicked: bool) {
    with(|log| {
        let (kind, op) = if panicked {
            (StepKind::Panic, super::op::PANIC)
        } else {
            (StepKind::Finish, super::op::RETURN)
        };
        log.push(task, kind, op, None, None);
    });
}

/// Drops each blocking mark cleared before any other step ran: not a wait.
fn drop_instant_blocks(mut trace: Trace) -> Trace {
    let steps = std::mem::take(&mut trace.steps);
    let mut kept: Vec<Step> = Vec::with_capacity(steps.len());
    for step in steps {
        let instant = step.kind == StepKind::Resume
            && kept
                .last()
                .is_some_and(|last| last.kind == StepKind::Block && last.task == step.task);
        if instant {
            kept.pop();
        } else {
            kept.push(step);
        }
    }
    trace.steps = kept;
    trace
}
