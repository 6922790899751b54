//! Which backend is active on this thread, and the execution it belongs to.
//!
//! Every facade primitive reads the backend when it is constructed. Loom and shuttle run all
//! model tasks as coroutines on the runner's OS thread, so one thread-local set by the runner is
//! seen by every model task; on std, `thread::spawn` copies the context into the new thread.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use super::execution::Execution;

/// The engine behind a facade primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Backend {
    /// Real std threads and locks: production use, and the std runner.
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
    /// loom's own failure on this thread (see [`loom_failed`]): its panic message.
    static LOOM_FAILED: RefCell<Option<String>> = const { RefCell::new(None) };
    /// loom's preemptions are stopped while the body's own panic unwinds (see
    /// [`loom_callable_unwinding`]).
    static UNWIND_CRITICAL: Cell<bool> = const { Cell::new(false) };
    /// Set while the facade calls loom for a panic it catches itself (see
    /// [`catch_loom_panic`]).
    static LOOM_PANIC_EXPECTED: Cell<bool> = const { Cell::new(false) };
    /// The user's site of the latest facade call on a model primitive on this thread (see
    /// [`note_site`]).
    static LAST_SITE: Cell<Option<&'static Location<'static>>> = const { Cell::new(None) };
}

/// Notes `at` as the latest facade call into loom or shuttle on this thread: all of an
/// execution's tasks run on its runner's thread, so at a panic raised inside loom's or
/// shuttle's own source it is the running task's call that led there (a report names it,
/// not the model checker's file). Called on model paths only: std pays nothing.
#[inline]
pub(crate) fn note_site(at: &'static Location<'static>) {
    LAST_SITE.with(|s| s.set(Some(at)));
}

/// The site [`note_site`] noted last in this execution, if any.
pub(crate) fn last_site() -> Option<&'static Location<'static>> {
    LAST_SITE.with(Cell::get)
}

/// Notes that the loom execution running on this thread has failed in loom itself: its
/// deadlock detection, one of its own assertions, or a task's panic that escaped to loom. From
/// now on loom may not be called in this execution (see [`loom_callable`]). The first message
/// is kept, to raise it again if user code catches loom's panic.
pub(crate) fn loom_failed(message: &str) {
    LOOM_FAILED.with(|f| {
        f.borrow_mut().get_or_insert_with(|| message.to_owned());
    });
}

fn has_loom_failed() -> bool {
    LOOM_FAILED.with(|f| f.borrow().is_some())
}

/// Runs `f`, a loom call whose panic the facade turns into a report of its own (loom's
/// `UnsafeCell` access check, whose causality panic is a data race): such a panic is not loom
/// failing ([`loom_failed`]), and `f`'s result says whether it panicked.
pub(crate) fn catch_loom_panic(f: impl FnOnce()) -> bool {
    LOOM_PANIC_EXPECTED.with(|e| e.set(true));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    LOOM_PANIC_EXPECTED.with(|e| e.set(false));
    caught
}

/// Whether the panic being raised now is one [`catch_loom_panic`] catches.
pub(crate) fn loom_panic_expected() -> bool {
    LOOM_PANIC_EXPECTED.with(Cell::get)
}

/// A new loom execution starts on this thread: loom may be called again.
pub(crate) fn loom_execution_starts() {
    LOOM_FAILED.with(|f| f.borrow_mut().take());
    UNWIND_CRITICAL.with(|c| c.set(false));
}

/// The backend primitives constructed on this thread now get.
#[inline]
pub(crate) fn backend() -> Backend {
    BACKEND.with(Cell::get)
}

/// True while a loom execution unwinds on this thread (loom's own failure, or a panic of the
/// body's): a blocking operation may not call loom, and nothing may block (every task is a
/// coroutine on this OS thread, so a real block would hang the process).
#[inline]
pub(crate) fn loom_unwinding() -> bool {
    backend() == Backend::Loom && !loom_callable()
}

/// The backend a primitive constructed now gets: the current one, except that while a loom
/// execution unwinds a new primitive is a std one (loom cannot construct anything then).
#[inline]
pub(crate) fn construction_backend() -> Backend {
    if loom_unwinding() {
        Backend::Std
    } else {
        backend()
    }
}

/// The execution (one run of a checked body) this thread is part of, if any.
pub(crate) fn execution() -> Option<Arc<Execution>> {
    EXECUTION.with(|e| e.borrow().clone())
}

/// Sets this thread's execution without a guard, returning what was there. Checker runners use
/// it: a guard that restored the context while a failed execution unwinds would make the
/// unwinding tasks' primitives look misused.
pub(crate) fn replace(execution: Option<Arc<Execution>>) -> Option<Arc<Execution>> {
    let backend = execution.as_ref().map_or(Backend::Std, |e| e.backend());
    BACKEND.with(|b| b.set(backend));
    LAST_SITE.with(|s| s.set(None));
    EXECUTION.with(|e| std::mem::replace(&mut *e.borrow_mut(), execution))
}

