//! Who to wake among the tasks waiting on one condvar, so that a change notifies only a task
//! that may be asleep.
//!
//! On std a `notify_one` or `notify_all` is a `futex` syscall whether or not anyone waits, and
//! under shuttle it is a scheduling point. A channel used to notify both of its condvars on
//! every send and receive: three syscalls per message (BENCHMARKS.md). [`Waiters`] counts, under
//! the lock the condvar waits with, the tasks waiting and how many of them a notify already
//! went to; a change is notified only while some waiter has not been.
//!
//! # Two kinds of change
//!
//! - A change *any* waiter can act on (room in a buffer): its `notify_one` may go to whichever
//!   task is asleep when it is sent, even one that started to wait after the change; that task
//!   acts on it. It is sent after the lock is released ([`Wake::One`]), so the woken task does
//!   not wake only to block on the lock.
//! - A change only *one particular* waiter can act on (a value handed to its ticket, its offer
//!   taken): a `notify_one` sent after the lock is released can be absorbed by a task that
//!   started to wait in between, which finds nothing for itself and waits again, while the one
//!   task the change was for sleeps on. (This lost wakeup was real: two receivers, one value
//!   handed to the first, the second starting to wait before the notify; the channel
//!   conformance property `handoff_wakes_its_receiver_at_capacity_0` fails on it within ten shuttle
//!   schedules.) Such a notify is sent *before* the lock is released ([`Wake::TheOne`]), when
//!   the tasks asleep are exactly those this hold counted; with more than one of them that
//!   may be the one, every waiter is woken instead.
//!
//! # No wakeup is lost
//!
//! Write `W` for `waiting`, `N` for `notified` and `S` for the waiters actually asleep in the
//! condvar, and `P` for the notifies decided but not yet sent (each is sent right after the
//! hold that decided it). Then `S <= W - N + P` holds at every point where the
//! lock is held: a task counts itself ([`Waiters::start`]) and starts to sleep in one lock hold
//! (`W` and `S` grow together); a notify owed while `S > 0` takes one sleeper out of `S` as `N`
//! grows (at once if sent under the lock, when it is sent otherwise, `P` covering the gap); a
//! spurious wakeup only shrinks `S`; a waiter that returns ([`Waiters::end`]) lowers `W` and `N`
//! (if non-zero) by one; `notify_all` sets `N = W` and empties `S`. A notify is skipped only
//! when `N = W`, so then every sleeper is covered by a notify still to be sent, and each
//! waiter re-checks the state under the lock before it sleeps again.
//!
//! A targeted notify sent under the lock with `W - N = 1` and no notify pending finds at most
//! one sleeper: if the task it is for is asleep, it is that sleeper and is woken; if it is
//! awake, it will re-check. With a notify pending, that one wakes whoever the targeted one
//! did not.

use crate::sync::Condvar;

/// The notify a change of state owes one condvar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wake {
    Nobody,
    /// A `notify_one` for a change any waiter can act on: send it after the lock is released.
    One,
    /// A `notify_one` for the one waiter a change was for: send it before the lock is
    /// released ([`Wake::under_lock`]).
    TheOne,
    All,
}

impl Wake {
    /// Sends the notify (see [`Wake::under_lock`] for when).
    #[inline]
    pub(crate) fn notify(self, cv: &Condvar) {
        match self {
            Wake::Nobody => {}
            Wake::One | Wake::TheOne => cv.notify_one(),
            Wake::All => cv.notify_all(),
        }
    }

    /// Whether the notify must be sent while the lock is still held: a notify meant for one
    /// particular waiter, which a task starting to wait after the unlock could absorb.
    #[inline]
    pub(crate) fn under_lock(self) -> bool {
        self == Wake::TheOne
    }
}

/// The waiters of one condvar; see the [module docs](self). Every method is called with the
/// condvar's lock held.
#[derive(Debug)]
pub(crate) struct Waiters {
    /// Tasks between [`Waiters::start`] and [`Waiters::end`].
    waiting: usize,
    /// How many of them a notify went to (it may have found them awake already).
    notified: usize,
    /// The notify owed by the changes of this lock hold.
    owed: Wake,
}

impl Waiters {
    pub(crate) fn new() -> Waiters {
        Waiters {
            waiting: 0,
            notified: 0,
            owed: Wake::Nobody,
        }
    }

    /// The caller is about to wait on the condvar, in this lock hold.
    #[inline]
    pub(crate) fn start(&mut self) {
        self.waiting += 1;
    }

    /// The caller's wait returned, notified or not.
    #[inline]
    pub(crate) fn end(&mut self) {
        self.waiting -= 1;
        self.notified = self.notified.saturating_sub(1);
    }

    /// A change any one waiter can act on (a free slot): wake one not yet notified.
    #[inline]
    pub(crate) fn wake_any_one(&mut self) {
        if self.notified < self.waiting {
            match self.owed {
                Wake::Nobody => {
                    self.notified += 1;
                    self.owed = Wake::One;
                }
                // A second change in one hold: two waiters must run.
                Wake::One | Wake::TheOne | Wake::All => self.wake_all(),
            }
        }
    }

