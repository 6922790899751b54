//! How much of a body's behaviour a search has seen: pairs of conflicting operations observed in
//! both orders.
//!
//! The whole story is on [`Coverage`], the public face of this module.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How much of a body's behaviour a search has seen: pairs of conflicting operations observed
/// in both orders.
///
/// An operation is a facade call named by what it is, its source site and its task's name
/// (`Sender::send at src/pool.rs:40:12 by 'worker-1'`). Two operations conflict when they touch
/// the same object from different tasks and at least one writes (two atomic loads, two
/// `RwLock` reads do not). Every execution records the conflicting pairs it ran in some order;
/// the figure is the pairs seen in *both* orders over the pairs seen at all, e.g.
/// `pairs 41/48 (85%)`.
///
/// # Reading the figure
///
/// - It grows with the search: more schedules can only add pairs and orders. A thin search
///   (ten random schedules) shows a low figure; compare it with a longer one on the same body.
/// - 100% is usually out of reach by design: a close that the pattern orders after every send
///   (the closer waits on the WaitGroup first) is a pair that can only be seen one way. The
///   pairs seen once are either such orders or orders the search has not tried yet; the figure
///   cannot tell which, so use it to compare searches, not as a pass mark.
/// - Tasks are told apart by name, so two workers at the same site are two operations and their
///   race is a pair; unnamed tasks are named by spawn order (`task-3`).
///
/// Reports of several searches (the shards of one check) merge by the union of their ordered
/// pairs, so a pair seen one way in shard 1 and the other in shard 3 counts as both orders.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Conflicting pairs seen in both orders.
    pub both_orders: u64,
    /// Conflicting pairs seen in at least one order.
    pub pairs: u64,
    /// Every ordered pair seen, sorted: a stable hash of the unordered pair whose lowest bit
    /// says the order. The same in every process and build, so reports of shards merge. Every
    /// id is at most [`Coverage::MAX_PAIR_ID`], so JSON tools that read numbers as doubles (jq,
    /// JavaScript) keep it exact.
    pub ordered: Vec<u64>,
}

impl Coverage {
    /// The largest pair id a report holds: 2^53 - 1, the largest integer a double holds
    /// exactly, so a report passed through a JSON tool that reads numbers as doubles keeps its
    /// coverage. Ids are hashes cut to 53 bits (the order bit kept): among the few thousand
    /// pairs of a body, two share an id with odds below one in a billion.
    pub const MAX_PAIR_ID: u64 = (1 << 53) - 1;

    /// The figure for a set of ordered pairs in the encoding of [`Coverage::ordered`] (ids
    /// above [`Coverage::MAX_PAIR_ID`] are cut to its 53 bits).
    pub fn from_ordered(ordered: impl IntoIterator<Item = u64>) -> Coverage {
        let mut ordered: Vec<u64> = ordered
            .into_iter()
            .map(|p| p & Coverage::MAX_PAIR_ID)
            .collect();
        ordered.sort_unstable();
        ordered.dedup();
        // Sorted, a pair's two orders (`p & !1` and `p | 1`) are neighbours: counting where
        // the unordered id changes counts the pairs, without a hash set.
        let mut pairs = 0;
        let mut last = None;
        for &p in &ordered {
            if last != Some(p & !1) {
                pairs += 1;
                last = Some(p & !1);
            }
        }
        let both_orders = ordered.len() as u64 - pairs;
        Coverage {
            both_orders,
            pairs,
            ordered,
        }
    }

    /// The coverage of two searches together: the union of their ordered pairs.
    pub fn merge(&self, other: &Coverage) -> Coverage {
        Coverage::from_ordered(self.ordered.iter().chain(&other.ordered).copied())
    }

    /// Pairs seen in both orders over pairs seen, from 0 to 1; `None` when the body had no
    /// conflicting operations at all (a single task, or tasks sharing nothing).
    pub fn ratio(&self) -> Option<f64> {
        (self.pairs > 0).then(|| self.both_orders as f64 / self.pairs as f64)
    }

    /// The percentage, rounded down (so 100% means every pair was seen both ways).
    pub fn percent(&self) -> Option<u64> {
        (self.pairs > 0).then(|| self.both_orders * 100 / self.pairs)
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.percent() {
            Some(p) => write!(f, "pairs {}/{} ({p}%)", self.both_orders, self.pairs),
            None => f.write_str("no conflicting pairs"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_orders_are_counted_once_per_pair() {
        // Pair 10 seen both ways, pair 20 one way.
        let c = Coverage::from_ordered([10, 11, 20, 11]);
        assert_eq!((c.both_orders, c.pairs), (1, 2));
        assert_eq!(c.to_string(), "pairs 1/2 (50%)");
        assert_eq!(
            Coverage::from_ordered([]).to_string(),
            "no conflicting pairs"
        );
    }

    #[test]
    fn pair_ids_fit_a_double_and_keep_their_order_bit() {
        let big = 0xfedc_ba98_7654_3210_u64;
        let c = Coverage::from_ordered([big, big | 1]);
        assert!(c.ordered.iter().all(|&p| p <= Coverage::MAX_PAIR_ID));
        assert!(c.ordered.iter().all(|&p| (p as f64) as u64 == p));
        assert_eq!((c.both_orders, c.pairs), (1, 1));
    }

    #[test]
    fn merging_unions_the_orders() {
        let a = Coverage::from_ordered([10, 20]);
        let b = Coverage::from_ordered([11, 30]);
        let m = a.merge(&b);
        assert_eq!((m.both_orders, m.pairs), (1, 3));
        assert_eq!(m.percent(), Some(33));
    }
}
