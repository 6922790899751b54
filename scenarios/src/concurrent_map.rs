//! Concurrent get-or-compute map: look a key up, and on a miss compute its value and store it,
//! with many tasks asking for the same key at once. Two policies, two methods:
//!
//! - [`ConcurrentMap::get_or_compute`] computes outside the lock and stores the value only if
//!   the key is still absent: no task ever waits for another's computation, but two tasks that
//!   miss together **both compute**; one value is stored and both return it.
//! - [`ConcurrentMap::get_or_compute_once`] marks the key "in progress" before computing; other
//!   tasks that want the key wait on a condition variable until the value is stored: compute runs
//!   exactly once per key.
//!
//! Mirrors Go's `sync.Map.LoadOrStore` (the value is built before the call, so concurrent
//! callers each build one and all but one are thrown away) and the duplicate suppression of
//! `golang.org/x/sync/singleflight` (`Group.Do`: "only one execution is in-flight for a given
//! key at a time; if a duplicate comes in, the duplicate caller waits for the original to
//! complete and receives the same results").
//!
//! # Guarantees
//!
//! - Every caller of a key gets the same value: the first value stored for a key is never
//!   replaced, and a computation that finishes second returns the stored value, not its own.
//! - `get_or_compute` never blocks on another task's computation; its `compute` may run more
//!   than once for a key (as many times as tasks miss together).
//! - `get_or_compute_once` runs `compute` exactly once per key (if it returns). It terminates:
//!   a waiter waits only while another task computes the key, and that task wakes every waiter
//!   when it stores the value or when `compute` panics (the marker is then removed and one
//!   waiter computes instead). A `compute` that asks for its own key from the task computing it
//!   would wait for itself: that is a clear panic, not a hang.
//!
//! # Twins
//!
//! [`compute_runs_twice`] documents a property, not a bug: it holds `get_or_compute` to the
//! promise it does not make (compute once) and the checkers show the interleaving that breaks it:
//! both tasks miss before either stores. If compute must run once (it is expensive, or has side
//! effects), use `get_or_compute_once`.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::{Condvar, Mutex};
use concheck::thread::{self, TaskId};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// What the map holds for a key.
enum Slot<V> {
    /// This task is running `get_or_compute_once`'s compute for the key.
    Computing(TaskId),
    /// The key's value.
    Ready(V),
}

/// A map whose missing values are computed on demand; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck_scenarios::concurrent_map::ConcurrentMap;
///
/// let map = ConcurrentMap::new();
/// assert_eq!(map.get_or_compute_once("a", |k| k.len()), 1);
/// assert_eq!(map.get_or_compute("a", |_| unreachable!("already stored")), 1);
/// assert_eq!(map.get(&"a"), Some(1));
/// assert_eq!(map.get(&"b"), None);
/// ```
pub struct ConcurrentMap<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
    /// Notified (all) whenever a `Computing` slot becomes `Ready` or is removed.
    settled: Condvar,
}

impl<K: Eq + Hash + Clone, V: Clone> ConcurrentMap<K, V> {
    /// An empty map.
    #[track_caller]
    pub fn new() -> Self {
        ConcurrentMap {
            slots: Mutex::new(HashMap::new()),
            settled: Condvar::new(),
        }
    }

    /// The stored value of `key`, if any (a key being computed has none yet).
    pub fn get(&self, key: &K) -> Option<V> {
        match self.slots.lock().get(key) {
            Some(Slot::Ready(v)) => Some(v.clone()),
            _ => None,
        }
    }

    /// The stored value of `key`, computing it on a miss, outside the lock.
    ///
    /// `compute` MAY RUN MORE THAN ONCE for a key: tasks that miss together all compute, the
    /// first value stored wins, and every caller returns it. It never waits for another task's
    /// computation. Use [`get_or_compute_once`](Self::get_or_compute_once) if compute must run
    /// once.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&K) -> V) -> V {
        if let Some(Slot::Ready(v)) = self.slots.lock().get(&key) {
            return v.clone();
        }
        // Outside the lock: other keys are not held up, and neither is this key's other callers,
        // which is exactly why they may compute too.
        let computed = compute(&key);
        self.store_first(key, computed)
    }

    /// The stored value of `key`, computing it on a miss; `compute` runs exactly once per key.
    ///
    /// Callers that want the key while another task computes it wait for that value.
    ///
    /// # Panics
    ///
    /// If `compute` calls `get_or_compute_once` for the same key (from the task computing it):
    /// it would wait for itself. If `compute` panics, the panic propagates, the key is released,
    /// and one waiting caller computes instead.
    #[track_caller]
    pub fn get_or_compute_once(&self, key: K, compute: impl FnOnce(&K) -> V) -> V {
        let me = thread::current_id();
        let mut slots = self.slots.lock();
        loop {
            match slots.get(&key) {
                Some(Slot::Ready(v)) => return v.clone(),
                Some(Slot::Computing(owner)) if *owner == me => {
                    drop(slots);
                    panic!(
                        "re-entrant ConcurrentMap::get_or_compute_once: compute asked for the key \
                         it is computing, which would wait for itself forever; compute must not \
                         need its own key (compute the parts it needs first, or use \
                         get_or_compute, which never waits)"
                    );
                }
                Some(Slot::Computing(_)) => slots = self.settled.wait(slots),
                None => break,
            }
        }
        slots.insert(key.clone(), Slot::Computing(me));
        drop(slots);
        let mut release = Release {
            map: self,
            key: Some(&key),
            me,
        };
        let computed = compute(&key);
        // Returned: the marker stays until store_first replaces it with the value.
        release.key = None;
        drop(release);
        self.store_first(key, computed)
    }

    /// Stores `computed` unless a value is already stored; returns the stored value, and wakes
    /// every task waiting for the key.
    fn store_first(&self, key: K, computed: V) -> V {
        let mut slots = self.slots.lock();
        let stored = match slots.get(&key) {
            // Another caller stored first (a get_or_compute that ran beside us): its value wins,
            // so every caller of the key sees one value.
            Some(Slot::Ready(v)) => v.clone(),
            // Absent, or marked by a get_or_compute_once still computing: store ours; that
            // computation will find it and return it.
            _ => {
                slots.insert(key, Slot::Ready(computed.clone()));
                computed
            }
        };
        drop(slots);
        self.settled.notify_all();
        stored
    }

    /// How many keys have a stored value.
    pub fn len(&self) -> usize {
        self.slots
            .lock()
            .values()
            .filter(|s| matches!(s, Slot::Ready(_)))
            .count()
    }

    /// Whether no key has a stored value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for ConcurrentMap<K, V> {
    #[track_caller]
    fn default() -> Self {
        ConcurrentMap::new()
    }
}

