//! The sync facade under every checker: correct Mutex, RwLock, Condvar, atomic and Lazy bodies
//! pass loom, shuttle (random, PCT, DFS) and std; the racy twins are caught.

use concheck::check::{Check, Checker, Completeness, LoomConfig, Report, ShuttleConfig};
use concheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use concheck::sync::{Arc, Condvar, Lazy, Mutex, RwLock};
use concheck::thread;
use concheck::ViolationKind;

/// Runs `check` under `checker` and fails with the whole report unless it found nothing.
fn assert_clean(check: &Check, checker: &Checker) -> Report {
    let report = check.run(checker);
    report.assert_no_violation();
    assert!(report.iterations >= 1, "{report}");
    report
}

/// loom (bound 2), shuttle random, shuttle PCT, std: no violation under any; the
/// bounded and sampled searches are never called verified.
fn assert_clean_under_defaults(check: &Check) {
    for checker in Checker::defaults() {
        let report = assert_clean(check, &checker);
        assert!(
            !report.verified(),
            "{} is bounded or sampled and must not claim a verified result: {report}",
            checker.short_name()
        );
    }
}

/// loom with no preemption bound must explore everything and say so.
fn assert_verified_by_exhaustive_loom(check: &Check) {
    let report = assert_clean(
        check,
        &Checker::Loom(LoomConfig::new().preemption_bound(None)),
    );
    assert!(
        report.verified(),
        "exhaustive loom should be complete: {report}"
    );
    assert!(
        report.iterations > 1,
        "a concurrent body has more than one schedule: {report}"
    );
}

/// shuttle DFS on a tiny body runs out of schedules before its cap.
fn assert_complete_under_dfs(check: &Check) {
    let report = assert_clean(check, &Checker::shuttle_dfs());
    assert_eq!(report.completeness, Completeness::Complete, "{report}");
    assert!(report.verified(), "{report}");
    assert!(
        report.iterations > 1,
        "a concurrent body has more than one schedule: {report}"
    );
}

/// Every checker that samples or searches must find `kind` in `check`.
fn assert_found_by_models(check: &Check, kind: ViolationKind) -> Vec<Report> {
    [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::shuttle_dfs(),
    ]
    .iter()
    .map(|checker| {
        let report = check.run(checker);
        report.assert_finds(kind);
        report
    })
    .collect()
}

/// `tasks` tasks (the body included) each add one under the lock.
fn mutex_counter(tasks: usize) -> Check {
    Check::new(move || {
        let n = Arc::new(Mutex::new(0));
        let handles: Vec<_> = (1..tasks)
            .map(|_| {
                let n = Arc::clone(&n);
                thread::spawn(move || *n.lock() += 1)
            })
            .collect();
        *n.lock() += 1;
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*n.lock(), tasks);
    })
}

#[test]
fn mutex_counter_no_violation_under_default_checkers() {
    assert_clean_under_defaults(&mutex_counter(2));
    assert_clean_under_defaults(&mutex_counter(3));
}

#[test]
fn mutex_counter_verified_by_exhaustive_loom() {
    assert_verified_by_exhaustive_loom(&mutex_counter(2));
    assert_verified_by_exhaustive_loom(&mutex_counter(3));
}

#[test]
fn mutex_counter_complete_under_shuttle_dfs() {
    assert_complete_under_dfs(&mutex_counter(2));
}

#[test]
fn mutex_split_read_write_lost_update_found() {
    // The lock is released between the read and the write: an update can be lost.
    let check = Check::new(|| {
        let n = Arc::new(Mutex::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || {
            let v = *n2.lock();
            *n2.lock() = v + 1;
        });
        let v = *n.lock();
        *n.lock() = v + 1;
        t.join().unwrap();
        assert_eq!(*n.lock(), 2, "lost update");
    });
    for report in assert_found_by_models(&check, ViolationKind::AssertionFailed) {
        let v = report.violation().unwrap();
        assert!(v.message.contains("lost update"), "{report}");
    }
}

#[test]
fn mutex_try_lock_fails_while_held() {
    let check = Check::new(|| {
        let m = Arc::new(Mutex::new(0));
        let g = m.lock();
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || m2.try_lock().is_none());
        // A scheduling point with two runnable tasks (shuttle PCT needs one; see below).
        thread::yield_now();
        assert!(
            t.join().unwrap(),
            "try_lock succeeded on a mutex another task holds"
        );
        drop(g);
        assert!(m.try_lock().is_some(), "try_lock failed on a free mutex");
    });
    for checker in Checker::defaults() {
        assert_clean(&check, &checker);
    }
}

