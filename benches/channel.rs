//! Throughput of `concheck::go` channels on std threads, against std, crossbeam and tokio
//! channels, measured in the same run.
//!
//! Outside any checker run a `concheck::go` channel is built on the std backend of the facade's
//! `Mutex` and `Condvar`, so this is what production code pays for Go channel semantics that the
//! model checkers can explore. Every iteration moves [`MESSAGES`] `u64`s through a fresh channel
//! (threads spawned and joined inside the iteration, as in `facade.rs`'s `mutex_contended`);
//! throughput is in messages.
//!
//! Groups are `spsc_cap{0,1,64}` (one producer thread, one consumer thread) and
//! `mpmc_cap{0,1,64}` (two producers each sending half, two consumers). Functions:
//!
//! - `concheck`: `concheck::go::channel(cap)`; the driving thread `close`s it once every
//!   producer is joined (Go channels are not closed by dropping senders), and consumers iterate
//!   until it is closed and drained. Both ends are `Clone`, so MPMC really has two consumers.
//! - `std_mpsc`: `std::sync::mpsc::sync_channel(cap)`, which has the same capacity semantics
//!   (0 is a rendezvous). Its `Receiver` is not `Clone`, so MPMC is **2 producers, 1 consumer**.
//! - `crossbeam`: `crossbeam_channel::bounded(cap)` (0 is a rendezvous); MPMC has 2 consumers.
//! - `tokio`: `tokio::sync::mpsc::channel(cap)`, capacity 1 and 64 only (tokio has no
//!   rendezvous channel: capacity must be >= 1). Driven from the same std threads as the others,
//!   with `blocking_send` / `blocking_recv`, so every function runs the same OS-thread topology
//!   and pays the same cross-thread wake-ups; no runtime is involved (tokio parks the calling
//!   thread). Its `Receiver` is not `Clone`: MPMC is 2 producers, 1 consumer, as for std.
//!
//! Goal: `concheck` >= 1.0x `std_mpsc` throughput in every group. BENCHMARKS.md reports the
//! ratios and where the goal is missed. Run with `cargo bench --bench channel`. On a machine
//! shared with other work, `-- --paired N` times std mpsc and concheck alternately and prints
//! the median ratio per group; `-- --once GROUP/FUNCTION [K]` runs one function K times, for
//! `perf stat -e syscalls:sys_enter_futex` (see `benches/common`). `-- --once st_cap64/std_mpsc K`
//! (or `st_cap64/concheck`) moves `K` messages through one capacity-64 channel on one thread,
//! 64 sends then 64 receives at a time, for `valgrind --tool=callgrind`: the instructions per
//! message are `(count at 2K - count at K) / K`, with no thread start-up or wake-up in them.

use std::thread;

use criterion::{black_box, Criterion, Throughput};

mod common;

/// Messages moved per iteration, in every group.
const MESSAGES: u64 = 10_000;
/// Capacities measured: rendezvous, one slot, a batch.
const CAPACITIES: [usize; 3] = [0, 1, 64];

/// Sum of `0..n`: what the consumers must have received, so no function can skip work.
fn expected_sum(n: u64) -> u64 {
    n * (n - 1) / 2
}

/// The values producer `p` of `producers` sends: a strided share of `0..MESSAGES`.
fn share(p: u64, producers: u64) -> impl Iterator<Item = u64> {
    (p..MESSAGES).step_by(producers as usize)
}

fn concheck_run(cap: usize, producers: u64, consumers: u64) -> u64 {
    let (tx, rx) = concheck::go::channel::<u64>(cap);
    thread::scope(|s| {
        let sinks: Vec<_> = (0..consumers)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().sum::<u64>())
            })
            .collect();
        drop(rx);
        let sources: Vec<_> = (0..producers)
            .map(|p| {
                let tx = tx.clone();
                s.spawn(move || share(p, producers).for_each(|v| tx.send(v)))
            })
            .collect();
        for h in sources {
            h.join().unwrap();
        }
        tx.close();
        sinks.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn std_run(cap: usize, producers: u64) -> u64 {
    let (tx, rx) = std::sync::mpsc::sync_channel::<u64>(cap);
    thread::scope(|s| {
        let sink = s.spawn(move || rx.iter().sum::<u64>());
        for p in 0..producers {
            let tx = tx.clone();
            s.spawn(move || share(p, producers).for_each(|v| tx.send(v).unwrap()));
        }
        drop(tx);
        sink.join().unwrap()
    })
}

fn crossbeam_run(cap: usize, producers: u64, consumers: u64) -> u64 {
    let (tx, rx) = crossbeam_channel::bounded::<u64>(cap);
    thread::scope(|s| {
        let sinks: Vec<_> = (0..consumers)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || rx.iter().sum::<u64>())
            })
            .collect();
        drop(rx);
        for p in 0..producers {
            let tx = tx.clone();
            s.spawn(move || share(p, producers).for_each(|v| tx.send(v).unwrap()));
        }
        drop(tx);
        sinks.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn tokio_run(cap: usize, producers: u64) -> u64 {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(cap);
    thread::scope(|s| {
        let sink = s.spawn(move || {
            let mut sum = 0;
            while let Some(v) = rx.blocking_recv() {
                sum += v;
            }
            sum
        });
        for p in 0..producers {
            let tx = tx.clone();
            s.spawn(move || share(p, producers).for_each(|v| tx.blocking_send(v).unwrap()));
        }
        drop(tx);
        sink.join().unwrap()
    })
}

