//! The conformance suites for Go's types, and each broken variant issue 14 names, written as a
//! user would write it, shown caught by the property it breaks: a select that always takes the
//! first ready case, a capacity-0 channel that buffers one, a close that wakes nobody, a
//! WaitGroup that goes negative silently, a WaitGroup `done` that wakes one waiter, a Once that
//! runs again after a panic, an unlock of an unlocked Mutex that goes silent, readers that
//! ignore a queued writer, a barging semaphore, an errgroup without cancel or without limit.

use std::time::Duration;

use concheck::check::{Checker, ShuttleConfig, StdConfig};
use concheck::conformance::{
    check_channel, check_errgroup, check_mutex, check_once, check_rw_mutex, check_semaphore,
    check_wait_group, Channel, GoChannel, GoLock, Group, Latch, OnceLike, RwLocker, SuiteReport,
    WeightedSemaphore,
};
use concheck::go::{self, Context, ContextError};
use concheck::sync::{Condvar, Mutex};
use concheck::ViolationKind;

use crate::conformance::{UserChannel, CLOSE_WAKES_NOBODY};

/// loom (bound 2) and shuttle random at 300 schedules: every body here is at most three tasks.
fn models() -> Vec<Checker> {
    vec![
        Checker::loom(),
        Checker::Shuttle(ShuttleConfig::random().iterations(300)),
    ]
}

/// [`models`], shuttle PCT and 20 std runs (a short watchdog: a broken type's hang costs it).
fn every_checker() -> Vec<Checker> {
    let mut c = models();
    c.push(Checker::Shuttle(ShuttleConfig::pct().iterations(300)));
    c.push(Checker::Std(
        StdConfig::new()
            .iterations(20)
            .watchdog(Duration::from_millis(500)),
    ));
    c
}

