//! Unit tests of [`classify_ended`], one per decision it makes: which ending and which blocked
//! operations give which verdict, and what each verdict lists (message, tasks, sites). Each
//! was written against a mutant of `classify.rs` that the integration suite let through
//! (TESTING.md, "Mutation testing"), so each fails if that decision is changed.

use std::time::Duration;

use super::classify::{classify_ended, Ended, Ending, Locks};
use super::op_text::{site, task};
use crate::rt::{OpKind, PanicRecord};
use crate::violation::{TaskInfo, TaskState, Violation, ViolationKind};

fn blocked(kind: OpKind, line: u32) -> TaskState {
    TaskState::Blocked {
        op: format!("{kind:?}"),
        op_kind: kind,
        object: format!("object @ body.rs:{line}"),
        at: site(line),
    }
}

fn ended(tasks: Vec<TaskInfo>, leaked: Vec<usize>) -> Ended {
    Ended {
        tasks,
        leaked,
        first_panic: None,
        locks: Vec::new(),
    }
}

/// The body (#0) blocked at its scope end (line 10), #1 blocked on a receive (line 20) and
/// leaked, #2 finished.
fn scope_end_leak() -> Ended {
    ended(
        vec![
            task(0, blocked(OpKind::ScopeEnd, 10)),
            task(1, blocked(OpKind::ChannelRecv, 20)),
            task(2, TaskState::Finished),
        ],
        vec![1],
    )
}

fn ids(v: &Violation) -> Vec<usize> {
    v.tasks.iter().map(|t| t.id).collect()
}

#[test]
fn a_task_blocked_at_a_scope_end_makes_the_unfinished_tasks_of_its_scope_a_leak() {
    let v = classify_ended(&scope_end_leak(), Ending::AllBlocked);
    assert_eq!(v.kind, ViolationKind::Leak, "{v}");
    assert_eq!(ids(&v), [1], "only the leaked task: {v}");
    assert!(
        v.message
            .contains("the scope ended at src/body.rs:10:5, where #0 'task-0' waits"),
        "the message names the scope end and who waits there: {v}"
    );
    assert_eq!(
        v.sites,
        [site(101), site(10)],
        "where the leaked task was spawned, then the scope end: {v}"
    );
}

#[test]
fn a_leak_that_ends_a_run_by_the_step_bound_or_the_watchdog_says_how() {
    let v = classify_ended(&scope_end_leak(), Ending::StepBound("10000 steps".into()));
    assert_eq!(v.kind, ViolationKind::Leak, "{v}");
    assert!(
        v.message
            .contains("outlived its scope (they never stopped running: 10000 steps)"),
        "{v}"
    );
    let v = classify_ended(
        &scope_end_leak(),
        Ending::Watchdog(Duration::from_millis(1500)),
    );
    assert_eq!(v.kind, ViolationKind::Leak, "{v}");
    assert!(
        v.message
            .contains("outlived its scope (still alive 1.5s later)"),
        "{v}"
    );
}

#[test]
fn leaked_tasks_without_a_task_at_a_scope_end_are_a_deadlock_not_a_leak() {
    // Leaked ids, but nobody waits at a scope end: the tasks block each other.
    let v = classify_ended(
        &ended(
            vec![
                task(0, blocked(OpKind::ChannelRecv, 10)),
                task(1, blocked(OpKind::ChannelSend, 20)),
            ],
            vec![1],
        ),
        Ending::AllBlocked,
    );
    assert_eq!(v.kind, ViolationKind::Deadlock, "{v}");
    assert_eq!(ids(&v), [0, 1], "{v}");
}

#[test]
fn a_scope_end_without_leaked_tasks_is_a_deadlock_not_a_leak() {
    let v = classify_ended(
        &ended(
            vec![
                task(0, blocked(OpKind::ScopeEnd, 10)),
                task(1, blocked(OpKind::ChannelRecv, 20)),
            ],
            Vec::new(),
        ),
        Ending::AllBlocked,
    );
    assert_eq!(v.kind, ViolationKind::Deadlock, "{v}");
}

