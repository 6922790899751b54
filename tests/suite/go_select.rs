//! `go::Select` under every checker: a ready case is taken, `or_else` is Go's `default:`, a
//! `done` case wakes a waiting select without a lost wakeup, `send` and `recv` cases meet plain
//! operations on unbuffered channels, and a closed channel makes a `recv` case fire with `None`.
//! The empty select and select-to-select rendezvous are in `go_select_semantics.rs`.

use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};

use concheck::check::{Check, Checker, LoomConfig};
use concheck::go::{self, Context, Select};
use concheck::thread;
use concheck::{TaskState, ViolationKind};

#[derive(Debug, PartialEq, Eq)]
enum Picked {
    First(Option<u32>),
    Second(Option<u32>),
    Cancelled,
    Sent,
    Default,
}

#[test]
fn select_recv_picks_the_ready_case() {
    // Only the second channel ever gets a value: the select must wait for it and take it,
    // whichever task runs first.
    holds(|| {
        let (_idle_tx, idle_rx) = go::channel::<u32>(0);
        let (tx, rx) = go::channel::<u32>(1);
        let sender = thread::Builder::new()
            .name("sender")
            .spawn(move || tx.send(4));
        let picked = Select::new()
            .recv(&idle_rx, Picked::First)
            .recv(&rx, Picked::Second)
            .wait();
        assert_eq!(picked, Picked::Second(Some(4)));
        sender.join().unwrap();
        assert_eq!(
            rx.try_recv(),
            Err(go::chan::TryRecvError::Empty),
            "taken once"
        );
    });
}

#[test]
fn select_recv_takes_blocked_unbuffered_send() {
    // A plain send blocked on capacity 0 makes a recv case ready; taking it releases the sender.
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let sender = thread::Builder::new()
            .name("sender")
            .spawn(move || tx.send(8));
        let got = Select::new().recv(&rx, |v| v).wait();
        assert_eq!(got, Some(8));
        sender.join().unwrap();
    });
}

#[test]
fn select_or_else_runs_default_when_nothing_ready() {
    holds(|| {
        let (_tx, rx) = go::channel::<u32>(1);
        let (ctx, _cancel) = Context::background().with_cancel();
        let (unbuffered_tx, _unbuffered_rx) = go::channel::<u32>(0);
        // Nothing to receive, no receiver for the send, no cancellation: the default runs, in
        // a task and in main alike.
        let probe = thread::Builder::new().name("probe").spawn({
            let rx = rx.clone();
            move || {
                Select::new()
                    .recv(&rx, Picked::First)
                    .or_else(|| Picked::Default)
            }
        });
        assert_eq!(probe.join().unwrap(), Picked::Default);
        let picked = Select::new()
            .recv(&rx, Picked::First)
            .send(&unbuffered_tx, 1, || Picked::Sent)
            .done(&ctx, || Picked::Cancelled)
            .or_else(|| Picked::Default);
        assert_eq!(picked, Picked::Default);
        assert_eq!(
            rx.try_recv(),
            Err(go::chan::TryRecvError::Empty),
            "the default consumed nothing"
        );
    });
}

#[test]
fn select_or_else_prefers_a_ready_case() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(1);
        let sender = thread::Builder::new()
            .name("sender")
            .spawn(move || tx.send(3));
        sender.join().unwrap();
        let picked = Select::new()
            .recv(&rx, Picked::First)
            .or_else(|| Picked::Default);
        assert_eq!(picked, Picked::First(Some(3)));
    });
}

/// A select waiting on an idle channel and a context that another task cancels.
fn select_woken_by_cancel() {
    let (_tx, rx) = go::channel::<u32>(0);
    let (ctx, cancel) = Context::background().with_cancel();
    let canceller = thread::Builder::new()
        .name("canceller")
        .spawn(move || cancel.cancel());
    let picked = Select::new()
        .recv(&rx, Picked::First)
        .done(&ctx, || Picked::Cancelled)
        .wait();
    assert_eq!(picked, Picked::Cancelled);
    canceller.join().unwrap();
}

#[test]
fn select_done_fires_when_cancelled_while_waiting() {
    // The select registers with the context and re-checks before it sleeps; a cancel at any
    // point (before, between, after) must wake it. A lost wakeup would be a deadlock or a
    // leak, which every checker would report.
    holds(select_woken_by_cancel);
}

#[test]
fn select_done_wakeup_verified_in_every_interleaving() {
    // Unbounded loom: every interleaving of the select and the cancel, not only those within
    // two preemptions. Measured: 44 executions, 2 ms.
    let exhaustive = Checker::Loom(LoomConfig::new().preemption_bound(None));
    let report = Check::new(select_woken_by_cancel).run(&exhaustive);
    report.assert_no_violation();
    assert!(report.verified(), "the search was cut short: {report}");
}

#[test]
fn select_done_of_child_fires_when_parent_cancelled() {
    holds(|| {
        let (parent, cancel_parent) = Context::background().with_cancel();
        let (child, _cancel_child) = parent.with_cancel();
        let waiter = thread::Builder::new().name("waiter").spawn(move || {
            let (_tx, rx) = go::channel::<u32>(0);
            Select::new()
                .recv(&rx, Picked::First)
                .done(&child, || Picked::Cancelled)
                .wait()
        });
        cancel_parent.cancel();
        assert_eq!(waiter.join().unwrap(), Picked::Cancelled);
    });
}

