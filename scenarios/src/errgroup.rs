//! Error group: run tasks that may fail, wait for all of them, get the first error; the first
//! error cancels the group's context so siblings that watch it stop early. Optionally at most
//! `n` tasks run at once.
//!
//! The group is [`concheck::go::ErrGroup`] (after `golang.org/x/sync/errgroup`), re-exported
//! here; its docs give its guarantees. With a limit, a finished task is joined before its slot
//! is reused (see [`bounded_parallel`](crate::bounded_parallel) for why `limit + 1` is not a
//! bound otherwise).
//!
//! # Twins
//!
//! - [`no_cancel`]: the sibling waits on the *parent* context instead of the group's, the
//!   common slip with `g, gctx := errgroup.WithContext(ctx)`. The first error cancels nothing
//!   the sibling watches, so it waits forever for a value that will never come, and `wait`, which
//!   joins every task, waits forever for it.

pub use concheck::go::{ErrGroup, ErrGroupError};

use std::sync::Arc;

use concheck::go::{self, Context, Receiver, Select};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// A sibling that needs the value a fetch would send; stops when `ctx` is cancelled.
fn await_value(values: &Receiver<u32>, ctx: &Context) -> Result<(), &'static str> {
    Select::new()
        .recv(values, |v| v.map(|_| ()).ok_or("values closed"))
        .done(ctx, || Err("cancelled"))
        .wait()
}

fn reference() {
    let (mut g, _ctx) = ErrGroup::with_context(&Context::background());
    let (values_tx, values_rx) = go::named::<u32>("values", 0);
    g.go(move |_ctx| {
        // The fetch fails before it has a value to send.
        drop(values_tx);
        Err("fetch failed")
    });
    g.go(move |ctx| await_value(&values_rx, &ctx));
    assert_eq!(
        g.wait(),
        Err("fetch failed"),
        "the first error, not the sibling's cancellation"
    );
}

fn reference_bounded() {
    const LIMIT: usize = 2;
    let mut g = ErrGroup::<&'static str>::new();
    g.set_limit(LIMIT).expect("nonzero limit");
    let (working, peak, sum) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    for x in 1..=3 {
        let (working, peak, sum) = (Arc::clone(&working), Arc::clone(&peak), Arc::clone(&sum));
        g.go(move |_ctx| {
            let now = working.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            sum.fetch_add(x, Ordering::SeqCst);
            working.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        });
    }
    assert_eq!(g.wait(), Ok(()));
    assert_eq!(sum.load(Ordering::SeqCst), 6, "every task ran once");
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak <= LIMIT, "{peak} tasks worked at once, limit {LIMIT}");
}

/// Twin: the sibling watches the parent context, which the group's first error does not cancel.
pub fn no_cancel() {
    let (parent, _cancel_parent) = Context::background().with_cancel();
    let (mut g, _gctx) = ErrGroup::with_context(&parent);
    let (values_tx, values_rx) = go::named::<u32>("values", 0);
    g.go(move |_gctx| {
        drop(values_tx);
        Err("fetch failed")
    });
    let ctx = parent.clone();
    // BUG: `ctx` is the parent, not the group's context: the first error cancels the group's
    // context only, so this select waits forever for a value nobody will send.
    g.go(move |_gctx| await_value(&values_rx, &ctx));
    assert_eq!(g.wait(), Err("fetch failed"));
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "errgroup",
            pattern: "error group",
            role: Role::Reference,
            summary: "one task fails; the sibling waiting for its value stops on the cancelled \
                      context; wait returns the first error",
            body: Body::Sync(reference),
            // An unlimited group spawns one task per go: no bound is promised.
            max_live_tasks: None,
            // Exhaustive loom is cheap: 24 iterations, under 0.01 s.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "errgroup_bounded",
            pattern: "error group",
            role: Role::Reference,
            summary: "set_limit(2), 3 tasks: go blocks for a slot; at most 2 tasks alive",
            body: Body::Sync(reference_bounded),
            // The limit: a slot is reused only after its task is joined.
            max_live_tasks: Some(2),
            // Bound 2: 1,097 iterations, 0.09 s; exhaustive passes 200,000 iterations (15 s)
            // without finishing.
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "errgroup_no_cancel",
            pattern: "error group",
            role: Role::Twin {
                // Deadlock, not Leak: errgroup's wait joins every task, so the caller itself
                // waits on the stuck sibling and nothing can run; a leak would need the caller
                // to have returned without it.
                expects: &[ViolationKind::Deadlock],
                assertion: None,
            },
            summary: "the sibling watches the parent context: the first error cancels nothing it \
                      sees, and wait joins it forever",
            body: Body::Sync(no_cancel),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
