//! Condition-variable handshake: one task sets a flag and notifies, another waits for it.
//!
//! The Go original is `sync.Cond` guarding a boolean (`c.L.Lock(); for !ready { c.Wait() }`).
//!
//! # Guarantees
//!
//! The waiter returns exactly when the flag is set, whatever the order: the flag is written
//! under the lock and read under it in a loop, so a notify that comes before the wait is not
//! needed (the waiter sees the flag), and a spurious wakeup re-checks.
//!
//! # Twin
//!
//! [`lost_wakeup`]: the flag is an atomic set without the lock, and the waiter checks it once
//! before waiting. If the setter runs between the check and the wait, its notify reaches nobody
//! and the waiter sleeps forever.

use std::sync::Arc;

use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::{Condvar, Mutex};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

fn reference() {
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    let setter = {
        let state = Arc::clone(&state);
        thread::Builder::new().name("setter").spawn(move || {
            *state.0.lock() = true;
            state.1.notify_one();
        })
    };
    let mut ready = state.0.lock();
    while !*ready {
        ready = state.1.wait(ready);
    }
    drop(ready);
    setter.join().expect("setter panicked");
}

/// Twin: flag set without the lock; the waiter checks once, then waits.
pub fn lost_wakeup() {
    let flag = Arc::new(AtomicBool::new(false));
    let state = Arc::new((Mutex::new(()), Condvar::new()));
    let setter = {
        let (flag, state) = (Arc::clone(&flag), Arc::clone(&state));
        thread::Builder::new().name("setter").spawn(move || {
            flag.store(true, Ordering::SeqCst); // BUG: not under the lock
            state.1.notify_one();
        })
    };
    let guard = state.0.lock();
    if !flag.load(Ordering::SeqCst) {
        drop(state.1.wait(guard)); // BUG: checks once; the notify may already be gone
    }
    setter.join().expect("setter panicked");
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "ready_flag",
            pattern: "mutex + condvar",
            role: Role::Reference,
            summary: "flag set under the lock; the waiter loops on it",
            body: Body::Sync(reference),
            max_live_tasks: Some(1),
            // Two tasks, one lock: exhaustive loom takes 8 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "ready_flag_lost_wakeup",
            pattern: "mutex + condvar",
            role: Role::Twin {
                expects: &[ViolationKind::LostWakeup],
                assertion: None,
            },
            summary: "flag set without the lock, checked once: the notify can come before the wait",
            body: Body::Sync(lost_wakeup),
            max_live_tasks: Some(1),
            // Two tasks, one lock: exhaustive loom takes 8 iterations.
            loom_preemption_bound: None,
        },
    ]
}
