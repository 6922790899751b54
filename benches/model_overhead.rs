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
//! `cargo bench --bench model_overhead`; `-- --paired N` times each peer and concheck
//! alternately (median ratio per group), `-- --once GROUP/FUNCTION [K]` runs one search K
//! times, for `valgrind --tool=callgrind` (see `benches/common`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use concheck::check::{Check, Checker, LoomConfig, ShuttleConfig};
use criterion::Criterion;

mod common;

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

/// One search the bench times, under the name criterion reports it by.
struct Search {
    group: String,
    function: &'static str,
    run: Box<dyn Fn()>,
}

impl Search {
    fn name(&self) -> String {
        format!("{}/{}", self.group, self.function)
    }
}

/// Every search, grouped as criterion reports them; in each group the peer comes before
/// `concheck` (for loom the like-for-like peer is `direct_std_arc`).
fn searches() -> Vec<Search> {
    let search = |group: &str, function, run: Box<dyn Fn()>| Search {
        group: group.to_owned(),
        function,
        run,
    };
    let concheck = |checker: Checker| -> Box<dyn Fn()> {
        let check = concheck_model();
        Box::new(move || {
            let report = check.run(&checker);
            assert!(report.violation().is_none());
        })
    };
    let mut all = vec![
        search(
            "loom",
            "direct",
            Box::new(|| {
                loom_direct(true);
            }),
        ),
        search(
            "loom",
            "direct_std_arc",
            Box::new(|| {
                loom_direct(false);
            }),
        ),
        search(
            "loom",
            "concheck",
            concheck(Checker::Loom(LoomConfig::new())),
        ),
        // The same search without the coverage recorder (`LoomConfig::coverage(false)`).
        search(
            "loom",
            "concheck_no_coverage",
            concheck(Checker::Loom(LoomConfig::new().coverage(false))),
        ),
    ];
    for iterations in SHUTTLE_ITERATIONS {
        // `shuttle_random` keeps its name for the default search, comparable across runs.
        let group = match iterations {
            1_000 => "shuttle_random".to_owned(),
            n => format!("shuttle_random_{n}"),
        };
        let checker = Checker::Shuttle(ShuttleConfig::random().iterations(iterations as u64));
        all.push(search(
            &group,
            "direct",
            Box::new(move || shuttle_direct(iterations)),
        ));
        all.push(search(&group, "concheck", concheck(checker)));
        if iterations == 1_000 {
            let quiet = ShuttleConfig::random()
                .iterations(iterations as u64)
                .coverage(false);
            all.push(search(
                &group,
                "concheck_no_coverage",
                concheck(Checker::Shuttle(quiet)),
            ));
        }
    }
    all
}

/// concheck and loom with std's Arc explore the same executions, so they are like for like.
fn assert_same_loom_search() {
    let report = concheck_model().run(&Checker::Loom(LoomConfig::new()));
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
}

/// `--paired N`: concheck against its like-for-like peer in every group.
fn paired_table(pairs: usize, searches: &[Search]) {
    println!("search | peer | concheck / peer (median of {pairs} pairs) | fastest peer | fastest concheck");
    for concheck in searches.iter().filter(|s| s.function == "concheck") {
        let peer_name = if concheck.group == "loom" {
            "direct_std_arc"
        } else {
            "direct"
        };
        let peer = searches
            .iter()
            .find(|s| s.group == concheck.group && s.function == peer_name)
            .expect("every group has its peer");
        let p = common::paired(pairs, &peer.run, &concheck.run);
        println!(
            "{} | {peer_name} | {:.2}x | {:?} | {:?}",
            concheck.group, p.ratio, p.peer, p.concheck
        );
    }
}

fn main() {
    let searches = searches();
    if let Some((name, times)) = common::once() {
        let search = searches
            .iter()
            .find(|s| s.name() == name)
            .unwrap_or_else(|| {
                let names: Vec<String> = searches.iter().map(Search::name).collect();
                panic!("no search named {name}; the searches: {}", names.join(", "))
            });
        (0..times).for_each(|_| (search.run)());
        return;
    }
    assert_same_loom_search();
    if let Some(pairs) = common::pairs() {
        paired_table(pairs, &searches);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let mut groups: Vec<&str> = searches.iter().map(|s| s.group.as_str()).collect();
    groups.dedup();
    for name in groups {
        let mut group = c.benchmark_group(name);
        // One iteration is a whole search.
        group.sample_size(10);
        for s in searches.iter().filter(|s| s.group == name) {
            group.bench_function(s.function, |b| b.iter(&s.run));
        }
        group.finish();
    }
    c.final_summary();
}
