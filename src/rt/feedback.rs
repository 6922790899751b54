//! The coverage recorder's feedback to the coverage-guided scheduler
//! (`check::strategy::guided`): per execution, each pair of conflicting operations seen in only
//! one order so far (or seen in an order for the first time), with the scheduling steps of its
//! two operations.
//!
//! The scheduler sets the step it is at ([`set_step`]) before every task it picks; the recorder
//! stamps every operation with it, so an ordered pair `a` then `b` comes with the step that ran
//! `a` and the step that ran `b`: the scheduler delays `a`'s task at `a`'s step to try the other
//! order. Like the recorder, a thread-local (shuttle runs every task of an execution on the
//! runner's OS thread), and off unless the guided scheduler turned it on for the execution it
//! runs: in a rotation with other schedulers (the portfolio), their executions are not noted.

use std::cell::{Cell, RefCell};

/// One ordered pair of conflicting operations, as one execution ran it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    /// The recorder's id of the ordered pair (its two operation keys, first one high).
    pub pair: u64,
    /// The step that ran the first operation (its latest occurrence before the second).
    pub earlier: u32,
    /// The step that ran the second.
    pub later: u32,
    /// Whether the search had never seen this order before.
    pub fresh: bool,
    /// Whether the search has seen the other order.
    pub reverse_seen: bool,
}

impl Seen {
    /// The id of the same pair in the other order.
    pub(crate) fn reverse(pair: u64) -> u64 {
        pair.rotate_left(32)
    }
}

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static STEP: Cell<u32> = const { Cell::new(0) };
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
}

/// Turns noting on or off on this thread (what was noted stays until [`take`]).
pub(crate) fn set_on(on: bool) {
    ON.with(|o| o.set(on));
}

/// Whether the recorder should note pairs and steps.
#[inline]
pub(crate) fn is_on() -> bool {
    ON.with(Cell::get)
}

/// The scheduler is at step `step` of its execution.
pub(crate) fn set_step(step: usize) {
    STEP.with(|s| s.set(u32::try_from(step).unwrap_or(u32::MAX)));
}

/// The step the scheduler is at.
pub(crate) fn step() -> u32 {
    STEP.with(Cell::get)
}

/// Notes one ordered pair.
pub(crate) fn note(seen: Seen) {
    SEEN.with(|s| s.borrow_mut().push(seen));
}

/// Everything noted since the last call, and forgets it.
pub(crate) fn take() -> Vec<Seen> {
    SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn the_reverse_of_a_pair_swaps_its_keys() {
        let ab = 3u64 << 32 | 5;
        assert_eq!(Seen::reverse(ab), 5u64 << 32 | 3);
        assert_eq!(Seen::reverse(Seen::reverse(ab)), ab);
    }
}
