//! A failing model-checker report carries a replay string that runs the failing schedule again,
//! once, with the same result; std reports carry none.

use std::time::Duration;

use concheck::check::{self, Check, Checker, Completeness, Report, StdConfig};
use concheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use concheck::sync::{Arc, Condvar, Mutex};
use concheck::thread;
use concheck::ViolationKind;

/// The setter raises the flag without the lock; the waiter checks it once, then waits: the
/// notify can land between the check and the wait.
fn lost_wakeup() -> Check {
    Check::new(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        let setter = {
            let (flag, pair) = (Arc::clone(&flag), Arc::clone(&pair));
            thread::Builder::new().name("setter").spawn(move || {
                flag.store(true, Ordering::SeqCst);
                pair.1.notify_one();
            })
        };
        let g = pair.0.lock();
        if !flag.load(Ordering::SeqCst) {
            let _g = pair.1.wait(g);
        }
        setter.join().unwrap();
    })
}

/// Two tasks take two locks in opposite orders; the body joins both.
fn ab_ba() -> Check {
    Check::new(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a1, b1) = (Arc::clone(&a), Arc::clone(&b));
        let ab = thread::Builder::new().name("ab").spawn(move || {
            let _a = a1.lock();
            let _b = b1.lock();
        });
        let ba = thread::Builder::new().name("ba").spawn(move || {
            let _b = b.lock();
            let _a = a.lock();
        });
        ab.join().unwrap();
        ba.join().unwrap();
    })
}

/// Two load-then-store increments; the body asserts neither was lost.
fn lost_update() -> Check {
    Check::new(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || {
            let v = n2.load(Ordering::SeqCst);
            n2.store(v + 1, Ordering::SeqCst);
        });
        let v = n.load(Ordering::SeqCst);
        n.store(v + 1, Ordering::SeqCst);
        t.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 2, "lost update");
    })
}

fn replayable_checkers() -> [Checker; 4] {
    [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::shuttle_dfs(),
    ]
}

/// `check` under `checker` finds `kind` with a replay string, and replaying it runs one
/// execution with the same violation.
fn assert_replays(check: &Check, checker: &Checker, kind: ViolationKind) -> (Report, Report) {
    let first = check.run(checker);
    first.assert_finds(kind);
    let replay = first.replay.as_deref().unwrap_or_else(|| {
        panic!(
            "a failing {} report has no replay string: {first}",
            checker.short_name()
        )
    });
    let prefix = match checker {
        Checker::Loom(_) => "loom:",
        _ => "shuttle:",
    };
    assert!(replay.starts_with(prefix), "{replay}");

    let again = check::replay(check, replay).unwrap_or_else(|e| panic!("{e}"));
    again.assert_finds(kind);
    assert_eq!(
        again.iterations, 1,
        "a replay runs exactly the failing schedule: {again}"
    );
    assert_eq!(again.replay.as_deref(), Some(replay), "{again}");
    assert!(
        matches!(again.completeness, Completeness::Incomplete { .. }),
        "one schedule is not a complete search: {again}"
    );
    let (v1, v2) = (first.violation().unwrap(), again.violation().unwrap());
    assert_eq!(
        v1.tasks, v2.tasks,
        "the replay should show the same tasks in the same states"
    );
    assert_eq!(v1.sites, v2.sites);
    (first, again)
}

#[test]
fn lost_wakeup_replays_under_every_model_checker() {
    for checker in replayable_checkers() {
        assert_replays(&lost_wakeup(), &checker, ViolationKind::LostWakeup);
    }
}

#[test]
fn deadlock_replays_under_every_model_checker() {
    for checker in replayable_checkers() {
        assert_replays(&ab_ba(), &checker, ViolationKind::Deadlock);
    }
}

#[test]
fn assertion_replays_under_every_model_checker() {
    for checker in replayable_checkers() {
        let (_, again) = assert_replays(&lost_update(), &checker, ViolationKind::AssertionFailed);
        assert!(
            again.violation().unwrap().message.contains("lost update"),
            "{again}"
        );
    }
}

