//! Object pool: a fixed set of objects (connections, buffers) shared by many tasks; `get` takes
//! a free one, blocking while there is none, and `put` hands it back and wakes one waiter.
//!
//! Mirrors the free list of Effective Go's "A leaky buffer" (a buffered channel of free
//! buffers) in its blocking form, and the connection pool of Go's `database/sql` (`DB.conn`
//! waits for a free connection when the pool is at its limit; `putConn` hands it to one
//! waiter), here as a `Mutex<Vec<T>>` and a `Condvar` on "the free list is not empty".
//!
//! # Guarantees
//!
//! - No object is handed to two tasks at once: `get` removes it from the free list under the
//!   lock, and only `put` brings it back.
//! - No waiter sleeps while an object is free. The waiters' condition is the free list itself,
//!   not a separate flag: every `put` adds one object and wakes one waiter; a woken waiter that
//!   finds the list empty (another task took the object first) waits again, and that other task
//!   consumed the object the notify was for, so every object is matched with a wakeup or taken.
//! - It terminates as long as every object taken is put back: `get` waits only for a `put`.
//!   A pool built with no objects would make every `get` wait forever, so [`Pool::new`] refuses
//!   it; a `put` beyond the pool's capacity (an object that never came from it, or one put back
//!   twice) is refused too.
//!
//! # Twin
//!
//! [`flag_consumed_by_first_waiter`]: the waiters wait on an `available: bool` instead of the
//! free list. Two objects come back one after the other while two tasks wait; each `put` sets
//! the flag and notifies one waiter, but the flag cannot count: the first waiter to run takes an
//! object and resets the flag, and the second finds it false and waits again, with an object
//! free and no `put` left to wake it. The body joins both borrowers, so a checker sees the body
//! blocked in `join` and the borrower blocked in `Condvar::wait`: a lost wakeup. (Without the
//! join, the same bug would be reported as a leak: the borrower outliving the body's scope.)

use std::fmt;
use std::sync::Arc;

use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::{Condvar, Mutex};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// Why a pool cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// No objects were given: every `get` would wait forever.
    Empty,
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Empty => f.write_str(
                "object pool needs at least one object: with none, every get waits forever; \
                 pass one or more objects to Pool::new",
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// A `put` that would take the pool past its capacity; holds the object that was refused.
pub struct PoolFull<T> {
    /// The object `put` did not take back.
    pub object: T,
    capacity: usize,
}

impl<T> fmt::Debug for PoolFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolFull")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for PoolFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "object pool is full: all {} of its objects are already free; put back only objects \
             that get handed out, once each",
            self.capacity
        )
    }
}

impl<T> std::error::Error for PoolFull<T> {}

/// A fixed set of objects, handed out one task at a time; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck_scenarios::pool::Pool;
///
/// let pool = Pool::new(vec![String::from("conn-1")]).unwrap();
/// let conn = pool.get();
/// assert_eq!(pool.try_get(), None, "the only object is out");
/// pool.put(conn).unwrap();
/// assert_eq!(pool.available(), 1);
/// ```
pub struct Pool<T> {
    free: Mutex<Vec<T>>,
    /// Notified (one waiter) by every `put`; waited on while `free` is empty.
    returned: Condvar,
    capacity: usize,
}

impl<T> Pool<T> {
    /// A pool of `objects`, all free.
    ///
    /// # Errors
    ///
    /// [`PoolError::Empty`] if `objects` is empty.
    #[track_caller]
    pub fn new(objects: Vec<T>) -> Result<Self, PoolError> {
        if objects.is_empty() {
            return Err(PoolError::Empty);
        }
        Ok(Pool {
            capacity: objects.len(),
            free: Mutex::new(objects),
            returned: Condvar::new(),
        })
    }

    /// Takes a free object, waiting until one is put back if none is free.
    pub fn get(&self) -> T {
        let mut free = self.free.lock();
        loop {
            // The condition is the list itself: a wakeup whose object someone else took finds
            // it empty and waits again.
            if let Some(object) = free.pop() {
                return object;
            }
            free = self.returned.wait(free);
        }
    }

    /// Takes a free object if there is one now.
    pub fn try_get(&self) -> Option<T> {
        self.free.lock().pop()
    }

