//! Time: real on std, virtual under the model checkers, so timeouts are checked, not slept.
//!
//! Every timed operation of the crate reads one clock: [`now`], [`sleep`], [`after`], [`Timer`],
//! [`Ticker`], [`Condvar::wait_timeout`](crate::sync::Condvar::wait_timeout) and
//! [`Context::with_timeout`](crate::go::Context::with_timeout). On std (outside any checker, and
//! under the std checker) it is the real clock. Under loom and shuttle it is a virtual
//! clock that starts at zero in every execution, as Go's `testing/synctest` does: a timer fires
//! only when it is due, and time moves only when every task is blocked, straight to the next
//! deadline ([`Policy::WhenIdle`]). A 30-second timeout costs nothing to check, and a race between
//! two timers due at the same instant is explored in both orders, because every timer due at
//! that instant fires at once and the tasks they wake race.
//!
//! ```
//! use std::time::Duration;
//! use concheck::check::{Check, Checker};
//! use concheck::go::{channel, Select};
//! use concheck::{thread, time};
//!
//! // A request with a 1 s timeout against a backend that takes 5 s: the timeout wins, and the
//! // backend's reply goes into a buffer of one, so the backend still ends (no leak).
//! let check = Check::new(|| {
//!     let start = time::now();
//!     let (tx, rx) = channel::<u32>(1);
//!     let backend = thread::spawn(move || {
//!         time::sleep(Duration::from_secs(5));
//!         tx.send(42);
//!     });
//!     let timeout = time::after(Duration::from_secs(1));
//!     let answer = Select::new()
//!         .recv(&rx, |v| v)
//!         .recv(&timeout, |_| None)
//!         .wait();
//!     assert_eq!(answer, None, "the timeout fired first");
//!     assert_eq!(time::now() - start, Duration::from_secs(1));
//!     backend.join().unwrap();
//!     assert_eq!(time::now() - start, Duration::from_secs(5));
//! });
//! for checker in Checker::models() {
//!     check.run(&checker).assert_no_violation();
//! }
//! ```
//!
//! # The driver
//!
//! Under a model the first timer starts a driver: one extra model thread that fires timers (it
//! counts towards loom's limit of 5 threads per execution, so a body that uses time may spawn 3
//! tasks under loom). It is not a task of yours: it never leaks and never counts against
//! [`Check::max_live_tasks`](crate::check::Check::max_live_tasks).
//!
//! # Limitations
//!
//! - A task spinning with [`crate::thread::yield_now`] counts as blocked under loom (time moves
//!   on) and as runnable under shuttle (time waits for it); do not wait for time by spinning.
//! - Under shuttle's DFS a waiting driver is one more task to interleave, and the search rarely
//!   completes; use random or PCT for timed bodies.

pub(crate) mod clock;
mod driver;
mod instant;
mod timer;

use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use clock::Policy;
pub use instant::Instant;
pub use timer::{after, Ticker, Timer};

use crate::rt::Object;
use crate::sync::signal::Signal;
use clock::Clock;

/// Waits for the execution's clock driver to exit (the body has ended).
pub(crate) fn join_driver(execution: &crate::rt::Execution) {
    driver::join(execution);
}

/// The current time on this task's clock.
pub fn now() -> Instant {
    Clock::current().now()
}

/// Whether this task reads a virtual clock (under loom or shuttle). Assertions about exact
/// elapsed time hold only there; on the real clock, scheduling delays add to every wait.
pub fn is_virtual() -> bool {
    Clock::current().is_virtual()
}

/// Blocks the task for `d`: real time on std, virtual time under a model (the task is blocked
/// until the clock reaches its deadline; see the [module docs](self)).
#[track_caller]
pub fn sleep(d: Duration) {
    let at = Location::caller();
    let clock = Clock::current();
    if !clock.is_virtual() {
        std::thread::sleep(d);
        return;
    }
    if crate::rt::loom_unwinding() {
        return;
    }
    let deadline = clock.now() + d;
    let signal = Signal::new();
    let object = || format!("the clock (until {deadline:?})");
    wait_with_timer(&clock, &signal, deadline, crate::rt::op::SLEEP, object, at);
}

/// Blocks the running task until `signal` fires: by the timer this schedules at `deadline` on
/// `clock`, or by whoever else holds the signal (a condvar's notify). Meanwhile the task is
/// reported blocked in `op` on `object()`. Returns whether the timer fired (a notify may have
/// come too); the timer is cancelled once the wait ends, so a notified wait leaves none behind.
pub(crate) fn wait_with_timer<O: Into<Object>>(
    clock: &Clock,
    signal: &Arc<Signal>,
    deadline: Instant,
    op: &'static crate::rt::Op,
    object: impl Fn() -> O,
    at: &'static Location<'static>,
) -> bool {
    let timed_out = Arc::new(AtomicBool::new(false));
    let key = {
        let (signal, timed_out) = (Arc::clone(signal), Arc::clone(&timed_out));
        clock.schedule(
            deadline,
            Box::new(move || {
                // Stored before the fire, whose lock orders it before the wait returns.
                timed_out.store(true, Ordering::SeqCst);
                signal.fire();
            }),
        )
    };
    signal.wait(op, object, at);
    clock.cancel(key);
    timed_out.load(Ordering::SeqCst)
}

/// Blocks the task until `deadline` (at once if it has passed).
#[track_caller]
pub fn sleep_until(deadline: Instant) {
    let now = now();
    sleep(deadline.saturating_duration_since(now));
}

/// Chooses when the current execution's virtual timers may fire (default
/// [`Policy::WhenIdle`]). Call it at the start of a checked body; on the real clock it does
/// nothing, since real timers already fire whenever they are due.
pub fn set_policy(policy: Policy) {
    if let Clock::Virtual(e) = Clock::current() {
        e.state().clock.policy = policy;
    }
}