impl<K, V> fmt::Debug for ConcurrentMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentMap").finish_non_exhaustive()
    }
}

/// Removes a `Computing(me)` marker and wakes the waiters if `compute` unwinds (`key` is taken
/// out on success).
struct Release<'a, K: Eq + Hash + Clone, V: Clone> {
    map: &'a ConcurrentMap<K, V>,
    key: Option<&'a K>,
    me: TaskId,
}

impl<K: Eq + Hash + Clone, V: Clone> Drop for Release<'_, K, V> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut slots = self.map.slots.lock();
        if matches!(slots.get(key), Some(Slot::Computing(owner)) if *owner == self.me) {
            slots.remove(key);
        }
        drop(slots);
        self.map.settled.notify_all();
    }
}

/// Two tasks get_or_compute one key; each computation returns a different value.
fn reference() {
    let map = Arc::new(ConcurrentMap::new());
    let computes = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (map, computes) = (Arc::clone(&map), Arc::clone(&computes));
            thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || map.get_or_compute(7, |_| computes.fetch_add(1, Ordering::SeqCst)))
        })
        .collect();
    let got: Vec<usize> = tasks
        .into_iter()
        .map(|t| t.join().expect("caller panicked"))
        .collect();
    assert_eq!(got[0], got[1], "both callers get the one stored value");
    assert_eq!(
        map.get(&7),
        Some(got[0]),
        "the value returned is the one stored"
    );
}

/// Two tasks get_or_compute_once one key: compute runs once.
fn reference_once() {
    let map = Arc::new(ConcurrentMap::new());
    let computes = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (map, computes) = (Arc::clone(&map), Arc::clone(&computes));
            thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || {
                    map.get_or_compute_once(7, |_| computes.fetch_add(1, Ordering::SeqCst))
                })
        })
        .collect();
    for t in tasks {
        assert_eq!(
            t.join().expect("caller panicked"),
            0,
            "the one computed value"
        );
    }
    assert_eq!(
        computes.load(Ordering::SeqCst),
        1,
        "compute ran exactly once"
    );
}

/// Twin (documents a property): holds `get_or_compute` to "compute runs once", which it does not
/// promise.
pub fn compute_runs_twice() {
    let map = Arc::new(ConcurrentMap::new());
    let computes = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (map, computes) = (Arc::clone(&map), Arc::clone(&computes));
            thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || {
                    // BUG (of the caller's expectation): both tasks can miss before either
                    // stores, and then both compute.
                    map.get_or_compute(7, |_| computes.fetch_add(1, Ordering::SeqCst))
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("caller panicked");
    }
    assert_eq!(
        computes.load(Ordering::SeqCst),
        1,
        "compute ran exactly once"
    );
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "concurrent_map",
            pattern: "concurrent map",
            role: Role::Reference,
            summary: "2 tasks get_or_compute one key: compute may run twice, one value is stored",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Two tasks, one lock, one condvar: exhaustive loom takes 249 iterations (31 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "concurrent_map_compute_once",
            pattern: "concurrent map",
            role: Role::Reference,
            summary: "2 tasks get_or_compute_once one key: in-progress marker, compute runs once",
            body: Body::Sync(reference_once),
            max_live_tasks: Some(2),
            // Two tasks, one lock, one condvar: exhaustive loom takes 21 iterations (1 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "concurrent_map_compute_runs_twice",
            pattern: "concurrent map",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("compute ran exactly once"),
            },
            summary: "documents a property, not a bug: get_or_compute may compute a key twice",
            body: Body::Sync(compute_runs_twice),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 4.
            loom_preemption_bound: None,
        },
    ]
}
