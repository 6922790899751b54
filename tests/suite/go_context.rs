//! `go::Context` under every checker: cancel is idempotent and reported by `err`, cancellation
//! flows from parent to every descendant (waking tasks blocked in `done`) and never upwards, and
//! a child of a cancelled parent is born cancelled.
//!
//! The rules are Go's `context` package ("Canceling this context releases resources associated
//! with it"; `WithCancel`'s "Done channel is closed when the returned cancel function is called
//! or when the parent context's Done channel is closed").

use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};

use concheck::check::{Check, Checker};
use concheck::go::{Context, ContextError};
use concheck::thread;
use concheck::{TaskState, ViolationKind};

#[test]
fn context_err_is_canceled_after_cancel() {
    holds(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        assert_eq!(ctx.err(), None, "a fresh context is not done");
        let canceller = thread::Builder::new()
            .name("canceller")
            .spawn(move || cancel.cancel());
        ctx.done();
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        canceller.join().unwrap();
    });
    assert_eq!(ContextError::Canceled.to_string(), "context canceled");
}

#[test]
fn context_cancel_is_idempotent() {
    // Two tasks cancel the same context, one of them twice: no panic, one outcome.
    holds(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        let cancel = std::sync::Arc::new(cancel);
        let other = {
            let cancel = std::sync::Arc::clone(&cancel);
            thread::Builder::new()
                .name("other-canceller")
                .spawn(move || cancel.cancel())
        };
        cancel.cancel();
        cancel.cancel();
        other.join().unwrap();
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        ctx.done();
        ctx.done();
    });
}

#[test]
fn context_child_cancelled_when_parent_cancelled() {
    // A task blocked in the child's `done` wakes when only the parent is cancelled.
    holds(|| {
        let (parent, cancel_parent) = Context::background().with_cancel();
        let (child, _cancel_child) = parent.with_cancel();
        let waiter = thread::Builder::new().name("waiter").spawn(move || {
            child.done();
            child.err()
        });
        cancel_parent.cancel();
        assert_eq!(waiter.join().unwrap(), Some(ContextError::Canceled));
        assert_eq!(parent.err(), Some(ContextError::Canceled));
    });
}

#[test]
fn context_every_child_cancelled_when_parent_cancelled() {
    // Three live children of one parent, the first made first: cancelling the parent cancels
    // each of them, not only the last one made (making a child prunes the parent's list of
    // children that were dropped, and must keep the live ones).
    holds(|| {
        let (parent, cancel_parent) = Context::background().with_cancel();
        let children: Vec<_> = (0..3).map(|_| parent.with_cancel()).collect();
        let (first, _) = &children[0];
        let first = first.clone();
        let waiter = thread::Builder::new()
            .name("first-child-waiter")
            .spawn(move || first.done());
        cancel_parent.cancel();
        waiter.join().unwrap();
        for (i, (child, _)) in children.iter().enumerate() {
            assert_eq!(child.err(), Some(ContextError::Canceled), "child {i}");
        }
    });
}

#[test]
fn context_grandchild_cancelled_when_root_cancelled() {
    holds(|| {
        let (root, cancel_root) = Context::background().with_cancel();
        let (child, _cancel_child) = root.with_cancel();
        let (grandchild, _cancel_grandchild) = child.with_cancel();
        let waiter = thread::Builder::new()
            .name("waiter")
            .spawn(move || grandchild.done());
        cancel_root.cancel();
        waiter.join().unwrap();
        assert_eq!(child.err(), Some(ContextError::Canceled));
    });
}

#[test]
fn context_child_created_during_parent_cancel_is_cancelled() {
    // Whichever comes first, the child's creation or the parent's cancel, the child ends up
    // cancelled: a child registered after the cancel took the children list would be missed.
    holds(|| {
        let (parent, cancel_parent) = Context::background().with_cancel();
        let canceller = thread::Builder::new()
            .name("canceller")
            .spawn(move || cancel_parent.cancel());
        let (child, _cancel_child) = parent.with_cancel();
        child.done();
        assert_eq!(child.err(), Some(ContextError::Canceled));
        canceller.join().unwrap();
    });
}

#[test]
fn context_parent_not_cancelled_by_child() {
    holds(|| {
        let (parent, _cancel_parent) = Context::background().with_cancel();
        let (child, cancel_child) = parent.with_cancel();
        let (sibling, _cancel_sibling) = parent.with_cancel();
        let canceller = thread::Builder::new()
            .name("canceller")
            .spawn(move || cancel_child.cancel());
        child.done();
        canceller.join().unwrap();
        assert_eq!(child.err(), Some(ContextError::Canceled));
        assert_eq!(parent.err(), None, "cancellation never flows upwards");
        assert_eq!(sibling.err(), None, "nor sideways");
    });
}

#[test]
fn context_with_cancel_on_cancelled_parent_is_cancelled() {
    holds(|| {
        let (parent, cancel_parent) = Context::background().with_cancel();
        let canceller = thread::Builder::new()
            .name("canceller")
            .spawn(move || cancel_parent.cancel());
        canceller.join().unwrap();
        let (child, _cancel_child) = parent.with_cancel();
        assert_eq!(child.err(), Some(ContextError::Canceled), "born cancelled");
        // `done` must not block: the child never gets a cancel of its own.
        child.done();
    });
}

#[test]
fn context_done_without_cancel_is_leak() {
    static DONE: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        thread::Builder::new().name("waiter").spawn(move || {
            DONE.store(line!() + 1, StdOrdering::Relaxed);
            ctx.done();
        });
        // Dropping the cancel function cancels nothing (Go: "failing to call the CancelFunc
        // leaks the child").
        drop(cancel);
    });
    for checker in [
        Checker::loom(),
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
    ] {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Leak);
        let v = report.violation().unwrap();
        assert_eq!(v.tasks.len(), 1, "{report}");
        assert_eq!(v.tasks[0].name, "waiter", "{report}");
        match &v.tasks[0].state {
            TaskState::Blocked { op, object, at, .. } => {
                assert_eq!(op, "Context::done", "{report}");
                assert!(object.starts_with("context created at"), "{report}");
                assert_eq!(
                    (at.file.as_str(), at.line),
                    (file!(), DONE.load(StdOrdering::Relaxed)),
                    "{report}"
                );
            }
            other => panic!("the waiter should be blocked, not {other}: {report}"),
        }
    }
}

/// The body shows no violation under any default checker.
fn holds(body: impl Fn() + Send + Sync + 'static) {
    Check::new(body).assert_no_violation(&Checker::defaults());
}
