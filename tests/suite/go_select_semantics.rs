//! Go's `select` semantics that a checker must model to be trusted:
//!
//! - the choice among several ready cases is uniformly random (Go's `selectgo` polls its cases
//!   in a random order), so a bug that needs the second ready case must be reachable: shuttle
//!   samples the choice (random, PCT), std takes each case about equally often, and loom, which
//!   cannot branch on it, must not call its search exhaustive;
//! - a select's send and another select's receive on a capacity-0 channel meet (Go pairs a
//!   waiting select with the other side), with one winner per select, and `try_send` completes
//!   against a receiver waiting in a select;
//! - `select {}` with no cases blocks forever: a task blocked in it is a leak at the end of its
//!   scope, or a deadlock when it is the only task.

use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};
use std::time::Duration;

use concheck::check::{Check, Checker, Completeness, LoomConfig, ShuttleConfig, StdConfig};
use concheck::go::{self, Select};
use concheck::thread;
use concheck::{TaskState, ViolationKind};

/// Two buffered channels both hold a value, so both cases of the select are ready; the body
/// asserts the first was taken, which Go does not promise.
fn second_ready_case_body() -> Check {
    Check::new(|| {
        let (a_tx, a_rx) = go::channel::<u32>(1);
        let (b_tx, b_rx) = go::channel::<u32>(1);
        a_tx.send(1);
        b_tx.send(2);
        let got = Select::new().recv(&a_rx, |v| v).recv(&b_rx, |v| v).wait();
        assert_eq!(got, Some(1), "the bug: relies on the first ready case");
    })
}

// Cost: both finds take under 10 schedules (1/2 per schedule); the bound of 200 is the sample.
#[test]
fn select_second_ready_case_is_found_by_shuttle() {
    let check = second_ready_case_body();
    for checker in [
        Checker::Shuttle(ShuttleConfig::random().iterations(200)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(200)),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::AssertionFailed);
        // The choice is part of the replay string: replaying it takes the same case again.
        let again = concheck::check::replay(&check, report.replay.as_deref().unwrap())
            .expect("the report's own replay string replays");
        assert_eq!(
            again.kind(),
            Some(ViolationKind::AssertionFailed),
            "{again}"
        );
    }
}

#[test]
fn select_choice_not_explored_is_never_called_exhaustive() {
    // loom cannot branch on the choice (it has no choice point a program can observe) and
    // shuttle's DFS walks schedules, not random values: a search that found nothing in a body
    // whose select had several ready cases is incomplete, and says why.
    let check = second_ready_case_body();
    for checker in [
        Checker::Loom(LoomConfig::default().preemption_bound(None)),
        Checker::loom(),
        Checker::shuttle_dfs(),
    ] {
        let report = check.run(&checker);
        if report.violation().is_some() {
            continue;
        }
        match &report.completeness {
            Completeness::Incomplete { bound } => {
                assert!(
                    bound.contains("select"),
                    "names the select choice: {report}"
                )
            }
            other => panic!("{other:?} claims exhaustiveness: {report}"),
        }
    }
}

#[test]
fn select_choice_is_uniform_on_std() {
    // 4,000 selects with two of three cases ready: each ready case expects 2,000; the window of
    // +-200 is 6 standard deviations (sqrt(4000 / 4) = 32), so it never flakes.
    let (a_tx, a_rx) = go::channel::<u32>(1);
    let (_idle_tx, idle_rx) = go::channel::<u32>(1);
    let (b_tx, b_rx) = go::channel::<u32>(1);
    let mut counts = [0u32; 3];
    for _ in 0..4_000 {
        a_tx.send(0);
        b_tx.send(2);
        let picked = Select::new()
            .recv(&a_rx, |_| 0)
            .recv(&idle_rx, |_| 1)
            .recv(&b_rx, |_| 2)
            .wait();
        counts[picked] += 1;
        // Drain the one not taken.
        let left = if picked == 0 { &b_rx } else { &a_rx };
        assert!(left.try_recv().is_ok());
    }
    assert_eq!(counts[1], 0, "a case that is not ready never fires");
    for c in [counts[0], counts[2]] {
        assert!((1_800..=2_200).contains(&c), "not uniform: {counts:?}");
    }
}