#[test]
fn mutex_uncontended_no_violation_under_shuttle_pct() {
    // A body that spawns nothing is correct. shuttle's PCT scheduler asserts "test closure did
    // not exercise any concurrency" before its second execution; the runner must not report
    // that as an assertion of the body (at most a Misuse saying what to change).
    let check = Check::new(|| {
        let m = Mutex::new(0);
        *m.lock() += 1;
        assert_eq!(*m.lock(), 1);
    });
    let report = check.run(&Checker::shuttle_pct());
    assert!(
        matches!(report.kind(), None | Some(ViolationKind::Misuse)),
        "a shuttle scheduler panic was blamed on the body: {report}"
    );
}

/// A writer keeps the two halves equal; readers (and the body) must never see them differ.
fn rwlock_pair(readers: usize) -> Check {
    Check::new(move || {
        let pair = Arc::new(RwLock::new((0u32, 0u32)));
        let writer = {
            let pair = Arc::clone(&pair);
            thread::Builder::new().name("writer").spawn(move || {
                let mut w = pair.write();
                w.0 += 1;
                w.1 += 1;
            })
        };
        let readers: Vec<_> = (0..readers)
            .map(|_| {
                let pair = Arc::clone(&pair);
                thread::spawn(move || {
                    let r = pair.read();
                    assert_eq!(r.0, r.1, "reader saw a torn write");
                })
            })
            .collect();
        {
            let r = pair.read();
            assert_eq!(r.0, r.1, "body saw a torn write");
        }
        writer.join().unwrap();
        for r in readers {
            r.join().unwrap();
        }
        assert_eq!(*pair.read(), (1, 1));
    })
}

#[test]
fn rwlock_readers_and_writer_no_violation_under_default_checkers() {
    assert_clean_under_defaults(&rwlock_pair(1));
    assert_clean_under_defaults(&rwlock_pair(2));
}

#[test]
fn rwlock_readers_and_writer_verified_by_exhaustive_loom() {
    assert_verified_by_exhaustive_loom(&rwlock_pair(1));
}

#[test]
fn rwlock_readers_and_writer_complete_under_shuttle_dfs() {
    assert_complete_under_dfs(&rwlock_pair(1));
}

#[test]
fn rwlock_readers_hold_it_at_once() {
    // Each reader waits, read guard held, until both hold one: an exclusive lock deadlocks.
    let check = Check::new(|| {
        let lock = Arc::new(RwLock::new(()));
        let both = Arc::new((Mutex::new(0usize), Condvar::new()));
        let reader = {
            let (lock, both) = (Arc::clone(&lock), Arc::clone(&both));
            thread::spawn(move || {
                let _r = lock.read();
                let mut n = both.0.lock();
                *n += 1;
                both.1.notify_all();
                let _n = both.1.wait_while(n, |n| *n < 2);
            })
        };
        {
            let _r = lock.read();
            let mut n = both.0.lock();
            *n += 1;
            both.1.notify_all();
            let _n = both.1.wait_while(n, |n| *n < 2);
        }
        reader.join().unwrap();
    });
    for checker in Checker::defaults() {
        assert_clean(&check, &checker);
    }
}

#[test]
fn rwlock_writer_excludes_reader_deadlock_found() {
    // The twin: the body holds the write lock while it waits for a reader to arrive.
    let check = Check::new(|| {
        let lock = Arc::new(RwLock::new(()));
        let arrived = Arc::new((Mutex::new(false), Condvar::new()));
        let reader = {
            let (lock, arrived) = (Arc::clone(&lock), Arc::clone(&arrived));
            thread::spawn(move || {
                let _r = lock.read();
                *arrived.0.lock() = true;
                arrived.1.notify_all();
            })
        };
        {
            let _w = lock.write();
            let g = arrived.0.lock();
            let _g = arrived.1.wait_while(g, |a| !*a);
        }
        reader.join().unwrap();
    });
    // In the schedules where the body wins the write lock, the reader blocks on it and the
    // body waits on the condvar forever while it holds the lock the reader wants: the two wait
    // for each other, a deadlock (nested monitor lockout), not a lost wakeup.
    for report in assert_found_by_models(&check, ViolationKind::Deadlock) {
        let v = report.violation().unwrap();
        let ops: Vec<&str> = v
            .tasks
            .iter()
            .filter_map(|t| match &t.state {
                concheck::TaskState::Blocked { op, .. } => Some(op.as_str()),
                _ => None,
            })
            .collect();
        assert!(ops.contains(&"RwLock::read"), "{report}");
        assert!(ops.contains(&"Condvar::wait"), "{report}");
    }
}

