//! The driver of a virtual clock: a model task that fires due timers.
//!
//! A task blocked on a timer (a sleep, a timer channel, a context deadline) is blocked in the
//! model like any other, so someone else must move time on. The driver is that someone: a model
//! thread, not a user task (it is not in the registry, never leaks, never counts against a
//! declared bound), started by the first timer of an execution. It yields until no user task
//! can run, then advances the clock to the earliest deadline and runs every action due then, so
//! the tasks they wake race as they would at one instant of real time. With nothing left to fire
//! it exits, and the checker sees the deadlock or leak that remains, as without a clock.
//!
//! "No user task can run" is asked of the checker itself. shuttle answers directly: the driver
//! looks at every task's state. loom has no such query, but its `yield_now` parks the yielding
//! thread until some other thread has run; every facade operation a user task returns from
//! counts a step in the registry, so the driver resuming from a yield with the step count
//! unchanged means nothing else could run; the driver asks several times in a row
//! ([`LOOM_IDLE_CONFIRMATIONS`]), because loom may resume it while a woken task is between two
//! internal steps of one operation. (Were that to fool it, a timer would fire a little early: a
//! real timing on a loaded machine, never an impossible one.)

use std::sync::Arc;

use super::clock::{Policy, TimerKey};
use crate::flavors::thread as flavors;
use crate::rt::execution::Status;
use crate::rt::Execution;

/// Yields in a row without a step of any user task before the driver believes, under loom,
/// that nothing else can run. One is not enough: loom may switch to the driver while a woken
/// task is between two internal steps of one operation (no step counted yet), either by a
/// preemption (at most the preemption bound, 2 by default) or for free when another thread
/// blocks (at most one per thread: loom runs at most 5). Each extra yield costs one branch with a
/// single choice when the execution is really idle.
const LOOM_IDLE_CONFIRMATIONS: usize = 8;

/// Idle firings in a row that wake nobody before the driver gives up, so that a ticker nobody
/// reads cannot keep an otherwise deadlocked execution alive forever. Go's runtime drops ticks
/// while a ticker's channel is full the same way; 1000 is far above any real pattern's need
/// (loom stops an execution at 1000 branches anyway).
const MAX_IDLE_FIRES: usize = 1000;

/// Starts the driver of `execution`'s clock unless one is alive.
pub(crate) fn ensure_running(execution: &Arc<Execution>) {
    if execution.state().clock.driver_alive {
        return;
    }
    crate::thread::check_loom_capacity(
        execution,
        || "the virtual clock's driver (started by the first timer)".to_owned(),
        None,
    );
    {
        let mut state = execution.state();
        state.clock.driver_alive = true;
        state.clock.drivers_started += 1;
    }
    let e = Arc::clone(execution);
    let handle = flavors::spawn_driver(execution.backend(), move || drive(&e));
    execution.state().clock.driver = Some(handle);
}

/// Waits for the driver to exit, once every user task has ended: it may be in the middle of a
/// timer action, which must not outlive the execution's context.
pub(crate) fn join(execution: &Execution) {
    let handle = execution.state().clock.driver.take();
    if let Some(handle) = handle {
        flavors::join_driver(handle);
    }
}

fn drive(execution: &Arc<Execution>) {
    let mut idle_fires = 0;
    loop {
        let before = execution.state().clock.progress;
        let idle = flavors::driver_idle(execution.backend(), LOOM_IDLE_CONFIRMATIONS, || {
            execution.state().clock.progress == before
        });
        let (all_done, all_blocked, policy, pending) = {
            let state = execution.state();
            (
                state.tasks.iter().all(|t| t.is_done()),
                state
                    .tasks
                    .iter()
                    .all(|t| !matches!(t.status, Status::Running)),
                state.clock.policy,
                !state.clock.timers.is_empty(),
            )
        };
        // Under loom the registry must agree: a task spawned but not started yet, or stopped
        // in the middle of a non-blocking operation, is marked running.
        let idle = idle && all_blocked;
        if all_done {
            break;
        }
        if !idle {
            idle_fires = 0;
            if policy == Policy::WhenIdle || !pending {
                continue;
            }
        } else if !pending || idle_fires >= MAX_IDLE_FIRES {
            // Nothing can wake anyone: leave the deadlock (or leak) to the checker.
            break;
        } else {
            idle_fires += 1;
        }
        fire_next(execution);
    }
    execution.state().clock.driver_alive = false;
}

/// Advances the clock to the earliest deadline and runs every action due then.
fn fire_next(execution: &Execution) {
    let due = {
        let mut state = execution.state();
        let clock = &mut state.clock;
        let Some(first) = clock.timers.keys().next().copied() else {
            return;
        };
        clock.now = clock.now.max(first.deadline());
        let later = clock.timers.split_off(&TimerKey::after(clock.now));
        std::mem::replace(&mut clock.timers, later)
    };
    for (_, action) in due {
        action();
    }
}
