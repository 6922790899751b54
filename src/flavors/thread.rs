//! The threads of the three backends: spawning one and its join handle, the park handle
//! (`Thread`), task ids, `park` and `yield_now`, and the virtual clock's driver thread.
//!
//! The facade's `thread` module keeps what every backend shares (the registry ticket, the
//! body's panic rule, names, blocking marks); what is called on std, loom or shuttle is here.
//! While a loom execution unwinds loom may not be called: each function says what stands in.

use crate::rt::clock_state::DriverHandle;
use crate::rt::{self, Backend};

/// The number of threads loom models per execution (the body and every thread it spawns).
pub(crate) const LOOM_MAX_THREADS: usize = loom::MAX_THREADS;

/// The join handle of a spawned backend thread.
pub(crate) enum JoinHandle<T> {
    Std(std::thread::JoinHandle<T>),
    Loom(loom::thread::JoinHandle<T>),
    Shuttle(shuttle::thread::JoinHandle<T>),
}

/// Spawns `body` on `backend`'s threads. std threads are always named (`name`, or
/// `default_name()`: the OS shows it, and std's panic message names it); loom and shuttle get
/// only the name the user gave. Nothing of concheck reads a model thread's name (reports
/// and `thread::current().name()` read the registry), and each costs per spawn: shuttle hashes
/// and copies it, 2,100 instructions per spawn (callgrind), as much as the rest of what
/// concheck adds to an execution of BENCHMARKS.md's model_overhead model; for loom, formatting
/// `task-N` and loom's copies of it were 1,300 instructions per spawn.
///
/// # Panics
///
/// If the backend cannot start the thread.
pub(crate) fn spawn<F, T>(
    backend: Backend,
    name: Option<&str>,
    default_name: impl FnOnce() -> String,
    stack_size: Option<usize>,
    body: F,
) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match backend {
        Backend::Std => JoinHandle::Std(
            stack_size
                .into_iter()
                .fold(
                    std::thread::Builder::new(),
                    std::thread::Builder::stack_size,
                )
                .name(name.map_or_else(default_name, str::to_owned))
                .spawn(body)
                .unwrap_or_else(|e| panic!("failed to spawn an OS thread: {e}")),
        ),
        Backend::Loom => {
            let mut builder = loom::thread::Builder::new();
            if let Some(name) = name {
                builder = builder.name(name.to_owned());
            }
            if let Some(bytes) = stack_size {
                builder = builder.stack_size(bytes);
            }
            JoinHandle::Loom(
                builder
                    .spawn(body)
                    .unwrap_or_else(|e| panic!("failed to spawn a loom thread: {e}")),
            )
        }
        Backend::Shuttle => {
            let mut builder = shuttle::thread::Builder::new();
            if let Some(name) = name {
                builder = builder.name(name.to_owned());
            }
            if let Some(bytes) = stack_size {
                builder = builder.stack_size(bytes);
            }
            JoinHandle::Shuttle(
                builder
                    .spawn(body)
                    .unwrap_or_else(|e| panic!("failed to spawn a shuttle task: {e}")),
            )
        }
    }
}

impl<T> JoinHandle<T> {
    /// Waits for the thread; `Err` carries its panic payload. Call only while loom may be
    /// called (the facade does not join while a loom execution unwinds).
    pub(crate) fn join(self) -> std::thread::Result<T> {
        match self {
            JoinHandle::Std(h) => h.join(),
            JoinHandle::Loom(h) => h.join(),
            JoinHandle::Shuttle(h) => h.join(),
        }
    }

    /// The park handle of the thread.
    pub(crate) fn thread(&self) -> Thread {
        match self {
            JoinHandle::Std(h) => Thread::Std(h.thread().clone()),
            JoinHandle::Loom(h) => Thread::Loom(h.thread().clone()),
            JoinHandle::Shuttle(h) => Thread::Shuttle(h.thread().clone()),
        }
    }
}

/// A backend thread's park handle.
#[derive(Clone)]
pub(crate) enum Thread {
    Std(std::thread::Thread),
    Loom(loom::thread::Thread),
    Shuttle(shuttle::thread::Thread),
}

impl Thread {
    /// The running thread's handle. While a loom execution unwinds loom cannot be asked: the
    /// OS thread stands in.
    pub(crate) fn current() -> Thread {
        match rt::backend() {
            Backend::Loom if rt::loom_callable() => Thread::Loom(loom::thread::current()),
            Backend::Shuttle => Thread::Shuttle(shuttle::thread::current()),
            Backend::Std | Backend::Loom => Thread::Std(std::thread::current()),
        }
    }

