//! Scaled-up versions of two of this crate's own twins, where more tasks and longer runs make
//! the bug rare: the benchmark's measure of how strategies cope with depth and length.
//!
//! - `lock_order_ring`: [`crate::lock_order`]'s AB-BA twin (`lock_order_ab_ba`) around a ring
//!   of 4 accounts, each task moving money to its neighbour 3 times, source lock first. It
//!   deadlocks only if all 4 tasks hold their source lock at once: a bug of depth 4, where the
//!   2-task twin's is 2. The fix locks the lower account first, as [`crate::lock_order`] does.
//! - `safe_counter_rare_lost_update`: [`crate::safe_counter`]'s lost-update twin
//!   (`safe_counter_lost_update`, load then store) diluted: 6 tasks make 5 locked increments
//!   each, and just one of the 30 skips the lock. An update is lost only if another task's
//!   increment lands between that one load and its store. The fix takes the lock every time.

use std::sync::Arc;

use concheck::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, ASSERTS, BLOCKS};

const RING: usize = 4;
const TRANSFERS: usize = 3;

fn ring(ordered: bool) {
    let accounts: Arc<Vec<Mutex<u64>>> = Arc::new((0..RING).map(|_| Mutex::new(100)).collect());
    let tasks = (0..RING)
        .map(|i| {
            let accounts = Arc::clone(&accounts);
            spawn(format!("to-{}", (i + 1) % RING), move || {
                let (from, to) = (i, (i + 1) % RING);
                for _ in 0..TRANSFERS {
                    let (first, second) = if ordered && to < from {
                        (to, from)
                    } else {
                        (from, to)
                    };
                    let mut g1 = accounts[first].lock();
                    let mut g2 = accounts[second].lock();
                    let (src, dst) = if first == from {
                        (&mut *g1, &mut *g2)
                    } else {
                        (&mut *g2, &mut *g1)
                    };
                    *src -= 1;
                    *dst += 1;
                }
            })
        })
        .collect();
    join_all(tasks);
    let total: u64 = accounts.iter().map(|a| *a.lock()).sum();
    assert_eq!(
        total,
        100 * RING as u64,
        "money was created or lost in the ring"
    );
}

/// Each transfer locks its source first.
pub fn ring_bad() {
    ring(false);
}

/// Each transfer locks the lower account first.
pub fn ring_ok() {
    ring(true);
}

const COUNTERS: usize = 6;
const INCREMENTS: usize = 5;

fn counter(every_time_locked: bool) {
    let lock = Arc::new(Mutex::new(()));
    let count = Arc::new(AtomicUsize::new(0));
    let tasks = (0..COUNTERS)
        .map(|t| {
            let (lock, count) = (Arc::clone(&lock), Arc::clone(&count));
            spawn(format!("counter-{t}"), move || {
                for k in 0..INCREMENTS {
                    // The one increment that skips the lock: task 0's third.
                    let skip = !every_time_locked && t == 0 && k == 2;
                    let guard = (!skip).then(|| lock.lock());
                    let v = count.load(SeqCst);
                    count.store(v + 1, SeqCst);
                    drop(guard);
                }
            })
        })
        .collect();
    join_all(tasks);
    assert_eq!(
        count.load(SeqCst),
        COUNTERS * INCREMENTS,
        "an increment was lost: one load-then-store ran outside the lock"
    );
}

/// One increment of 30 skips the lock.
pub fn counter_bad() {
    counter(false);
}

/// Every increment takes the lock.
pub fn counter_ok() {
    counter(true);
}

/// The scaled twins.
pub fn programs() -> Vec<Program> {
    vec![
        Program {
            buggy: buggy(
                "sct_lock_order_ring",
                "4 tasks transfer around a ring of accounts, source lock first: a 4-way deadlock",
                BLOCKS,
                ring_bad,
                RING,
            ),
            fixed: Some(fixed(
                "sct_lock_order_ring_fixed",
                "the lower account locked first",
                ring_ok,
                RING,
            )),
            origin: "scenarios/src/lock_order.rs (lock_order_ab_ba, scaled)",
            study: None,
            tasks: RING,
        },
        Program {
            buggy: buggy(
                "sct_safe_counter_rare_lost_update",
                "6 tasks x 5 locked increments; one skips the lock: a rare lost update",
                ASSERTS,
                counter_bad,
                COUNTERS,
            ),
            fixed: Some(fixed(
                "sct_safe_counter_rare_lost_update_fixed",
                "every increment locked",
                counter_ok,
                COUNTERS,
            )),
            origin: "scenarios/src/safe_counter.rs (safe_counter_lost_update, scaled)",
            study: None,
            tasks: COUNTERS,
        },
    ]
}