#[test]
fn select_without_cancel_is_leak() {
    // The twin of the test above: nobody cancels, so the waiting select never returns.
    static SELECT: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        thread::Builder::new().name("waiter").spawn(move || {
            let (_tx, rx) = go::channel::<u32>(0);
            SELECT.store(line!() + 1, StdOrdering::Relaxed);
            Select::new()
                .recv(&rx, Picked::First)
                .done(&ctx, || Picked::Cancelled)
                .wait()
        });
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
                assert_eq!(op, "select", "{report}");
                assert!(object.contains("recv on channel created at"), "{report}");
                assert!(object.contains("done of context created at"), "{report}");
                assert_eq!(at.line, SELECT.load(StdOrdering::Relaxed), "{report}");
            }
            other => panic!("the waiter should be blocked, not {other}: {report}"),
        }
    }
}

#[test]
fn select_send_meets_blocked_unbuffered_recv() {
    // A send case on capacity 0 completes only against a plain recv; the recv may arrive
    // before or after the select starts waiting.
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let receiver = thread::Builder::new()
            .name("receiver")
            .spawn(move || rx.recv());
        let picked = Select::new().send(&tx, 7, || Picked::Sent).wait();
        assert_eq!(picked, Picked::Sent);
        assert_eq!(receiver.join().unwrap(), Some(7));
    });
}

#[test]
fn select_send_or_done_takes_whichever_happens() {
    // The pipeline pattern: a send case raced by a cancel from another task. Either the value
    // is delivered or the select saw the cancel, never neither (a hang) and never a lost value.
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let (ctx, cancel) = Context::background().with_cancel();
        let receiver = thread::Builder::new()
            .name("receiver")
            .spawn(move || rx.recv());
        let canceller = thread::Builder::new()
            .name("canceller")
            .spawn(move || cancel.cancel());
        let sent = Select::new()
            .send(&tx, 1, || true)
            .done(&ctx, || false)
            .wait();
        if !sent {
            // The receiver is still waiting for a value: release it.
            tx.close();
        }
        assert_eq!(receiver.join().unwrap(), if sent { Some(1) } else { None });
        canceller.join().unwrap();
    });
}

#[test]
fn select_recv_gets_none_on_closed_channel() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(0);
        let (_idle_tx, idle_rx) = go::channel::<u32>(0);
        let closer = thread::Builder::new()
            .name("closer")
            .spawn(move || tx.close());
        let picked = Select::new()
            .recv(&idle_rx, Picked::First)
            .recv(&rx, Picked::Second)
            .wait();
        assert_eq!(
            picked,
            Picked::Second(None),
            "a close makes the recv case ready"
        );
        closer.join().unwrap();
        let again = Select::new()
            .recv(&rx, Picked::Second)
            .or_else(|| Picked::Default);
        assert_eq!(again, Picked::Second(None), "and it stays ready");
    });
}

#[test]
fn select_recv_drains_buffer_before_none() {
    holds(|| {
        let (tx, rx) = go::channel::<u32>(2);
        let closer = thread::Builder::new().name("closer").spawn(move || {
            tx.send(1);
            tx.close();
        });
        let first = Select::new().recv(&rx, |v| v).wait();
        assert_eq!(first, Some(1));
        let second = Select::new().recv(&rx, |v| v).wait();
        assert_eq!(second, None);
        closer.join().unwrap();
    });
}

#[test]
fn select_send_on_closed_channel_is_send_after_close() {
    static SELECT: AtomicU32 = AtomicU32::new(0);
    let check = Check::new(|| {
        let (tx, _rx) = go::named::<u32>("closed", 1);
        let tx2 = tx.clone();
        let closer = thread::Builder::new()
            .name("closer")
            .spawn(move || tx2.close());
        closer.join().unwrap();
        SELECT.store(line!() + 1, StdOrdering::Relaxed);
        Select::new().send(&tx, 1, || ()).or_else(|| ());
    });
    for checker in Checker::defaults() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::SendAfterClose);
        let v = report.violation().unwrap();
        assert!(v.message.contains("channel 'closed'"), "{report}");
        assert!(
            v.sites
                .iter()
                .any(|s| s.file == file!() && s.line == SELECT.load(StdOrdering::Relaxed)),
            "the select is the send site: {report}"
        );
    }
}

/// The body shows no violation under any default checker.
fn holds(body: impl Fn() + Send + Sync + 'static) {
    Check::new(body).assert_no_violation(&Checker::defaults());
}

/// A select's Debug gives its number of cases and where it was built (the mutation run found
/// that no test read it).
#[test]
fn select_debug_shows_its_cases_and_site() {
    let (tx, rx) = go::channel::<u32>(1);
    let line = line!() + 1;
    let select = Select::new().recv(&rx, |v| v).send(&tx, 1, || None);
    let text = format!("{select:?}");
    assert!(text.starts_with("Select { cases: 2, at: "), "{text}");
    assert!(text.contains(&format!("{}:{line}:", file!())), "{text}");
}

/// A select blocked on a send case is reported as waiting to send on that channel, as one
/// blocked on a recv case is reported as waiting to receive (`select_without_cancel_is_leak`).
// Cost: one task, one loom execution.
#[test]
fn select_blocked_on_a_send_case_names_the_send() {
    let check = Check::new(|| {
        let (tx, _rx) = go::named::<u32>("out", 0);
        Select::new().send(&tx, 1, || ()).wait();
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::Deadlock);
    match &report.violation().unwrap().tasks[0].state {
        TaskState::Blocked { op, object, .. } => {
            assert_eq!(op, "select", "{report}");
            assert!(
                object.starts_with("[send on channel 'out' (created at "),
                "{report}"
            );
        }
        other => panic!("the body should be blocked in the select, not {other}: {report}"),
    }
}
