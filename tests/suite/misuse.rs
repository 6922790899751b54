//! Misuse is a report or a clear panic that says what to change, never a raw checker panic.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use concheck::check::{self, Check, Checker, LoomConfig, Report, ShuttleConfig, StdConfig};
use concheck::sync::{Arc, Condvar, Mutex};
use concheck::thread;
use concheck::tokio_gate::TokioConfig;
use concheck::{leak, ViolationKind};

/// The text of a caught panic.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        panic!("a panic without a message")
    }
}

/// Runs `f`, which must panic, and returns its message.
fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(payload),
    }
}

/// A Misuse report for a std-built primitive used under a model checker, with a way out.
fn assert_mixed_backends(report: &Report, what: &str, under: &str) {
    report.assert_finds(ViolationKind::Misuse);
    let message = &report.violation().unwrap().message;
    assert!(message.contains("mixed backends"), "{report}");
    assert!(
        message.contains(&format!("a {what} built for std was used under {under}")),
        "{report}"
    );
    assert!(
        message.contains("create it inside the closure")
            && message.contains("concheck::sync::Lazy"),
        "the message should say how to fix it: {report}"
    );
}

fn under(checker: &Checker) -> &'static str {
    match checker {
        Checker::Loom(_) => "loom",
        _ => "shuttle",
    }
}

#[test]
fn mutex_from_std_static_is_misuse() {
    static SHARED: OnceLock<Mutex<u32>> = OnceLock::new();
    // Built here, outside any runner: a std mutex.
    SHARED.get_or_init(|| Mutex::new(0));
    let check = Check::new(|| {
        let m = SHARED.get().expect("initialized before the check");
        let t = thread::spawn(move || *m.lock() += 1);
        *m.lock() += 1;
        t.join().unwrap();
    });
    for checker in Checker::models() {
        assert_mixed_backends(&check.run(&checker), "Mutex", under(&checker));
    }
}

#[test]
fn mutex_built_before_check_is_misuse() {
    let m = Arc::new(Mutex::new(0));
    let check = Check::new(move || {
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || *m2.lock() += 1);
        *m.lock() += 1;
        t.join().unwrap();
    });
    for checker in Checker::models() {
        assert_mixed_backends(&check.run(&checker), "Mutex", under(&checker));
    }
}

#[test]
fn condvar_built_before_check_is_misuse() {
    let cv = Arc::new(Condvar::new());
    let check = Check::new(move || {
        let cv2 = Arc::clone(&cv);
        let t = thread::spawn(move || cv2.notify_one());
        cv.notify_all();
        t.join().unwrap();
    });
    for checker in Checker::models() {
        assert_mixed_backends(&check.run(&checker), "Condvar", under(&checker));
    }
}

#[test]
fn std_built_mutex_is_fine_under_std() {
    // std is std: the std runner has nothing to mix.
    let m = Arc::new(Mutex::new(0u64));
    let check = Check::new({
        let m = Arc::clone(&m);
        move || *m.lock() += 1
    });
    let report = check.run(&Checker::Std(StdConfig::new().iterations(10)));
    report.assert_no_violation();
    assert_eq!(*m.lock(), 10);
}

#[test]
fn leak_scope_outside_runner_panics() {
    let message = expect_panic(|| leak::scope(|| 1));
    assert!(message.contains("outside a checker run"), "{message}");
    assert!(
        message.contains("Checker::std()"),
        "it should say what to do: {message}"
    );
}

/// The misuse report of a check whose `checker` has a setting no search can use: built without
/// a panic, reported by the run before anything runs.
fn invalid_settings(checker: Checker) -> String {
    let report = Check::new(|| {}).run(&checker);
    let v = report
        .violation()
        .expect("invalid settings must fail the check");
    assert_eq!(v.kind, ViolationKind::Misuse, "{report}");
    assert!(v.message.contains("invalid"), "{report}");
    assert_eq!(report.iterations, 0, "nothing may run: {report}");
    v.message.clone()
}

#[test]
fn shuttle_iterations_zero_is_a_misuse_at_the_run() {
    for config in [ShuttleConfig::random(), ShuttleConfig::pct()] {
        let message = invalid_settings(Checker::Shuttle(config.iterations(0)));
        assert!(
            message.contains("iterations must be at least 1"),
            "{message}"
        );
    }
}

#[test]
fn shuttle_zero_workers_empty_shard_and_zero_budget_are_misuses_at_the_run() {
    let message = invalid_settings(Checker::Shuttle(ShuttleConfig::random().workers(0)));
    assert!(message.contains("at least 1 worker"), "{message}");
    let message = invalid_settings(Checker::Shuttle(ShuttleConfig::random().shard(5, 4)));
    assert!(message.contains("shard 5/4 does not exist"), "{message}");
    let message = invalid_settings(Checker::Loom(
        LoomConfig::new().time_budget(std::time::Duration::ZERO),
    ));
    assert!(
        message.contains("time budget must be more than zero"),
        "{message}"
    );
}

#[test]
fn std_iterations_zero_is_a_misuse_at_the_run() {
    let message = invalid_settings(Checker::Std(StdConfig::new().iterations(0)));
    assert!(
        message.contains("iterations must be at least 1"),
        "{message}"
    );
}

