//! The cost of checking a body through concheck instead of writing it on loom or shuttle
//! directly, measured in the same run.
//!
//! The model is the same everywhere: two spawned tasks each lock a shared counter and increment
//! it twice, the body joins them and asserts the counter is 4. Groups:
//!
//! - `loom`: `direct` writes it on `loom::sync::{Arc, Mutex}` and `loom::thread::spawn` and runs
//!   `loom::model::Builder` with `preemption_bound = Some(2)`; `concheck` writes it on
//!   `concheck::{sync, thread}` and runs `Check::run(&Checker::Loom(LoomConfig::new()))`, whose
//!   default bound is also 2. loom's `Arc` makes every clone and drop a scheduling point, so
//!   `direct` explores 32 executions; concheck bodies share with `std::sync::Arc`, which loom
//!   does not see, and explore 15. `direct_std_arc` is the loom model with a `std::sync::Arc`
//!   around the `loom::sync::Mutex`: the same 15 executions as concheck (asserted at start), so
//!   `concheck / direct_std_arc` is the facade's cost on the same search and
//!   `concheck / direct` what a user pays against the model as loom's docs write it.
//! - `shuttle_random`: `direct` is `shuttle::check_random(f, 1000)` on `shuttle::sync::Mutex`
//!   and `shuttle::thread::spawn`; `concheck` runs
//!   `Checker::Shuttle(ShuttleConfig::random().iterations(1000))`. Both run 1,000 schedules.
//!   `shuttle_random_1` and `shuttle_random_10000` run the same with 1 and 10,000 schedules:
//!   the cost of a search besides its executions (concheck starts each search on a fresh OS
//!   thread), and the cost per execution with that spread over 10,000.
//!
//! What concheck adds per execution: a task registry (spawn tickets, leak scope, blocked-on
//! marks for reports), the facade's dispatch on every operation, and a std mutex beside every
//! model mutex holding the data. Goal: concheck <= 1.2x direct (same search). One iteration is
//! a whole search, so the groups use `sample_size(10)`. Run with
//! `cargo bench --bench model_overhead`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use concheck::check::{Check, Checker, LoomConfig, ShuttleConfig};
use criterion::{criterion_group, criterion_main, Criterion};

/// Tasks spawned by the model.
const TASKS: usize = 2;
/// Increments per task.
const INCREMENTS: usize = 2;
/// shuttle random schedules per search: the default search (1,000), one execution (what a
/// search costs besides its executions: concheck runs each search on a fresh OS thread) and
/// 10,000 (the per-execution cost, with the per-search cost spread thin).
const SHUTTLE_ITERATIONS: [usize; 3] = [1_000, 1, 10_000];

/// One loom search of the model written on loom; returns the executions it explored.
/// `loom_arc`: share the counter with `loom::sync::Arc` (as loom's docs do), whose reference
/// count operations are scheduling points of their own; otherwise with `std::sync::Arc`, as
/// concheck bodies do.
fn loom_direct(loom_arc: bool) -> u64 {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    let executions = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&executions);
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        if loom_arc {
            let n = loom::sync::Arc::new(loom::sync::Mutex::new(0));
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let n = loom::sync::Arc::clone(&n);
                    loom::thread::spawn(move || {
                        for _ in 0..INCREMENTS {
                            *n.lock().unwrap() += 1;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.join().unwrap();
            }
            assert_eq!(*n.lock().unwrap(), TASKS * INCREMENTS);
        } else {
            let n = Arc::new(loom::sync::Mutex::new(0));
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let n = Arc::clone(&n);
                    loom::thread::spawn(move || {
                        for _ in 0..INCREMENTS {
                            *n.lock().unwrap() += 1;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.join().unwrap();
            }
            assert_eq!(*n.lock().unwrap(), TASKS * INCREMENTS);
        }
    });
    executions.load(Ordering::Relaxed)
}

fn shuttle_direct(iterations: usize) {
    shuttle::check_random(
        || {
            let n = shuttle::sync::Arc::new(shuttle::sync::Mutex::new(0));
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let n = shuttle::sync::Arc::clone(&n);
                    shuttle::thread::spawn(move || {
                        for _ in 0..INCREMENTS {
                            *n.lock().unwrap() += 1;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.join().unwrap();
            }
            assert_eq!(*n.lock().unwrap(), TASKS * INCREMENTS);
        },
        iterations,
    );
}

/// The same model on the facade.
fn concheck_model() -> Check {
    Check::new(|| {
        let n = concheck::sync::Arc::new(concheck::sync::Mutex::new(0));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let n = concheck::sync::Arc::clone(&n);
                concheck::thread::spawn(move || {
                    for _ in 0..INCREMENTS {
                        *n.lock() += 1;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.join().unwrap();
        }
        assert_eq!(*n.lock(), TASKS * INCREMENTS);
    })
}

fn loom(c: &mut Criterion) {
    let check = concheck_model();
    let checker = Checker::Loom(LoomConfig::new());
    // concheck shares with std's Arc, which loom does not see: it explores the schedules of
    // `direct_std_arc`, fewer than `direct`'s, whose Arc drops are scheduling points too.
    let report = check.run(&checker);
    report.assert_no_violation();
    let (direct, direct_std_arc) = (loom_direct(true), loom_direct(false));
    assert_eq!(
        report.iterations, direct_std_arc,
        "concheck and loom with std's Arc explored different numbers of executions"
    );
    eprintln!(
        "model_overhead: loom explores {direct} executions per search with loom's Arc, \
         {direct_std_arc} with std's Arc and through concheck"
    );

    let mut group = c.benchmark_group("loom");
    group.sample_size(10);
    group.bench_function("direct", |b| b.iter(|| loom_direct(true)));
    group.bench_function("direct_std_arc", |b| b.iter(|| loom_direct(false)));
    group.bench_function("concheck", |b| {
        b.iter(|| {
            let report = check.run(&checker);
            assert!(report.violation().is_none());
            report
        });
    });
    group.finish();
}

fn shuttle_random(c: &mut Criterion) {
    let check = concheck_model();
    for iterations in SHUTTLE_ITERATIONS {
        let checker = Checker::Shuttle(ShuttleConfig::random().iterations(iterations as u64));
        // `shuttle_random` keeps its name for the default search, comparable across runs.
        let name = match iterations {
            1_000 => "shuttle_random".to_owned(),
            n => format!("shuttle_random_{n}"),
        };
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        group.bench_function("direct", |b| b.iter(|| shuttle_direct(iterations)));
        group.bench_function("concheck", |b| {
            b.iter(|| {
                let report = check.run(&checker);
                assert!(report.violation().is_none());
                report
            });
        });
        group.finish();
    }
}

criterion_group!(benches, loom, shuttle_random);
criterion_main!(benches);
