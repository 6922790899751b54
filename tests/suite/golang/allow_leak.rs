//! `Check::allow_leak`: the prime sieve of Go's `test/chan/sieve1.go` leaves its generator and
//! filters blocked on a send when `main` has the primes it wants, on purpose. Declared, that is
//! an allowed leak the report names; undeclared, or a task of another name, it stays a leak.

use std::time::Duration;

use concheck::check::{Check, Checker, LoomConfig, ShuttleConfig, StdConfig};
use concheck::go::{self, Receiver, Sender};
use concheck::thread;
use concheck::{TaskState, ViolationKind};

/// Sends 2, 3, 4, ... forever (sieve1.go's `Generate`): blocks for good once nobody reads.
fn generate(tx: Sender<u32>) {
    for i in 2.. {
        tx.send(i);
    }
}

/// Passes on what `prime` does not divide (sieve1.go's `Filter`).
fn filter(rx: Receiver<u32>, tx: Sender<u32>, prime: u32) {
    while let Some(i) = rx.recv() {
        if i % prime != 0 {
            tx.send(i);
        }
    }
}

/// sieve1.go's `main`, taking the first `n` primes (Go's test takes more; scaled down so a
/// shuttle schedule stays under a few hundred steps). Every task is left blocked on a send.
pub(super) fn sieve(n: usize) -> Vec<u32> {
    let (tx, mut rx) = go::named::<u32>("numbers", 0);
    thread::Builder::new()
        .name("sieve-generate")
        .spawn(move || generate(tx));
    let mut primes = Vec::new();
    for i in 0..n {
        let prime = rx.recv().expect("the sieve never closes a channel");
        primes.push(prime);
        if i + 1 == n {
            break; // Go's sieve spawns one more filter here; it would only leak as well
        }
        let (next_tx, next_rx) = go::named::<u32>(&format!("after-{prime}"), 0);
        thread::Builder::new()
            .name("sieve-filter")
            .spawn(move || filter(rx, next_tx, prime));
        rx = next_rx;
    }
    primes
}

fn sieve_check(n: usize) -> Check {
    Check::new(move || assert_eq!(sieve(n), [2, 3, 5, 7, 11][..n]))
}

// Cost: 200 random + 200 PCT schedules of a 4-task sieve, ~0.1 s; std 2 runs cost the
// watchdog's 0.5 s each (the watchdog is what decides the leaked threads are blocked).
#[test]
fn sieve_with_allowed_leaks_passes_and_says_so() {
    let check = sieve_check(4)
        .allow_leak("sieve-generate")
        .allow_leak("sieve-filter");
    for checker in [
        Checker::Shuttle(ShuttleConfig::random().iterations(200)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(200)),
        Checker::Std(
            StdConfig::new()
                .iterations(2)
                .watchdog(Duration::from_millis(500)),
        ),
    ] {
        let report = check.run(&checker);
        report.assert_no_violation();
        let allowed = report
            .allowed_leaks
            .as_ref()
            .unwrap_or_else(|| panic!("an allowed leak must be reported, never silent: {report}"));
        // Every execution leaves the sieve's tasks blocked.
        assert_eq!(allowed.executions, report.iterations, "{report}");
        assert!(allowed.first.contains("sieve-generate"), "{report}");
        assert!(allowed.first.contains("sieve-filter"), "{report}");
        assert!(
            report
                .to_string()
                .contains("allowed leak (Check::allow_leak)"),
            "{report}"
        );
    }
}

// Cost: one loom execution (3 spawned tasks); loom stops at the first allowed leak.
#[test]
fn loom_stops_at_an_allowed_leak_and_says_why() {
    let check = sieve_check(3)
        .allow_leak("sieve-generate")
        .allow_leak("sieve-filter");
    let report = check.run(&Checker::Loom(LoomConfig::new().preemption_bound(Some(1))));
    report.assert_no_violation();
    assert!(report.allowed_leaks.is_some(), "{report}");
    assert!(
        report
            .to_string()
            .contains("stopped at the first execution with an allowed leak"),
        "{report}"
    );
}

// Cost: each find is the first schedule (every schedule leaks).
#[test]
fn sieve_without_allow_leak_is_a_leak() {
    let check = sieve_check(3);
    for checker in [
        Checker::Shuttle(ShuttleConfig::random().iterations(50)),
        Checker::Shuttle(ShuttleConfig::pct().iterations(50)),
        Checker::Loom(LoomConfig::new().preemption_bound(Some(1))),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        assert!(report.allowed_leaks.is_none(), "{report}");
    }
}

#[test]
fn a_leak_of_a_task_not_allowed_stays_a_violation() {
    // The filters are allowed, the generator is not: the leak is reported, naming it.
    let check = sieve_check(3).allow_leak("sieve-filter");
    for checker in [
        Checker::Shuttle(ShuttleConfig::random().iterations(50)),
        Checker::Loom(LoomConfig::new().preemption_bound(Some(1))),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let v = report.violation().unwrap();
        assert!(
            v.tasks.iter().any(|t| t.name == "sieve-generate"),
            "{report}"
        );
    }
}

#[test]
fn an_allowed_name_that_never_blocks_is_not_an_allowed_leak() {
    // A task of an allowed name that is still running at the scope end (a spin) is not
    // blocked: it is not what allow_leak allows.
    let check = Check::new(|| {
        thread::Builder::new().name("spinner").spawn(|| loop {
            thread::yield_now();
        });
    })
    .allow_leak("spinner");
    let report = check.run(&Checker::Shuttle(ShuttleConfig::random().iterations(5)));
    let v = report
        .violation()
        .unwrap_or_else(|| panic!("a spinning task must not pass: {report}"));
    assert!(
        v.tasks
            .iter()
            .any(|t| t.name == "spinner" && !matches!(t.state, TaskState::Blocked { .. })),
        "{report}"
    );
}
