//! Tasks: `spawn`, `Builder` with names, `JoinHandle`, `yield_now`, on std, loom or shuttle.
//!
//! Inside a checker run every spawned task is registered with its name and spawn site, and
//! removed when it ends, even by panic; that is what lets a report name a leaked task and what
//! it was blocked on. On std the runner's context is copied into the new thread.

use std::any::Any;
use std::fmt;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};

use crate::flavors::thread as flavors;
use crate::rt::{self, context, Backend, Execution, Joinable};
use crate::violation::{Site, Violation, ViolationKind};

mod local;
mod park;

pub use local::{AccessError, LocalKey};
pub use park::{current, park, park_timeout, Thread};

/// The result of joining a task: `Err` holds the panic payload if it panicked.
pub type Result<T> = std::thread::Result<T>;

/// Task configuration: a name for reports, a stack size.
#[derive(Debug, Default)]
#[must_use]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder with no name (the task is reported as `task-N`).
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the task; reports and loom/shuttle traces show it.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the task's stack size in bytes, as `std::thread::Builder::stack_size` does: on std
    /// the OS thread's stack, under loom and shuttle the model task's (shuttle's default is
    /// 32 KiB, which deep recursion in a Go-sized program can overflow).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Spawns `f` as a new task on the current backend.
    ///
    /// # Panics
    ///
    /// Inside a checker run: when the spawn exceeds the check's declared `max_live_tasks`
    /// (reported as [`ViolationKind::BoundExceeded`]), or when loom's thread limit is reached.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        spawn_at(self.name, self.stack_size, f, Location::caller())
    }
}

/// Spawns `f` as a new, unnamed task on the current backend; see [`Builder::spawn`].
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    spawn_at(None, None, f, Location::caller())
}

/// Offers the scheduler a switch: under the checkers, lets other tasks run (use it in spin
/// loops so the search does not spin forever).
pub fn yield_now() {
    flavors::yield_now();
    rt::note_running();
}

/// Shared by the user's `JoinHandle` and the scope that may join the task first.
struct Slot<T> {
    handle: Mutex<Option<flavors::JoinHandle<T>>>,
    result: Mutex<Option<Result<T>>>,
}

impl<T> Slot<T> {
    fn join_now(&self) {
        if rt::loom_unwinding() {
            // loom cannot be called, and blocking would hang the process: the join does not
            // happen and `join` reports it.
            return;
        }
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(handle) = handle else { return };
        let result = handle.join();
        *self.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
    }
}

impl<T: Send> Joinable for Slot<T> {
    fn join_erased(&self) {
        self.join_now();
    }
}

/// Owns a task: [`join`](JoinHandle::join) waits for it and returns its value.
///
/// Dropping a handle detaches the task, as in std; inside a checker run the enclosing scope
/// still waits for it, and reports it as leaked if it never ends.
pub struct JoinHandle<T> {
    slot: Arc<Slot<T>>,
    task: Option<usize>,
    name: Option<String>,
    thread: Option<Thread>,
}

impl<T> JoinHandle<T> {
    /// Waits for the task to end; `Err` carries its panic payload.
    #[track_caller]
    pub fn join(self) -> Result<T> {
        let at = Location::caller();
        let noted = {
            let label = || rt::Object::Task(self.task, self.name.clone());
            let blocked = rt::blocking(rt::op::JOIN, label, at);
            self.slot.join_now();
            blocked.marked()
        };
        if !noted {
            // Nobody noted this task running when the mark was dropped (see `Mutex::lock`).
            rt::note_running();
        }
        let taken = self
            .slot
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        taken.unwrap_or_else(|| {
            let why = if rt::loom_unwinding() {
                "no join while a loom execution unwinds (the task may never end)"
            } else {
                "task was joined elsewhere first (by a scope end on another task)"
            };
            let message: Box<dyn Any + Send> = Box::new(why.to_owned());
            Err(message)
        })
    }

    /// The task's handle, to [`Thread::unpark`] it.
    ///
    /// # Panics
    ///
    /// If the task was never started (spawned from a destructor while a loom execution
    /// unwound).
    pub fn thread(&self) -> &Thread {
        self.thread
            .as_ref()
            .expect("the task was never started (spawned while a loom execution unwound)")
    }

    /// The task's registry number in the current checker run, if any.
    pub fn task_id(&self) -> Option<usize> {
        self.task
    }