#[test]
fn every_task_blocked_is_a_deadlock_listing_each_blocked_site() {
    let v = classify_ended(
        &ended(
            vec![
                task(0, blocked(OpKind::Lock, 10)),
                task(1, blocked(OpKind::ChannelSend, 20)),
                task(2, TaskState::Finished),
            ],
            Vec::new(),
        ),
        Ending::AllBlocked,
    );
    assert_eq!(v.kind, ViolationKind::Deadlock, "{v}");
    assert!(v.message.starts_with("every task is blocked: ["), "{v}");
    assert_eq!(ids(&v), [0, 1], "the unfinished tasks: {v}");
    assert_eq!(v.sites, [site(10), site(20)], "{v}");
}

#[test]
fn an_async_task_parked_for_good_is_a_lost_waker_call() {
    let v = classify_ended(
        &ended(
            vec![
                task(0, blocked(OpKind::Join, 10)),
                task(1, blocked(OpKind::AsyncRecv, 20)),
            ],
            Vec::new(),
        ),
        Ending::AllBlocked,
    );
    assert_eq!(v.kind, ViolationKind::LostWakeup, "{v}");
    assert!(
        v.message
            .starts_with("#1 'task-1' never got a Waker call after its last Pending"),
        "{v}"
    );
}

#[test]
fn a_condvar_waiter_is_a_lost_notify() {
    let v = classify_ended(
        &ended(
            vec![
                task(0, blocked(OpKind::Join, 10)),
                task(1, blocked(OpKind::CondvarWait, 20)),
            ],
            Vec::new(),
        ),
        Ending::AllBlocked,
    );
    assert_eq!(v.kind, ViolationKind::LostWakeup, "{v}");
    assert!(
        v.message.starts_with("#1 'task-1' never got a notify"),
        "{v}"
    );
}

#[test]
fn a_condvar_waiter_holding_the_lock_another_task_wants_is_a_deadlock() {
    let mut e = ended(
        vec![
            task(0, blocked(OpKind::Lock, 10)),
            task(1, blocked(OpKind::CondvarWait, 20)),
        ],
        Vec::new(),
    );
    e.locks = vec![
        Locks {
            holds: Vec::new(),
            wants: Some(0xa0),
        },
        Locks {
            holds: vec![0xa0],
            wants: None,
        },
    ];
    let v = classify_ended(&e, Ending::AllBlocked);
    assert_eq!(v.kind, ViolationKind::Deadlock, "{v}");
    assert!(
        v.message.starts_with(
            "#1 'task-1' waits on a condvar while it holds a lock that #0 'task-0' is blocked on"
        ),
        "{v}"
    );
}

#[test]
fn the_watchdog_lists_the_sites_of_the_blocked_threads() {
    let v = classify_ended(
        &ended(
            vec![
                task(0, blocked(OpKind::Join, 10)),
                task(1, TaskState::Running),
                task(2, blocked(OpKind::ChannelRecv, 30)),
            ],
            Vec::new(),
        ),
        Ending::Watchdog(Duration::from_secs(2)),
    );
    assert_eq!(v.kind, ViolationKind::Hang, "{v}");
    assert!(
        v.message
            .contains("within 2.0s; 3 of its threads unfinished, 2 of them blocked"),
        "{v}"
    );
    assert_eq!(v.sites, [site(10), site(30)], "{v}");
}

#[test]
fn a_panic_of_the_body_is_a_failed_assertion_and_of_a_task_a_task_panic() {
    let tasks = vec![task(0, TaskState::Panicked), task(1, TaskState::Panicked)];
    let mut e = ended(tasks, Vec::new());
    for (who, kind) in [
        (0, ViolationKind::AssertionFailed),
        (1, ViolationKind::TaskPanicked),
    ] {
        e.first_panic = Some(PanicRecord {
            task: Some(who),
            message: "boom".to_owned(),
            at: Some(site(40)),
            last_call: None,
        });
        let v = classify_ended(&e, Ending::Panic("boom".into()));
        assert_eq!(v.kind, kind, "a panic of #{who}: {v}");
        assert_eq!(ids(&v), [who], "{v}");
        assert_eq!(v.sites, [site(40)], "{v}");
    }
}
