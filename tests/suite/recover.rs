//! A recovered panic (`catch_unwind` in the body, Go's `recover`) is ordinary control flow:
//! the execution goes on, a guard dropped while it unwinds unlocks, an atomic store made then
//! stays, deferred code may block on a lock another task holds, and every checker agrees on
//! the verdict. A checker's own failure (loom's deadlock) is not the user's to catch: it is
//! still reported as what it is.

use std::panic::{catch_unwind, AssertUnwindSafe};

use concheck::check::{Check, Checker, ShuttleConfig};
use concheck::go;
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::ViolationKind;

/// loom, shuttle random and PCT (bounded: these bodies are small), and std threads.
fn every_checker() -> Vec<Checker> {
    vec![
        Checker::loom(),
        Checker::Shuttle(ShuttleConfig::random().iterations(300)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(300)),
        Checker::std(),
    ]
}

/// Runs `f`, expecting it to panic, and swallows the panic as Go's `recover` would.
fn recover(f: impl FnOnce()) {
    let caught = catch_unwind(AssertUnwindSafe(f));
    assert!(caught.is_err(), "the recovered closure was meant to panic");
}

#[test]
fn recover_unlocks_a_guard_dropped_while_unwinding() {
    let check = Check::new(|| {
        let m = Arc::new(Mutex::new(0u32));
        recover(|| {
            let mut g = m.lock();
            *g += 1;
            panic!("recovered while holding the lock");
        });
        // The guard unlocked as the panic unwound: the lock is free again, here and for a task.
        *m.lock() += 1;
        let m2 = Arc::clone(&m);
        thread::spawn(move || *m2.lock() += 1).join().unwrap();
        assert_eq!(*m.lock(), 3);
    });
    let reports = check.assert_no_violation(&every_checker());
    // loom cannot release a lock as a panic unwinds (its Mutex poisons itself): its search
    // stops there and says so, instead of calling the relock a deadlock.
    let loom = reports[0].to_string();
    assert!(loom.contains("recovered panic"), "{loom}");
    for r in &reports[1..] {
        assert!(!r.to_string().contains("recovered panic"), "{r}");
    }
}

#[test]
fn recover_keeps_an_atomic_store_made_while_unwinding() {
    struct StoreOnDrop(Arc<AtomicUsize>);
    impl Drop for StoreOnDrop {
        fn drop(&mut self) {
            self.0.store(7, Ordering::SeqCst);
        }
    }
    Check::new(|| {
        let a = Arc::new(AtomicUsize::new(0));
        recover(|| {
            let _deferred = StoreOnDrop(Arc::clone(&a));
            panic!("recovered");
        });
        assert_eq!(a.load(Ordering::SeqCst), 7, "the deferred store was lost");
    })
    .assert_no_violation(&every_checker());
}

#[test]
fn recover_lets_deferred_code_wait_for_a_lock_another_task_holds() {
    // Go: `defer mu.Lock()`-style cleanup while another goroutine holds the lock for a moment.
    struct LockOnDrop(Arc<Mutex<u32>>);
    impl Drop for LockOnDrop {
        fn drop(&mut self) {
            *self.0.lock() += 1;
        }
    }
    Check::new(|| {
        let m = Arc::new(Mutex::new(0u32));
        let m2 = Arc::clone(&m);
        let holder = thread::Builder::new().name("holder").spawn(move || {
            let mut g = m2.lock();
            thread::yield_now();
            *g += 1;
        });
        recover(|| {
            let _deferred = LockOnDrop(Arc::clone(&m));
            panic!("recovered");
        });
        holder.join().unwrap();
        assert_eq!(*m.lock(), 2);
    })
    .assert_no_violation(&every_checker());
}

#[test]
fn recover_of_a_send_on_a_closed_channel_is_no_violation_under_every_checker() {
    // Go's "safe send": a send that may race a close, its panic recovered.
    Check::new(|| {
        let (tx, rx) = go::channel::<u32>(1);
        tx.close();
        recover(|| tx.send(1));
        assert_eq!(rx.recv(), None);
    })
    .assert_no_violation(&every_checker());
}

#[test]
fn recover_does_not_swallow_a_deadlock() {
    // The task catches every panic of its body, including the checker's own deadlock
    // detection: the deadlock is still what is reported, not "task panicked".
    let check = Check::new(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let t = thread::Builder::new().name("ba").spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let _b = b2.lock();
                let _a = a2.lock();
            }));
        });
        {
            let _a = a.lock();
            let _b = b.lock();
        }
        let _ = t.join();
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let message = &report.violation().unwrap().message;
        assert!(
            !message.contains("loom"),
            "loom's own text leaked: {report}"
        );
    }
}
