//! The virtual clock under loom and shuttle, and the real one on std: sleeps, timer channels,
//! `wait_timeout`, contexts with deadlines, both timer policies, and the bugs time brings
//! (a timeout path that leaks its child, a timer drained twice).

use std::collections::BTreeSet;
use std::sync::Mutex as StdMutex;
use std::time::Duration;

use concheck::check::{Check, Checker};
use concheck::go::{self, Context, ContextError, Select};
use concheck::sync::{Arc, Condvar, Mutex};
use concheck::time::{self, Policy, Ticker, Timer};
use concheck::{thread, ViolationKind};

const SEC: Duration = Duration::from_secs(1);

fn models_hold(body: impl Fn() + Send + Sync + 'static) {
    Check::new(body).assert_no_violation(&Checker::models());
}

#[test]
fn sleeps_end_in_deadline_order_and_time_jumps_to_each() {
    models_hold(|| {
        let start = time::now();
        let order = Arc::new(Mutex::new(Vec::new()));
        let tasks: Vec<_> = [3u64, 1, 2]
            .into_iter()
            .map(|s| {
                let order = Arc::clone(&order);
                thread::spawn(move || {
                    time::sleep(Duration::from_secs(s));
                    order.lock().push((s, time::now() - start));
                })
            })
            .collect();
        for t in tasks {
            t.join().unwrap();
        }
        let order = order.lock().clone();
        assert_eq!(order, vec![(1, SEC), (2, 2 * SEC), (3, 3 * SEC)]);
        assert_eq!(time::now() - start, 3 * SEC);
    });
}

#[test]
fn timers_due_at_one_instant_race_in_both_orders() {
    static SEEN: StdMutex<BTreeSet<Vec<u8>>> = StdMutex::new(BTreeSet::new());
    let check = Check::new(|| {
        let order = Arc::new(Mutex::new(Vec::new()));
        let tasks: Vec<_> = [1u8, 2]
            .into_iter()
            .map(|n| {
                let order = Arc::clone(&order);
                thread::spawn(move || {
                    time::sleep(SEC);
                    order.lock().push(n);
                })
            })
            .collect();
        for t in tasks {
            t.join().unwrap();
        }
        SEEN.lock().unwrap().insert(order.lock().clone());
    });
    for checker in Checker::models() {
        SEEN.lock().unwrap().clear();
        check.run(&checker).assert_no_violation();
        let seen = SEEN.lock().unwrap().clone();
        assert_eq!(
            seen,
            BTreeSet::from([vec![1, 2], vec![2, 1]]),
            "{}: both orders of two sleepers due at once",
            checker.short_name()
        );
    }
}

#[test]
fn a_timeout_never_beats_work_that_can_run_when_idle() {
    // The worker does a few steps and answers; the 1 ms timeout can only fire once everyone is
    // blocked, which is after the answer is in the buffer.
    models_hold(|| {
        let (tx, rx) = go::channel::<u32>(1);
        let counter = Arc::new(Mutex::new(0));
        let worker = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..3 {
                    *counter.lock() += 1;
                }
                tx.send(*counter.lock());
            })
        };
        let timeout = time::after(Duration::from_millis(1));
        let got = Select::new()
            .recv(&rx, |v| v)
            .recv(&timeout, |_| None)
            .wait();
        assert_eq!(got, Some(3), "work that can run beats any timeout");
        worker.join().unwrap();
    });
}

#[test]
fn anytime_lets_a_timer_beat_runnable_work() {
    let check = Check::new(|| {
        time::set_policy(Policy::Anytime);
        let (tx, rx) = go::channel::<u32>(1);
        let worker = thread::spawn(move || tx.send(7));
        let timeout = time::after(Duration::from_millis(1));
        let got = Select::new()
            .recv(&rx, |v| v)
            .recv(&timeout, |_| None)
            .wait();
        assert_eq!(got, Some(7), "assumes the worker is fast");
        worker.join().unwrap();
    });
    for checker in Checker::models() {
        check
            .run(&checker)
            .assert_finds(ViolationKind::AssertionFailed);
    }
}

/// Go's classic leak: the caller times out and returns; the backend's send on an unbuffered
/// channel then waits forever for a receiver that is gone.
fn timeout_leaks_child(cap: usize, unit: Duration) {
    let (tx, rx) = go::named::<u32>("reply", cap);
    thread::Builder::new().name("backend").spawn(move || {
        time::sleep(2 * unit);
        tx.send(1);
    });
    let timeout = time::after(unit);
    let got = Select::new()
        .recv(&rx, |v| v)
        .recv(&timeout, |_| None)
        .wait();
    assert_eq!(got, None, "the 1 s timeout beats a 2 s backend");
}

#[test]
fn a_timeout_path_that_strands_its_child_is_a_leak() {
    let check = Check::new(|| timeout_leaks_child(0, SEC));
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let v = report.violation().unwrap();
        assert!(
            v.tasks.iter().any(|t| t.name == "backend"),
            "names the stranded task: {v}"
        );
    }
    // With room for the reply the backend ends after the caller left: no leak.
    models_hold(|| timeout_leaks_child(1, SEC));
}

