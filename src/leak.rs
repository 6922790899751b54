//! The leak detector: a scope that no task spawned inside it may outlive.
//!
//! When the scope's closure returns, the scope waits for every task spawned inside it (and for
//! their children, transitively), joined or not. A task that has only its last step left is not
//! a leak: the scope just waits for it. A task that can never end (blocked on a send nobody
//! receives, a wait nobody notifies) makes the wait impossible: the checkers see every task
//! blocked, and the report names it a task leak, not a deadlock, because the task that is stuck
//! waiting is the scope's owner at its end. Under the std runner the watchdog turns the wait
//! into the same report.
//!
//! Every checker run is itself a scope: the body's tasks must all end before the run passes.

use std::panic::Location;

use crate::rt::{self, context};

/// The operation name a task waiting at a scope end is reported in. Reports tell a leak from a
/// deadlock by the operation's kind ([`OpKind::ScopeEnd`](crate::OpKind::ScopeEnd)), not by
/// this text.
pub const SCOPE_END: &str = rt::op::SCOPE_END.name;

/// Runs `f`, then waits for every task spawned inside it; see the [module docs](self).
///
/// # Panics
///
/// Outside a checker run (there is no task registry to consult): wrap the code in
/// [`Checker::Std`](crate::check::Checker::Std) for real threads, or a model checker.
#[track_caller]
pub fn scope<R>(f: impl FnOnce() -> R) -> R {
    let at = Location::caller();
    let (Some(execution), Some(task)) = (context::execution(), rt::current_task()) else {
        panic!(
            "leak::scope at {} used outside a checker run: it needs the task registry; run the \
             code under Checker::std() (real threads) or a model checker",
            crate::violation::Site::from(at)
        );
    };
    let scope = execution.open_scope(task);
    let value = f();
    execution.close_scope(task, scope);
    join_scope(&execution, scope, Some(task), at);
    value
}

/// Waits for every unfinished task of `scope`, reporting the waiter as blocked at [`SCOPE_END`].
/// `waiter` is the running task, which the caller already knows (it opened the scope on the
/// same task): under loom another lookup is a task-local read of about 300 instructions.
pub(crate) fn join_scope(
    execution: &rt::Execution,
    scope: u64,
    waiter: Option<usize>,
    at: &'static Location<'static>,
) {
    if let Some(w) = waiter {
        execution.set_ending_scope(w, Some(scope));
    }
    while let Some((id, joiner)) = execution.next_unjoined(scope) {
        let _blocked = rt::blocking(
            rt::op::SCOPE_END,
            || {
                let state = execution.state();
                format!("task #{id} '{}'", state.tasks[id].name)
            },
            at,
        );
        joiner.join_erased();
    }
    if let Some(w) = waiter {
        execution.set_ending_scope(w, None);
    }
}

/// Opens the root scope of a checker execution for task 0.
pub(crate) fn open_root(execution: &rt::Execution) -> u64 {
    execution.open_scope(0)
}
