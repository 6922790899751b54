//! A check split over shards: disjoint seed streams for shuttle random and PCT, loom and DFS
//! whole in shard 1, failures that replay alone, and reports that merge.

use crate::common::lost_wakeup;
use concheck::check::{replay, Check, Checker, Completeness, LoomConfig, Report, ShuttleConfig};
use concheck::report::merge_shards;
use concheck::sync::{Arc, Mutex};
use concheck::{thread, ViolationKind};

/// The winners of each execution's race, in order, per OS thread that ran the search: a
/// fingerprint of the schedules a search walked. Only `racers` writes it.
static WINNERS: std::sync::Mutex<Vec<(std::thread::ThreadId, u8)>> =
    std::sync::Mutex::new(Vec::new());

/// Two tasks and the body race to append to one list; each execution logs the order they won.
fn racers() -> Check {
    Check::new(|| {
        let order = Arc::new(Mutex::new(Vec::new()));
        let handles: Vec<_> = (1..=2)
            .map(|i| {
                let order = Arc::clone(&order);
                thread::Builder::new()
                    .name(format!("racer-{i}"))
                    .spawn(move || order.lock().push(i))
            })
            .collect();
        order.lock().push(0);
        for h in handles {
            h.join().unwrap();
        }
        let code = order.lock().iter().fold(0, |code, i| code * 3 + i);
        let me = std::thread::current().id();
        WINNERS.lock().unwrap().push((me, code));
    })
}

/// Runs `checker` on `racers` and returns each search thread's sequence of race outcomes.
fn fingerprints(checker: Checker) -> (Report, Vec<Vec<u8>>) {
    WINNERS.lock().unwrap().clear();
    let report = racers().run(&checker);
    let mut by_thread: Vec<(std::thread::ThreadId, Vec<u8>)> = Vec::new();
    for (thread, code) in WINNERS.lock().unwrap().drain(..) {
        match by_thread.iter_mut().find(|(t, _)| *t == thread) {
            Some((_, seq)) => seq.push(code),
            None => by_thread.push((thread, vec![code])),
        }
    }
    let mut seqs: Vec<Vec<u8>> = by_thread.into_iter().map(|(_, s)| s).collect();
    seqs.sort();
    (report, seqs)
}

#[test]
fn sharding_runs_the_schedules_of_one_wider_search_none_twice() {
    // Shard K of N on one worker walks stream K - 1: the two shards together are exactly the
    // unsharded search on two workers (streams 0 and 1): same schedules, same coverage.
    let mut shards = Vec::new();
    let mut walked = Vec::new();
    for k in 1..=2 {
        let config = ShuttleConfig::random().iterations(40).shard(k, 2);
        let (report, seqs) = fingerprints(Checker::Shuttle(config));
        assert_eq!(seqs.len(), 1);
        shards.push(report);
        walked.extend(seqs);
    }
    walked.sort();
    assert_ne!(walked[0], walked[1], "two shards walked the same schedules");
    let config = ShuttleConfig::random()
        .iterations(80)
        .workers(2)
        .unsharded(); // unsharded even under CONCHECK_SHARD
    let (whole, whole_walked) = fingerprints(Checker::Shuttle(config));
    assert_eq!(walked, whole_walked);

    let merged = merge_shards(&shards).unwrap();
    assert_eq!(merged.iterations, 80);
    assert_eq!(merged.coverage, whole.coverage);
    assert_eq!(
        merged.completeness,
        Completeness::Incomplete {
            bound: "2 shards x 40 random schedules".to_owned()
        }
    );
}

#[test]
fn sharding_a_failure_found_in_shard_3_replays_alone() {
    for config in [ShuttleConfig::random(), ShuttleConfig::pct()] {
        let report = lost_wakeup().run(&Checker::Shuttle(config.shard(3, 4)));
        report.assert_finds(ViolationKind::LostWakeup);
        assert_eq!(report.shard.map(|s| s.to_string()).as_deref(), Some("3/4"));
        assert!(report.to_string().contains("[shard 3/4]"), "{report}");
        let again = replay(&lost_wakeup(), report.replay.as_deref().unwrap()).unwrap();
        assert_eq!(again.kind(), Some(ViolationKind::LostWakeup), "{again}");
        assert_eq!(again.iterations, 1);
    }
}

#[test]
fn sharding_loom_and_dfs_run_whole_in_shard_1() {
    for checker in [
        Checker::Loom(LoomConfig::new().shard(2, 4)),
        Checker::Shuttle(ShuttleConfig::dfs().shard(4, 4)),
    ] {
        let report = lost_wakeup().run(&checker);
        assert!(report.skipped(), "{report}");
        assert_eq!(report.iterations, 0);
        assert!(
            report.to_string().contains("runs whole in shard 1"),
            "{report}"
        );
        // The shard that runs it holds the assertion.
        report.assert_finds(ViolationKind::LostWakeup);
        report.assert_no_violation();
    }
    let first = lost_wakeup().run(&Checker::Loom(LoomConfig::new().shard(1, 4)));
    first.assert_finds(ViolationKind::LostWakeup);
}

#[test]
fn sharding_merges_a_violation_from_any_shard() {
    let shards: Vec<Report> = (1..=3)
        .map(|k| {
            lost_wakeup().run(&Checker::Shuttle(
                ShuttleConfig::random().iterations(200).shard(k, 3),
            ))
        })
        .collect();
    let merged = merge_shards(&shards).unwrap();
    merged.assert_finds(ViolationKind::LostWakeup);
    assert!(merged.checker.contains("found in shard 1/3"), "{merged}");
    let again = replay(&lost_wakeup(), merged.replay.as_deref().unwrap()).unwrap();
    assert_eq!(again.kind(), Some(ViolationKind::LostWakeup));
}

#[test]
fn sharding_refuses_a_shard_past_the_count_at_the_run() {
    let report = lost_wakeup().run(&Checker::Shuttle(ShuttleConfig::random().shard(5, 4)));
    assert_eq!(report.kind(), Some(ViolationKind::Misuse), "{report}");
    assert!(
        report.to_string().contains("shard 5/4 does not exist"),
        "{report}"
    );
    assert_eq!(report.iterations, 0, "{report}");
}
