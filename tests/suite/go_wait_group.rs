//! `go::WaitGroup` under every checker: `wait` returns only after every `done`, and Go's misuses
//! (the counter going negative, an `add` from zero racing a `wait`) are
//! [`ViolationKind::WaitGroupMisuse`] with the offending site.
//!
//! The misuse rules are Go's `sync.WaitGroup` panics ("sync: negative WaitGroup counter",
//! "sync: WaitGroup misuse: Add called concurrently with Wait").

use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};

use concheck::check::{Check, Checker};
use concheck::go::WaitGroup;
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::{OpKind, ViolationKind};

/// Two workers each add one to a shared counter. With `add_before_spawn` the count is raised
/// before each worker exists (correct); without, each worker adds for itself (Go's classic bug).
fn count_two_workers(add_before_spawn: bool) {
    const WORKERS: usize = 2;
    let wg = Arc::new(WaitGroup::new());
    let counter = Arc::new(Mutex::new(0));
    for i in 0..WORKERS {
        if add_before_spawn {
            wg.add(1);
        }
        let (wg, counter) = (Arc::clone(&wg), Arc::clone(&counter));
        thread::Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || {
                if !add_before_spawn {
                    wg.add(1);
                }
                *counter.lock() += 1;
                wg.done();
            });
    }
    wg.wait();
    assert_eq!(
        *counter.lock(),
        WORKERS,
        "wait returned before every worker was done"
    );
}

#[test]
fn wait_group_wait_sees_all_work_done() {
    holds(|| count_two_workers(true));
}

#[test]
fn wait_group_add_inside_task_misses_work() {
    // The twin: adding inside the task lets `wait` see zero before the workers start.
    let report = Check::new(|| count_two_workers(false)).run(&Checker::loom());
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(
        report
            .violation()
            .unwrap()
            .message
            .contains("wait returned before every worker was done"),
        "{report}"
    );
}

#[test]
fn wait_group_wait_at_zero_returns() {
    holds(|| {
        let wg = Arc::new(WaitGroup::new());
        let wg2 = Arc::clone(&wg);
        let waiter = thread::Builder::new()
            .name("waiter")
            .spawn(move || wg2.wait());
        wg.wait();
        waiter.join().unwrap();
    });
}

#[test]
fn wait_group_releases_every_waiter() {
    holds(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        let waiters: Vec<_> = (0..2)
            .map(|i| {
                let wg = Arc::clone(&wg);
                thread::Builder::new()
                    .name(format!("waiter-{i}"))
                    .spawn(move || wg.wait())
            })
            .collect();
        wg.add(-1);
        wg.done();
        for w in waiters {
            w.join().unwrap();
        }
    });
}

#[test]
fn wait_group_done_more_than_add_is_misuse() {
    static EXTRA_DONE: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let wg2 = Arc::clone(&wg);
        let worker = thread::Builder::new().name("worker").spawn(move || {
            wg2.done();
            EXTRA_DONE.store(line!() + 1, StdOrdering::Relaxed);
            wg2.done();
        });
        let _ = worker.join();
    });
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::WaitGroupMisuse);
        let v = report.violation().unwrap();
        assert!(v.message.contains("negative"), "{report}");
        assert!(v.message.contains("waitgroup created at"), "{report}");
        assert_eq!(
            v.sites
                .iter()
                .map(|s| (s.file.as_str(), s.line))
                .collect::<Vec<_>>(),
            vec![(file!(), EXTRA_DONE.load(StdOrdering::Relaxed))],
            "the site is the extra done: {report}"
        );
        assert_eq!(
            v.tasks.first().map(|t| t.name.as_str()),
            Some("worker"),
            "{report}"
        );
    }
}

