//! The cost of the sync facade on its std backend, against raw std, measured in the same run.
//!
//! Outside any checker run every `concheck::sync` primitive is built for the std backend, so
//! this is what production code pays for being checkable. Each group has two functions, `std`
//! (the `std::sync` primitive) and `concheck` (the facade), doing the same work:
//!
//! - `mutex_uncontended`: `lock`, increment a `u64`, unlock, on one thread.
//! - `mutex_contended`: two scoped threads each doing 10,000 lock/increment/unlock on one shared
//!   `Arc<Mutex<u64>>` (per iteration; includes spawning and joining the two threads).
//! - `atomic_fetch_add`: `AtomicUsize::fetch_add(1, Relaxed)`.
//! - `atomic_load`: `AtomicUsize::load(Acquire)`.
//!
//! The goal is facade <= 1.05x std in every group; the README reports the ratios of the
//! `concheck` to the `std` estimates. Run with `cargo bench --bench facade`; `-- --paired N`
//! times batches of std and facade operations alternately and prints the median ratio per
//! group (see `benches/common`); `-- --once mutex/std K` (or `mutex/concheck`) runs `K`
//! uncontended lock/unlock and exits, for `valgrind --tool=callgrind`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use criterion::{black_box, criterion_group, Criterion, Throughput};

mod common;

/// Lock/increment/unlock operations per thread in `mutex_contended`.
const CONTENDED_OPS: u64 = 10_000;
/// Threads in `mutex_contended`.
const CONTENDED_THREADS: u64 = 2;

fn mutex_uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("mutex_uncontended");
    group.bench_function("std", |b| {
        let m = std::sync::Mutex::new(0u64);
        b.iter(|| {
            let mut g = black_box(&m).lock().unwrap();
            *g += 1;
        });
        black_box(m.into_inner().unwrap());
    });
    group.bench_function("concheck", |b| {
        let m = concheck::sync::Mutex::new(0u64);
        b.iter(|| {
            let mut g = black_box(&m).lock();
            *g += 1;
        });
        black_box(m.into_inner());
    });
    group.finish();
}

fn mutex_contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("mutex_contended");
    group.throughput(Throughput::Elements(CONTENDED_THREADS * CONTENDED_OPS));
    group.bench_function("std", |b| {
        let m = Arc::new(std::sync::Mutex::new(0u64));
        b.iter(|| {
            std::thread::scope(|s| {
                for _ in 0..CONTENDED_THREADS {
                    let m = Arc::clone(&m);
                    s.spawn(move || {
                        for _ in 0..CONTENDED_OPS {
                            *black_box(&*m).lock().unwrap() += 1;
                        }
                    });
                }
            });
        });
        black_box(*m.lock().unwrap());
    });
    group.bench_function("concheck", |b| {
        let m = Arc::new(concheck::sync::Mutex::new(0u64));
        b.iter(|| {
            std::thread::scope(|s| {
                for _ in 0..CONTENDED_THREADS {
                    let m = Arc::clone(&m);
                    s.spawn(move || {
                        for _ in 0..CONTENDED_OPS {
                            *black_box(&*m).lock() += 1;
                        }
                    });
                }
            });
        });
        black_box(*m.lock());
    });
    group.finish();
}

fn atomic_fetch_add(c: &mut Criterion) {
    let mut group = c.benchmark_group("atomic_fetch_add");
    group.bench_function("std", |b| {
        let a = std::sync::atomic::AtomicUsize::new(0);
        b.iter(|| black_box(&a).fetch_add(1, Ordering::Relaxed));
    });
    group.bench_function("concheck", |b| {
        let a = concheck::sync::atomic::AtomicUsize::new(0);
        b.iter(|| black_box(&a).fetch_add(1, Ordering::Relaxed));
    });
    group.finish();
}

