//! The RWMutex suite: Go's `sync.RWMutex` semantics, writer preference included, checked on
//! your type through [`RwLocker`].
//!
//! # What your RWMutex must do
//!
//! | property | requires |
//! |---|---|
//! | `writers_exclude_each_other` | two writers incrementing under the write lock lose no update |
//! | `readers_share` | a second reader gets in while a first holds the read lock |
//! | `queued_writer_blocks_new_readers` | once a writer waits, a new reader waits for it (Go's writer preference): readers that ignore a queued writer fail |
//! | `runlock_of_unlocked_is_refused` | a `runlock` with no read lock held is refused (Go's fatal error) |
//!
//! `queued_writer_blocks_new_readers` lets the writer fall asleep with
//! [`time::sleep`](crate::time::sleep): under a model checker time moves only once every task
//! is blocked, so the writer is queued when the sleep returns. On std it is a real 2 ms after
//! which the writer may not have queued yet, so there the body checks only that everybody gets
//! the lock in the end: the writer preference itself is checked by the model checkers.
//! Writer preference is also why a recursive read lock deadlocks in Go when a writer queues in
//! between; [`go::RwMutex`] shows that as a reported deadlock.

use super::report::{SuiteReport, ACCEPTED};
use super::{settle, spawn, Expect, Property};
use crate::check::{Check, Checker};
use crate::go;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::Arc;
use crate::violation::ViolationKind;
use std::any::type_name;

/// A readers-writer lock locked and unlocked by call, as the suite drives it.
pub trait RwLocker: Send + Sync + Sized + 'static {
    /// An unlocked lock.
    fn new() -> Self;
    /// Takes the read lock; must wait while a writer holds it or waits for it.
    fn rlock(&self);
    /// Releases a read lock; with none held it must panic (or report a misuse).
    fn runlock(&self);
    /// Takes the write lock.
    fn lock(&self);
    /// Releases the write lock.
    fn unlock(&self);
}

impl RwLocker for go::RwMutex {
    #[track_caller]
    fn new() -> Self {
        go::RwMutex::new()
    }
    #[track_caller]
    fn rlock(&self) {
        go::RwMutex::rlock(self);
    }
    #[track_caller]
    fn runlock(&self) {
        go::RwMutex::runlock(self);
    }
    #[track_caller]
    fn lock(&self) {
        go::RwMutex::lock(self);
    }
    #[track_caller]
    fn unlock(&self) {
        go::RwMutex::unlock(self);
    }
}

/// Runs every RWMutex property on `L` under each of `checkers`.
pub fn check_rw_mutex<L: RwLocker>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("rwmutex", type_name::<L>(), "rw_mutex_property");
    for p in properties::<L>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the RWMutex property `name` as a [`Check`]; `None` if there is no such property.
pub fn rw_mutex_property<L: RwLocker>(name: &str) -> Option<Check> {
    properties::<L>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<L: RwLocker>() -> Vec<Property> {
    vec![
        Property {
            name: "writers_exclude_each_other",
            requirement: "two writers incrementing under the write lock lose no update",
            expect: Expect::NoViolation,
            body: writers_exclude::<L>,
        },
        Property {
            name: "readers_share",
            requirement: "a second reader gets in while a first holds the read lock",
            expect: Expect::NoViolation,
            body: readers_share::<L>,
        },
        Property {
            name: "queued_writer_blocks_new_readers",
            requirement: "once a writer waits, a new reader waits for it (writer preference)",
            expect: Expect::NoViolation,
            body: writer_preference::<L>,
        },
        Property {
            name: "runlock_of_unlocked_is_refused",
            requirement: "a runlock with no read lock held panics (or reports a misuse), as Go's \
                          is fatal",
            expect: Expect::Refusal(ViolationKind::Misuse),
            body: runlock_unlocked::<L>,
        },
    ]
}

fn writers_exclude<L: RwLocker>() {
    let l = Arc::new(L::new());
    let count = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (1..=2)
        .map(|i| {
            let (l, count) = (Arc::clone(&l), Arc::clone(&count));
            spawn(&format!("writer-{i}"), move || {
                l.lock();
                let seen = count.load(Ordering::SeqCst);
                count.store(seen + 1, Ordering::SeqCst);
                l.unlock();
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "an update under the write lock was lost: two writers held it at once"
    );
}

/// Main holds the read lock and joins a task that takes it too: readers must not exclude each
/// other (if they do, main waits for a task that waits for main).
fn readers_share<L: RwLocker>() {
    let l = Arc::new(L::new());
    l.rlock();
    let l2 = Arc::clone(&l);
    spawn("reader-2", move || {
        l2.rlock();
        l2.runlock();
    })
    .join()
    .unwrap();
    l.runlock();
}

/// Main holds the read lock; a writer queues; then a reader comes. The reader must wait until
/// the writer has been in (and must see its write); main checks it is still out before it
/// releases the read lock.
fn writer_preference<L: RwLocker>() {
    let l = Arc::new(L::new());
    let (wrote, read) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    l.rlock();
    let (lw, w) = (Arc::clone(&l), Arc::clone(&wrote));
    let writer = spawn("writer", move || {
        lw.lock();
        w.store(true, Ordering::SeqCst);
        lw.unlock();
    });
    let settled = settle(); // the writer is queued
    let (lr, w, r) = (Arc::clone(&l), Arc::clone(&wrote), Arc::clone(&read));
    let reader = spawn("reader", move || {
        lr.rlock();
        r.store(true, Ordering::SeqCst);
        let after_writer = w.load(Ordering::SeqCst);
        lr.runlock();
        assert!(
            after_writer || !settled,
            "a reader went ahead of a writer queued before it"
        );
    });
    let settled = settle(); // the reader is queued (or, wrongly, done)
    assert!(
        !read.load(Ordering::SeqCst) || !settled,
        "a new reader took the read lock while a writer waited: a Go RWMutex blocks new readers \
         once a writer waits, so that readers cannot starve it"
    );
    l.runlock();
    writer.join().unwrap();
    reader.join().unwrap();
}

fn runlock_unlocked<L: RwLocker>() {
    let l = L::new();
    l.rlock();
    l.runlock();
    l.runlock();
    panic!(
        "{ACCEPTED}: a runlock with no read lock held returned normally; it must panic, as \
         Go's is fatal (\"sync: RUnlock of unlocked RWMutex\")"
    );
}
