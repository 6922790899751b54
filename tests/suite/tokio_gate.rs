//! The tokio leak gate (`concheck::tokio_gate::scope`) and the tokio checker, on real runtimes with a
//! paused clock: every grace period is virtual time, so the file runs in milliseconds (but for
//! one watchdog test).

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use concheck::check::{Check, Checker, Completeness};
use concheck::tokio_gate::{scope, spawn, track, waiting_on, Scope, TokioConfig, Tracker};
use concheck::{TaskState, ViolationKind};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant};

/// A oneshot whose sender is kept alive and never used: its receiver waits forever.
fn never() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    std::mem::forget(tx);
    rx
}

#[tokio::test(start_paused = true)]
async fn scope_returns_the_body_value_when_every_task_ended() {
    let v = scope(async {
        let a = spawn("a", async { 1 });
        let b = spawn("b", async {
            sleep(Duration::from_secs(3)).await;
            2
        });
        a.await.unwrap() + b.await.unwrap()
    })
    .await
    .unwrap_or_else(|v| panic!("{v}"));
    assert_eq!(v, 3);
}

#[tokio::test(start_paused = true)]
async fn scope_names_a_leaked_task_its_spawn_site_and_what_it_awaits() {
    let start = Instant::now();
    let line = line!() + 3; // the line of `waiting_on`; `spawn` is on the next
    let v = scope(async {
        let rx = never();
        let waiter = async move { waiting_on("reply from 'db'", rx).await };
        spawn("waiter", waiter);
    })
    .await
    .unwrap_err();
    assert_eq!(v.kind, ViolationKind::Leak);
    assert_eq!(v.tasks.len(), 1);
    let task = &v.tasks[0];
    assert_eq!(task.name, "waiter");
    let site = task.spawned_at.as_ref().unwrap();
    assert!(site.file.ends_with("tokio_gate.rs"), "{site}");
    assert_eq!(site.line, line + 1, "the spawn site is the caller's");
    match &task.state {
        TaskState::Blocked { op, object, at, .. } => {
            assert_eq!(op, ".await");
            assert_eq!(object, "reply from 'db'");
            assert_eq!(at.line, line);
        }
        other => panic!("expected blocked, got {other}"),
    }
    assert!(v.message.contains("1 task outlived its scope"), "{v}");
    // The default grace is 1 s of virtual time: the clock moved, no real time passed.
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn scope_waits_out_stragglers_within_the_grace() {
    scope(async {
        spawn("late", async { sleep(Duration::from_millis(900)).await });
    })
    .await
    .unwrap_or_else(|v| panic!("{v}"));
    let v = Scope::new()
        .grace(Duration::from_millis(100))
        .run(async {
            spawn("later", async { sleep(Duration::from_millis(900)).await });
        })
        .await
        .unwrap_err();
    assert_eq!(v.kind, ViolationKind::Leak);
    assert_eq!(
        v.tasks[0].state,
        TaskState::Running,
        "sleep is not labelled"
    );
    assert!(
        v.message
            .contains("not wrapped in concheck::tokio_gate::waiting_on"),
        "{v}"
    );
}

#[tokio::test(start_paused = true)]
async fn scope_counts_untracked_tasks() {
    let v = scope(async {
        let rx = never();
        tokio::spawn(rx);
        tokio::spawn(never());
    })
    .await
    .unwrap_err();
    assert_eq!(v.kind, ViolationKind::Leak);
    assert!(v.tasks.is_empty());
    assert!(
        v.message
            .starts_with("2 untracked tasks outlived the scope"),
        "{v}"
    );
}

#[tokio::test(start_paused = true)]
async fn scope_ignores_tasks_alive_before_it() {
    let before = tokio::spawn(never());
    scope(async { spawn("quick", async {}).await.unwrap() })
        .await
        .unwrap_or_else(|v| panic!("{v}"));
    before.abort();
}

#[tokio::test(start_paused = true)]
async fn scope_tracks_tasks_spawned_by_tracked_tasks_and_join_sets() {
    let v = scope(async {
        spawn("parent", async {
            spawn("child", async { never().await });
        });
        let mut set = JoinSet::new();
        set.spawn(track("in a join set", never()));
        set.detach_all();
    })
    .await
    .unwrap_err();
    let mut names: Vec<&str> = v.tasks.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["child", "in a join set"]);
}

#[tokio::test(start_paused = true)]
async fn scope_reports_a_bound_exceeded_by_spawning_before_acquiring() {
    let gate = Scope::new().max_live_tasks(2);
    let bounded = gate
        .run(async {
            let permits = Arc::new(Semaphore::new(2));
            let mut set = JoinSet::new();
            for i in 0..5 {
                let permit = Arc::clone(&permits).acquire_owned().await.unwrap();
                set.spawn(
                    track(format!("job-{i}"), sleep(Duration::from_millis(10))).holding(permit),
                );
            }
            while set.join_next().await.is_some() {}
        })
        .await;
    bounded.unwrap_or_else(|v| panic!("{v}"));
    let v = gate
        .run(async {
            let permits = Arc::new(Semaphore::new(2));
            let mut set = JoinSet::new();
            for i in 0..5 {
                let permits = Arc::clone(&permits);
                set.spawn(track(format!("job-{i}"), async move {
                    let _permit = permits.acquire().await.unwrap();
                    sleep(Duration::from_millis(10)).await;
                }));
            }
            while set.join_next().await.is_some() {}
        })
        .await
        .unwrap_err();
    assert_eq!(v.kind, ViolationKind::BoundExceeded);
    assert!(
        v.message
            .starts_with("3 tracked tasks alive at once, over the declared bound of 2: #3 'job-2'"),
        "{v}"
    );
}

