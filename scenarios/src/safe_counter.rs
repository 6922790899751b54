//! Safe counter: a map of counters behind one mutex, where every increment is a single critical
//! section (read, add, write back without letting go of the lock).
//!
//! Mirrors the `SafeCounter` of the Go Tour's "sync.Mutex" page (`map[string]int` under a
//! `sync.Mutex`, with `Inc` and `Value`), and the atomic counter of Go by Example's "Atomic
//! Counters" (`ops.Add(1)` on an `atomic.Uint64`).
//!
//! # Guarantees
//!
//! - Every [`SafeCounter::inc`] is counted exactly once, however many tasks increment at once:
//!   the read of the old value and the write of the new one happen under one lock acquisition,
//!   so no other increment can run between them.
//! - [`SafeCounter::value`] returns a value some sequence of the completed increments produced.
//! - It terminates: no operation waits for anything but the lock, and no lock is held across a
//!   call that could block.
//!
//! Rust's types already forbid the Go bugs around this pattern that the checkers would otherwise
//! have to catch: the map cannot be reached without the lock (it lives inside the `Mutex`), and
//! the mutex cannot be copied by value (Go's `go vet` copylocks check). What types cannot forbid
//! is splitting one increment across two critical sections, which the twins show.
//!
//! # Twins
//!
//! - [`lost_update`]: the increment reads the value under the lock, releases it, and writes
//!   `value + 1` under a second acquisition. Two tasks can both read 0 and both write 1: one
//!   increment is lost. Every access is locked, so a data-race detector sees nothing; the
//!   bug is the check-then-act split.
//! - [`lost_update_atomic`]: the same split on an atomic: `load`, then `store(v + 1)` instead of
//!   one `fetch_add`.

use std::collections::HashMap;
use std::sync::Arc;

use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::Mutex;
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// Counters by key, safe to increment from many tasks at once; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck_scenarios::safe_counter::SafeCounter;
///
/// let c = SafeCounter::new();
/// c.inc("somekey");
/// c.inc("somekey");
/// assert_eq!(c.value("somekey"), 2);
/// assert_eq!(c.value("other"), 0);
/// ```
#[derive(Debug)]
pub struct SafeCounter {
    counts: Mutex<HashMap<String, usize>>,
}

impl SafeCounter {
    /// An empty counter: every key counts 0.
    #[track_caller]
    pub fn new() -> Self {
        SafeCounter {
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Adds one to `key`'s count, in one critical section.
    pub fn inc(&self, key: &str) {
        self.add(key, 1);
    }

    /// Adds `n` to `key`'s count, in one critical section.
    pub fn add(&self, key: &str, n: usize) {
        let mut counts = self.counts.lock();
        // Read and write under the same guard: no other increment can come between them.
        match counts.get_mut(key) {
            Some(count) => *count += n,
            None => {
                counts.insert(key.to_owned(), n);
            }
        }
    }

    /// The current count of `key` (0 if it was never incremented).
    pub fn value(&self, key: &str) -> usize {
        self.counts.lock().get(key).copied().unwrap_or(0)
    }
}

impl Default for SafeCounter {
    #[track_caller]
    fn default() -> Self {
        SafeCounter::new()
    }
}

fn reference() {
    let counter = Arc::new(SafeCounter::new());
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let counter = Arc::clone(&counter);
            thread::Builder::new()
                .name(format!("incrementer-{i}"))
                .spawn(move || counter.inc("hits"))
        })
        .collect();
    for t in tasks {
        t.join().expect("incrementer panicked");
    }
    assert_eq!(counter.value("hits"), 2, "every increment counted");
}

fn reference_atomic() {
    let hits = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let hits = Arc::clone(&hits);
            thread::Builder::new()
                .name(format!("incrementer-{i}"))
                .spawn(move || {
                    // One read-modify-write: no increment can come between the read and the
                    // write. Relaxed is enough: the join orders the final load after both.
                    hits.fetch_add(1, Ordering::Relaxed);
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("incrementer panicked");
    }
    assert_eq!(hits.load(Ordering::Relaxed), 2, "every increment counted");
}

/// Twin: the increment reads under the lock, lets go, and writes under a second acquisition.
pub fn lost_update() {
    let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let counts = Arc::clone(&counts);
            thread::Builder::new()
                .name(format!("incrementer-{i}"))
                .spawn(move || {
                    // BUG: the guard is a temporary: the lock is released at the end of this
                    // statement, and another increment can read the same old value.
                    let old = counts.lock().get("hits").copied().unwrap_or(0);
                    counts.lock().insert("hits".to_owned(), old + 1);
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("incrementer panicked");
    }
    let hits = counts.lock().get("hits").copied().unwrap_or(0);
    assert_eq!(hits, 2, "every increment counted");
}

/// Twin: `load` then `store(v + 1)` on an atomic instead of one `fetch_add`.
pub fn lost_update_atomic() {
    let hits = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let hits = Arc::clone(&hits);
            thread::Builder::new()
                .name(format!("incrementer-{i}"))
                .spawn(move || {
                    // BUG: each access is atomic, the increment is not: the other task can
                    // store between this load and this store.
                    let old = hits.load(Ordering::SeqCst);
                    hits.store(old + 1, Ordering::SeqCst);
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("incrementer panicked");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2, "every increment counted");
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "safe_counter",
            pattern: "safe counter",
            role: Role::Reference,
            summary: "2 tasks inc one key of a mutex-guarded map: the count is 2",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Two tasks, one lock: exhaustive loom takes 9 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "safe_counter_atomic",
            pattern: "safe counter",
            role: Role::Reference,
            summary: "2 tasks fetch_add one atomic: the count is 2",
            body: Body::Sync(reference_atomic),
            max_live_tasks: Some(2),
            // Two tasks, one atomic: exhaustive loom takes 9 iterations.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "safe_counter_lost_update",
            pattern: "safe counter",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("every increment counted"),
            },
            summary: "read under the lock, write under a second lock: both tasks write 1",
            body: Body::Sync(lost_update),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 4.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "safe_counter_lost_update_atomic",
            pattern: "safe counter",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("every increment counted"),
            },
            summary: "atomic load then store(v + 1) instead of fetch_add: both tasks store 1",
            body: Body::Sync(lost_update_atomic),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 1.
            loom_preemption_bound: None,
        },
    ]
}
