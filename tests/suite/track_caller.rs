//! Reports point at the user's code: the line of the `.wait(..)`, `.lock()`, `.join()` or spawn
//! in this file, never a line inside the facade.
//!
//! Each body records the lines it expects with `line!()` into a std static, so an assertion can
//! compare them with the sites in the report.

use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};
use std::time::Duration;

use concheck::check::{Check, Checker, Report, StdConfig};
use concheck::sync::{Arc, Condvar, Mutex, RwLock};
use concheck::thread;
use concheck::{Site, TaskInfo, TaskState, ViolationKind};

fn checkers_with_std() -> [Checker; 4] {
    [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::Std(StdConfig::new().watchdog(Duration::from_millis(300))),
    ]
}

fn task<'r>(report: &'r Report, name: &str) -> &'r TaskInfo {
    let v = report.violation().expect("a violation");
    v.tasks
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no task '{name}' in the report: {report}"))
}

fn assert_here(site: &Site, line: u32, report: &Report) {
    assert_eq!(
        site.file,
        file!(),
        "the site should be in this file, not the facade: {report}"
    );
    assert_eq!(site.line, line, "wrong line: {report}");
}

/// Where `name` is blocked, and in what operation.
fn blocked_at<'r>(report: &'r Report, name: &str) -> (&'r str, &'r Site) {
    match &task(report, name).state {
        TaskState::Blocked { op, at, .. } => (op, at),
        other => panic!("'{name}' should be blocked, not {other}: {report}"),
    }
}

#[test]
fn leaked_task_wait_and_spawn_sites_are_the_callers() {
    static SPAWN: AtomicU32 = AtomicU32::new(0);
    static WAIT: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        SPAWN.store(line!() + 1, StdOrdering::Relaxed);
        thread::Builder::new().name("stuck").spawn(move || {
            let mut ready = p2.0.lock();
            while !*ready {
                WAIT.store(line!() + 1, StdOrdering::Relaxed);
                ready = p2.1.wait(ready);
            }
        });
    });
    for checker in checkers_with_std() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let stuck = task(&report, "stuck");
        assert_here(
            stuck.spawned_at.as_ref().expect("a spawn site"),
            SPAWN.load(StdOrdering::Relaxed),
            &report,
        );
        let (op, at) = blocked_at(&report, "stuck");
        assert_eq!(op, "Condvar::wait", "{report}");
        assert_here(at, WAIT.load(StdOrdering::Relaxed), &report);
        // A leak's sites are where the leaked tasks were spawned, then where the scope ended.
        let v = report.violation().unwrap();
        assert_eq!(v.sites.len(), 2, "{report}");
        assert_here(&v.sites[0], SPAWN.load(StdOrdering::Relaxed), &report);
    }
}

#[test]
fn leaked_unnamed_task_spawn_site_is_the_callers() {
    static SPAWN: AtomicU32 = AtomicU32::new(0);
    static WAIT_WHILE: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        SPAWN.store(line!() + 1, StdOrdering::Relaxed);
        thread::spawn(move || {
            WAIT_WHILE.store(line!() + 1, StdOrdering::Relaxed);
            let _g = p2.1.wait_while(p2.0.lock(), |ready| !*ready);
        });
    });
    for checker in checkers_with_std() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let leaked = task(&report, "task-1");
        assert_here(
            leaked.spawned_at.as_ref().unwrap(),
            SPAWN.load(StdOrdering::Relaxed),
            &report,
        );
        let (op, at) = blocked_at(&report, "task-1");
        assert_eq!(op, "Condvar::wait", "{report}");
        assert_here(at, WAIT_WHILE.load(StdOrdering::Relaxed), &report);
    }
}

#[test]
fn lost_wakeup_wait_site_is_the_callers() {
    static WAIT: AtomicU32 = AtomicU32::new(0);
    static JOIN: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        let waiter = thread::Builder::new().name("waiter").spawn(move || {
            let mut ready = p2.0.lock();
            while !*ready {
                WAIT.store(line!() + 1, StdOrdering::Relaxed);
                ready = p2.1.wait(ready);
            }
        });
        JOIN.store(line!() + 1, StdOrdering::Relaxed);
        waiter.join().unwrap();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::LostWakeup);
        let (op, at) = blocked_at(&report, "waiter");
        assert_eq!(op, "Condvar::wait", "{report}");
        assert_here(at, WAIT.load(StdOrdering::Relaxed), &report);
        let (op, at) = blocked_at(&report, "main");
        assert_eq!(op, "JoinHandle::join", "{report}");
        assert_here(at, JOIN.load(StdOrdering::Relaxed), &report);
        // Every site of a lost wakeup is a blocked call in this file.
        let v = report.violation().unwrap();
        assert!(
            !v.sites.is_empty() && v.sites.iter().all(|s| s.file == file!()),
            "{report}"
        );
    }
}