#[test]
fn leak_replays_under_every_model_checker() {
    let check = Check::new(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        thread::Builder::new().name("stuck").spawn(move || {
            let _g = p2.1.wait_while(p2.0.lock(), |ready| !*ready);
        });
    });
    for checker in replayable_checkers() {
        assert_replays(&check, &checker, ViolationKind::Leak);
    }
}

#[test]
fn loom_replay_keeps_exhaustive_setting() {
    let checker = Checker::Loom(check::LoomConfig::new().preemption_bound(None));
    let (first, again) = assert_replays(&lost_wakeup(), &checker, ViolationKind::LostWakeup);
    assert!(
        first.replay.as_deref().unwrap().contains(":pb=none;"),
        "{first}"
    );
    assert!(again.checker.contains("exhaustive"), "{again}");
}

#[test]
fn replay_of_the_fixed_body_finds_nothing_under_loom() {
    // The same schedule against the fixed body (the flag checked in a loop, under the lock the
    // notifier takes): the replay runs the body, not a recording of it.
    // Both named alike, as one test's check before and after a fix: the string's fingerprint
    // matches, and the replay runs the new body.
    let first = lost_wakeup().id("lost wakeup").run(&Checker::loom());
    first.assert_finds(ViolationKind::LostWakeup);
    let fixed = Check::new(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        let setter = {
            let (flag, pair) = (Arc::clone(&flag), Arc::clone(&pair));
            thread::Builder::new().name("setter").spawn(move || {
                let _g = pair.0.lock();
                flag.store(true, Ordering::SeqCst);
                pair.1.notify_one();
            })
        };
        let mut g = pair.0.lock();
        while !flag.load(Ordering::SeqCst) {
            g = pair.1.wait(g);
        }
        drop(g);
        setter.join().unwrap();
    })
    .id("lost wakeup");
    // The fixed setter takes the lock: it leaves the recorded schedule, or runs it clean.
    match check::replay(&fixed, first.replay.as_deref().unwrap()) {
        Ok(again) => assert_eq!(again.kind(), None, "{again}"),
        Err(e) => assert!(matches!(e, check::ReplayError::Diverged { .. }), "{e}"),
    }
}

#[test]
fn std_reports_have_no_replay() {
    let passing = lost_wakeup().run(&Checker::Std(StdConfig::new().iterations(20)));
    // Real threads rarely hit the lost wakeup; whatever they find, they cannot replay it.
    assert_eq!(passing.replay, None, "{passing}");

    let failing = Check::new(|| {
        let t = thread::spawn(|| 1);
        assert_eq!(t.join().unwrap(), 2, "deliberate");
    })
    .run(&Checker::Std(
        StdConfig::new().watchdog(Duration::from_secs(5)),
    ));
    failing.assert_finds(ViolationKind::AssertionFailed);
    assert_eq!(failing.iterations, 1, "the first run fails: {failing}");
    assert_eq!(failing.replay, None, "{failing}");
}

#[test]
fn passing_model_reports_have_no_replay() {
    let fixed = Check::new(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || n2.fetch_add(1, Ordering::SeqCst));
        n.fetch_add(1, Ordering::SeqCst);
        t.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 2);
    });
    for checker in replayable_checkers() {
        let report = fixed.run(&checker);
        report.assert_no_violation();
        assert_eq!(report.replay, None, "{report}");
    }
}

/// The README's loom example (a producer leaked on a full channel): its replay string is the
/// compact empty path the README prints, and it replays to the same leak.
#[test]
fn the_readme_loom_example_prints_a_short_string_that_replays() {
    use concheck::go;
    let check = Check::new(|| {
        let (tx, rx) = go::named::<u32>("results", 0);
        thread::Builder::new().name("producer").spawn(move || {
            for v in [1, 2, 3] {
                tx.send(v);
            }
            tx.close();
        });
        assert_eq!(rx.recv(), Some(1));
    });
    let (first, _) = assert_replays(&check, &Checker::loom(), ViolationKind::Leak);
    let s = first.replay.unwrap();
    assert!(s.ends_with(":pb=2;branches=1000:C2.0.101"), "{s}");
}