/// The two-selects program: each task selects over sending on its own channel and receiving on
/// the other's, all unbuffered. Exactly one rendezvous happens: one task sends, the other
/// receives that value, and neither select fires a second case.
fn crossed_selects() -> Check {
    Check::new(|| {
        let (a_tx, a_rx) = go::named::<u32>("a", 0);
        let (b_tx, b_rx) = go::named::<u32>("b", 0);
        let other = thread::Builder::new().name("b-side").spawn(move || {
            Select::new()
                .send(&b_tx, 2, || 0)
                .recv(&a_rx, |v| v.unwrap())
                .wait()
        });
        let mine = Select::new()
            .send(&a_tx, 1, || 0)
            .recv(&b_rx, |v| v.unwrap())
            .wait();
        let theirs = other.join().unwrap();
        assert!(
            (mine, theirs) == (0, 1) || (mine, theirs) == (2, 0),
            "one rendezvous, one winner per select: got {mine} and {theirs}"
        );
    })
}

// Cost (test profile, 2 cores): loom bound 2 0.1 s; 1,000 shuttle schedules 0.1 s each.
#[test]
fn select_send_meets_select_recv_on_unbuffered_channel() {
    let check = crossed_selects();
    for checker in [
        Checker::loom(),
        Checker::Shuttle(ShuttleConfig::random().iterations(1_000)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(1_000)),
        Checker::Std(
            StdConfig::new()
                .iterations(200)
                .watchdog(Duration::from_secs(5)),
        ),
    ] {
        check.run(&checker).assert_no_violation();
    }
}

#[test]
fn select_one_send_one_recv_meet() {
    // The smallest form: a select send and a select recv, nothing else.
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let sender = thread::spawn(move || Select::new().send(&tx, 5, || ()).wait());
        assert_eq!(Select::new().recv(&rx, |v| v).wait(), Some(5));
        sender.join().unwrap();
    });
    for checker in [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::Std(
            StdConfig::new()
                .iterations(200)
                .watchdog(Duration::from_secs(5)),
        ),
    ] {
        check.run(&checker).assert_no_violation();
    }
}

#[test]
fn try_send_completes_against_a_select_waiting_to_recv() {
    // The select may not be waiting yet: retry, yielding, until it is (a bounded spin: it
    // waits as soon as it runs).
    let check = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let receiver = thread::spawn(move || Select::new().recv(&rx, |v| v).wait());
        let mut v = 3;
        while let Err(back) = tx.try_send(v) {
            v = back.0;
            thread::yield_now();
        }
        assert_eq!(receiver.join().unwrap(), Some(3));
    });
    for checker in [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::Std(
            StdConfig::new()
                .iterations(50)
                .watchdog(Duration::from_secs(5)),
        ),
    ] {
        check.run(&checker).assert_no_violation();
    }
}

/// The lines of the empty selects below (one per test: the tests run in parallel).
static EMPTY_IN_TASK: AtomicU32 = AtomicU32::new(0);
static EMPTY_IN_MAIN: AtomicU32 = AtomicU32::new(0);

fn assert_blocked_in_empty_select(report: &concheck::check::Report, task: &str, line: u32) {
    let v = report.violation().unwrap();
    let blocked = v
        .tasks
        .iter()
        .find(|t| t.name == task)
        .unwrap_or_else(|| panic!("names task {task}: {report}"));
    match &blocked.state {
        TaskState::Blocked { op, object, at, .. } => {
            assert_eq!(op, "select", "{report}");
            assert_eq!(object, "[]", "a select with no cases: {report}");
            assert_eq!(at.line, line, "{report}");
        }
        other => panic!("{task} should be blocked in the select, not {other}: {report}"),
    }
}

#[test]
fn empty_select_in_a_task_is_a_leak() {
    let check = Check::new(|| {
        thread::Builder::new().name("forever").spawn(|| {
            EMPTY_IN_TASK.store(line!() + 1, StdOrdering::Relaxed);
            Select::<()>::new().wait();
        });
    });
    for checker in [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        // The watchdog's wait is how long std gives a task to end: 0.3 s.
        Checker::Std(
            StdConfig::new()
                .iterations(2)
                .watchdog(Duration::from_millis(300)),
        ),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let line = EMPTY_IN_TASK.load(StdOrdering::Relaxed);
        assert_blocked_in_empty_select(&report, "forever", line);
    }
}

#[test]
fn empty_select_in_main_is_a_deadlock() {
    let check = Check::new(|| {
        EMPTY_IN_MAIN.store(line!() + 1, StdOrdering::Relaxed);
        Select::<()>::new().wait();
    });
    for checker in [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let line = EMPTY_IN_MAIN.load(StdOrdering::Relaxed);
        assert_blocked_in_empty_select(&report, "main", line);
    }
}

#[test]
fn empty_select_blocks_outside_a_checker() {
    // Go's `select {}`: the thread never returns. It is left blocked; the test process ends.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        Select::<()>::new().wait();
        let _ = done_tx.send(());
    });
    assert_eq!(
        done_rx.recv_timeout(Duration::from_millis(200)),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout),
        "an empty select returned"
    );
}