#[test]
fn wait_group_add_from_zero_during_wait_is_misuse() {
    // Go's "Add called concurrently with Wait": main waits for one worker while a second task
    // reuses the group for its own work. When the worker's done brings the counter to zero and
    // the reuser adds before main's wait has returned, the add is misuse.
    static REUSE_ADD: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let worker = {
            let wg = Arc::clone(&wg);
            thread::Builder::new()
                .name("worker")
                .spawn(move || wg.done())
        };
        let reuser = {
            let wg = Arc::clone(&wg);
            thread::Builder::new().name("reuser").spawn(move || {
                REUSE_ADD.store(line!() + 1, StdOrdering::Relaxed);
                wg.add(1);
                wg.done();
            })
        };
        wg.wait();
        let _ = worker.join();
        let _ = reuser.join();
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::WaitGroupMisuse);
    let v = report.violation().unwrap();
    assert!(v.message.contains("from zero"), "{report}");
    assert!(
        v.message.contains("while a wait was in progress"),
        "{report}"
    );
    assert_eq!(
        v.tasks.first().map(|t| t.name.as_str()),
        Some("reuser"),
        "{report}"
    );
    assert!(
        v.sites
            .iter()
            .any(|s| s.file == file!() && s.line == REUSE_ADD.load(StdOrdering::Relaxed)),
        "{report}"
    );
}

#[test]
fn wait_group_add_from_zero_after_wait_returned_is_fine() {
    // Reuse is allowed once the previous wait has returned: the same group counts a second round.
    holds(|| {
        let wg = Arc::new(WaitGroup::new());
        for round in 0..2 {
            wg.add(1);
            let wg2 = Arc::clone(&wg);
            let worker = thread::Builder::new()
                .name(format!("round-{round}"))
                .spawn(move || wg2.done());
            wg.wait();
            worker.join().unwrap();
        }
    });
}

/// The body shows no violation under any default checker.
fn holds(body: impl Fn() + Send + Sync + 'static) {
    Check::new(body).assert_no_violation(&Checker::defaults());
}

/// A WaitGroup's Debug names where it was created, as its reports do (the mutation run found
/// that no test read it).
#[test]
fn wait_group_debug_names_where_it_was_created() {
    let line = line!() + 1;
    let wg = WaitGroup::new();
    let text = format!("{wg:?}");
    assert!(text.starts_with("WaitGroup { created_at: "), "{text}");
    assert!(
        text.contains(file!()) && text.contains(&format!("line: {line},")),
        "{text}"
    );
}

#[test]
fn wait_group_add_during_a_wait_is_fine_while_the_counter_is_above_zero() {
    // Go panics only on an add from zero while a wait is in progress: raising a counter that is
    // not at zero is how a worker hands part of its work to a new worker.
    holds(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiter = {
            let wg = Arc::clone(&wg);
            thread::Builder::new()
                .name("waiter")
                .spawn(move || wg.wait())
        };
        wg.add(1);
        wg.done();
        wg.done();
        waiter.join().unwrap();
    });
}

#[test]
fn wait_group_add_zero_during_a_wait_is_fine() {
    // `add(0)` changes nothing, so it is no add from zero, even while a wait is in progress
    // (Go's Add checks `delta > 0`).
    holds(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiter = {
            let wg = Arc::clone(&wg);
            thread::Builder::new()
                .name("waiter")
                .spawn(move || wg.wait())
        };
        wg.done();
        wg.add(0);
        waiter.join().unwrap();
    });
}

#[test]
fn wait_group_add_zero_is_traced_as_an_add() {
    // A report's interleaving shows `add(0)` as the add it is, not as a `done`.
    let check = Check::new(|| {
        let wg = WaitGroup::new();
        wg.add(0);
        panic!("stop after the add");
    });
    let report = check.run(&Checker::loom());
    let trace = report
        .trace
        .as_ref()
        .expect("a failing loom report has a trace");
    let kinds: Vec<OpKind> = trace
        .steps
        .iter()
        .filter(|s| s.op.starts_with("WaitGroup"))
        .map(|s| s.op_kind)
        .collect();
    assert_eq!(kinds, [OpKind::WaitGroupAdd], "{report}");
}
