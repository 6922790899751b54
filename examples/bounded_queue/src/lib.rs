//! A bounded blocking queue, written the way a user would write one, on concheck's facade.
//!
//! [`BoundedQueue`] holds at most `capacity` items: [`push`](BoundedQueue::push) blocks while
//! it is full and [`pop`](BoundedQueue::pop) blocks while it is empty. It is a `Mutex` over a
//! `VecDeque` and two condition variables, "not empty" and "not full", from
//! [`concheck::sync`]: in production those are std's, and inside a concheck checker run the
//! same code runs on loom's or shuttle's, so `tests/check.rs` checks this very type, with no
//! `cfg` flags and no second copy of the queue.
//!
//! # Fixed vs Buggy
//!
//! The queue takes a marker type saying which version of its wakeup code to use:
//!
//! - [`Fixed`] (the default, `BoundedQueue<T>`): `push` notifies "not empty", `pop` notifies
//!   "not full". Each notify wakes a task that waits for exactly what the notifier made true.
//! - [`Buggy`] (`BoundedQueue<T, Buggy>`, built with
//!   [`BoundedQueue::with_variant(capacity, Buggy)`](BoundedQueue::with_variant)): the classic mistake of one condition variable for
//!   both conditions, with `notify_one`. Producers waiting for space and consumers waiting for an
//!   item sleep on the same condvar, so a notify meant for a consumer can wake a producer (or
//!   the other way round). The woken task finds its own condition still false and, correctly,
//!   waits again; the notify is spent, the task it was meant for sleeps on, and with a producer
//!   and a consumer both waiting, nobody is left to wake either: a lost wakeup. Each wait loops
//!   on its predicate, as the std docs teach, so the code looks right, and on real threads most
//!   runs pass: the bug needs both consumers asleep before the first push, and when it strikes
//!   the program just hangs.
//!
//! With capacity 1, one producer pushing two items and two consumers popping one each:
//!
//! 1. both consumers find the queue empty and wait;
//! 2. the producer pushes item 1 and notifies one waiter, consumer A; it pushes item 2, finds
//!    the queue full, and waits behind consumer B;
//! 3. consumer A pops item 1 and notifies one waiter: consumer B, not the producer;
//! 4. consumer B finds the queue empty again and waits. The producer (waiting for space) and
//!    consumer B (waiting for an item) sleep forever, with space in the queue.
//!
//! The fix is the two condvars of [`Fixed`] (or `notify_all` on the shared one, which wakes
//! every waiter on every change and is slower).
//!
//! # Examples
//!
//! Outside a checker run the facade is std and tasks are real threads:
//!
//! ```
//! use std::sync::Arc;
//!
//! use bounded_queue::BoundedQueue;
//! use concheck::thread;
//!
//! let queue = Arc::new(BoundedQueue::new(2));
//! let producer = {
//!     let queue = Arc::clone(&queue);
//!     thread::spawn(move || {
//!         for i in 0..10 {
//!             queue.push(i); // waits while 2 items are queued
//!         }
//!     })
//! };
//! let received: Vec<i32> = (0..10).map(|_| queue.pop()).collect();
//! producer.join().unwrap();
//! assert_eq!(received, (0..10).collect::<Vec<_>>());
//! assert!(queue.is_empty());
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;

use concheck::sync::{Condvar, Mutex};

/// Which wakeup code a [`BoundedQueue`] uses: [`Fixed`] or [`Buggy`]. Sealed.
pub trait Variant: sealed::Sealed + Copy + Send + Sync + 'static {
    /// True when producers and consumers wait on one condvar (the seeded bug).
    const ONE_CONDVAR: bool;
}

/// The correct queue: separate "not empty" and "not full" condvars. The default.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fixed;

/// The seeded bug: one condvar for "not empty" and "not full", notified with `notify_one`,
/// so a wakeup meant for a consumer can be spent on a producer. See the
/// [crate docs](crate#fixed-vs-buggy).
#[derive(Clone, Copy, Debug, Default)]
pub struct Buggy;

impl Variant for Fixed {
    const ONE_CONDVAR: bool = false;
}

impl Variant for Buggy {
    const ONE_CONDVAR: bool = true;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Fixed {}
    impl Sealed for super::Buggy {}
}

/// A FIFO queue of at most `capacity` items whose `push` waits for space and whose `pop` waits
/// for an item; see the [crate docs](crate).
///
/// Share it between tasks with `std::sync::Arc`.
pub struct BoundedQueue<T, V: Variant = Fixed> {
    items: Mutex<VecDeque<T>>,
    capacity: usize,
    /// Waited on by `pop` while `items` is empty; notified (one waiter) by every push.
    not_empty: Condvar,
    /// Waited on by `push` while `items` is full; notified (one waiter) by every pop. Unused by
    /// [`Buggy`], which waits and notifies on `not_empty` instead.
    not_full: Condvar,
    variant: PhantomData<fn() -> V>,
}