#[test]
fn wait_timeout_times_out_without_a_notify_and_not_with_one() {
    models_hold(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let start = time::now();
        let (guard, result) = pair.1.wait_timeout(pair.0.lock(), SEC);
        assert!(result.timed_out());
        assert!(!*guard);
        drop(guard);
        assert_eq!(time::now() - start, SEC);
        woken_before_the_timeout(&pair, Condvar::notify_one);
        assert_eq!(time::now() - start, SEC);
    });
}

#[test]
fn wait_timeout_is_woken_by_notify_all() {
    // Under a model checker a timed waiter is woken by `notify_all` too, not by its timeout.
    models_hold(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let start = time::now();
        woken_before_the_timeout(&pair, Condvar::notify_all);
        assert_eq!(time::now(), start);
    });
}

/// A task sets the flag and notifies with `notify`; the timed wait for the flag returns with it
/// set, not timed out.
fn woken_before_the_timeout(pair: &Arc<(Mutex<bool>, Condvar)>, notify: fn(&Condvar)) {
    let setter = {
        let pair = Arc::clone(pair);
        thread::spawn(move || {
            *pair.0.lock() = true;
            notify(&pair.1);
        })
    };
    let (guard, result) = pair
        .1
        .wait_timeout_while(pair.0.lock(), SEC, |ready| !*ready);
    assert!(*guard, "the flag is set");
    assert!(!result.timed_out(), "the notify came first: no time passed");
    drop(guard);
    setter.join().unwrap();
}

#[test]
fn timer_stop_and_reset_keep_gos_contract() {
    models_hold(|| {
        let t = Timer::new(SEC);
        assert!(t.stop(), "stopped before it fired");
        assert!(!t.stop(), "already stopped");
        assert!(!t.reset(2 * SEC), "it was stopped");
        let fired = t.receiver().recv().unwrap();
        assert_eq!(fired.since_origin(), 2 * SEC);
        assert!(!t.stop(), "already fired");
    });
}

#[test]
fn draining_a_fired_timer_twice_blocks_forever() {
    // The Go idiom `if !t.Stop() { <-t.C }` after the value was already received.
    let check = Check::new(|| {
        let t = Timer::new(SEC);
        t.receiver().recv();
        if !t.stop() {
            t.receiver().recv(); // BUG: drained already
        }
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        assert!(
            matches!(
                report.kind(),
                Some(ViolationKind::Deadlock | ViolationKind::Leak)
            ),
            "{}: {report}",
            checker.short_name()
        );
    }
}

#[test]
fn a_ticker_ticks_each_period_until_stopped() {
    models_hold(|| {
        let start = time::now();
        let ticker = Ticker::new(SEC);
        let ticks: Vec<_> = (0..3)
            .map(|_| ticker.receiver().recv().unwrap() - start)
            .collect();
        assert_eq!(ticks, vec![SEC, 2 * SEC, 3 * SEC]);
        ticker.stop();
    });
}

#[test]
fn context_with_timeout_expires_and_cancel_stops_its_timer() {
    models_hold(|| {
        let start = time::now();
        let (ctx, _cancel) = Context::background().with_timeout(SEC);
        assert_eq!(ctx.deadline().map(|d| d - start), Some(SEC));
        let (child, _c) = ctx.with_timeout(5 * SEC);
        assert_eq!(
            child.deadline(),
            ctx.deadline(),
            "the parent's deadline comes first"
        );
        child.done();
        assert_eq!(child.err(), Some(ContextError::DeadlineExceeded));
        assert_eq!(time::now() - start, SEC);

        let (ctx, cancel) = Context::background().with_timeout(SEC);
        let waiter = {
            let ctx = ctx.clone();
            thread::spawn(move || {
                ctx.done();
                ctx.err()
            })
        };
        cancel.cancel();
        assert_eq!(waiter.join().unwrap(), Some(ContextError::Canceled));
        assert_eq!(
            time::now() - start,
            SEC,
            "a cancelled deadline moves no time"
        );
    });
}

#[test]
fn the_driver_counts_against_looms_thread_limit() {
    let check = Check::new(|| {
        let tasks: Vec<_> = (0..4).map(|_| thread::spawn(|| time::sleep(SEC))).collect();
        for t in tasks {
            t.join().unwrap();
        }
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::Misuse);
    let v = report.violation().unwrap();
    assert!(v.message.contains("virtual clock's driver"), "{v}");
}

#[test]
fn on_std_the_clock_is_real() {
    let start = time::now();
    time::sleep(Duration::from_millis(20));
    assert!(time::now() - start >= Duration::from_millis(20));
    let fired = time::after(Duration::from_millis(10)).recv().unwrap();
    assert!(fired - start >= Duration::from_millis(30));
    let (ctx, _cancel) = Context::background().with_timeout(Duration::from_millis(10));
    ctx.done();
    assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
}
