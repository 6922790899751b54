//! A run past the step bound: a correct program longer than the bound is an incomplete search,
//! never a violation; a genuine livelock (tasks running while nothing changes) stays a `hang`
//! that names the looping task.
//!
//! Go's own tests spawn hundreds of goroutines and move thousands of messages; before progress
//! was counted, every such program past `ShuttleConfig::max_steps` was reported as a hang.

use concheck::check::{Check, Checker, Completeness, ShuttleConfig};
use concheck::go;
use concheck::hint;
use concheck::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::ViolationKind;

/// Random and PCT with a step bound of `steps`, 20 schedules each (each check below takes
/// well under a second).
fn checkers(steps: usize) -> [Checker; 2] {
    [ShuttleConfig::random(), ShuttleConfig::pct()]
        .map(|c| Checker::Shuttle(c.max_steps(steps).iterations(20)))
}

/// `steps` as a report prints it (`2,000`).
fn grouped(steps: usize) -> String {
    let digits = steps.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn assert_cut_by_step_bound(check: &Check, steps: usize) {
    for checker in checkers(steps) {
        let report = check.run(&checker);
        assert!(report.violation().is_none(), "{report}");
        match &report.completeness {
            Completeness::Incomplete { bound } => assert!(
                bound.contains(&format!("step bound {} reached", grouped(steps)))
                    && bound.contains("ShuttleConfig::max_steps"),
                "{report}"
            ),
            Completeness::Complete => panic!("a cut search is never complete: {report}"),
        }
        assert_eq!(
            report.iterations, 1,
            "the search stops at the cut: {report}"
        );
    }
}

/// 200 goroutines, each sending its number; main receives all 200 (Go's test/chan/goroutines
/// shape, scaled to go past a bound of 500 steps).
fn many_goroutines() {
    let (tx, rx) = go::named::<usize>("numbers", 0);
    for i in 0..200 {
        let tx = tx.clone();
        thread::Builder::new()
            .name(format!("sender-{i}"))
            .spawn(move || tx.send(i));
    }
    drop(tx);
    let sum: usize = (0..200).map(|_| rx.recv().unwrap()).sum();
    assert_eq!(sum, 199 * 200 / 2);
}

#[test]
fn two_hundred_goroutines_past_the_bound_are_incomplete_not_a_hang() {
    let check = Check::new(many_goroutines);
    assert_cut_by_step_bound(&check, 500);
    // Within the default bound the same program is checked to its end.
    let report = check.run(&Checker::Shuttle(ShuttleConfig::random().iterations(5)));
    report.assert_no_violation();
    assert_eq!(report.iterations, 5, "{report}");
}

#[test]
fn a_long_stream_of_messages_past_the_bound_is_incomplete() {
    let check = Check::new(|| {
        let (tx, rx) = go::named::<u32>("stream", 1);
        let producer = thread::Builder::new().name("producer").spawn(move || {
            for i in 0..5_000 {
                tx.send(i);
            }
            tx.close();
        });
        assert_eq!(rx.iter().count(), 5_000);
        producer.join().unwrap();
    });
    assert_cut_by_step_bound(&check, 2_000);
}

#[test]
fn a_long_loop_of_guarded_increments_is_incomplete() {
    let check = Check::new(|| {
        let n = Arc::new(Mutex::new(0u32));
        let n2 = Arc::clone(&n);
        let counter = thread::Builder::new().name("counter").spawn(move || {
            for _ in 0..5_000 {
                *n2.lock() += 1;
            }
        });
        let _ = *n.lock();
        counter.join().unwrap();
        assert_eq!(*n.lock(), 5_000);
    });
    assert_cut_by_step_bound(&check, 1_000);
}

#[test]
fn a_long_loop_of_atomic_increments_is_incomplete() {
    let check = Check::new(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let n2 = Arc::clone(&n);
        let counter = thread::Builder::new().name("counter").spawn(move || {
            for _ in 0..5_000 {
                n2.fetch_add(1, Ordering::SeqCst);
            }
        });
        counter.join().unwrap();
        assert_eq!(n.load(Ordering::SeqCst), 5_000);
    });
    assert_cut_by_step_bound(&check, 1_000);
}

fn assert_livelock_of(check: &Check, task: &str) {
    for checker in checkers(2_000) {
        let report = check.run(&checker);
        assert_eq!(report.kind(), Some(ViolationKind::Hang), "{report}");
        let message = &report.violation().unwrap().message;
        assert!(
            message.contains("livelock: no task made progress")
                && message.contains(&format!("while '{task}' kept running")),
            "{report}"
        );
    }
}

#[test]
fn a_spin_on_a_flag_nobody_sets_is_a_livelock_naming_the_spinner() {
    let check = Check::new(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let spinner = thread::Builder::new().name("spinner").spawn(move || {
            while !f.load(Ordering::Acquire) {
                hint::spin_loop();
            }
        });
        spinner.join().unwrap();
        flag.store(true, Ordering::Release);
    });
    assert_livelock_of(&check, "spinner");
}

#[test]
fn polling_a_lock_and_an_empty_channel_is_a_livelock() {
    // The poller reads under the lock and tries an empty channel: lock, unlock and try_recv
    // change nothing, so they are not progress, however many steps they take.
    let check = Check::new(|| {
        let ready = Arc::new(Mutex::new(false));
        let (_tx, rx) = go::named::<u32>("never", 0);
        let r = Arc::clone(&ready);
        let poller = thread::Builder::new().name("poller").spawn(move || loop {
            if *r.lock() || rx.try_recv().is_ok() {
                break;
            }
            thread::yield_now();
        });
        poller.join().unwrap();
        *ready.lock() = true;
    });
    assert_livelock_of(&check, "poller");
}

#[test]
fn a_long_loop_of_wait_group_rounds_is_incomplete() {
    // Every add and done moves the counter: progress, so the bound cuts a correct search.
    let check = Check::new(|| {
        let wg = Arc::new(go::WaitGroup::new());
        let wg2 = Arc::clone(&wg);
        let rounds = thread::Builder::new().name("rounds").spawn(move || {
            for _ in 0..5_000 {
                wg2.add(1);
                wg2.done();
            }
        });
        rounds.join().unwrap();
        wg.wait();
    });
    assert_cut_by_step_bound(&check, 1_000);
}
