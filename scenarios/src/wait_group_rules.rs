//! WaitGroup rules: count every task with `add` *before* spawning it, `done` exactly once when
//! it ends, `wait` for the count to reach zero, and only then read what the tasks produced.
//!
//! Mirrors the rules of Go's `sync.WaitGroup` documentation: "calls with a positive delta that
//! occur when the counter is zero must happen before a Wait ... Typically this means the calls
//! to Add should execute before the statement creating the goroutine", and "if a WaitGroup
//! counter becomes negative, Add panics". The reference is Go's
//! `wg.Add(1); go func() { defer wg.Done(); ... }(); wg.Wait()` loop.
//!
//! # Guarantees
//!
//! - `wait` returns only after every task's `done`, so every result written before the `done`
//!   is visible after the `wait` (the WaitGroup's lock orders them).
//! - It terminates: each task calls `done` once, also if its work panics (a drop guard, Go's
//!   `defer`), so the counter reaches zero.
//!
//! # WaitGroup vs join
//!
//! Joining needs the handles; a WaitGroup needs only the count, so a task that does not own the
//! workers (a shutdown routine, a closer) can wait for them. The price is the two rules below,
//! which no type enforces and which the twins break.
//!
//! # Twins
//!
//! - [`add_racing_wait`]: request handlers call `add(1)` themselves, inside the task, while
//!   shutdown calls `wait()` and then closes the events channel the handlers send on. The wait
//!   can see zero before a handler has added: shutdown closes the channel and the handler sends
//!   on it (`SendAfterClose`); or a handler adds from zero while the wait is still returning
//!   (`WaitGroupMisuse`, Go's "WaitGroup misuse: Add called concurrently with Wait"). Both are
//!   faces of one bug: the add is not ordered before the wait.
//! - [`negative`]: a handler calls `done` on its error path and again at its end (Go: an
//!   explicit `wg.Done()` beside `defer wg.Done()`); the counter goes negative.

use std::sync::Arc;

use concheck::go::{self, WaitGroup};
use concheck::sync::Mutex;
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Calls `done` when dropped: at the end of the task, and also if its work panics (Go's
/// `defer wg.Done()`).
struct Done(Arc<WaitGroup>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.done();
    }
}

/// Runs `f` on every item, one task per item, waits for them with a WaitGroup, and returns the
/// results in input order.
///
/// # Panics
///
/// If `f` panics for an item: once every task has ended, naming the first such item.
///
/// # Examples
///
/// ```
/// use concheck_scenarios::wait_group_rules::map_all;
///
/// assert_eq!(map_all(vec![1, 2, 3], |x: u32| x + 1), vec![2, 3, 4]);
/// ```
pub fn map_all<T, R, F>(items: Vec<T>, f: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let wg = Arc::new(WaitGroup::new());
    let results: Arc<Mutex<Vec<Option<R>>>> =
        Arc::new(Mutex::new(items.iter().map(|_| None).collect()));
    for (i, item) in items.into_iter().enumerate() {
        // Before the spawn: the wait below must find this task counted, however late it runs.
        wg.add(1);
        let (done, results, f) = (Done(Arc::clone(&wg)), Arc::clone(&results), Arc::clone(&f));
        // Detached: the WaitGroup, not the handle, says when it is done.
        thread::Builder::new()
            .name(format!("item-{i}"))
            .spawn(move || {
                // Dropped last: the result is stored before the done.
                let _done = done;
                let r = f(item);
                results.lock()[i] = Some(r);
            });
    }
    wg.wait();
    let results = std::mem::take(&mut *results.lock());
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| panic!("the task for item {i} panicked")))
        .collect()
}

fn reference() {
    assert_eq!(
        map_all(vec![1u32, 2], |x| x * 10),
        vec![10, 20],
        "every result, visible after wait"
    );
}