/// A setter raises a flag under the lock and notifies; `waiters` tasks wait for it in a loop.
fn condvar_handshake(waiters: usize) -> Check {
    Check::new(move || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let setter = {
            let pair = Arc::clone(&pair);
            thread::Builder::new().name("setter").spawn(move || {
                *pair.0.lock() = true;
                pair.1.notify_all();
            })
        };
        let others: Vec<_> = (1..waiters)
            .map(|_| {
                let pair = Arc::clone(&pair);
                thread::spawn(move || {
                    let _g = pair.1.wait_while(pair.0.lock(), |ready| !*ready);
                })
            })
            .collect();
        let mut ready = pair.0.lock();
        while !*ready {
            ready = pair.1.wait(ready);
        }
        assert!(*ready);
        drop(ready);
        setter.join().unwrap();
        for t in others {
            t.join().unwrap();
        }
    })
}

#[test]
fn condvar_handshake_no_violation_under_default_checkers() {
    assert_clean_under_defaults(&condvar_handshake(1));
    assert_clean_under_defaults(&condvar_handshake(2));
}

#[test]
fn condvar_handshake_verified_by_exhaustive_loom() {
    assert_verified_by_exhaustive_loom(&condvar_handshake(1));
}

#[test]
fn condvar_handshake_complete_under_shuttle_dfs() {
    assert_complete_under_dfs(&condvar_handshake(1));
}

#[test]
fn condvar_notify_one_wakes_one_waiter_per_call() {
    // Two waiters, two notify_one calls, each after one more permit: both must wake.
    let check = Check::new(|| {
        let permits = Arc::new((Mutex::new(0u32), Condvar::new()));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let permits = Arc::clone(&permits);
                thread::spawn(move || {
                    let mut n = permits.1.wait_while(permits.0.lock(), |n| *n == 0);
                    *n -= 1;
                })
            })
            .collect();
        for _ in 0..2 {
            *permits.0.lock() += 1;
            permits.1.notify_one();
        }
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*permits.0.lock(), 0);
    });
    for checker in Checker::defaults() {
        assert_clean(&check, &checker);
    }
}

/// Two tasks each add one with `fetch_add`.
fn atomic_fetch_add() -> Check {
    Check::new(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || {
            n2.fetch_add(1, Ordering::SeqCst);
        });
        n.fetch_add(1, Ordering::SeqCst);
        t.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 2);
    })
}

#[test]
fn atomic_fetch_add_no_violation_under_default_checkers() {
    assert_clean_under_defaults(&atomic_fetch_add());
}

#[test]
fn atomic_fetch_add_verified_by_exhaustive_loom() {
    assert_verified_by_exhaustive_loom(&atomic_fetch_add());
}

#[test]
fn atomic_fetch_add_complete_under_shuttle_dfs() {
    assert_complete_under_dfs(&atomic_fetch_add());
}

#[test]
fn atomic_compare_exchange_loop_no_violation_under_default_checkers() {
    let check = Check::new(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let increment = |n: &AtomicUsize| {
            let mut current = n.load(Ordering::Relaxed);
            while let Err(seen) =
                n.compare_exchange(current, current + 1, Ordering::AcqRel, Ordering::Relaxed)
            {
                current = seen;
            }
        };
        let n2 = Arc::clone(&n);
        let t = thread::spawn(move || increment(&n2));
        increment(&n);
        t.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 2);
    });
    assert_clean_under_defaults(&check);
    assert_verified_by_exhaustive_loom(&check);
}

#[test]
fn atomic_load_then_store_lost_update_found() {
    let check = Check::new(|| {
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
    });
    for report in assert_found_by_models(&check, ViolationKind::AssertionFailed) {
        let v = report.violation().unwrap();
        assert!(v.message.contains("lost update"), "{report}");
        assert!(
            v.sites.iter().any(|s| s.file == file!()),
            "the assert's site is missing: {report}"
        );
        assert!(report.replay.is_some(), "{report}");
    }
}

