//! Which backend is active on this thread, and the execution it belongs to.
//!
//! Every facade primitive reads the backend when it is constructed. Loom and shuttle run all
//! model tasks as coroutines on the runner's OS thread, so one thread-local set by the runner is
//! seen by every model task; on std, `thread::spawn` copies the context into the new thread.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::Arc;

use super::execution::Execution;

/// The engine behind a facade primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Backend {
    /// Real std threads and locks: production use, and the stress runner.
    Std,
    /// loom's exhaustive model checker.
    Loom,
    /// shuttle's randomized (and DFS) scheduler.
    Shuttle,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Std => "std",
            Backend::Loom => "loom",
            Backend::Shuttle => "shuttle",
        })
    }
}

thread_local! {
    static BACKEND: Cell<Backend> = const { Cell::new(Backend::Std) };
    static EXECUTION: RefCell<Option<Arc<Execution>>> = const { RefCell::new(None) };
}

/// The backend primitives constructed on this thread now get.
#[inline]
pub fn backend() -> Backend {
    BACKEND.with(Cell::get)
}

/// True while a loom execution unwinds on this thread: loom may not be called, and nothing may
/// block (every task is a coroutine on this OS thread, so a real block would hang the process).
#[inline]
pub fn loom_unwinding() -> bool {
    backend() == Backend::Loom && std::thread::panicking()
}

/// The backend a primitive constructed now gets: the current one, except that while a loom
/// execution unwinds a new primitive is a std one (loom cannot construct anything then).
#[inline]
pub fn construction_backend() -> Backend {
    if loom_unwinding() {
        Backend::Std
    } else {
        backend()
    }
}

/// The execution (one run of a checked body) this thread is part of, if any.
pub fn execution() -> Option<Arc<Execution>> {
    EXECUTION.with(|e| e.borrow().clone())
}

/// Sets this thread's execution without a guard, returning what was there. Checker runners use
/// it: a guard that restored the context while a failed execution unwinds would make the
/// unwinding tasks' primitives look misused.
pub fn replace(execution: Option<Arc<Execution>>) -> Option<Arc<Execution>> {
    let backend = execution.as_ref().map_or(Backend::Std, |e| e.backend());
    BACKEND.with(|b| b.set(backend));
    EXECUTION.with(|e| std::mem::replace(&mut *e.borrow_mut(), execution))
}

/// Enters `execution` on this thread until the guard drops; restores what was there before.
pub fn enter(execution: Arc<Execution>) -> EnterGuard {
    let backend = execution.backend();
    let previous_backend = BACKEND.with(|b| b.replace(backend));
    let previous = EXECUTION.with(|e| e.borrow_mut().replace(execution));
    EnterGuard {
        previous_backend,
        previous,
    }
}

/// Restores the previous context when dropped.
#[must_use]
pub struct EnterGuard {
    previous_backend: Backend,
    previous: Option<Arc<Execution>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        BACKEND.with(|b| b.set(self.previous_backend));
        let previous = self.previous.take();
        EXECUTION.with(|e| *e.borrow_mut() = previous);
    }
}

/// Whether loom may be called now. While a thread unwinds (a loom deadlock, a failed assertion)
/// there is no active loom thread, and any loom call panics inside the unwind and aborts the
/// whole process. Loom-backed primitives skip loom then: a wait returns as a spurious wakeup, a
/// notify does nothing, a guard is forgotten instead of unlocked.
#[inline]
pub fn loom_callable() -> bool {
    !std::thread::panicking()
}

/// Panics unless a primitive built for `built` may be used under the current backend.
#[track_caller]
#[inline]
pub fn check_backend(built: Backend, what: &'static str) {
    let now = backend();
    // While unwinding, a destructor may touch anything; a second panic would abort.
    if built != now && !std::thread::panicking() {
        mixed_backends(built, now, what);
    }
}

#[cold]
#[track_caller]
fn mixed_backends(built: Backend, now: Backend, what: &'static str) -> ! {
    let hint = match (built, now) {
        (Backend::Std, _) => {
            "it was created outside the checked closure (a static, or before the runner \
             started): create it inside the closure, or hold it in `concheck::sync::Lazy`, \
             which makes a fresh one per execution"
        }
        (_, Backend::Std) => {
            "it escaped its checker run (stored in a static or returned from the closure): \
             model-checked primitives live only inside the execution that made them"
        }
        _ => "primitives must not be shared between runners",
    };
    super::violation(crate::violation::Violation::new(
        crate::violation::ViolationKind::Misuse,
        format!("mixed backends: a {what} built for {built} was used under {now}; {hint}"),
    ));
}
