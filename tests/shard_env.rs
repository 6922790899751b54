//! `CONCHECK_SHARD=K/N` shards the default shuttle random and PCT configurations, and never
//! loom or DFS. One test in its own binary: the variable is process-wide.

use concheck::check::{Checker, LoomConfig, Shard, ShuttleConfig, SHARD_ENV};

#[test]
fn shard_env_shards_the_default_configurations() {
    std::env::set_var(SHARD_ENV, "2/4");
    let shard = Some(Shard::new(2, 4).unwrap());
    assert_eq!(ShuttleConfig::random().get_shard(), shard);
    assert_eq!(ShuttleConfig::pct().get_shard(), shard);
    let Checker::Shuttle(random) = Checker::shuttle_random() else {
        unreachable!()
    };
    assert_eq!(random.get_shard(), shard);
    // The environment cannot know that shard 1 runs this test too: it never skips a search.
    assert_eq!(LoomConfig::new().get_shard(), None);
    assert_eq!(ShuttleConfig::dfs().get_shard(), None);
    // An explicit shard wins over the environment.
    assert_eq!(
        ShuttleConfig::pct().shard(1, 2).get_shard(),
        Some(Shard::new(1, 2).unwrap())
    );
    std::env::set_var(SHARD_ENV, "");
    assert_eq!(ShuttleConfig::random().get_shard(), None);
    std::env::set_var(SHARD_ENV, "four/4");
    let err = std::panic::catch_unwind(ShuttleConfig::random).unwrap_err();
    let message = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("CONCHECK_SHARD=\"four/4\" is not a shard"),
        "{message}"
    );
    std::env::remove_var(SHARD_ENV);
}
