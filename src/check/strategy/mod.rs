//! Search strategies of concheck's own, as shuttle schedulers: partial order sampling
//! ([`pos`]), random delay bounding ([`delay`]), delay-bounded DFS ([`delay_dfs`]),
//! coverage-guided fuzzing of schedules ([`guided`]), and rotations of several schedulers over
//! the executions of one search ([`rotate`]: iterative-deepening PCT, the portfolio).
//!
//! Each is an ordinary [`shuttle::scheduler::Scheduler`]: shuttle records the schedule it
//! picks as it records any other's, so a failure replays from the same `shuttle:` replay string
//! and shrinks like a random or PCT failure (see `super::shrink`). The seed each is built from
//! decides every choice it makes (delay-bounded DFS has none: it is deterministic), so a search
//! is repeatable.

pub(crate) mod delay;
pub(crate) mod delay_dfs;
pub(crate) mod guided;
pub(crate) mod pos;
pub(crate) mod rotate;

use shuttle::scheduler::{Task, TaskId};

/// SplitMix64: a small, fast generator whose whole state is one word, enough for picking tasks
/// and steps (not for anything an adversary chooses).
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0); the bias of the modulo is below 2^-40 for the step counts
    /// drawn here.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The ids of the tasks shuttle offers that can run now (not those only waiting for a spurious
/// wakeup), in shuttle's order: what every scheduler here chooses among.
pub(crate) fn runnable_ids(offered: &[&Task]) -> Vec<TaskId> {
    offered
        .iter()
        .filter(|t| t.runnable())
        .map(|t| t.id())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn the_generator_is_repeatable_and_spreads() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let mut r = Rng::new(7);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        let mut seen = [0u32; 4];
        for _ in 0..4000 {
            seen[r.below(4)] += 1;
        }
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }
}
