//! A failing shuttle schedule is shrunk before it is reported: the report's violation and
//! replay string are the shrunk run's, `shrunk` says by how much, and the replay reproduces it.

use crate::common::{lost_wakeup, shrunk_and_replayed};
use concheck::check::{Check, Checker, Report, ShuttleConfig};
use concheck::go;
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::Arc;
use concheck::thread;
use concheck::ViolationKind;

/// `report`'s shrink went no bigger, fewer preemptions first, the report says so, and its
/// replay string runs the very run the report describes, once.
fn assert_shrunk_and_replays(check: &Check, report: &Report) {
    let again = shrunk_and_replayed(check, report);
    let shrunk = report.shrunk.unwrap();
    assert!(
        shrunk.preemptions_after <= shrunk.preemptions_before,
        "{report}"
    );
    assert!(report
        .to_string()
        .contains(&format!("\n  shrunk: {shrunk}")));
    assert_eq!(again.kind(), report.kind(), "{again}");
    assert_eq!(again.iterations, 1);
}

/// Three bodies whose bugs need exactly 0, 1 (`lost_wakeup`: the waiter between its check of
/// the flag and its wait) and 2 preemptions.
fn always_double_close() -> Check {
    Check::new(|| {
        let (tx, rx) = go::named::<u32>("results", 2);
        let worker_tx = tx.clone();
        let worker = thread::Builder::new().name("worker").spawn(move || {
            worker_tx.send(1);
            worker_tx.send(2);
            worker_tx.close();
        });
        assert_eq!(rx.recv(), Some(1));
        worker.join().unwrap();
        tx.close(); // the worker closed it already, in every schedule
    })
}

/// Two preemptions: the body sees the writer's intermediate value only if the writer runs
/// before the body's load (one) and stops between its two stores (two); the writer never
/// blocks. A bystander task counting on its own gives random schedules room for noise.
fn intermediate_value() -> Check {
    Check::new(|| {
        let x = Arc::new(AtomicUsize::new(0));
        let writer = {
            let x = Arc::clone(&x);
            thread::spawn(move || {
                x.store(1, Ordering::SeqCst);
                x.store(0, Ordering::SeqCst);
            })
        };
        let bystander = thread::spawn(|| {
            let n = AtomicUsize::new(0);
            for _ in 0..4 {
                n.fetch_add(1, Ordering::SeqCst);
            }
        });
        let local = AtomicUsize::new(0);
        for _ in 0..3 {
            local.fetch_add(1, Ordering::SeqCst); // scheduling points, not yields
        }
        assert_eq!(x.load(Ordering::SeqCst), 0, "saw the intermediate value");
        writer.join().unwrap();
        bystander.join().unwrap();
    })
}

#[test]
fn shrinking_reaches_the_fewest_preemptions_a_bug_needs() {
    let bodies = [
        (always_double_close(), ViolationKind::DoubleClose, 0),
        (lost_wakeup(), ViolationKind::LostWakeup, 1),
        (intermediate_value(), ViolationKind::AssertionFailed, 2),
    ];
    for (check, kind, fewest) in bodies {
        let mut shrank_some = false;
        for seed in 1..=6 {
            let report = check.run(&Checker::Shuttle(ShuttleConfig::random().seed(seed)));
            report.assert_finds(kind);
            assert_shrunk_and_replays(&check, &report);
            let shrunk = report.shrunk.unwrap();
            assert_eq!(shrunk.preemptions_after, fewest, "seed {seed}: {report}");
            shrank_some |= shrunk.preemptions_before > fewest;
        }
        assert!(
            shrank_some,
            "no seed found a schedule with more than {fewest} preemptions"
        );
    }
}

#[test]
fn a_zero_shrink_budget_reports_the_schedule_as_found() {
    let config = ShuttleConfig::random().seed(3);
    let found = lost_wakeup().run(&Checker::Shuttle(config.clone().max_shrink_trials(0)));
    found.assert_finds(ViolationKind::LostWakeup);
    assert_eq!(found.shrunk, None);
    assert!(!found.to_string().contains("shrunk"), "{found}");
    let shrunk = lost_wakeup().run(&Checker::Shuttle(config));
    assert_eq!(shrunk.iterations, found.iterations, "the same search");
    assert_ne!(shrunk.replay, found.replay, "{shrunk}\n{found}");
}

#[test]
fn loom_and_passing_reports_are_not_shrunk() {
    let report = lost_wakeup().run(&Checker::loom());
    report.assert_finds(ViolationKind::LostWakeup);
    assert_eq!(report.shrunk, None, "{report}");
    let passing = Check::new(|| {}).run(&Checker::shuttle_random());
    assert_eq!(passing.shrunk, None, "{passing}");
}

#[test]
fn shrinkage_survives_json_and_older_reports_read_without_it() {
    let report = lost_wakeup().run(&Checker::shuttle_pct());
    let json = serde_json::to_value(&report).unwrap();
    let back: Report = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back.shrunk, report.shrunk);
    assert!(back.shrunk.is_some());
    let mut older = json;
    older.as_object_mut().unwrap().remove("shrunk");
    let back: Report = serde_json::from_value(older).unwrap();
    assert_eq!(back.shrunk, None);
}
