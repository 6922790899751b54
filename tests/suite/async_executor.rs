//! The executor under every checker: `block_on` loses no wake (one during the poll, one from
//! another task before the park), `spawn`'s `JoinHandle` is a future and a blocking join, and an
//! async task is a registered facade task: a leaked one is named with its spawn site and what it
//! awaits, one never woken is a lost wakeup (not a hang), and it counts toward the task bounds.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use concheck::check::{Check, Checker, LoomConfig, Report, StdConfig};
use concheck::future::{self, channel};
use concheck::sync::{Arc, Mutex};
use concheck::{Site, TaskInfo, TaskState, ViolationKind};

fn exhaustive() -> Checker {
    Checker::Loom(LoomConfig::new().preemption_bound(None))
}

/// The models, and real threads with a short watchdog (for bodies that never end).
fn every_checker_short_watchdog() -> Vec<Checker> {
    let mut checkers = Checker::models();
    checkers.push(Checker::Std(
        StdConfig::new().watchdog(Duration::from_millis(300)),
    ));
    checkers
}

fn task_named<'r>(report: &'r Report, name: &str) -> &'r TaskInfo {
    let v = report.violation().expect("a violation");
    v.tasks
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no task '{name}' in the report: {report}"))
}

fn assert_here(site: &Site, line: u32, report: &Report) {
    assert_eq!(site.file, file!(), "not the caller's file: {report}");
    assert_eq!(site.line, line, "not the caller's line: {report}");
}

/// Wakes itself during its first poll, then returns `Pending`: the park that follows must see
/// the wake and return at once.
struct WakeThenPend(bool);

impl Future for WakeThenPend {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn block_on_keeps_a_wake_that_came_during_the_poll() {
    // Under the checkers first: were the wake lost, they report it; a plain call would hang.
    Check::new(|| future::block_on(WakeThenPend(false))).assert_no_violation(&Checker::defaults());
    future::block_on(WakeThenPend(false));
}

/// A value slot whose future checks and registers under one lock.
struct Slot {
    state: Mutex<(Option<u32>, Option<Waker>)>,
}

struct Take(Arc<Slot>);

impl Future for Take {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let mut state = self.0.state.lock();
        match state.0.take() {
            Some(v) => Poll::Ready(v),
            None => {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[test]
fn block_on_keeps_a_wake_from_another_task_that_came_before_the_park() {
    // The setter can run between main's `Pending` and its park: the wake sets the parker's flag
    // and the park returns at once. Exhaustive loom explores that window. Measured: 18 executions.
    let check = Check::new(|| {
        let slot = Arc::new(Slot {
            state: Mutex::new((None, None)),
        });
        let setter = Arc::clone(&slot);
        let setter = future::Builder::new().name("setter").spawn(async move {
            let waker = {
                let mut state = setter.state.lock();
                state.0 = Some(9);
                state.1.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        });
        assert_eq!(future::block_on(Take(slot)), 9);
        setter.join().unwrap();
    });
    let report = check.run(&exhaustive());
    report.assert_no_violation();
    assert!(report.verified(), "{report}");
    check.assert_no_violation(&Checker::defaults());
}

#[test]
fn spawn_hands_back_the_value_through_await_and_through_join() {
    Check::new(|| {
        let awaited = future::spawn(async { 1 });
        let joined = future::Builder::new().name("joined").spawn(async { 2 });
        assert_eq!(future::block_on(awaited).unwrap(), 1);
        assert_eq!(joined.join().unwrap(), 2);
    })
    .assert_no_violation(&Checker::defaults());
}

#[test]
fn a_panicking_task_is_an_error_to_its_handle_outside_a_checker() {
    let joined = future::Builder::new()
        .name("boom")
        .spawn(async { panic!("boom: bad input") });
    let err = joined.join().unwrap_err();
    assert_eq!(err.message(), Some("boom: bad input"));
    assert!(
        err.to_string().contains("async task 'boom' panicked"),
        "{err}"
    );

    let awaited = future::spawn(async { panic!("again") });
    let err = future::block_on(awaited).unwrap_err();
    assert!(err.to_string().ends_with("panicked"), "{err}");
}

#[test]
fn a_panicking_task_is_reported_under_a_checker() {
    let check = Check::new(|| {
        let t = future::Builder::new()
            .name("boom")
            .spawn(async { panic!("boom: bad input") });
        let _ = future::block_on(t);
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::TaskPanicked);
        assert!(report.to_string().contains("'boom'"), "{report}");
    }
}

#[test]
fn a_leaked_async_task_is_named_with_its_spawn_site_and_what_it_awaits() {
    static SPAWN: AtomicU32 = AtomicU32::new(0);
    static RECV: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (jobs, incoming) = channel::named::<u32>("jobs", 1);
        SPAWN.store(line!() + 1, StdOrdering::Relaxed);
        let worker = future::Builder::new().name("worker").spawn(async move {
            RECV.store(line!() + 1, StdOrdering::Relaxed);
            while incoming.recv().await.is_some() {}
        });
        future::block_on(jobs.send(1));
        drop(worker); // BUG: returns without closing jobs
    });
    for checker in every_checker_short_watchdog() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let worker = task_named(&report, "worker");
        assert_here(
            worker.spawned_at.as_ref().expect("a spawn site"),
            SPAWN.load(StdOrdering::Relaxed),
            &report,
        );
        match &worker.state {
            TaskState::Blocked { op, object, at, .. } => {
                assert_eq!(op, "async recv", "{report}");
                assert!(object.starts_with("async channel 'jobs'"), "{report}");
                assert_here(at, RECV.load(StdOrdering::Relaxed), &report);
            }
            other => panic!("the worker should be blocked, not {other}: {report}"),
        }
    }
}

/// Never ready, and says what it waits for.
struct Never;

impl Future for Never {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        future::awaiting("a signal nobody sends");
        Poll::Pending
    }
}

#[test]
fn a_future_never_woken_is_a_lost_wakeup_not_a_hang() {
    let check = Check::new(|| future::block_on(Never));
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::LostWakeup);
        let text = report.to_string();
        assert!(
            text.contains("never got a Waker call after its last Pending"),
            "{report}"
        );
        assert!(
            text.contains("blocked in async await on a signal nobody sends"),
            "{report}"
        );
    }
}

#[test]
fn awaiting_a_stuck_task_names_it() {
    let check = Check::new(|| {
        let stuck = future::Builder::new().name("stuck").spawn(Never);
        future::block_on(stuck).unwrap();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::LostWakeup);
        assert!(
            report
                .to_string()
                .contains("blocked in async join on async task #1 'stuck'"),
            "{report}"
        );
    }
}

#[test]
fn async_tasks_count_toward_max_live_tasks() {
    let check = Check::new(|| {
        let (tx, rx) = channel::named::<u32>("gate", 2);
        let a = future::spawn(async move { rx.recv().await });
        let b = future::spawn(async move { tx.send(1).await });
        drop((a, b));
    })
    .max_live_tasks(1);
    for checker in Checker::models() {
        check
            .run(&checker)
            .assert_finds(ViolationKind::BoundExceeded);
    }
}

#[test]
fn a_fifth_async_task_under_loom_is_a_reported_misuse() {
    let report = Check::new(|| {
        for _ in 0..5 {
            future::spawn(async {}).join().unwrap();
        }
    })
    .run(&Checker::loom());
    report.assert_finds(ViolationKind::Misuse);
    assert!(
        report.to_string().contains("loom models at most"),
        "{report}"
    );
}
