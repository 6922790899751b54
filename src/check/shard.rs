//! Shards: one long check split over N machines (CI jobs) with no schedule run twice.
//!
//! The whole story is on [`Shard`], the public face of this module.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The environment variable every default checker configuration reads its shard from: `K/N`.
pub const SHARD_ENV: &str = "CONCHECK_SHARD";

/// Shards: one long check split over N machines (CI jobs) with no schedule run twice.
///
/// A shard is `K/N`, numbered from 1 like cargo-nextest's `--partition count:K/N`, so one CI
/// matrix variable can drive both. It is set with [`ShuttleConfig::shard`](super::ShuttleConfig::shard)
/// (or [`LoomConfig::shard`](super::LoomConfig::shard)), the main command's `--shard K/N`, or
/// the environment variable [`SHARD_ENV`] (`CONCHECK_SHARD=3/4`), which the default shuttle
/// random and PCT configurations read, so the long checks of a test suite that every CI job runs
/// split their schedules too.
///
/// # What each checker does with a shard
///
/// - shuttle random and PCT: a search is a set of seed streams, one per worker; worker `i` of
///   shard `K/N` walks stream `(K - 1) + N * i` (seed [`worker_seed`](super::worker_seed)`(seed,
///   stream)`), each for its share of the iterations. Shards never share a stream, so N shards
///   of `n` iterations each run N times the schedules of one, none twice; with one worker each
///   they run exactly the schedules of one unsharded search of `N * n` iterations on N workers.
///   A failure carries shuttle's own schedule string, which replays alone.
/// - loom and shuttle DFS: not split. Both walk one depth-first tree in which every execution
///   is derived from the one before, so a shard cannot start in the middle without replaying
///   everything before it, and a split by count would need the tree's size before the search
///   has run. Shard 1 runs them whole; the other shards report them
///   [`Outcome::Skipped`](super::Outcome::Skipped), and a merge takes shard 1's result.
/// - std threads: every shard runs its real runs (they are independent by nature).
///
/// # Why the environment variable never skips a search
///
/// An explicit shard (`.shard(k, n)`, `--shard`) comes from a runner that runs the same checks
/// in every shard, as the main command does, so shard 1 is known to run what the others skip.
/// The environment cannot promise that: under `cargo nextest run --partition count:K/N` each
/// test runs in one job only, and a loom check skipped there would run nowhere. So
/// `CONCHECK_SHARD` only moves shuttle random and PCT to the shard's own seed streams, and loom
/// and DFS run whole wherever the test runs; a test's assertions about them hold in every job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A shard that cannot be: bad `K/N` text, `K` outside `1..=N`, or shard reports that do not
/// merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardError(pub(crate) String);

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShardError {}

impl Shard {
    /// Shard `index` of `count` (`1 <= index <= count`).
    ///
    /// # Errors
    ///
    /// If `count` is zero or `index` is outside `1..=count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if count == 0 || index == 0 || index > count {
            return Err(ShardError(format!(
                "shard {index}/{count} does not exist: shards are numbered 1 to N, like nextest's \
                 --partition count:K/N; give K/N with 1 <= K <= N"
            )));
        }
        Ok(Shard { index, count })
    }

    /// The shard named by [`SHARD_ENV`], if it is set (and not empty).
    ///
    /// # Panics
    ///
    /// If it is set to something that is not a shard: a CI job with a typo must not quietly run
    /// the unsharded search.
    pub fn from_env() -> Option<Shard> {
        let value = std::env::var(SHARD_ENV).ok()?;
        if value.trim().is_empty() {
            return None;
        }
        Some(
            value
                .parse()
                .unwrap_or_else(|e| panic!("{SHARD_ENV}={value:?} is not a shard: {e}")),
        )
    }

    /// This shard's number, from 1.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards the check is split into.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this is shard 1, which runs the searches that are not split (loom, DFS).
    pub fn is_first(self) -> bool {
        self.index == 1
    }

    /// The seed stream worker `worker` of this shard walks.
    pub(crate) fn stream(self, worker: usize) -> usize {
        (self.index - 1) as usize + self.count as usize * worker
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let bad = || {
            ShardError(format!(
                "{s:?} is not a shard: give K/N, e.g. 3/4 for the third of four (numbered from 1)"
            ))
        };
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let k = k.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl TryFrom<String> for Shard {
    type Error = ShardError;

    fn try_from(s: String) -> Result<Shard, ShardError> {
        s.parse()
    }
}

impl From<Shard> for String {
    fn from(s: Shard) -> String {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_one_like_nextest() {
        let s: Shard = "3/4".parse().unwrap();
        assert_eq!((s.index(), s.count()), (3, 4));
        assert_eq!(s.to_string(), "3/4");
        for bad in ["0/4", "5/4", "1/0", "3", "a/b", "-1/4"] {
            let e = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(e.contains("K/N"), "{bad}: {e}");
        }
    }

    #[test]
    fn shards_walk_disjoint_streams() {
        let mut streams: Vec<usize> = (1..=4)
            .flat_map(|k| {
                let s = Shard::new(k, 4).unwrap();
                (0..3).map(move |w| s.stream(w))
            })
            .collect();
        streams.sort_unstable();
        assert_eq!(streams, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn shards_serialize_as_text() {
        let s = Shard::new(2, 4).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"2/4\"");
        assert!(serde_json::from_str::<Shard>("\"9/4\"").is_err());
    }
}