    /// The name its [`Builder`] gave the task, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("task", &self.task)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The task's place in the registry, marked ended when the task returns or its panic escapes.
struct Ticket {
    execution: Arc<Execution>,
    task: usize,
}

impl Ticket {
    fn end(self, panicked: bool) {
        self.execution.finish(self.task, panicked);
    }
}

fn spawn_at<F, T>(
    name: Option<String>,
    stack_size: Option<usize>,
    f: F,
    at: &'static Location<'static>,
) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    if rt::loom_unwinding() {
        // A destructor spawning while a loom execution unwinds: loom cannot start a thread now.
        // The task never runs; joining it reports why.
        drop(f);
        let message: Box<dyn Any + Send> = Box::new(
            "not spawned: a loom execution was unwinding (spawned from a destructor)".to_owned(),
        );
        return JoinHandle {
            slot: Arc::new(Slot {
                handle: Mutex::new(None),
                result: Mutex::new(Some(Err(message))),
            }),
            task: None,
            name,
            thread: None,
        };
    }
    let backend = rt::backend();
    let execution = context::execution();
    // The spawning task, looked up once: it is still the one running after the spawn.
    let parent = execution.as_ref().and_then(|_| rt::current_task());
    let task = execution.as_ref().map(|e| {
        check_loom_thread_limit(e, at);
        e.register(parent, name.clone(), at)
            .unwrap_or_else(|v| rt::violation(v))
    });

    let body = {
        let execution = execution.clone();
        move || {
            let _enter = match (&execution, backend) {
                (Some(e), Backend::Std) => Some(context::enter(Arc::clone(e))),
                _ => None,
            };
            let ticket = match (&execution, task) {
                (Some(e), Some(id)) => {
                    rt::set_current_task(id);
                    Some(Ticket {
                        execution: Arc::clone(e),
                        task: id,
                    })
                }
                _ => None,
            };
            // The task's own end decides whether it panicked: `panicking()` is per OS thread,
            // and under loom and shuttle every task shares one, so a task ending while another
            // unwinds would look panicked.
            let value = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
                Ok(value) => value,
                Err(payload) => {
                    if let Some(ticket) = ticket {
                        ticket.end(true);
                    }
                    if backend == Backend::Loom {
                        // The panic escapes to loom, which fails the execution.
                        rt::loom_failed("a task panicked");
                    }
                    std::panic::resume_unwind(payload)
                }
            };
            if backend == Backend::Loom {
                // Raises loom's own failure again if the task caught it.
                rt::loom_goes_on();
            }
            if let Some(ticket) = ticket {
                ticket.end(false);
            }
            if backend == Backend::Std {
                rt::clear_std_task();
            }
            value
        }
    };

    let thread_name = || match task {
        Some(id) => format!("task-{id}"),
        None => "concheck-task".to_owned(),
    };
    let handle = flavors::spawn(backend, name.as_deref(), thread_name, stack_size, body);
    match (&execution, parent) {
        (Some(e), Some(parent)) => rt::note_running_of(e, parent),
        _ => rt::note_running(),
    }
    let thread = Some(Thread::new(handle.thread(), name.clone()));

    let slot = Arc::new(Slot {
        handle: Mutex::new(Some(handle)),
        result: Mutex::new(None),
    });
    if let (Some(e), Some(id)) = (&execution, task) {
        e.set_joiner(id, Arc::clone(&slot) as Arc<dyn Joinable>);
    }
    JoinHandle {
        slot,
        task,
        name,
        thread,
    }
}

/// loom models at most `loom::MAX_THREADS` threads per execution, the body included, and
/// panics past it with a message that names neither the task nor a way out.
fn check_loom_thread_limit(execution: &Execution, at: &'static Location<'static>) {
    check_loom_capacity(
        execution,
        || format!("this spawn at {}", Site::from(at)),
        Some(at),
    );
}

/// Reports a [`ViolationKind::Misuse`] if one more loom thread (`what`) would pass loom's limit
/// (nothing for an execution of another backend). The threads counted: the body, every task
/// spawned, and the virtual clock's drivers. `what` is formatted only for the report: done on
/// every spawn, it was about 2,700 instructions, 2% of a small loom search.
pub(crate) fn check_loom_capacity(
    execution: &Execution,
    what: impl FnOnce() -> String,
    at: Option<&'static Location<'static>>,
) {
    if execution.backend() != Backend::Loom {
        return;
    }
    let threads = {
        let state = execution.state();
        state.tasks.len() + state.clock.drivers_started
    };
    if threads >= flavors::LOOM_MAX_THREADS {
        let what = what();
        let mut v = Violation::new(
            ViolationKind::Misuse,
            format!(
                "loom models at most {} threads per execution (the body and the virtual clock's \
                 driver included) and {what} is thread {}: shrink the workload for loom, or \
                 check this body with shuttle and std only",
                flavors::LOOM_MAX_THREADS,
                threads + 1
            ),
        );
        v.sites.extend(at.map(Site::from));
        rt::violation(v);
    }
}

/// Sleeps the task for `d`: real time on std, virtual time under a model checker (see
/// [`crate::time::sleep`], which this is).
#[track_caller]
pub fn sleep(d: std::time::Duration) {
    crate::time::sleep(d);
}

/// Identifies a task (a std thread, or a loom or shuttle model thread) for as long as it runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskId(flavors::TaskId);

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id of the running task, on whichever backend runs it. Use it to tell "this task again"
/// from "another task" (re-entrant initialisation, say).
pub fn current_id() -> TaskId {
    TaskId(flavors::TaskId::current())
}