/// Enters `execution` on this thread until the guard drops; restores what was there before.
pub(crate) fn enter(execution: Arc<Execution>) -> EnterGuard {
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
pub(crate) struct EnterGuard {
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

/// Whether loom may be called now by an operation that may block or switch tasks (a lock, a
/// wait, a join, a yield).
///
/// Not while this thread unwinds: loom's tasks are coroutines on one OS thread and share its
/// panic count, so a task switched to while another unwinds would see `panicking()` and take
/// the unwinding paths of every primitive; and once loom itself has failed ([`loom_failed`]:
/// its deadlock detection panics on the stack of the task that blocked last, or a task's panic
/// escaped to loom) there is no loom thread to act for, and a loom call would panic inside the
/// unwind and abort the whole process. Loom-backed primitives skip loom then: a wait returns as
/// a spurious wakeup, a lock takes only the data lock.
///
/// A panic of the body's own (a failed assertion, a violation, a `panic!` the body catches as
/// Go's `recover` does) leaves loom running: see [`loom_callable_unwinding`] for what still
/// goes through loom while it unwinds. Code that caught loom's own panic and goes on (a task
/// that catches every panic) is not let go on: this raises loom's failure again, so the
/// execution ends with the failure loom found.
#[inline]
pub(crate) fn loom_callable() -> bool {
    if has_loom_failed() {
        if !std::thread::panicking() {
            raise_loom_failure_again();
        }
        return false;
    }
    if std::thread::panicking() {
        return false;
    }
    if UNWIND_CRITICAL.with(Cell::get) {
        // The panic that stopped loom's preemptions was caught: explore again.
        UNWIND_CRITICAL.with(|c| c.set(false));
        loom::explore();
    }
    true
}

/// Whether loom may be called now by an operation that neither blocks nor needs a task switch
/// (an atomic access, a notify, an unlock): yes unless loom itself has failed. While the body's
/// own panic unwinds, such operations still go through loom, so what a destructor stores or
/// notifies is not lost if the body recovers; loom is told to stop preempting until the panic
/// is caught ([`loom::stop_exploring`]), so no other task runs while this thread's panic count
/// is up (see [`loom_callable`]).
#[inline]
pub(crate) fn loom_callable_unwinding() -> bool {
    if has_loom_failed() {
        return loom_callable();
    }
    if std::thread::panicking() && !UNWIND_CRITICAL.with(Cell::get) {
        UNWIND_CRITICAL.with(|c| c.set(true));
        loom::stop_exploring();
    }
    true
}

/// A task (or the body) that may have caught a panic goes on: if what it caught was loom's own
/// failure, that is raised again; if it was the body's own panic, loom may preempt again. The
/// same step every loom operation takes first ([`loom_callable`]), for code that is about to
/// end without another one.
pub(crate) fn loom_goes_on() {
    let _ = loom_callable();
}

#[cold]
fn raise_loom_failure_again() -> ! {
    let message = LOOM_FAILED
        .with(|f| f.borrow().clone())
        .unwrap_or_else(|| "loom failed".to_owned());
    // No hook: the failure was recorded when loom first raised it.
    std::panic::resume_unwind(Box::new(message))
}

/// The id of the execution this thread is part of, or 0 outside every execution: what a model
/// primitive records when it is built (see [`check_backend`]). Called only on the model paths.
pub(crate) fn execution_id() -> u64 {
    EXECUTION.with(|e| e.borrow().as_ref().map_or(0, |e| e.id()))
}

/// Panics unless a primitive built for `built`, in the execution numbered `execution` (0 for a
/// std primitive, or when unknown), may be used under the current backend.
#[track_caller]
#[inline]
pub(crate) fn check_backend(built: Backend, execution: u64, what: &'static str) {
    let now = backend();
    if built != Backend::Std {
        note_site(Location::caller());
    }
    // While unwinding, a destructor may touch anything; a second panic would abort.
    if built != now && !std::thread::panicking() {
        mixed_backends(built, execution, now, what);
    }
}

#[cold]
#[track_caller]
fn mixed_backends(built: Backend, execution: u64, now: Backend, what: &'static str) -> ! {
    if now == Backend::Std && built != Backend::Std && self::execution().is_none() {
        if let Some(live) = super::live::find(execution) {
            unscheduled_thread(&live, built, what);
        }
    }
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
    super::violation(crate::rt::violation::Violation::new(
        crate::rt::violation::ViolationKind::Misuse,
        format!("mixed backends: a {what} built for {built} was used under {now}; {hint}"),
    ));
}

/// A primitive of `execution`, still running, is used on a thread no checker schedules: a
/// `std::thread::spawn` inside the body. The misuse is recorded in that execution (its report
/// names it, ahead of the hang or the failed join that follows), then this thread panics.
#[cold]
#[track_caller]
fn unscheduled_thread(execution: &Execution, built: Backend, what: &'static str) -> ! {
    let at = crate::rt::violation::Site::from(Location::caller());
    let message = format!(
        "a {what} built for {built} was used at {at} on a thread the checker does not schedule \
         (a std::thread::spawn inside the checked body?): spawn it with \
         concheck::thread::spawn (or go!) so the checker can run it"
    );
    let v = crate::rt::violation::Violation::new(
        crate::rt::violation::ViolationKind::Misuse,
        message.clone(),
    )
    .with_sites(vec![at]);
    execution.record_stray(v);
    panic!("{message}");
}
