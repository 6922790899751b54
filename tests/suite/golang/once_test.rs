//! Ports of Go's `src/sync/once_test.go` onto `go::Once`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use concheck::check::Check;
use concheck::go::{self, Once};
use concheck::sync::atomic::{AtomicI32, Ordering};
use concheck::sync::Arc;
use concheck::thread;

use super::{passes, Budget};

/// Ported from once_test.go, TestOnce: n tasks each call `Do(increment)` on one `Once`, then
/// read the counter, which must already be 1 when their call returns (a call that comes while
/// the function runs waits for it); each then reports on an unbuffered channel, and main
/// finds the counter at 1 after hearing from all. Go runs 10 tasks; here 3 (loom's state space
/// grows with every task, and 3 already lets two callers wait on a running first one).
///
/// Go's counter is a plain int, published only by `Once`'s happens-before edge; here it is a
/// `Relaxed` atomic, so under loom a `call` that returned without that edge could read 0.
// Cost: std 20 runs, shuttle 300+300, loom bound 2: ~1 s together.
#[test]
fn test_once() {
    let check = Check::new(|| {
        const N: usize = 3;
        let once = Arc::new(Once::new());
        let counter = Arc::new(AtomicI32::new(0));
        let (tx, rx) = go::channel::<bool>(0);
        for i in 0..N {
            let (once, counter, tx) = (Arc::clone(&once), Arc::clone(&counter), tx.clone());
            thread::Builder::new()
                .name(format!("run-{i}"))
                .spawn(move || {
                    once.call(|| {
                        let v = counter.load(Ordering::Relaxed);
                        counter.store(v + 1, Ordering::Relaxed);
                    });
                    let v = counter.load(Ordering::Relaxed);
                    assert_eq!(v, 1, "once failed inside run: {v} is not 1");
                    tx.send(true);
                });
        }
        for _ in 0..N {
            assert_eq!(rx.recv(), Some(true));
        }
        let v = counter.load(Ordering::Relaxed);
        assert_eq!(v, 1, "once failed outside run: {v} is not 1");
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

/// Ported from once_test.go, TestOncePanic: the first `Do`'s function panics, and the panic
/// reaches the caller (here caught with `catch_unwind`, Go's `recover`); the second `Do` on
/// the same `Once` neither panics nor runs its function, and neither does any later one: a
/// panicking function still counts as done. Go's test is one goroutine; here a second task
/// also calls it while the first panics, so the checkers explore a caller that waits on a
/// function that panics (it must be released, not left blocked).
// Cost: std 20 runs, shuttle 300+300, loom bound 2: ~0.5 s together.
#[test]
fn test_once_panic() {
    let check = Check::new(|| {
        let once = Arc::new(Once::new());
        let o = Arc::clone(&once);
        let other = thread::Builder::new().name("other-caller").spawn(move || {
            // Either this runs first (its function runs, main's panicking one does not) or
            // main's panics first and this returns without running.
            let mut ran = false;
            o.call(|| ran = true);
            ran
        });
        let mut ran = [false; 2];
        for (i, ran) in ran.iter_mut().enumerate() {
            let caught = catch_unwind(AssertUnwindSafe(|| {
                once.call(|| {
                    *ran = true;
                    panic!("failed");
                })
            }));
            if caught.is_err() {
                assert_eq!(i, 0, "Once.call panicked on the second iteration");
            }
        }
        assert!(!ran[1], "Once ran a function after one had run");
        let other_ran = other.join().expect("the other caller does not panic");
        assert!(
            ran[0] != other_ran,
            "exactly one function runs: main's {} the other task's {other_ran}",
            ran[0]
        );
        once.call(|| {});
        once.call(|| panic!("Once called twice"));
        assert!(once.is_done());
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