    /// Hands `object` back and wakes one waiting `get`.
    ///
    /// # Errors
    ///
    /// [`PoolFull`] (holding `object`) if every object of the pool is already free: `object`
    /// did not come from this pool, or was put back twice.
    pub fn put(&self, object: T) -> Result<(), PoolFull<T>> {
        let mut free = self.free.lock();
        if free.len() == self.capacity {
            return Err(PoolFull {
                object,
                capacity: self.capacity,
            });
        }
        free.push(object);
        drop(free);
        // One object, one waiter: if it finds the object gone, the task that took it used up
        // this wakeup's object, and the next put wakes the next waiter.
        self.returned.notify_one();
        Ok(())
    }

    /// How many objects are free now.
    pub fn available(&self) -> usize {
        self.free.lock().len()
    }

    /// How many objects the pool was built with.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl<T> fmt::Debug for Pool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// Both objects are out; two borrowers wait; both objects come back one after the other.
fn reference() {
    let pool = Arc::new(Pool::new(vec![1u32, 2]).expect("two objects"));
    let (a, b) = (pool.get(), pool.get());
    let borrowers: Vec<_> = (0..2)
        .map(|i| {
            let pool = Arc::clone(&pool);
            thread::Builder::new()
                .name(format!("borrower-{i}"))
                .spawn(move || pool.get())
        })
        .collect();
    pool.put(a).expect("a came from the pool");
    pool.put(b).expect("b came from the pool");
    let mut got: Vec<u32> = borrowers
        .into_iter()
        .map(|t| t.join().expect("borrower panicked"))
        .collect();
    got.sort_unstable();
    assert_eq!(got, vec![1, 2], "each object to exactly one borrower");
}

/// Two tasks share one object: neither ever sees the other holding it.
fn reference_exclusive() {
    let pool = Arc::new(Pool::new(vec![0u32]).expect("one object"));
    let in_use = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let (pool, in_use) = (Arc::clone(&pool), Arc::clone(&in_use));
            thread::Builder::new()
                .name(format!("borrower-{i}"))
                .spawn(move || {
                    let mut object = pool.get();
                    assert_eq!(in_use.fetch_add(1, Ordering::SeqCst), 0, "object shared");
                    object += 1;
                    in_use.fetch_sub(1, Ordering::SeqCst);
                    pool.put(object).expect("object came from the pool");
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("borrower panicked");
    }
    assert_eq!(pool.try_get(), Some(2), "both uses on the one object");
}

/// Twin: waiters wait on an `available` flag, which the first of them resets.
pub fn flag_consumed_by_first_waiter() {
    struct Free {
        objects: Vec<u32>,
        available: bool,
    }
    let pool = Arc::new((
        Mutex::new(Free {
            objects: Vec::new(),
            available: false,
        }),
        Condvar::new(),
    ));
    let borrowers: Vec<_> = (0..2)
        .map(|i| {
            let pool = Arc::clone(&pool);
            thread::Builder::new()
                .name(format!("borrower-{i}"))
                .spawn(move || {
                    let mut free = pool.0.lock();
                    // BUG: the condition is a flag, not the free list; a flag cannot count two
                    // returned objects.
                    while !free.available {
                        free = pool.1.wait(free);
                    }
                    // BUG: reset whether or not another object is still free.
                    free.available = false;
                    free.objects
                        .pop()
                        .expect("available means an object is free")
                })
        })
        .collect();
    for object in [1, 2] {
        let mut free = pool.0.lock();
        free.objects.push(object);
        free.available = true;
        drop(free);
        pool.1.notify_one();
    }
    let mut got: Vec<u32> = borrowers
        .into_iter()
        .map(|t| t.join().expect("borrower panicked"))
        .collect();
    got.sort_unstable();
    assert_eq!(got, vec![1, 2], "each object to exactly one borrower");
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "pool",
            pattern: "object pool",
            role: Role::Reference,
            summary: "2 borrowers wait on an empty pool; 2 puts, one notify each: both served",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Three tasks, one lock, one condvar: exhaustive loom takes 1,866 iterations (0.13 s).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "pool_exclusive",
            pattern: "object pool",
            role: Role::Reference,
            summary: "2 borrowers share 1 object: get blocks while it is out, never shared",
            body: Body::Sync(reference_exclusive),
            max_live_tasks: Some(2),
            // Two tasks, one lock, one condvar: exhaustive loom takes 45 iterations (2 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "pool_flag_consumed_by_first_waiter",
            pattern: "object pool",
            role: Role::Twin {
                expects: &[ViolationKind::LostWakeup],
                assertion: None,
            },
            summary: "waiters wait on an available flag; the first resets it: the second sleeps",
            body: Body::Sync(flag_consumed_by_first_waiter),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 1.
            loom_preemption_bound: None,
        },
    ]
}
