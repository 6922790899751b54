//! shuttle searches on several OS threads: each worker has its own seed, the first failure
//! stops the others, and a failure replays alone from its report.

use crate::common::lost_wakeup;
use concheck::check::{replay, worker_seed, Check, Checker, ShuttleConfig};
use concheck::sync::{Arc, Mutex};
use concheck::{thread, ViolationKind};

fn counter() -> Check {
    Check::new(|| {
        let n = Arc::new(Mutex::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || *n2.lock() += 1);
        *n.lock() += 1;
        t.join().unwrap();
        assert_eq!(*n.lock(), 2);
    })
}

#[test]
fn parallel_search_finds_and_replays_alone() {
    for config in [ShuttleConfig::random(), ShuttleConfig::pct()] {
        let report = lost_wakeup().run(&Checker::Shuttle(config.workers(2)));
        report.assert_finds(ViolationKind::LostWakeup);
        assert!(
            report.checker.contains("on 2 workers, found by worker"),
            "{report}"
        );
        let again = replay(&lost_wakeup(), report.replay.as_deref().unwrap()).unwrap();
        assert_eq!(again.kind(), Some(ViolationKind::LostWakeup), "{again}");
        assert_eq!(again.iterations, 1);
    }
}

#[test]
fn parallel_search_runs_every_iteration_when_nothing_fails() {
    let report = counter().run(&Checker::Shuttle(
        ShuttleConfig::random().iterations(301).workers(2),
    ));
    report.assert_no_violation();
    assert_eq!(report.iterations, 301, "the shares add up: {report}");
    assert!(format!("{:?}", report.completeness).contains("301 random schedules on 2 workers"));
}

#[test]
fn parallel_search_stops_at_the_first_failure() {
    // Every execution fails at once, so neither worker can get far once one has failed.
    let check = Check::new(|| panic!("always"));
    let report = check.run(&Checker::Shuttle(
        ShuttleConfig::random().iterations(10_000).workers(2),
    ));
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(report.iterations < 100, "{report}");
}

#[test]
fn worker_zero_is_the_single_search() {
    assert_eq!(worker_seed(0xc0ffee, 0), 0xc0ffee);
    assert_ne!(worker_seed(0xc0ffee, 1), worker_seed(0xc0ffee, 2));
    let single = lost_wakeup().run(&Checker::shuttle_random());
    let one_worker = lost_wakeup().run(&Checker::Shuttle(ShuttleConfig::random().workers(1)));
    assert_eq!(single.iterations, one_worker.iterations);
    assert_eq!(single.replay, one_worker.replay);
}

#[test]
fn zero_workers_is_refused_at_the_run() {
    let report = lost_wakeup().run(&Checker::Shuttle(ShuttleConfig::random().workers(0)));
    assert_eq!(report.kind(), Some(ViolationKind::Misuse), "{report}");
    assert!(report.to_string().contains("at least 1 worker"), "{report}");
}

/// One PCT worker gives up ("the body never had two tasks runnable at once") while another is
/// still inside the execution that fails: the failure is the verdict. The first execution (by a
/// shared count) sleeps 300 ms on its OS thread and then fails; every other execution spawns
/// and joins a task that does nothing, which is no concurrency to PCT, so the other worker gives
/// up after its first execution, long before the sleep ends. Before the fix the giving-up
/// worker stopped the search, the sleeping worker's failure was dropped as "stopped by
/// another", and the report said nothing was found (seen as a flake of
/// `budget::the_first_failure_stops_every_worker_at_once`).
#[test]
fn a_worker_that_finds_no_concurrency_does_not_hide_another_workers_failure() {
    static EXECUTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let check = Check::new(|| {
        let n = EXECUTIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n == 0 {
            std::thread::sleep(std::time::Duration::from_millis(300));
            panic!("the first execution fails");
        }
        thread::spawn(|| {}).join().unwrap();
    });
    let report = check.run(&Checker::Shuttle(
        ShuttleConfig::pct().iterations(100).workers(2),
    ));
    report.assert_finds(ViolationKind::AssertionFailed);
}
