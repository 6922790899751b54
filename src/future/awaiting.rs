//! What a task's future awaits, for reports.
//!
//! Each primitive of this module notes, when its future returns `Pending`, the operation and the
//! object it waits on, at the site that created the future (`rx.recv()`). `block_on` clears the
//! notes before every poll and, when the poll returns `Pending`, parks the task reported blocked
//! in them: one note as it is, several (a `race`) as one list. The same record a blocking call
//! leaves (`rt::blocking`), so a leaked or stuck async task is named with what it awaits.
//!
//! A future of your own can note what it awaits with [`awaiting`](crate::future::awaiting).

use std::fmt;
use std::panic::Location;

use crate::rt::{self, BlockedOn, Op};
use crate::violation::Site;

/// The operation of a note from a future that is not one of this module's primitives. Every
/// operation a parked async task is reported in is of an async kind (`OpKind::is_async`): the
/// classifier treats such a task as it treats one in `Condvar::wait`, its wakeup (a Waker call)
/// never came.
const OP_AWAIT: &Op = crate::rt::op::ASYNC_AWAIT;

/// Notes that the running task's future awaits `op` on `object()`, called at `at`.
pub(crate) fn note(
    op: &'static Op,
    object: impl FnOnce() -> String,
    at: &'static Location<'static>,
) {
    debug_assert!(
        op.kind.is_async(),
        "async op {op:?} is not of an async kind"
    );
    if rt::context::execution().is_none() {
        return; // outside a checker run nothing is reported: skip the formatting
    }
    let on = BlockedOn {
        op,
        lock: None,
        object: object().into(),
        at,
    };
    rt::with_awaiting(|notes| notes.push(on));
}

/// Notes that the running task's future returns `Pending` waiting for `what`, so that a report
/// of the task, leaked or stuck, says what it awaits: `blocked in async await on {what} at
/// {caller}`. Call it from a hand-written `Future::poll` just before it returns `Pending`; the
/// primitives of [`crate::future`] already do. Outside a checker run it does nothing.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
///
/// struct Never;
///
/// impl Future for Never {
///     type Output = ();
///     fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
///         concheck::future::awaiting("a signal nobody sends");
///         Poll::Pending
///     }
/// }
/// ```
#[track_caller]
pub fn awaiting(what: impl fmt::Display) {
    note(OP_AWAIT, || what.to_string(), Location::caller());
}

/// Where the notes of a sub-future's poll start.
pub(crate) fn mark() -> usize {
    rt::with_awaiting(|notes| notes.len()).unwrap_or(0)
}

/// Drops the notes since `mark`: the combinator that polled them completed.
pub(crate) fn truncate(mark: usize) {
    rt::with_awaiting(|notes| notes.truncate(mark));
}

/// Folds the notes since `mark` into one: `op` on the list of them, at `at`.
pub(crate) fn combine(mark: usize, op: &'static Op, at: &'static Location<'static>) {
    rt::with_awaiting(|notes| {
        if notes.len() > mark {
            let parts: Vec<BlockedOn> = notes.drain(mark..).collect();
            notes.push(BlockedOn {
                op,
                lock: None,
                object: list(&parts).into(),
                at,
            });
        }
    });
}

/// Forgets every note of the running task (before a poll, and after one that completed).
pub(crate) fn clear() {
    rt::with_awaiting(Vec::clear);
}

/// What the running task is reported blocked on when it parks after a `Pending` poll: its
/// note, its notes as one list, or, if its future noted nothing, a future polled at `at`.
pub(crate) fn parked_on(at: &'static Location<'static>) -> BlockedOn {
    let mut notes = rt::with_awaiting(std::mem::take).unwrap_or_default();
    match notes.len() {
        1 => notes.pop().expect("one note"),
        0 => BlockedOn {
            op: OP_AWAIT,
            lock: None,
            object: "a future that returned Pending and noted nothing (see future::awaiting)"
                .to_owned()
                .into(),
            at,
        },
        _ => BlockedOn {
            op: OP_AWAIT,
            lock: None,
            object: list(&notes).into(),
            at: notes[0].at,
        },
    }
}

fn list(notes: &[BlockedOn]) -> String {
    let parts: Vec<String> = notes
        .iter()
        .map(|n| format!("{} on {} at {}", n.op.name, n.object, Site::from(n.at)))
        .collect();
    format!("[{}]", parts.join(", "))
}