/// One way of moving [`MESSAGES`] through a channel, under the name criterion reports it by.
struct Run {
    group: String,
    function: &'static str,
    run: Box<dyn Fn() -> u64>,
}

impl Run {
    fn name(&self) -> String {
        format!("{}/{}", self.group, self.function)
    }

    /// Runs once and checks what the consumers received.
    fn checked(&self) -> u64 {
        let sum = (self.run)();
        assert_eq!(
            sum,
            expected_sum(MESSAGES),
            "{} lost or duplicated messages",
            self.name()
        );
        sum
    }
}

/// Every group (SPSC, then MPMC, each at every capacity) and function, in criterion's order.
/// MPMC has 2 producers and 2 consumers, but 1 consumer for std and tokio, whose receivers
/// cannot be cloned.
fn runs() -> Vec<Run> {
    let mut all = Vec::new();
    for (shape, producers, consumers) in [("spsc", 1, 1), ("mpmc", 2, 2)] {
        for cap in CAPACITIES {
            let group = format!("{shape}_cap{cap}");
            let mut add = |function, run: Box<dyn Fn() -> u64>| {
                all.push(Run {
                    group: group.clone(),
                    function,
                    run,
                })
            };
            add(
                "concheck",
                Box::new(move || concheck_run(cap, producers, consumers)),
            );
            add("std_mpsc", Box::new(move || std_run(cap, producers)));
            add(
                "crossbeam",
                Box::new(move || crossbeam_run(cap, producers, consumers)),
            );
            if cap > 0 {
                add("tokio", Box::new(move || tokio_run(cap, producers)));
            }
        }
    }
    all
}

/// `--paired N`: concheck's throughput against std mpsc's in every group.
fn paired_table(pairs: usize, runs: &[Run]) {
    println!("group | concheck / std_mpsc throughput (median of {pairs} pairs) | fastest std_mpsc | fastest concheck");
    for concheck in runs.iter().filter(|r| r.function == "concheck") {
        let std = runs
            .iter()
            .find(|r| r.group == concheck.group && r.function == "std_mpsc")
            .expect("every group has std_mpsc");
        let p = common::paired(
            pairs,
            || {
                black_box(std.checked());
            },
            || {
                black_box(concheck.checked());
            },
        );
        // Times are for the same messages: the throughput ratio is the inverse.
        println!(
            "{} | {:.2}x | {:?} | {:?}",
            concheck.group,
            1.0 / p.ratio,
            p.peer,
            p.concheck
        );
    }
}

/// The capacity of the single-threaded `--once st_cap64/...` runs, and their batch.
const ST_CAP: usize = 64;

/// `--once st_cap64/FUNCTION K`: `K` messages through one capacity-[`ST_CAP`] channel on this
/// thread, [`ST_CAP`] sends then as many receives at a time, so no send blocks and no receive
/// finds the channel empty. `None` for a name that is not a single-threaded run.
fn single_thread(name: &str, messages: usize) -> Option<u64> {
    let n = messages as u64;
    let batches = (0..n)
        .step_by(ST_CAP)
        .map(|start| start..(start + ST_CAP as u64).min(n));
    let mut sum = 0;
    match name {
        "st_cap64/std_mpsc" => {
            let (tx, rx) = std::sync::mpsc::sync_channel::<u64>(ST_CAP);
            for batch in batches {
                batch.clone().for_each(|v| black_box(&tx).send(v).unwrap());
                batch.for_each(|_| sum += black_box(&rx).recv().unwrap());
            }
        }
        "st_cap64/concheck" => {
            let (tx, rx) = concheck::go::channel::<u64>(ST_CAP);
            for batch in batches {
                batch.clone().for_each(|v| black_box(&tx).send(v));
                batch.for_each(|_| sum += black_box(&rx).recv().unwrap());
            }
        }
        _ => return None,
    }
    assert_eq!(
        sum,
        n * n.saturating_sub(1) / 2,
        "{name} lost or duplicated messages"
    );
    Some(sum)
}

fn main() {
    let runs = runs();
    if let Some((name, times)) = common::once() {
        if single_thread(&name, times).is_some() {
            return;
        }
        let run = runs.iter().find(|r| r.name() == name).unwrap_or_else(|| {
            let names: Vec<String> = runs.iter().map(Run::name).collect();
            panic!(
                "no function named {name}; the functions: {}, st_cap64/std_mpsc, st_cap64/concheck",
                names.join(", ")
            )
        });
        (0..times).for_each(|_| {
            run.checked();
        });
        return;
    }
    if let Some(pairs) = common::pairs() {
        paired_table(pairs, &runs);
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    let mut groups: Vec<&str> = runs.iter().map(|r| r.group.as_str()).collect();
    groups.dedup();
    for name in groups {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(MESSAGES));
        // An iteration at capacity 0 or 1 takes ~50-200 ms on 2 cores: 20 samples, not 100.
        group.sample_size(20);
        for r in runs.iter().filter(|r| r.group == name) {
            group.bench_function(r.function, |b| b.iter(|| black_box(r.checked())));
        }
        group.finish();
    }
    c.final_summary();
}