/// The suite names `property` among its failures.
#[track_caller]
fn assert_names(report: &SuiteReport, property: &str) {
    assert!(
        report.failed_names().contains(&property),
        "expected {property} to fail:\n{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// concheck's own types pass

#[test]
fn go_types_pass_their_suites() {
    let checkers = every_checker();
    for report in [
        check_once::<go::Once>(&checkers),
        check_mutex::<go::Mutex>(&checkers),
        check_rw_mutex::<go::RwMutex>(&checkers),
        check_semaphore::<go::Weighted>(&checkers),
        check_errgroup::<go::ErrGroup<u32>>(&checkers),
    ] {
        println!("{report}");
        report.assert_passed();
    }
    // Go's fatal lock misuses are concheck's misuse reports, under every checker.
    let report = check_mutex::<go::Mutex>(&models());
    for r in &report
        .property("unlock_of_unlocked_is_refused")
        .unwrap()
        .reports
    {
        r.assert_finds(ViolationKind::Misuse);
    }
}

// ---------------------------------------------------------------------------------------------
// Channels

/// `go::channel`, but its select polls the first channel before it waits on both: with both
/// ready it always takes the first.
struct SelectFirst;

impl Channel for SelectFirst {
    type Sender = go::Sender<u32>;
    type Receiver = go::Receiver<u32>;
    fn with_capacity(cap: usize) -> (Self::Sender, Self::Receiver) {
        go::channel(cap)
    }
    fn send(tx: &Self::Sender, value: u32) {
        tx.send(value);
    }
    fn recv(rx: &Self::Receiver) -> Option<u32> {
        rx.recv()
    }
    fn close(tx: &Self::Sender) {
        tx.close();
    }
    const SELECT: bool = true;
    fn select_recv(a: &Self::Receiver, b: &Self::Receiver) -> (usize, Option<u32>) {
        // BUG: the first ready case always wins.
        if let Ok(v) = a.try_recv() {
            return (0, Some(v));
        }
        go::Select::new()
            .recv(a, |v| (0, v))
            .recv(b, |v| (1, v))
            .wait()
    }
}

/// `go::channel`, but capacity 0 is made capacity 1: a send completes with no receiver.
struct BuffersOne;

impl Channel for BuffersOne {
    type Sender = go::Sender<u32>;
    type Receiver = go::Receiver<u32>;
    fn with_capacity(cap: usize) -> (Self::Sender, Self::Receiver) {
        go::channel(cap.max(1)) // BUG: a rendezvous channel with a slot
    }
    fn send(tx: &Self::Sender, value: u32) {
        tx.send(value);
    }
    fn recv(rx: &Self::Receiver) -> Option<u32> {
        rx.recv()
    }
    fn close(tx: &Self::Sender) {
        tx.close();
    }
}

#[test]
fn channel_suite_holds_on_go_channel_select() {
    let report = check_channel::<GoChannel>(&every_checker());
    let p = report.property("select_chooses_among_ready_cases").unwrap();
    assert!(p.passed(), "{report}");
    // shuttle and std reach the second case; loom says it cannot branch there.
    assert!(
        p.reports[0].to_string().contains("not explored"),
        "{report}"
    );
    for r in &p.reports[1..] {
        r.assert_finds(ViolationKind::AssertionFailed);
    }
}

#[test]
fn channel_suite_catches_select_that_takes_the_first_ready_case() {
    let report = check_channel::<SelectFirst>(&models());
    assert_eq!(
        report.failed_names(),
        ["select_chooses_among_ready_cases"],
        "\n{report}"
    );
}

#[test]
fn channel_suite_catches_capacity_0_that_buffers_one() {
    let report = check_channel::<BuffersOne>(&models());
    assert_names(&report, "capacity_0_buffers_nothing");
    // Under every model checker, in every schedule: the sleep lets the send return first.
    for r in &report
        .property("capacity_0_buffers_nothing")
        .unwrap()
        .reports
    {
        r.assert_finds(ViolationKind::AssertionFailed);
    }
}

#[test]
fn channel_suite_catches_close_that_wakes_nobody() {
    let report = check_channel::<UserChannel<CLOSE_WAKES_NOBODY>>(&models());
    assert_names(&report, "close_wakes_everybody");
    for r in &report.property("close_wakes_everybody").unwrap().reports {
        assert!(r.kind().is_some_and(|k| k.is_hang_like()), "{r}");
    }
}

// ---------------------------------------------------------------------------------------------
// WaitGroups

/// A latch on the facade; `NEGATIVE_OK` lets `done` at zero pass silently, `NOTIFY_ONE` wakes
/// one waiter at zero.
struct UserLatch<const NEGATIVE_OK: bool, const NOTIFY_ONE: bool> {
    count: Mutex<usize>,
    zero: Condvar,
}

impl<const NEGATIVE_OK: bool, const NOTIFY_ONE: bool> Latch for UserLatch<NEGATIVE_OK, NOTIFY_ONE> {
    fn new() -> Self {
        UserLatch {
            count: Mutex::new(0),
            zero: Condvar::new(),
        }
    }
    fn add(&self, n: usize) {
        *self.count.lock() += n;
    }
    fn done(&self) {
        let mut count = self.count.lock();
        *count = if NEGATIVE_OK {
            count.saturating_sub(1) // BUG: a done too many goes unnoticed
        } else {
            count
                .checked_sub(1)
                .expect("sync: negative WaitGroup counter")
        };
        if *count == 0 {
            drop(count);
            if NOTIFY_ONE {
                self.zero.notify_one(); // BUG: one waiter of several wakes
            } else {
                self.zero.notify_all();
            }
        }
    }
    fn wait(&self) {
        drop(self.zero.wait_while(self.count.lock(), |n| *n > 0));
    }
}

#[test]
fn wait_group_suite_catches_negative_counter_allowed() {
    check_wait_group::<UserLatch<false, false>>(&models()).assert_passed();
    let report = check_wait_group::<UserLatch<true, false>>(&models());
    assert_eq!(
        report.failed_names(),
        ["done_below_zero_is_refused"],
        "\n{report}"
    );
}

#[test]
fn wait_group_suite_catches_notify_one_in_done() {
    let report = check_wait_group::<UserLatch<false, true>>(&models());
    assert_names(&report, "done_wakes_every_waiter");
    for r in &report.property("done_wakes_every_waiter").unwrap().reports {
        assert!(r.kind().is_some_and(|k| k.is_hang_like()), "{r}");
    }
}

// ---------------------------------------------------------------------------------------------
// Once

/// A Once that marks itself done only when its function returns: after a panic it runs again.
struct RetryingOnce {
    state: Mutex<(bool, bool)>, // (running, done)
    cv: Condvar,
}

impl OnceLike for RetryingOnce {
    fn new() -> Self {
        RetryingOnce {
            state: Mutex::new((false, false)),
            cv: Condvar::new(),
        }
    }
    fn call(&self, f: &mut dyn FnMut()) {
        let mut s = self.cv.wait_while(self.state.lock(), |s| s.0);
        if s.1 {
            return;
        }
        s.0 = true;
        drop(s);
        struct Reset<'a>(&'a RetryingOnce);
        impl Drop for Reset<'_> {
            fn drop(&mut self) {
                self.0.state.lock().0 = false; // BUG: not done after a panic
                self.0.cv.notify_all();
            }
        }
        let reset = Reset(self);
        f();
        self.state.lock().1 = true;
        drop(reset);
    }
}

