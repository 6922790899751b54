//! Ports of Go's `src/sync` tests where concheck has the type: `waitgroup_test.go`,
//! `mutex_test.go`, `rwmutex_test.go`. `once_test.go` is ported in `once_test.rs`.

use concheck::check::Check;
use concheck::go::{self, WaitGroup};
use concheck::sync::atomic::{AtomicI32, Ordering};
use concheck::sync::{Arc, Mutex, RwLock};
use concheck::thread;

use super::{passes, Budget};

/// Ported from waitgroup_test.go, TestWaitGroup (testWaitGroup): n tasks each `done` on wg1,
/// then wait on wg2; main waits on wg1, checks that no task got past wg2 early, releases wg2
/// one `done` at a time, and collects every task. Go uses 16 tasks; here 3.
// Cost: std 20 runs, shuttle 300+300, loom bound 1: ~2 s.
#[test]
fn test_wait_group() {
    let check = Check::new(|| {
        let n = 3;
        let wg1 = Arc::new(WaitGroup::new());
        let wg2 = Arc::new(WaitGroup::new());
        let (exited_tx, exited_rx) = go::channel::<()>(n);
        wg1.add(n as i64);
        wg2.add(n as i64);
        for i in 0..n {
            let (wg1, wg2, exited_tx) = (Arc::clone(&wg1), Arc::clone(&wg2), exited_tx.clone());
            thread::Builder::new()
                .name(format!("waiter-{i}"))
                .spawn(move || {
                    wg1.done();
                    wg2.wait();
                    exited_tx.send(());
                });
        }
        wg1.wait();
        for _ in 0..n {
            assert!(
                exited_rx.try_recv().is_err(),
                "a task got past wg2.wait early"
            );
            wg2.done();
        }
        for _ in 0..n {
            exited_rx.recv();
        }
    });
    passes(
        &check,
        Budget {
            std: 20,
            shuttle: 300,
            loom: Some(1),
        },
    );
}

/// Ported from mutex_test.go, TestMutex (HammerMutex): tasks lock and unlock in a loop; a
/// counter read and written under the lock ends at the number of increments. Go runs 10
/// tasks x 1,000 rounds; here 2 x 3.
// Cost: std 20 runs, shuttle 300+300, loom bound 2: ~1 s.
#[test]
fn test_mutex() {
    let check = Check::new(|| {
        let m = Arc::new(Mutex::new(0_u32));
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                let m = Arc::clone(&m);
                thread::Builder::new()
                    .name(format!("hammer-{i}"))
                    .spawn(move || {
                        for _ in 0..3 {
                            let mut g = m.lock();
                            let v = *g;
                            *g = v + 1;
                        }
                    })
            })
            .collect();
        for t in tasks {
            t.join().unwrap();
        }
        assert_eq!(*m.lock(), 6);
    });
    passes(
        &check,
        Budget {
            std: 20,
            shuttle: 300,
            loom: Some(2),
        },
    );
}

/// Ported from rwmutex_test.go, TestRWMutex (HammerRWMutex): readers and a writer record
/// their activity in a counter (a reader adds 1, a writer 10,000); a reader must never see a
/// writer inside, a writer must be alone. Go runs 1 writer and up to 10 readers x 1,000
/// rounds; here 1 writer and 2 readers x 2 rounds.
// Cost: std 20 runs, shuttle 300+300, loom bound 1: ~2 s.
#[test]
fn test_rw_mutex() {
    let check = Check::new(|| {
        let lock = Arc::new(RwLock::new(()));
        let activity = Arc::new(AtomicI32::new(0));
        let mut tasks = Vec::new();
        {
            let (lock, activity) = (Arc::clone(&lock), Arc::clone(&activity));
            tasks.push(thread::Builder::new().name("writer").spawn(move || {
                for _ in 0..2 {
                    let _g = lock.write();
                    let n = activity.fetch_add(10_000, Ordering::SeqCst);
                    assert_eq!(n, 0, "a writer is not alone: activity {n}");
                    activity.fetch_sub(10_000, Ordering::SeqCst);
                }
            }));
        }
        for i in 0..2 {
            let (lock, activity) = (Arc::clone(&lock), Arc::clone(&activity));
            tasks.push(
                thread::Builder::new()
                    .name(format!("reader-{i}"))
                    .spawn(move || {
                        for _ in 0..2 {
                            let _g = lock.read();
                            let n = activity.fetch_add(1, Ordering::SeqCst);
                            assert!(n < 10_000, "a reader sees a writer inside: activity {n}");
                            activity.fetch_sub(1, Ordering::SeqCst);
                        }
                    }),
            );
        }
        for t in tasks {
            t.join().unwrap();
        }
    });
    passes(
        &check,
        Budget {
            std: 20,
            shuttle: 300,
            loom: Some(1),
        },
    );
}
