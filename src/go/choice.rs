//! The order in which a `select` polls its cases, which decides the choice among ready ones.
//!
//! Go's `selectgo` polls the cases in a uniformly random permutation and takes the first ready
//! one, so every ready case is equally likely; a program must be correct whichever it gets.
//! [`poll_order`] does the same, with the randomness each backend can give:
//!
//! - std: a thread-local xorshift generator seeded from std's per-thread random hash keys, so
//!   production code sees Go's uniform choice (no dependency, one multiply per draw);
//! - shuttle: shuttle's own random values (the scheduler's `next_u64`), which the random and PCT
//!   schedulers sample and record in the schedule, so a failing report's replay string makes the
//!   same choices again. shuttle's DFS walks task orders only; its random values are not a
//!   branch it explores;
//! - loom: the declared order. loom has no choice point a program can branch on and observe (its
//!   only local branch, `Notify`'s spurious wakeup, leaves no trace the waiter can read without
//!   blocking), so a loom search does not explore the choice among several ready cases.
//!
//! Where the choice was not explored (loom, shuttle DFS), a select that fired a case while later
//! cases in its order were not polled may have had another ready case; [`note_unexplored`]
//! records that on the search's thread, and the loom and DFS runners then report their search
//! incomplete ([`UNEXPLORED`]) instead of exhaustive.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use crate::flavors::random;
use crate::rt::{self, Backend};

/// Why a loom or DFS search is not exhaustive when a select may have had a choice (loom cannot
/// branch on it; DFS does not explore random values).
pub(crate) const UNEXPLORED: &str = "select choice among ready cases not explored";

thread_local! {
    /// std: the generator's state (never zero).
    static STATE: Cell<u64> = Cell::new(seed());
    /// Set when a select may have had several ready cases under a backend that does not
    /// explore the choice; the model checkers run every task on the search's thread.
    static CHOICE_NOT_EXPLORED: Cell<bool> = const { Cell::new(false) };
}

fn seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x9E37_79B9_7F4A_7C15);
    h.finish() | 1
}

/// A uniform draw below `n` (n > 0), from the backend's randomness.
fn below(n: usize) -> usize {
    let r = random::model_u64().unwrap_or_else(|| {
        STATE.with(|s| {
            // xorshift64*: a full-period generator over non-zero states.
            let mut x = s.get();
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            s.set(x);
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        })
    });
    // The modulo bias is below n / 2^64: nothing for a select's handful of cases.
    (r % n as u64) as usize
}

/// The order to poll `n` cases in: a uniformly random permutation (Fisher-Yates), or the
/// declared order under loom. One case, or none, costs no draw.
pub(crate) fn poll_order(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if n > 1 && random::can_choose() {
        for i in (1..n).rev() {
            order.swap(i, below(i + 1));
        }
    }
    order
}

/// A select fired the case at `position` of its poll order of `n` cases: if cases after it were
/// not polled, another may have been ready, and a backend that does not explore the choice
/// must not call its search exhaustive.
pub(crate) fn note_fired(position: usize, n: usize) {
    if position + 1 < n && rt::backend() != Backend::Std {
        note_unexplored();
    }
}

fn note_unexplored() {
    CHOICE_NOT_EXPLORED.with(|c| c.set(true));
}

/// Forgets earlier notes: a search calls it before it starts.
pub(crate) fn reset_unexplored() {
    CHOICE_NOT_EXPLORED.with(|c| c.set(false));
}

/// Whether a select of the search on this thread may have had a choice the search did not
/// explore.
pub(crate) fn unexplored() -> bool {
    CHOICE_NOT_EXPLORED.with(Cell::get)
}