#[test]
fn zero_watchdogs_are_misuses_at_the_run_not_hangs() {
    let message = invalid_settings(Checker::Std(
        StdConfig::new().watchdog(std::time::Duration::ZERO),
    ));
    assert!(message.contains("zero watchdog timeout"), "{message}");
    let message = invalid_settings(Checker::Tokio(
        TokioConfig::new().watchdog(std::time::Duration::ZERO),
    ));
    assert!(message.contains("zero watchdog"), "{message}");
    let message = invalid_settings(Checker::Tokio(TokioConfig::multi_thread(0)));
    assert!(message.contains("at least 1 worker thread"), "{message}");
}

#[test]
fn max_live_tasks_zero_panics() {
    let message = expect_panic(|| Check::new(|| {}).max_live_tasks(0));
    assert!(message.contains("max_live_tasks(0)"), "{message}");
    assert!(
        message.contains(">= 1"),
        "it should say what to pass: {message}"
    );
}

#[test]
fn replay_garbage_is_an_error_naming_prefixes() {
    let check = Check::new(|| {});
    let e = check::replay(&check, "garbage").unwrap_err();
    assert_eq!(e, check::ReplayError::NotReplay);
    assert!(
        e.to_string().contains("`loom:`") && e.to_string().contains("`shuttle:`"),
        "{e}"
    );
}

#[test]
fn replay_malformed_strings_are_errors_not_panics() {
    let check = Check::new(|| {});
    for bad in [
        "loom:garbage",
        "loom:pb=x;branches=1000:{}",
        "loom:pb=2;branches=1000:not json",
        "shuttle:garbage",
        "shuttle:zzzz",
        "shuttle:",
        "loom:",
    ] {
        let e = check::replay(&check, bad).unwrap_err();
        assert!(
            matches!(e, check::ReplayError::Malformed { .. }),
            "{bad}: {e:?}"
        );
        assert!(e.to_string().starts_with("malformed"), "{bad}: {e}");
    }
}

/// The body spawns `n` tasks, then joins them.
fn spawn_n(n: usize) -> Check {
    Check::new(move || {
        let handles: Vec<_> = (0..n).map(|_| thread::spawn(|| {})).collect();
        for h in handles {
            h.join().unwrap();
        }
    })
}

#[test]
fn loom_fifth_task_is_misuse() {
    let report = spawn_n(5).run(&Checker::loom());
    report.assert_finds(ViolationKind::Misuse);
    let v = report.violation().unwrap();
    assert!(
        v.message.contains("loom models at most 5 threads"),
        "{report}"
    );
    assert!(v.message.contains("thread 6"), "{report}");
    assert!(
        v.message.contains("shuttle"),
        "it should say what to do: {report}"
    );
    assert!(
        v.sites.iter().any(|s| s.file == file!()),
        "the spawn site is missing: {report}"
    );
}

#[test]
fn loom_four_tasks_no_violation() {
    spawn_n(4).run(&Checker::loom()).assert_no_violation();
}

#[test]
fn shuttle_five_tasks_no_violation() {
    for checker in [Checker::shuttle_random(), Checker::shuttle_pct()] {
        spawn_n(5).run(&checker).assert_no_violation();
    }
}

/// The body spawns `tasks` tasks that all wait on one latch, opened only once every task has
/// been spawned: all are alive at once.
fn latched(tasks: usize) -> Check {
    Check::new(move || {
        let latch = Arc::new((Mutex::new(false), Condvar::new()));
        let handles: Vec<_> = (0..tasks)
            .map(|i| {
                let latch = Arc::clone(&latch);
                thread::Builder::new()
                    .name(format!("held-{i}"))
                    .spawn(move || {
                        let _open = latch.1.wait_while(latch.0.lock(), |open| !*open);
                    })
            })
            .collect();
        *latch.0.lock() = true;
        latch.1.notify_all();
        for h in handles {
            h.join().unwrap();
        }
    })
}

#[test]
fn max_live_tasks_exceeded_is_bound_exceeded() {
    let check = latched(3).max_live_tasks(2);
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::BoundExceeded);
        let v = report.violation().unwrap();
        assert!(v.message.contains("declared bound of 2"), "{report}");
        assert!(
            v.sites.iter().any(|s| s.file == file!()),
            "the spawn site is missing: {report}"
        );
        let names: Vec<&str> = v.tasks.iter().map(|t| t.name.as_str()).collect();
        assert!(
            names.contains(&"held-0") && names.contains(&"held-1"),
            "{report}"
        );
    }
}

#[test]
fn max_live_tasks_exceeded_is_bound_exceeded_under_std() {
    let report = latched(3)
        .max_live_tasks(2)
        .run(&Checker::Std(StdConfig::new().iterations(5)));
    report.assert_finds(ViolationKind::BoundExceeded);
}

#[test]
fn max_live_tasks_at_bound_no_violation() {
    let check = latched(3).max_live_tasks(3);
    for checker in Checker::models() {
        check.run(&checker).assert_no_violation();
    }
}

#[test]
fn max_live_tasks_counts_live_not_spawned() {
    // Four tasks one after another, each joined before the next: never more than one alive.
    let check = Check::new(|| {
        for _ in 0..4 {
            thread::spawn(|| {}).join().unwrap();
        }
    })
    .max_live_tasks(1);
    for checker in [Checker::loom(), Checker::shuttle_random(), Checker::std()] {
        check.run(&checker).assert_no_violation();
    }
}

#[test]
fn loom_max_branches_past_its_limit_is_refused_before_loom_runs() {
    let config = LoomConfig::new().max_branches(concheck::check::MAX_BRANCHES_LIMIT + 10_000);
    let message = invalid_settings(Checker::Loom(config));
    assert!(message.contains("max_branches"), "{message}");
    assert!(
        message.contains("60000"),
        "it should say the limit: {message}"
    );
}