fn atomic_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("atomic_load");
    group.bench_function("std", |b| {
        let a = std::sync::atomic::AtomicUsize::new(1);
        b.iter(|| black_box(&a).load(Ordering::Acquire));
    });
    group.bench_function("concheck", |b| {
        let a = concheck::sync::atomic::AtomicUsize::new(1);
        b.iter(|| black_box(&a).load(Ordering::Acquire));
    });
    group.finish();
}

/// Operations per timed batch in `--paired` mode, for the single-operation groups.
const PAIRED_BATCH: usize = 1_000_000;

/// `f`, `n` times.
fn batch(n: usize, f: impl Fn()) -> impl FnMut() {
    move || (0..n).for_each(|_| f())
}

/// `--paired N`: the facade against std in every group, batches timed alternately.
fn paired_table(pairs: usize) {
    use common::paired;
    println!(
        "group | concheck / std time (median of {pairs} pairs) | fastest std | fastest concheck"
    );
    let row = |group: &str, p: common::Paired| {
        println!(
            "{group} | {:.2}x | {:?} | {:?}",
            p.ratio, p.peer, p.concheck
        );
    };
    let (sm, cm) = (
        std::sync::Mutex::new(0u64),
        concheck::sync::Mutex::new(0u64),
    );
    row(
        "mutex_uncontended",
        paired(
            pairs,
            batch(PAIRED_BATCH, || *black_box(&sm).lock().unwrap() += 1),
            batch(PAIRED_BATCH, || *black_box(&cm).lock() += 1),
        ),
    );
    let (sm, cm) = (
        Arc::new(std::sync::Mutex::new(0u64)),
        Arc::new(concheck::sync::Mutex::new(0u64)),
    );
    let contended = |lock: &(dyn Fn() + Sync)| {
        std::thread::scope(|s| {
            for _ in 0..CONTENDED_THREADS {
                s.spawn(|| (0..CONTENDED_OPS).for_each(|_| lock()));
            }
        })
    };
    row(
        "mutex_contended",
        paired(
            pairs,
            || contended(&|| *black_box(&*sm).lock().unwrap() += 1),
            || contended(&|| *black_box(&*cm).lock() += 1),
        ),
    );
    let (sa, ca) = (
        std::sync::atomic::AtomicUsize::new(0),
        concheck::sync::atomic::AtomicUsize::new(0),
    );
    row(
        "atomic_fetch_add",
        paired(
            pairs,
            batch(PAIRED_BATCH, || {
                black_box(black_box(&sa).fetch_add(1, Ordering::Relaxed));
            }),
            batch(PAIRED_BATCH, || {
                black_box(black_box(&ca).fetch_add(1, Ordering::Relaxed));
            }),
        ),
    );
    row(
        "atomic_load",
        paired(
            pairs,
            batch(PAIRED_BATCH, || {
                black_box(black_box(&sa).load(Ordering::Acquire));
            }),
            batch(PAIRED_BATCH, || {
                black_box(black_box(&ca).load(Ordering::Acquire));
            }),
        ),
    );
}

criterion_group!(
    benches,
    mutex_uncontended,
    mutex_contended,
    atomic_fetch_add,
    atomic_load
);

/// `--once NAME K`: `K` uncontended lock/increment/unlock of `mutex/std` or `mutex/concheck`
/// (or `K` of nothing, `none`, to subtract the harness), for `valgrind --tool=callgrind`.
fn once(name: &str, times: usize) {
    match name {
        "mutex/std" => {
            let m = std::sync::Mutex::new(0u64);
            batch(times, || *black_box(&m).lock().unwrap() += 1)();
            black_box(m.into_inner().unwrap());
        }
        "mutex/concheck" => {
            let m = concheck::sync::Mutex::new(0u64);
            batch(times, || *black_box(&m).lock() += 1)();
            black_box(m.into_inner());
        }
        "none" => batch(times, || black_box(()))(),
        _ => panic!("--once NAME: NAME is mutex/std, mutex/concheck or none, not '{name}'"),
    }
}

fn main() {
    if let Some((name, times)) = common::once() {
        once(&name, times);
        return;
    }
    if let Some(pairs) = common::pairs() {
        paired_table(pairs);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