#[test]
fn deadlock_lock_sites_are_the_callers() {
    static AB_SECOND: AtomicU32 = AtomicU32::new(0);
    static BA_SECOND: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(RwLock::new(()));
        let (a1, b1) = (Arc::clone(&a), Arc::clone(&b));
        let ab = thread::Builder::new().name("ab").spawn(move || {
            let _a = a1.lock();
            AB_SECOND.store(line!() + 1, StdOrdering::Relaxed);
            let _b = b1.write();
        });
        let ba = thread::Builder::new().name("ba").spawn(move || {
            let _b = b.read();
            BA_SECOND.store(line!() + 1, StdOrdering::Relaxed);
            let _a = a.lock();
        });
        ab.join().unwrap();
        ba.join().unwrap();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let (op, at) = blocked_at(&report, "ab");
        assert_eq!(op, "RwLock::write", "{report}");
        assert_here(at, AB_SECOND.load(StdOrdering::Relaxed), &report);
        let (op, at) = blocked_at(&report, "ba");
        assert_eq!(op, "Mutex::lock", "{report}");
        assert_here(at, BA_SECOND.load(StdOrdering::Relaxed), &report);
    }
}

#[test]
fn misuse_site_of_mutex_lock_is_the_callers() {
    static LOCK: AtomicU32 = AtomicU32::new(0);
    let outside = Arc::new(Mutex::new(0));
    let check = Check::new(move || {
        LOCK.store(line!() + 1, StdOrdering::Relaxed);
        *outside.lock() += 1;
    });
    for checker in [Checker::loom(), Checker::shuttle_random()] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Misuse);
        let v = report.violation().unwrap();
        assert_eq!(v.sites.len(), 1, "{report}");
        assert_here(&v.sites[0], LOCK.load(StdOrdering::Relaxed), &report);
    }
}

#[test]
fn misuse_site_of_condvar_wait_is_the_callers() {
    static WAIT: AtomicU32 = AtomicU32::new(0);
    let outside = Arc::new(Condvar::new());
    let check = Check::new(move || {
        let m = Mutex::new(());
        WAIT.store(line!() + 1, StdOrdering::Relaxed);
        let _g = outside.wait(m.lock());
    });
    for checker in [Checker::loom(), Checker::shuttle_random()] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Misuse);
        let v = report.violation().unwrap();
        assert_eq!(v.sites.len(), 1, "{report}");
        assert_here(&v.sites[0], WAIT.load(StdOrdering::Relaxed), &report);
    }
}

#[test]
fn loom_thread_limit_site_is_the_callers_spawn() {
    static SPAWN: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let handles: Vec<_> = (0..5)
            .map(|_| {
                SPAWN.store(line!() + 1, StdOrdering::Relaxed);
                thread::spawn(|| {})
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::Misuse);
    let v = report.violation().unwrap();
    assert_eq!(v.sites.len(), 1, "{report}");
    assert_here(&v.sites[0], SPAWN.load(StdOrdering::Relaxed), &report);
}

#[test]
fn scope_end_site_is_the_callers_scope() {
    // A task owns the scope, so the report shows it blocked at the scope's end.
    static SCOPE: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let owner = thread::Builder::new().name("owner").spawn(|| {
            let pair = Arc::new((Mutex::new(false), Condvar::new()));
            let p2 = Arc::clone(&pair);
            SCOPE.store(line!() + 1, StdOrdering::Relaxed);
            concheck::leak::scope(|| {
                thread::Builder::new().name("stuck").spawn(move || {
                    let _g = p2.1.wait_while(p2.0.lock(), |ready| !*ready);
                });
            });
        });
        owner.join().unwrap();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let v = report.violation().expect("a leak");
        let line = SCOPE.load(StdOrdering::Relaxed);
        assert!(
            v.sites.iter().any(|s| s.file == file!() && s.line == line),
            "the scope end at line {line} is among the sites: {report}"
        );
        assert!(v.message.contains("where #1 'owner' waits"), "{report}");
    }
}

#[test]
fn body_panic_after_a_task_finished_is_the_bodys() {
    // Regression: under shuttle, a panic in the body after a spawned task took its last step
    // was blamed on that (finished) task.
    let check = Check::new(|| {
        let (tx, rx) = concheck::go::named::<u32>("values", 1);
        let t = thread::Builder::new()
            .name("sender")
            .spawn(move || tx.send(7));
        let got = rx.recv();
        thread::yield_now();
        assert_eq!(got, Some(8), "the body's own assertion");
        t.join().unwrap();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::AssertionFailed);
        let v = report.violation().unwrap();
        assert!(v.message.starts_with("#0 'main' panicked"), "{report}");
    }
}