#[tokio::test(start_paused = true)]
async fn scope_reports_a_panicked_task() {
    let v = scope(async {
        let _ = spawn("doomed", async { panic!("backend returned garbage") }).await;
    })
    .await
    .unwrap_err();
    assert_eq!(v.kind, ViolationKind::TaskPanicked);
    assert_eq!(v.tasks[0].name, "doomed");
    assert!(v.message.contains("backend returned garbage"), "{v}");
}

#[tokio::test(start_paused = true)]
async fn waiting_on_lists_every_pending_branch_of_a_select() {
    let v = scope(async {
        spawn("selector", async {
            tokio::select! {
                _ = waiting_on("reply", never()) => {}
                _ = waiting_on("shutdown signal", never()) => {}
            }
        });
    })
    .await
    .unwrap_err();
    match &v.tasks[0].state {
        TaskState::Blocked { object, .. } => {
            assert!(
                object == "reply or shutdown signal" || object == "shutdown signal or reply",
                "{object}"
            );
        }
        other => panic!("expected blocked, got {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn tracker_records_each_task_ending() {
    let tracker = Tracker::new();
    let done = tracker.spawn("done", async {});
    let aborted = tracker.spawn("aborted", never());
    done.await.unwrap();
    aborted.abort();
    assert!(aborted.await.unwrap_err().is_cancelled());
    assert_eq!(tracker.live(), 0);
    assert!(tracker.alive().is_empty());
    assert_eq!(tracker.tasks().len(), 2);
    assert!(
        Tracker::current().is_none(),
        "no tracked task is polled here"
    );
}

#[tokio::test(start_paused = true)]
async fn spawn_outside_a_scope_is_a_plain_spawn() {
    let (tx, mut rx) = mpsc::channel(1);
    spawn("untracked here", async move { tx.send(5).await.unwrap() });
    assert_eq!(rx.recv().await, Some(5));
}

#[test]
fn scope_outside_a_runtime_is_a_misuse() {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut gate = std::pin::pin!(scope(async {}));
    match gate.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(Err(v)) => {
            assert_eq!(v.kind, ViolationKind::Misuse);
            assert!(v.message.contains("outside a tokio runtime"), "{v}");
        }
        _ => panic!("expected a misuse"),
    }
}

fn leaky() -> Check {
    Check::tokio(|| async {
        let rx = never();
        spawn("stuck", async move { waiting_on("reply", rx).await });
    })
}

#[test]
fn checker_runs_a_clean_body_every_run_and_never_says_verified() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let check = Check::tokio(|| async {
        RUNS.fetch_add(1, Ordering::SeqCst);
        let mut set = JoinSet::new();
        for i in 0..3 {
            set.spawn(track(format!("w{i}"), sleep(Duration::from_millis(i))));
        }
        while set.join_next().await.is_some() {}
    })
    .max_live_tasks(3);
    let report = check.run(&Checker::tokio());
    report.assert_no_violation();
    assert_eq!(report.iterations, 100);
    assert_eq!(
        RUNS.load(Ordering::SeqCst),
        100,
        "each run awaits a fresh body"
    );
    assert!(!report.verified());
    assert_eq!(
        report.completeness,
        Completeness::Incomplete {
            bound: "100 real runs".to_owned()
        }
    );
    let mt = check.run(&Checker::Tokio(TokioConfig::multi_thread(2).iterations(5)));
    mt.assert_no_violation();
    assert_eq!(
        Checker::Tokio(TokioConfig::multi_thread(2)).short_name(),
        "tokio-mt"
    );
}

#[test]
fn checker_finds_a_leak_on_both_flavors() {
    let report = leaky().run(&Checker::tokio());
    report.assert_finds(ViolationKind::Leak);
    assert_eq!(report.iterations, 1);
    assert!(report.to_string().contains("'stuck'"), "{report}");
    let mt = leaky().run(&Checker::Tokio(
        TokioConfig::multi_thread(2).grace(Duration::from_millis(20)),
    ));
    mt.assert_finds(ViolationKind::Leak);
}

#[test]
fn checker_holds_the_bound_of_the_check() {
    let check = Check::tokio(|| async {
        let a = spawn("a", async {});
        let b = spawn("b", async {});
        let _ = (a.await, b.await);
    });
    check.run(&Checker::tokio()).assert_no_violation();
    check
        .max_live_tasks(1)
        .run(&Checker::tokio())
        .assert_finds(ViolationKind::BoundExceeded);
}

#[test]
fn checker_reports_a_body_panic_and_a_hang() {
    let panics = Check::tokio(|| async { assert_eq!(1 + 1, 3, "arithmetic") });
    let report = panics.run(&Checker::tokio());
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(report.to_string().contains("arithmetic"), "{report}");

    let hangs = Check::tokio(|| async {
        spawn("idle", never());
        never().await.ok();
    });
    let report = hangs.run(&Checker::Tokio(
        TokioConfig::new().watchdog(Duration::from_millis(200)),
    ));
    report.assert_finds(ViolationKind::Hang);
    assert!(report.to_string().contains("'idle'"), "{report}");
}

#[test]
fn tokio_bodies_and_sync_bodies_refuse_each_others_checkers() {
    for checker in Checker::defaults() {
        let report = leaky().run(&checker);
        report.assert_finds(ViolationKind::Misuse);
        assert_eq!(
            report.iterations,
            1,
            "refused at once by {}",
            checker.short_name()
        );
    }
    let report = Check::new(|| {}).run(&Checker::tokio());
    report.assert_finds(ViolationKind::Misuse);
    assert!(report.to_string().contains("Check::tokio"), "{report}");
}