impl<T> BoundedQueue<T> {
    /// An empty queue that holds at most `capacity` items.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero: every `push` would wait forever.
    #[track_caller]
    pub fn new(capacity: usize) -> Self {
        Self::with_variant(capacity, Fixed)
    }
}

impl<T, V: Variant> BoundedQueue<T, V> {
    /// An empty queue of the given [`Variant`]: `BoundedQueue::with_variant(1, Buggy)` is the
    /// queue with the seeded bug. [`BoundedQueue::new`] is `with_variant(capacity, Fixed)`.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero: every `push` would wait forever.
    #[track_caller]
    pub fn with_variant(capacity: usize, variant: V) -> Self {
        let _ = variant; // a marker: its type is the choice
        assert!(
            capacity > 0,
            "a bounded queue needs capacity >= 1: with 0 every push waits forever"
        );
        Self::build(capacity)
    }

    // Not `#[track_caller]`: reports name each condvar by the line that created it, and these
    // two lines tell "not empty" from "not full".
    fn build(capacity: usize) -> Self {
        BoundedQueue {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            variant: PhantomData,
        }
    }

    /// Appends `value`, waiting while the queue is full.
    pub fn push(&self, value: T) {
        let mut items = self.items.lock();
        while items.len() == self.capacity {
            items = self.space_freed().wait(items);
        }
        items.push_back(value);
        drop(items);
        self.not_empty.notify_one();
    }

    /// Appends `value` if there is space now.
    ///
    /// # Errors
    ///
    /// [`TryPushError`], holding `value`, if the queue is full.
    pub fn try_push(&self, value: T) -> Result<(), TryPushError<T>> {
        let mut items = self.items.lock();
        if items.len() == self.capacity {
            return Err(TryPushError(value));
        }
        items.push_back(value);
        drop(items);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Removes the oldest item, waiting while the queue is empty.
    pub fn pop(&self) -> T {
        let mut items = self.items.lock();
        let value = loop {
            if let Some(value) = items.pop_front() {
                break value;
            }
            items = self.not_empty.wait(items);
        };
        drop(items);
        self.space_freed().notify_one();
        value
    }

    /// Removes the oldest item if there is one now.
    pub fn try_pop(&self) -> Option<T> {
        let value = self.items.lock().pop_front()?;
        self.space_freed().notify_one();
        Some(value)
    }

    /// The number of items queued now.
    pub fn len(&self) -> usize {
        self.items.lock().len()
    }

    /// True when no item is queued now.
    pub fn is_empty(&self) -> bool {
        self.items.lock().is_empty()
    }

    /// The most items the queue holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The condvar producers wait on for space and consumers notify after taking an item.
    fn space_freed(&self) -> &Condvar {
        if V::ONE_CONDVAR {
            // The bug: the consumers' condvar. A notify here may wake a consumer, which finds
            // the queue still empty and waits again, while the producer sleeps on.
            &self.not_empty
        } else {
            &self.not_full
        }
    }
}

impl<T, V: Variant> fmt::Debug for BoundedQueue<T, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedQueue")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .field("one_condvar", &V::ONE_CONDVAR)
            .finish_non_exhaustive()
    }
}

/// A [`BoundedQueue::try_push`] on a full queue; holds the value that was not pushed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TryPushError<T>(pub T);

impl<T> TryPushError<T> {
    /// The value that was not pushed.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TryPushError(..)")
    }
}

impl<T> fmt::Display for TryPushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("pushing on a full queue")
    }
}

impl<T> std::error::Error for TryPushError<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_push_refuses_when_full() {
        let queue: BoundedQueue<u32> = BoundedQueue::new(1);
        assert_eq!(queue.try_push(1), Ok(()));
        assert_eq!(queue.try_push(2).unwrap_err().into_inner(), 2);
        assert_eq!(queue.len(), 1);
        assert_eq!(queue.try_pop(), Some(1));
        assert_eq!(queue.try_pop(), None);
    }

    #[test]
    #[should_panic(expected = "capacity >= 1")]
    fn zero_capacity_panics() {
        let _ = BoundedQueue::<u32>::new(0);
    }

    #[test]
    #[should_panic(expected = "capacity >= 1")]
    fn zero_capacity_panics_for_every_variant() {
        let _ = BoundedQueue::<u32, Buggy>::with_variant(0, Buggy);
    }
}