    /// A change only one particular task can act on (its ticket was handed a value, its offer
    /// taken); it may be waiting or not. A condvar cannot single it out: with one waiter not
    /// yet notified wake it, under the lock ([`Wake::TheOne`]), with more wake all (the others
    /// re-check and wait again).
    #[inline]
    pub(crate) fn wake_the_one(&mut self) {
        match (self.waiting - self.notified, self.owed) {
            (0, _) => {}
            (1, Wake::Nobody) => {
                self.notified += 1;
                self.owed = Wake::TheOne;
            }
            _ => self.wake_all(),
        }
    }

    /// A change every waiter must see (a close).
    #[inline]
    pub(crate) fn wake_all(&mut self) {
        if self.notified < self.waiting {
            self.notified = self.waiting;
            self.owed = Wake::All;
        }
    }

    /// Whether the changes of the current hold owe no notify ([`Waiters::take_owed`] would
    /// return [`Wake::Nobody`]).
    #[inline]
    pub(crate) fn owes_nothing(&self) -> bool {
        self.owed == Wake::Nobody
    }

    /// The notify owed so far, to send once the lock is released; resets it.
    #[inline]
    pub(crate) fn take_owed(&mut self) -> Wake {
        std::mem::replace(&mut self.owed, Wake::Nobody)
    }
}

#[cfg(test)]
mod tests {
    use super::{Waiters, Wake};

    #[test]
    fn waiters_notify_nobody_when_nobody_waits() {
        let mut w = Waiters::new();
        w.wake_any_one();
        w.wake_the_one();
        w.wake_all();
        assert_eq!(w.take_owed(), Wake::Nobody);
    }

    #[test]
    fn waiters_notify_a_sleeper_once_until_it_runs() {
        let mut w = Waiters::new();
        w.start();
        w.wake_any_one();
        assert_eq!(w.take_owed(), Wake::One);
        assert!(
            !Wake::One.under_lock(),
            "any waiter may take a room: notify after unlock"
        );
        // The woken waiter has not run yet: a second change owes nothing more.
        w.wake_any_one();
        w.wake_the_one();
        assert_eq!(w.take_owed(), Wake::Nobody);
        // It ran, and waits again: the next change wakes it again.
        w.end();
        w.start();
        w.wake_any_one();
        assert_eq!(w.take_owed(), Wake::One);
    }

    #[test]
    fn waiters_wake_one_particular_task_under_the_lock() {
        let mut w = Waiters::new();
        w.start();
        w.wake_the_one();
        let owed = w.take_owed();
        assert_eq!(owed, Wake::TheOne);
        assert!(
            owed.under_lock(),
            "a notify for one particular waiter sent after the unlock can be absorbed by a \
             task that starts to wait in between"
        );
        // A second change in the same hold wakes everyone.
        let mut w = Waiters::new();
        w.start();
        w.start();
        w.wake_any_one();
        w.wake_the_one();
        assert_eq!(w.take_owed(), Wake::All);
    }

    #[test]
    fn waiters_wake_all_for_one_particular_task_among_many() {
        let mut w = Waiters::new();
        w.start();
        w.start();
        w.wake_the_one();
        assert_eq!(w.take_owed(), Wake::All);
        w.wake_all();
        assert_eq!(w.take_owed(), Wake::Nobody, "both are notified already");
    }

    #[test]
    fn waiters_two_changes_in_one_hold_wake_two() {
        let mut w = Waiters::new();
        (0..3).for_each(|_| w.start());
        w.wake_any_one();
        w.wake_any_one();
        assert_eq!(w.take_owed(), Wake::All);
    }

    /// `Chan::wake` skips the notify path when `owes_nothing`: it must agree with `take_owed`.
    #[test]
    fn waiters_owe_nothing_exactly_when_take_owed_is_nobody() {
        let mut w = Waiters::new();
        w.wake_any_one();
        assert!(w.owes_nothing(), "nobody waits: no wake is owed");
        w.start();
        w.wake_any_one();
        assert!(
            !w.owes_nothing(),
            "a waiter not yet notified is owed a wake: the fast path would lose it"
        );
        assert_eq!(w.take_owed(), Wake::One);
        assert!(
            w.owes_nothing(),
            "taken: nothing owed until the next change"
        );
    }

    #[test]
    fn waiters_spurious_return_keeps_the_count_safe() {
        let mut w = Waiters::new();
        w.start();
        w.start();
        w.wake_any_one();
        assert_eq!(w.take_owed(), Wake::One);
        // The other waiter returned spuriously and took the notified slot: the count of
        // notified waiters may only undercount, which costs a spare notify, never a lost one.
        w.end();
        w.wake_any_one();
        assert_eq!(w.take_owed(), Wake::One);
    }
}