#[test]
fn once_suite_catches_retry_after_panic() {
    let report = check_once::<RetryingOnce>(&models());
    assert_eq!(
        report.failed_names(),
        ["panic_counts_as_done"],
        "\n{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// Mutex

/// A Go-style mutex whose unlock of an unlocked mutex does nothing.
struct SilentMutex {
    locked: Mutex<bool>,
    cv: Condvar,
}

impl GoLock for SilentMutex {
    fn new() -> Self {
        SilentMutex {
            locked: Mutex::new(false),
            cv: Condvar::new(),
        }
    }
    fn lock(&self) {
        *self.cv.wait_while(self.locked.lock(), |l| *l) = true;
    }
    fn unlock(&self) {
        *self.locked.lock() = false; // BUG: unlocked already goes unnoticed
        self.cv.notify_one();
    }
}

#[test]
fn mutex_suite_catches_silent_unlock_of_unlocked() {
    let report = check_mutex::<SilentMutex>(&models());
    assert_eq!(
        report.failed_names(),
        ["unlock_of_unlocked_is_refused"],
        "\n{report}"
    );
    assert!(report.to_string().contains("the misuse returned normally"));
}

// ---------------------------------------------------------------------------------------------
// RWMutex

/// A readers-writer lock whose readers wait only while a writer holds it, not while one waits.
struct ReaderPreferring {
    state: Mutex<(usize, bool)>, // (readers, writer)
    cv: Condvar,
}

impl RwLocker for ReaderPreferring {
    fn new() -> Self {
        ReaderPreferring {
            state: Mutex::new((0, false)),
            cv: Condvar::new(),
        }
    }
    fn rlock(&self) {
        // BUG: a queued writer does not hold new readers back.
        self.cv.wait_while(self.state.lock(), |s| s.1).0 += 1;
    }
    fn runlock(&self) {
        let mut s = self.state.lock();
        s.0 =
            s.0.checked_sub(1)
                .expect("sync: RUnlock of unlocked RWMutex");
        drop(s);
        self.cv.notify_all();
    }
    fn lock(&self) {
        self.cv.wait_while(self.state.lock(), |s| s.1 || s.0 > 0).1 = true;
    }
    fn unlock(&self) {
        self.state.lock().1 = false;
        self.cv.notify_all();
    }
}

#[test]
fn rw_mutex_suite_catches_readers_ignoring_a_queued_writer() {
    let report = check_rw_mutex::<ReaderPreferring>(&models());
    assert_eq!(
        report.failed_names(),
        ["queued_writer_blocks_new_readers"],
        "\n{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// Semaphore

/// A weighted semaphore that serves whoever fits, queue or not.
struct Barging {
    size: usize,
    cur: Mutex<usize>,
    cv: Condvar,
}

impl WeightedSemaphore for Barging {
    fn new(size: usize) -> Self {
        Barging {
            size,
            cur: Mutex::new(0),
            cv: Condvar::new(),
        }
    }
    fn acquire(&self, ctx: &Context, n: usize) -> Result<(), ContextError> {
        if let Some(e) = ctx.err() {
            return Err(e);
        }
        // BUG: no queue: a small request takes units a large one ahead of it waits for.
        *self.cv.wait_while(self.cur.lock(), |c| self.size - *c < n) += n;
        Ok(())
    }
    fn try_acquire(&self, n: usize) -> bool {
        let mut c = self.cur.lock();
        let ok = self.size - *c >= n;
        if ok {
            *c += n;
        }
        ok
    }
    fn release(&self, n: usize) {
        let mut c = self.cur.lock();
        *c = c
            .checked_sub(n)
            .expect("semaphore: released more than held");
        drop(c);
        self.cv.notify_all();
    }
}

#[test]
fn semaphore_suite_catches_barging() {
    let report = check_semaphore::<Barging>(&models());
    // It also ignores cancellation while it waits: that property fails too.
    assert_names(&report, "fifo_no_barging");
    let p = report.property("fifo_no_barging").unwrap();
    for r in &p.reports {
        r.assert_finds(ViolationKind::AssertionFailed);
        assert!(r.to_string().contains("barge"), "{r}");
    }
}

// ---------------------------------------------------------------------------------------------
// errgroup

/// `go::ErrGroup` with a knob: `NO_CANCEL` gives tasks the parent context (the first error
/// cancels nothing they see), `NO_LIMIT` ignores `set_limit`.
struct KnobGroup<const NO_CANCEL: bool, const NO_LIMIT: bool> {
    group: go::ErrGroup<u32>,
    parent: Context,
}

impl<const NO_CANCEL: bool, const NO_LIMIT: bool> Group for KnobGroup<NO_CANCEL, NO_LIMIT> {
    fn with_context(parent: &Context) -> (Self, Context) {
        let (group, ctx) = go::ErrGroup::with_context(parent);
        let parent = parent.clone();
        let seen = if NO_CANCEL { parent.clone() } else { ctx };
        (KnobGroup { group, parent }, seen)
    }
    fn set_limit(&mut self, n: usize) {
        if !NO_LIMIT {
            self.group.set_limit(n).unwrap();
        }
    }
    fn go(&mut self, f: Box<dyn FnOnce(Context) -> Result<(), u32> + Send>) {
        if NO_CANCEL {
            let parent = self.parent.clone();
            self.group.go(move |_| f(parent)); // BUG: the group's context is not passed on
        } else {
            self.group.go(f);
        }
    }
    fn wait(self) -> Result<(), u32> {
        self.group.wait()
    }
}

#[test]
fn errgroup_suite_catches_no_cancel_and_no_limit() {
    check_errgroup::<KnobGroup<false, false>>(&models()).assert_passed();
    let report = check_errgroup::<KnobGroup<true, false>>(&models());
    assert_eq!(
        report.failed_names(),
        [
            "first_error_cancels_the_context",
            "wait_cancels_the_context"
        ],
        "\n{report}"
    );
    let report = check_errgroup::<KnobGroup<false, true>>(&models());
    assert_eq!(
        report.failed_names(),
        ["limit_bounds_running_tasks"],
        "\n{report}"
    );
}