    /// The OS thread's name, for a std thread (model threads have none to give).
    pub(crate) fn std_name(&self) -> Option<&str> {
        match self {
            Thread::Std(t) => t.name(),
            Thread::Loom(_) | Thread::Shuttle(_) => None,
        }
    }

    /// Makes the thread's unpark token available. While a loom execution unwinds loom may not
    /// be called, and nobody parks again: nothing happens.
    #[track_caller]
    pub(crate) fn unpark(&self) {
        match self {
            Thread::Std(t) => t.unpark(),
            Thread::Loom(t) => {
                if rt::loom_callable() {
                    rt::check_backend(Backend::Loom, 0, "Thread");
                    t.unpark();
                    rt::note_running();
                }
            }
            Thread::Shuttle(t) => {
                rt::check_backend(Backend::Shuttle, 0, "Thread");
                t.unpark();
            }
        }
    }
}

/// Blocks the running thread until its unpark token is available. Call only while loom may
/// be called (the facade returns at once while a loom execution unwinds).
pub(crate) fn park() {
    match rt::backend() {
        Backend::Std => std::thread::park(),
        Backend::Loom => loom::thread::park(),
        Backend::Shuttle => shuttle::thread::park(),
    }
}

/// Offers the running backend's scheduler a switch (nothing while a loom execution unwinds).
pub(crate) fn yield_now() {
    match rt::backend() {
        Backend::Std => std::thread::yield_now(),
        Backend::Loom if rt::loom_callable() => loom::thread::yield_now(),
        Backend::Loom => {}
        Backend::Shuttle => shuttle::thread::yield_now(),
    }
}

/// A backend thread's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TaskId {
    Std(std::thread::ThreadId),
    Loom(loom::thread::ThreadId),
    Shuttle(shuttle::thread::ThreadId),
}

impl TaskId {
    /// The running thread's id. While a loom execution unwinds loom cannot be asked: the OS
    /// thread stands in.
    pub(crate) fn current() -> TaskId {
        match rt::backend() {
            Backend::Loom if rt::loom_callable() => TaskId::Loom(loom::thread::current().id()),
            Backend::Shuttle => TaskId::Shuttle(shuttle::thread::current().id()),
            Backend::Std | Backend::Loom => TaskId::Std(std::thread::current().id()),
        }
    }
}

impl std::fmt::Debug for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskId::Std(id) => write!(f, "TaskId(std {id:?})"),
            TaskId::Loom(id) => write!(f, "TaskId(loom {id:?})"),
            TaskId::Shuttle(id) => write!(f, "TaskId(shuttle {id:?})"),
        }
    }
}

/// Spawns the virtual clock's driver thread on a model checker's threads.
///
/// # Panics
///
/// On std: the real clock has no driver.
pub(crate) fn spawn_driver(
    backend: Backend,
    drive: impl FnOnce() + Send + 'static,
) -> DriverHandle {
    match backend {
        Backend::Loom => DriverHandle::Loom(loom::thread::spawn(drive)),
        Backend::Shuttle => DriverHandle::Shuttle(shuttle::thread::spawn(drive)),
        Backend::Std => unreachable!("the real clock has no driver"),
    }
}

/// Waits for the clock's driver thread to end (its result is the driver's own: nothing).
pub(crate) fn join_driver(handle: DriverHandle) {
    match handle {
        DriverHandle::Loom(h) => drop(h.join()),
        DriverHandle::Shuttle(h) => drop(h.join()),
    }
}

/// The driver yields to the model checker, then tells whether no user task can run.
///
/// shuttle answers directly: no task other than the driver is runnable. loom has no such
/// query, but its `yield_now` lets every other runnable thread go first: the driver yields
/// `loom_confirmations` times and asks `unchanged` after each (whether no user task made a
/// step since), idle only if every answer is yes.
pub(crate) fn driver_idle(
    backend: Backend,
    loom_confirmations: usize,
    mut unchanged: impl FnMut() -> bool,
) -> bool {
    match backend {
        Backend::Loom => (0..loom_confirmations).all(|_| {
            loom::thread::yield_now();
            unchanged()
        }),
        Backend::Std | Backend::Shuttle => {
            shuttle::thread::yield_now();
            !shuttle_others_runnable()
        }
    }
}

/// Whether any shuttle task other than the running one (the driver) can run.
fn shuttle_others_runnable() -> bool {
    use shuttle_engine::current::TaskId;
    use shuttle_engine::runtime::execution::ExecutionState;
    let me = shuttle_engine::current::me();
    ExecutionState::with(|s| {
        (0..)
            .map_while(|i| s.try_get(TaskId::from(i)))
            .any(|t| t.id() != me && t.runnable())
    })
}
