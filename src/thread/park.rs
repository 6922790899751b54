//! `park`, `unpark` and the [`Thread`] handle (`current`, `JoinHandle::thread`) on std, loom or
//! shuttle.
//!
//! Each task has one unpark token, as in std: `unpark` makes it available, `park` consumes it or
//! blocks until it is made available. Under a checker a parked task is a blocked task: it is
//! reported as blocked in `thread::park` (by name and site), and when every task is blocked the
//! execution ends in a deadlock report; `park` may return spuriously, as std's may.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use crate::flavors::thread as flavors;
use crate::rt::{self, context, Backend};

/// The operation a parked task is reported blocked in.
pub(crate) const PARK: &crate::rt::Op = crate::rt::op::PARK;

/// A handle to a task, for [`Thread::unpark`]; see [`current`] and
/// [`JoinHandle::thread`](super::JoinHandle::thread).
#[derive(Clone)]
pub struct Thread {
    inner: flavors::Thread,
    name: Option<String>,
}

impl Thread {
    /// A handle for a backend thread; `name` is what its spawn named it (a std thread's own
    /// name if none).
    pub(crate) fn new(inner: flavors::Thread, name: Option<String>) -> Thread {
        let name = name.or_else(|| inner.std_name().map(str::to_owned));
        Thread { inner, name }
    }

    /// The name the task was spawned with (`main` for std's main thread), if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Makes the task's unpark token available: its next (or current) [`park`] returns.
    #[track_caller]
    pub fn unpark(&self) {
        self.inner.unpark();
    }
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The handle of the running task.
pub fn current() -> Thread {
    let name = registry_name();
    Thread::new(flavors::Thread::current(), name)
}

/// The running task's name in the checker run's registry, if it was given one.
fn registry_name() -> Option<String> {
    let execution = context::execution()?;
    let task = rt::current_task()?;
    let info = execution.tasks().into_iter().nth(task)?;
    Some(info.name)
}

/// Blocks the running task until its unpark token is available, and consumes it; may return
/// spuriously, so park in a loop on the condition another task sets before it unparks.
#[track_caller]
pub fn park() {
    let at = Location::caller();
    if rt::loom_unwinding() {
        // Nothing can unpark it and nothing may block: a spurious return.
        return;
    }
    let object = || rt::Object::Text("its unpark token".to_owned());
    {
        let _blocked = rt::blocking(PARK, object, at);
        flavors::park();
    }
    rt::note_running();
}

/// [`park`] for at most `timeout` on std. The model checkers have no clock for it (neither loom
/// nor shuttle models a park timeout), so under them it is [`park`]: a task that only a timeout
/// would wake is reported blocked.
#[track_caller]
pub fn park_timeout(timeout: Duration) {
    if rt::backend() == Backend::Std {
        let _blocked = rt::blocking(
            PARK,
            || rt::Object::Text("its unpark token".to_owned()),
            Location::caller(),
        );
        std::thread::park_timeout(timeout);
    } else {
        park();
    }
}
