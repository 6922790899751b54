//! The wakers of the futures waiting on one side of a primitive, keyed so a future that is
//! polled again replaces its own entry and a cancelled (dropped) future removes it.
//!
//! Every change of state wakes every waiter of the affected side. Waking only one would lose
//! the wakeup when that one is cancelled before it polls again (a `race` that the other branch
//! won): the woken futures re-check, and the ones that cannot proceed register again.

use std::task::Waker;

/// Registered wakers, each under the key its future holds.
#[derive(Default)]
pub(crate) struct Waiters {
    last_key: u64,
    wakers: Vec<(u64, Waker)>,
}

impl Waiters {
    /// Registers `waker` under `key`, giving the future a key on its first registration.
    pub(crate) fn register(&mut self, key: &mut Option<u64>, waker: &Waker) {
        let key = *key.get_or_insert_with(|| {
            self.last_key += 1;
            self.last_key
        });
        match self.wakers.iter_mut().find(|(k, _)| *k == key) {
            Some((_, registered)) => registered.clone_from(waker),
            None => self.wakers.push((key, waker.clone())),
        }
    }

    /// Forgets the future holding `key` (it completed or was dropped).
    pub(crate) fn remove(&mut self, key: Option<u64>) {
        if let Some(key) = key {
            self.wakers.retain(|(k, _)| *k != key);
        }
    }

    /// Every registered waker, to wake once the primitive's lock is released.
    pub(crate) fn take_all(&mut self) -> Wakeups {
        Wakeups(self.wakers.drain(..).map(|(_, w)| w).collect())
    }
}

/// Registers `waker` in a single-waiter slot, replacing the one a previous poll left.
pub(crate) fn register_one(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(registered) => registered.clone_from(waker),
        None => *slot = Some(waker.clone()),
    }
}

/// Wakers taken under a lock, woken after it is released: a waker may lock (the executor's
/// parker), and waking outside the primitive's lock keeps the two locks unordered.
#[must_use = "wake them once the lock is released"]
#[derive(Default)]
pub(crate) struct Wakeups(Vec<Waker>);

impl Wakeups {
    /// One waker, if there is one.
    pub(crate) fn one(waker: Option<Waker>) -> Self {
        Wakeups(waker.into_iter().collect())
    }

    /// These wakeups and `other`'s.
    pub(crate) fn and(mut self, other: Wakeups) -> Self {
        self.0.extend(other.0);
        self
    }

    pub(crate) fn wake(self) {
        for waker in self.0 {
            waker.wake();
        }
    }
}
