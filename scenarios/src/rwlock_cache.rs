//! Read-mostly cache: a map behind a reader-writer lock. Hits take only the read lock, so any
//! number of readers proceed together; a miss drops the read guard, takes the write guard,
//! checks again (another task may have loaded the key in between) and only then loads and
//! inserts.
//!
//! Mirrors the `sync.RWMutex`-guarded map of Go's "Go maps in action" blog post (the
//! `counter = struct{ sync.RWMutex; m map[string]int }` example) with the double-checked
//! get-or-load Go caches build on it (`RLock`, look up, `RUnlock`, `Lock`, look up again,
//! insert).
//!
//! # Guarantees
//!
//! - [`Cache::get_or_load`] calls `load` at most once per key, and every caller of a key gets
//!   the same value: the second look-up under the write lock sees a value another task loaded
//!   between our read and our write.
//! - Hits never take the write lock, so readers do not wait for each other.
//! - It terminates, provided `load` does not use the same cache: `load` runs under the write
//!   lock (that is what makes it run once), and no guard is ever held while asking for another.
//!   Go's `sync.RWMutex` and Rust's `RwLock` are both not re-entrant, and neither lets a reader
//!   upgrade to a writer.
//!
//! # Twins
//!
//! - [`upgrade_while_reading`]: the miss branch asks for the write lock while the read guard is
//!   still alive (a `match` on `cache.read().get(..)` keeps the guard until the end of the
//!   `match`). A lock cannot be granted for writing while its own caller reads it: the task
//!   waits for itself. Every backend catches it (loom: the write is disabled while read-locked;
//!   shuttle: it rejects a task that re-acquires a lock it holds; std: the watchdog).
//!
//! ## Not a twin here: a recursive read with a writer queued
//!
//! A task holds a read guard, another task queues for the write lock, and the first task reads
//! again before dropping its guard. Whether that deadlocks depends on the lock's fairness: a
//! writer-preferring lock (std's on Linux, Go's `sync.RWMutex`: "if any goroutine calls Lock
//! while the lock is already held by one or more readers, concurrent calls to RLock will block
//! until the writer has acquired") blocks the second read behind the queued writer, which waits
//! for the first read: a deadlock. Neither model checker models writer preference, and neither
//! reports this bug for that reason, so it is not registered as a twin:
//!
//! - loom 0.7.3 (`rt/rwlock.rs`) disables a read only while the lock is *write*-locked; a
//!   queued writer never blocks a reader. It also keeps the readers as a set of thread ids, so a
//!   second read by the same thread is not counted: the first release frees the lock, and loom
//!   then panics inside itself (`invalid internal loom state`, or `loom::RwLock state corrupt`
//!   in the writer that got in), which a report shows as an assertion failure or a task panic
//!   with loom's message, not as a deadlock.
//! - shuttle 0.9.9 (`shuttle-std` 0.1.5, `sync/rwlock.rs`) uses an unfair semaphore, so a queued
//!   writer does not block new readers either; but it refuses any recursive read ("the same
//!   thread is never allowed to acquire the read side of a RwLock more than once"), with or
//!   without a writer queued. The facade reports that as a deadlock of the reading task: shuttle
//!   flags the recursive read, conservatively, not the fairness hazard.
//!
//! Do not read-lock twice in one task; hold one guard, or clone what you need and drop it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::RwLock;
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// A read-mostly map of loaded values; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck_scenarios::rwlock_cache::Cache;
///
/// let cache = Cache::new();
/// assert_eq!(cache.get_or_load("a", |k| k.len()), 1);
/// assert_eq!(cache.get_or_load("a", |_| unreachable!("loaded once")), 1);
/// assert_eq!(cache.get(&"a"), Some(1));
/// ```
#[derive(Debug)]
pub struct Cache<K, V> {
    map: RwLock<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// An empty cache.
    #[track_caller]
    pub fn new() -> Self {
        Cache {
            map: RwLock::new(HashMap::new()),
        }
    }

    /// The cached value of `key`, under the read lock only.
    pub fn get(&self, key: &K) -> Option<V> {
        self.map.read().get(key).cloned()
    }

    /// The cached value of `key`, loading it with `load` on a miss; `load` runs at most once
    /// per key.
    ///
    /// `load` runs under the write lock: hits on other keys wait for it, and it must not use
    /// this cache (the lock is not re-entrant: that would deadlock, as Go's would).
    pub fn get_or_load(&self, key: K, load: impl FnOnce(&K) -> V) -> V {
        // The hit path: the read guard is a temporary, dropped at the end of this statement,
        // before the write lock is asked for below.
        let hit = self.map.read().get(&key).cloned();
        if let Some(v) = hit {
            return v;
        }
        let mut map = self.map.write();
        // Check again: between our read and our write, another task may have loaded the key.
        if let Some(v) = map.get(&key) {
            return v.clone();
        }
        let v = load(&key);
        map.insert(key, v.clone());
        v
    }

    /// How many keys are cached.
    pub fn len(&self) -> usize {
        self.map.read().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Eq + Hash, V: Clone> Default for Cache<K, V> {
    #[track_caller]
    fn default() -> Self {
        Cache::new()
    }
}

fn reference() {
    let cache = Arc::new(Cache::new());
    let loads = Arc::new(AtomicUsize::new(0));
    let load = {
        let loads = Arc::clone(&loads);
        move |k: &u32| {
            loads.fetch_add(1, Ordering::SeqCst);
            k * 10
        }
    };
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (cache, load) = (Arc::clone(&cache), load.clone());
            thread::Builder::new()
                .name(format!("reader-{i}"))
                .spawn(move || cache.get_or_load(7, load))
        })
        .collect();
    for t in tasks {
        assert_eq!(t.join().expect("reader panicked"), 70, "the loaded value");
    }
    assert_eq!(loads.load(Ordering::SeqCst), 1, "loaded once");
    assert_eq!(cache.get(&7), Some(70));
}

/// Twin: a `match` on `read().get(..)` keeps the read guard alive into the miss branch, which
/// asks for the write lock.
pub fn upgrade_while_reading() {
    let map = Arc::new(RwLock::new(HashMap::<u32, u32>::new()));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let map = Arc::clone(&map);
            thread::Builder::new()
                .name(format!("reader-{i}"))
                .spawn(move || {
                    // BUG: the scrutinee's read guard lives until the end of the `match`, so
                    // the miss branch asks for the write lock while this task still reads.
                    match map.read().get(&7) {
                        Some(v) => *v,
                        None => *map.write().entry(7).or_insert(70),
                    }
                })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.join().expect("reader panicked"), 70, "the loaded value");
    }
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "rwlock_cache",
            pattern: "rwlock cache",
            role: Role::Reference,
            summary: "2 readers get_or_load one key: read, drop, write, re-check: loaded once",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Two tasks, one lock: exhaustive loom takes 30 iterations (2 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "rwlock_cache_upgrade_while_reading",
            pattern: "rwlock cache",
            role: Role::Twin {
                expects: &[ViolationKind::Deadlock],
                assertion: None,
            },
            summary: "the miss branch calls write() while its own read guard is alive",
            body: Body::Sync(upgrade_while_reading),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 1.
            loom_preemption_bound: None,
        },
    ]
}