#[test]
fn atomic_relaxed_publish_stale_read_found_by_loom() {
    // Orderings pass through to loom: a Relaxed flag does not publish the data behind it.
    let publish = |flag_store: Ordering, flag_load: Ordering| {
        Check::new(move || {
            let data = Arc::new(AtomicUsize::new(0));
            let ready = Arc::new(AtomicBool::new(false));
            let t = {
                let (data, ready) = (Arc::clone(&data), Arc::clone(&ready));
                thread::spawn(move || {
                    data.store(1, Ordering::Relaxed);
                    ready.store(true, flag_store);
                })
            };
            if ready.load(flag_load) {
                assert_eq!(
                    data.load(Ordering::Relaxed),
                    1,
                    "stale data behind the flag"
                );
            }
            t.join().unwrap();
        })
    };
    let relaxed = publish(Ordering::Relaxed, Ordering::Relaxed).run(&Checker::loom());
    relaxed.assert_finds(ViolationKind::AssertionFailed);
    assert!(
        relaxed.violation().unwrap().message.contains("stale data"),
        "{relaxed}"
    );
    assert_verified_by_exhaustive_loom(&publish(Ordering::Release, Ordering::Acquire));
}

static LAZY_LOOM: Lazy<Mutex<u32>> = Lazy::new(|| Mutex::new(0));
static LAZY_SHUTTLE: Lazy<Mutex<u32>> = Lazy::new(|| Mutex::new(0));
static LAZY_STD: Lazy<Mutex<u32>> = Lazy::new(|| Mutex::new(0));

/// A task adds one to the `Lazy` counter once; the body reads it meanwhile, then after the join
/// it must be exactly 1 in every execution.
fn lazy_counter(lazy: &'static Lazy<Mutex<u32>>) -> Check {
    Check::new(move || {
        let t = thread::spawn(move || *lazy.get().lock() += 1);
        let seen = *lazy.get().lock();
        assert!(
            seen <= 1,
            "the counter started at {seen}: it kept an earlier execution's value"
        );
        t.join().unwrap();
        assert_eq!(
            *lazy.get().lock(),
            1,
            "the Lazy value is not fresh per execution"
        );
    })
}

#[test]
fn lazy_fresh_per_execution_under_loom() {
    let report = assert_clean(&lazy_counter(&LAZY_LOOM), &Checker::loom());
    assert!(
        report.iterations > 1,
        "one execution proves nothing about freshness: {report}"
    );
}

#[test]
fn lazy_fresh_per_execution_under_shuttle() {
    for checker in [
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::shuttle_dfs(),
    ] {
        let report = assert_clean(&lazy_counter(&LAZY_SHUTTLE), &checker);
        assert!(
            report.iterations > 1,
            "one execution proves nothing about freshness: {report}"
        );
    }
}

#[test]
fn lazy_fresh_per_execution_under_std() {
    let report = assert_clean(&lazy_counter(&LAZY_STD), &Checker::std());
    assert!(report.iterations > 1, "{report}");
}

#[test]
fn mutex_counter_no_violation_under_other_shuttle_seeds() {
    let check = mutex_counter(3);
    for seed in [1, 2, 3] {
        assert_clean(
            &check,
            &Checker::Shuttle(ShuttleConfig::random().seed(seed).iterations(200)),
        );
        assert_clean(
            &check,
            &Checker::Shuttle(ShuttleConfig::pct().seed(seed).iterations(200)),
        );
    }
}

/// A lock's label, which reports use to name it, says what it is and where it was made.
#[test]
fn lock_labels_name_the_lock_and_where_it_was_made() {
    let mutex = Mutex::new(0);
    let rwlock = RwLock::new(0);
    for (label, kind) in [(mutex.label(), "mutex"), (rwlock.label(), "rwlock")] {
        assert!(
            label.starts_with(&format!("{kind} created at tests/suite/sync_facade.rs:")),
            "{label}"
        );
    }
}

/// `OnceLock`'s Debug output is std's: the value once set, `None` before.
#[test]
fn once_lock_debug_shows_its_value() {
    let cell = concheck::sync::OnceLock::new();
    assert_eq!(format!("{cell:?}"), "OnceLock(None)");
    cell.set(5).unwrap();
    assert_eq!(format!("{cell:?}"), "OnceLock(Some(5))");
}

/// `AtomicBool::swap` returns the value it replaced, as std's does.
#[test]
fn atomic_bool_swap_returns_the_previous_value() {
    let check = Check::new(|| {
        let flag = AtomicBool::new(false);
        assert!(!flag.swap(true, Ordering::SeqCst));
        assert!(flag.swap(false, Ordering::SeqCst));
        assert!(!flag.load(Ordering::SeqCst));
    });
    check.assert_no_violation(&Checker::defaults());
}

/// The facade's `Arc` compares the values it points to, as std's `Arc` does.
#[test]
fn arc_eq_compares_the_values() {
    assert_eq!(Arc::new(3), Arc::new(3));
    assert_ne!(Arc::new(3), Arc::new(4));
}