/// Shutdown done right: handlers are counted before they are spawned, so shutdown's wait
/// covers every one of them and the close comes after their last send.
fn reference_shutdown() {
    let (events_tx, events_rx) = go::named::<u32>("events", 2);
    let wg = Arc::new(WaitGroup::new());
    for id in 0..2u32 {
        wg.add(1);
        let (events_tx, wg) = (events_tx.clone(), Arc::clone(&wg));
        thread::Builder::new()
            .name(format!("handler-{id}"))
            .spawn(move || {
                events_tx.send(id);
                wg.done();
            });
    }
    wg.wait();
    events_tx.close();
    let mut logged: Vec<u32> = events_rx.iter().collect();
    logged.sort_unstable();
    assert_eq!(
        logged,
        vec![0, 1],
        "every handler's event, before the close"
    );
}

/// Twin: each handler adds to the WaitGroup itself, racing shutdown's wait and close.
pub fn add_racing_wait() {
    let (events_tx, events_rx) = go::named::<u32>("events", 2);
    let wg = Arc::new(WaitGroup::new());
    for id in 0..2u32 {
        let (events_tx, wg) = (events_tx.clone(), Arc::clone(&wg));
        thread::Builder::new()
            .name(format!("handler-{id}"))
            .spawn(move || {
                wg.add(1); // BUG: inside the handler: shutdown's wait may already have seen zero
                events_tx.send(id);
                wg.done();
            });
    }
    // Shutdown: wait for the handlers, then close the channel they send on.
    wg.wait();
    events_tx.close();
    // Drain like a logger would. No count is asserted: the bug shows as the late handler's
    // send on the closed channel (or its add during the wait), not as a short count here.
    for _ in &events_rx {}
}

/// The twin's work: odd jobs fail.
fn handle(job: u32) -> Result<u32, &'static str> {
    if job % 2 == 1 {
        Err("odd job")
    } else {
        Ok(job * 10)
    }
}

/// Twin: `done` on the error path and again at the end.
pub fn negative() {
    let wg = Arc::new(WaitGroup::new());
    let failures = Arc::new(Mutex::new(Vec::new()));
    wg.add(1);
    {
        let (wg, failures) = (Arc::clone(&wg), Arc::clone(&failures));
        thread::Builder::new().name("handler").spawn(move || {
            if let Err(e) = handle(1) {
                failures.lock().push(e);
                wg.done(); // BUG: the done at the end runs too (Go: beside `defer wg.Done()`)
            }
            wg.done();
        });
    }
    wg.wait();
    assert_eq!(*failures.lock(), vec!["odd job"]);
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "wait_group_rules",
            pattern: "waitgroup rules",
            role: Role::Reference,
            summary: "add before each spawn, done at the end, wait, then read the results",
            body: Body::Sync(reference),
            // One task per item: no bound is promised.
            max_live_tasks: None,
            // Exhaustive loom is cheap: 231 iterations, 0.01 s.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "wait_group_rules_shutdown",
            pattern: "waitgroup rules",
            role: Role::Reference,
            summary: "2 handlers counted before they spawn; shutdown waits, then closes events",
            body: Body::Sync(reference_shutdown),
            max_live_tasks: None,
            // Exhaustive loom is cheap: 2,009 iterations, 0.11 s.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "wait_group_add_racing_wait",
            pattern: "waitgroup rules",
            role: Role::Twin {
                // Two faces of one bug, the add not ordered before the wait: usually the wait
                // sees zero, shutdown closes, and a handler sends after the close; or a handler
                // adds from zero while the wait has not yet returned.
                expects: &[
                    ViolationKind::SendAfterClose,
                    ViolationKind::WaitGroupMisuse,
                ],
                assertion: None,
            },
            summary: "handlers call wg.add(1) themselves: shutdown's wait sees zero and closes \
                      events before a handler sends",
            body: Body::Sync(add_racing_wait),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "wait_group_negative",
            pattern: "waitgroup rules",
            role: Role::Twin {
                expects: &[ViolationKind::WaitGroupMisuse],
                assertion: None,
            },
            summary: "done on the error path and again at the end: the counter goes negative",
            body: Body::Sync(negative),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
