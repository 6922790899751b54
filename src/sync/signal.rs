//! A one-shot wakeup that cannot be lost, and the one-winner claim of a waiting select.
//!
//! `select` registers one signal with every channel and context it waits on, re-checks its
//! cases, and only then waits; whatever changes after registration sets the flag, so a change
//! between the check and the wait is never missed.
//!
//! On a capacity-0 channel a waiting select also offers its cases to the other side (a value to
//! send, or a place to receive), as Go's blocked `select` enqueues itself on every channel. A
//! partner that takes an offer must first *claim* the select: the claim records which case won
//! and succeeds only once, so a select completed by one partner is never completed by another
//! case as well. A select that completes a case itself (polling after it registered) claims
//! itself the same way ([`Signal::mark`]), and when both sides are selects, both are claimed at
//! once ([`claim`]), the two signals locked in the order they were created, so two selects
//! claiming each other cannot deadlock.
//!
//! It sits in `sync`, the facade's lowest module, next to the [`Mutex`] and [`Condvar`] it is
//! built from: `go`'s channels, contexts and select use it, and so do [`Condvar::wait_timeout`]
//! and the clock's sleeps, which `go` is built on.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{Condvar, Mutex};
use crate::rt::Object;

/// Creation order of signals: the order two of them are locked in by [`claim`].
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

pub(crate) struct Signal {
    id: u64,
    state: Mutex<State>,
    cv: Condvar,
}

#[derive(Default)]
struct State {
    fired: bool,
    /// The case the select completed, once claimed.
    won: Option<usize>,
}

/// One side of a rendezvous with a waiting select: its signal and the case offered.
pub(crate) type Party<'a> = (&'a Arc<Signal>, usize);

/// What [`claim`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Both are claimed: the rendezvous happens.
    Won,
    /// The partner's select already completed another case: skip its offer.
    PartnerTaken,
    /// The claiming select itself already completed (a partner claimed it).
    MeTaken,
}

impl Signal {
    #[track_caller]
    pub(crate) fn new() -> Arc<Signal> {
        Arc::new(Signal {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            state: Mutex::internal(State::default()),
            cv: Condvar::new(),
        })
    }

    pub(crate) fn fire(&self) {
        let mut state = self.state.lock();
        state.fired = true;
        self.cv.notify_one();
    }

    /// Claims the select for its own `case`; false if it was claimed already.
    pub(crate) fn mark(&self, case: usize) -> bool {
        let mut state = self.state.lock();
        state.won.is_none() && {
            state.won = Some(case);
            true
        }
    }

    /// The case the select completed, if claimed.
    pub(crate) fn won(&self) -> Option<usize> {
        self.state.lock().won
    }

    /// Blocks until fired, reporting the task as blocked in `op` on `object`.
    pub(crate) fn wait<O: Into<Object>>(
        &self,
        op: &'static crate::rt::Op,
        object: impl Fn() -> O,
        at: &'static Location<'static>,
    ) {
        let mut state = self.state.lock();
        while !state.fired {
            state = self.cv.wait_as(op, &object, state, at);
        }
    }
}

/// Whether a select `me` (`None`: a plain operation) may complete `case` now: claims it.
#[inline]
pub(crate) fn mark(me: Option<Party<'_>>) -> bool {
    me.is_none_or(|(s, case)| s.mark(case))
}

/// Claims a waiting select's offer `partner` for the caller, which is a plain operation (`me`
/// is `None`) or a select claiming its own case at the same time. The partner is woken.
pub(crate) fn claim(partner: Party<'_>, me: Option<Party<'_>>) -> Claim {
    let (p, p_case) = partner;
    let Some((m, m_case)) = me else {
        let mut state = p.state.lock();
        if state.won.is_some() {
            return Claim::PartnerTaken;
        }
        state.won = Some(p_case);
        state.fired = true;
        p.cv.notify_one();
        return Claim::Won;
    };
    debug_assert!(!Arc::ptr_eq(p, m), "a select never meets its own offer");
    // Locked in creation order: two selects claiming each other take the same order.
    let (mut p_state, mut m_state) = if p.id < m.id {
        let p_state = p.state.lock();
        (p_state, m.state.lock())
    } else {
        let m_state = m.state.lock();
        (p.state.lock(), m_state)
    };
    if m_state.won.is_some() {
        return Claim::MeTaken;
    }
    if p_state.won.is_some() {
        return Claim::PartnerTaken;
    }
    p_state.won = Some(p_case);
    p_state.fired = true;
    m_state.won = Some(m_case);
    p.cv.notify_one();
    Claim::Won
}

/// Signals registered with one channel or context; fired (after its lock is released) on every
/// change of state.
#[derive(Default)]
pub(crate) struct Watchers(Vec<Arc<Signal>>);

impl Watchers {
    pub(crate) fn add(&mut self, s: &Arc<Signal>) {
        self.0.push(Arc::clone(s));
    }

    pub(crate) fn remove(&mut self, s: &Arc<Signal>) {
        self.0.retain(|w| !Arc::ptr_eq(w, s));
    }

    /// Whether no select watches.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many signals are registered: a select that returned must leave none behind.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The signals to fire once the caller has released its lock.
    pub(crate) fn snapshot(&self) -> Vec<Arc<Signal>> {
        self.0.clone()
    }
}

pub(crate) fn fire_all(signals: Vec<Arc<Signal>>) {
    for s in signals {
        s.fire();
    }
}
