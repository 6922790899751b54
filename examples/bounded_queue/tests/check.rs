//! The queue under concheck: the same body on std threads, under loom and under shuttle.
//!
//! `cargo test --manifest-path examples/bounded_queue/Cargo.toml -- --nocapture` prints the
//! report a user sees for the buggy queue.

use std::sync::Arc;

use bounded_queue::{BoundedQueue, Buggy, Fixed, Variant};
use concheck::check::{replay, Check, Checker, LoomConfig};
use concheck::thread;
use concheck::ViolationKind;

/// One producer pushes two items through a queue of capacity 1 to two consumers, which pop one
/// each; every item must arrive exactly once.
///
/// Capacity 1 makes the producer wait for space after every item, so producer and consumers
/// wait at the same time; three tasks are few enough for loom (at most 4) and enough for a
/// notify to reach the wrong kind of waiter.
fn producers_consumers<V: Variant>(variant: V) {
    let queue = Arc::new(BoundedQueue::<u32, V>::with_variant(1, variant));
    let producer = {
        let queue = Arc::clone(&queue);
        thread::Builder::new().name("producer").spawn(move || {
            queue.push(1);
            queue.push(2);
        })
    };
    let consumers: Vec<_> = (0..2)
        .map(|i| {
            let queue = Arc::clone(&queue);
            thread::Builder::new()
                .name(format!("consumer-{i}"))
                .spawn(move || queue.pop())
        })
        .collect();
    producer.join().unwrap();
    let mut received: Vec<u32> = consumers.into_iter().map(|c| c.join().unwrap()).collect();
    received.sort_unstable();
    assert_eq!(received, [1, 2], "every item is popped exactly once");
    assert!(queue.is_empty());
}

fn check<V: Variant>(variant: V) -> Check {
    Check::new(move || producers_consumers(variant)).max_live_tasks(3)
}

/// The checkers that control the schedule, so they can be asked for a failing one: loom
/// (preemption bound 2), shuttle random and shuttle PCT (1,000 schedules each).
fn model_checkers() -> [Checker; 3] {
    [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
    ]
}

#[test]
fn fixed_queue_passes() {
    let check = check(Fixed);
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        println!("{report}");
        report.assert_no_violation();
    }
}

/// loom with no preemption bound explores every interleaving of the body: the fixed queue is
/// verified, not just "no violation found". 45,642 executions, 6 to 10 s in a debug build of
/// this crate (loom itself optimized, see Cargo.toml).
#[test]
fn fixed_queue_is_verified_by_loom() {
    let exhaustive = Checker::Loom(LoomConfig::new().preemption_bound(None));
    let report = check(Fixed).run(&exhaustive);
    println!("{report}");
    report.assert_no_violation();
    assert!(report.verified(), "the search was cut short: {report}");
}

#[test]
fn buggy_queue_is_caught() {
    let check = check(Buggy);
    for checker in model_checkers() {
        let report = check.run(&checker);
        println!("{report}\n");
        report.assert_finds(ViolationKind::LostWakeup);
        assert!(report.replay.is_some(), "a model checker's failure replays");
    }
}

#[test]
fn buggy_queue_replays() {
    let check = check(Buggy);
    for checker in model_checkers() {
        let report = check.run(&checker);
        let schedule = report
            .replay
            .as_deref()
            .expect("a failing report has a replay string");
        let again = replay(&check, schedule).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            again.iterations, 1,
            "a replay runs the one failing schedule"
        );
        assert_eq!(
            again.violation(),
            report.violation(),
            "the replay shows the same violation: kind, message, sites and tasks"
        );
    }
}
