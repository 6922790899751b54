//! Destructors that use the facade while a failed execution unwinds.
//!
//! When loom finds a deadlock it panics on the stack of the task that blocked last, and that
//! stack unwinds with no loom thread active (the other tasks' stacks are leaked): a destructor
//! there that calls loom (a facade Mutex, atomic or Condvar used as in normal code) would panic
//! inside the unwind and abort the whole test binary (exit 134), which `catch_unwind` cannot
//! stop. The facade must skip loom while unwinding, so these checks return a report. Reaching
//! the assertions at all proves the process did not abort; a std counter proves a destructor
//! really ran while unwinding.

use std::sync::atomic::AtomicUsize as StdAtomicUsize;

use concheck::check::{Check, Checker, Report};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::{Arc, Condvar, Mutex};
use concheck::thread;
use concheck::{TaskState, ViolationKind};

/// Facade primitives a destructor touches: a mutex, an atomic and a condvar.
#[derive(Clone)]
struct Bystanders {
    mutex: Arc<Mutex<u32>>,
    atomic: Arc<AtomicUsize>,
    condvar: Arc<Condvar>,
}

impl Bystanders {
    fn new() -> Self {
        Bystanders {
            mutex: Arc::new(Mutex::new(0)),
            atomic: Arc::new(AtomicUsize::new(0)),
            condvar: Arc::new(Condvar::new()),
        }
    }

    /// A value whose `Drop` uses all three; `unwinding` counts the drops that ran while the
    /// task unwound (a process-wide std counter, one per test).
    fn noisy(&self, unwinding: &'static StdAtomicUsize) -> Noisy {
        Noisy {
            uses: self.clone(),
            unwinding,
        }
    }
}

struct Noisy {
    uses: Bystanders,
    unwinding: &'static StdAtomicUsize,
}

impl Drop for Noisy {
    fn drop(&mut self) {
        *self.uses.mutex.lock() += 1;
        self.uses.atomic.fetch_add(1, Ordering::SeqCst);
        let _ = self.uses.atomic.load(Ordering::SeqCst);
        self.uses.atomic.store(7, Ordering::SeqCst);
        self.uses.condvar.notify_one();
        self.uses.condvar.notify_all();
        if std::thread::panicking() {
            self.unwinding.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Two tasks take two facade mutexes in opposite orders while each holds a `Noisy`; the body
/// joins both, holding a `Noisy` of its own.
fn ab_ba_with_noisy_drops(unwinding: &'static StdAtomicUsize) -> Check {
    Check::new(move || {
        let bystanders = Bystanders::new();
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let spawn = |name: &str, first: &Arc<Mutex<()>>, second: &Arc<Mutex<()>>| {
            let (first, second) = (Arc::clone(first), Arc::clone(second));
            let noisy = bystanders.noisy(unwinding);
            thread::Builder::new().name(name).spawn(move || {
                let _noisy = noisy;
                let _first = first.lock();
                let _second = second.lock();
            })
        };
        let ab = spawn("ab", &a, &b);
        let ba = spawn("ba", &b, &a);
        let _noisy = bystanders.noisy(unwinding);
        ab.join().unwrap();
        ba.join().unwrap();
    })
}

/// A task waits for a flag nobody raises, holding a `Noisy`; the body joins it.
fn unnotified_wait_with_noisy_drop(unwinding: &'static StdAtomicUsize) -> Check {
    Check::new(move || {
        let bystanders = Bystanders::new();
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let noisy = bystanders.noisy(unwinding);
        let p2 = Arc::clone(&pair);
        let waiter = thread::Builder::new().name("waiter").spawn(move || {
            let _noisy = noisy;
            let mut ready = p2.0.lock();
            while !*ready {
                ready = p2.1.wait(ready);
            }
        });
        let _noisy = bystanders.noisy(unwinding);
        waiter.join().unwrap();
    })
}

/// As above, but the body never joins: the scope end of the run is what waits.
fn leaked_wait_with_noisy_drop(unwinding: &'static StdAtomicUsize) -> Check {
    Check::new(move || {
        let bystanders = Bystanders::new();
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let noisy = bystanders.noisy(unwinding);
        let p2 = Arc::clone(&pair);
        thread::Builder::new().name("stuck").spawn(move || {
            let _noisy = noisy;
            let mut ready = p2.0.lock();
            while !*ready {
                ready = p2.1.wait(ready);
            }
        });
    })
}

fn blocked_ops(report: &Report) -> Vec<(String, String)> {
    report
        .violation()
        .expect("a violation")
        .tasks
        .iter()
        .filter_map(|t| match &t.state {
            TaskState::Blocked { op, .. } => Some((t.name.clone(), op.clone())),
            _ => None,
        })
        .collect()
}

fn assert_ab_ba_deadlock(report: &Report) {
    report.assert_finds(ViolationKind::Deadlock);
    let blocked = blocked_ops(report);
    for task in ["ab", "ba"] {
        assert!(
            blocked.contains(&(task.to_owned(), "Mutex::lock".to_owned())),
            "'{task}' should be reported blocked in Mutex::lock: {report}"
        );
    }
    assert!(
        blocked.contains(&("main".to_owned(), "JoinHandle::join".to_owned())),
        "the body should be reported blocked joining: {report}"
    );
}

fn assert_unnotified_lost_wakeup(report: &Report) {
    report.assert_finds(ViolationKind::LostWakeup);
    let blocked = blocked_ops(report);
    assert!(
        blocked.contains(&("waiter".to_owned(), "Condvar::wait".to_owned())),
        "{report}"
    );
    assert!(
        blocked.contains(&("main".to_owned(), "JoinHandle::join".to_owned())),
        "{report}"
    );
}

fn assert_leak_of_stuck(report: &Report) {
    report.assert_finds(ViolationKind::Leak);
    let v = report.violation().unwrap();
    let names: Vec<&str> = v.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["stuck"], "{report}");
    assert_eq!(
        blocked_ops(report),
        [("stuck".to_owned(), "Condvar::wait".to_owned())],
        "{report}"
    );
}

#[test]
fn loom_deadlock_with_facade_drops_reports_deadlock() {
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    let report = ab_ba_with_noisy_drops(&UNWINDING).run(&Checker::loom());
    assert_ab_ba_deadlock(&report);
    assert!(report.replay.is_some(), "{report}");
    assert!(
        UNWINDING.load(Ordering::SeqCst) > 0,
        "no Noisy was dropped while unwinding: the test did not exercise the unwind path"
    );
}

#[test]
fn loom_lost_wakeup_with_facade_drops_reports_lost_wakeup() {
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    let report = unnotified_wait_with_noisy_drop(&UNWINDING).run(&Checker::loom());
    assert_unnotified_lost_wakeup(&report);
    assert!(
        UNWINDING.load(Ordering::SeqCst) > 0,
        "the unwind path was not exercised"
    );
}

#[test]
fn loom_leak_with_facade_drops_reports_leak() {
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    let report = leaked_wait_with_noisy_drop(&UNWINDING).run(&Checker::loom());
    assert_leak_of_stuck(&report);
    assert!(
        UNWINDING.load(Ordering::SeqCst) > 0,
        "the unwind path was not exercised"
    );
}

#[test]
fn loom_failed_assert_with_facade_drops_reports_assertion() {
    // The body's own panic unwinds it while a task holds a `Noisy` and waits forever.
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    let check = Check::new(|| {
        let bystanders = Bystanders::new();
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let noisy = bystanders.noisy(&UNWINDING);
        let p2 = Arc::clone(&pair);
        let _waiter = thread::spawn(move || {
            let _noisy = noisy;
            let _g = p2.1.wait_while(p2.0.lock(), |ready| !*ready);
        });
        let _noisy = bystanders.noisy(&UNWINDING);
        let _held = bystanders.mutex.lock();
        assert_eq!(
            bystanders.atomic.load(Ordering::SeqCst),
            1,
            "body assertion"
        );
    });
    let report = check.run(&Checker::loom());
    report.assert_finds(ViolationKind::AssertionFailed);
    assert!(
        report
            .violation()
            .unwrap()
            .message
            .contains("body assertion"),
        "{report}"
    );
}

#[test]
fn loom_repeated_deadlocks_keep_the_process_alive() {
    // Many failing searches in a row: each unwinds, none may leave loom in a state that aborts
    // the next one.
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    for _ in 0..5 {
        assert_ab_ba_deadlock(&ab_ba_with_noisy_drops(&UNWINDING).run(&Checker::loom()));
        assert_unnotified_lost_wakeup(
            &unnotified_wait_with_noisy_drop(&UNWINDING).run(&Checker::loom()),
        );
    }
}

// shuttle leaks the stacks of a failed execution's unfinished tasks instead of unwinding them,
// so the `Noisy` drops never run there; these check the same bodies give the same reports, and
// do not abort, under its schedulers.

#[test]
fn shuttle_deadlock_with_facade_drops_reports_deadlock() {
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    // Not DFS: it varies the last choices first, and the Noisy drops add so many of those that
    // 100,000 schedules never reach the early choice the deadlock needs.
    for checker in [Checker::shuttle_random(), Checker::shuttle_pct()] {
        assert_ab_ba_deadlock(&ab_ba_with_noisy_drops(&UNWINDING).run(&checker));
    }
}

#[test]
fn shuttle_lost_wakeup_with_facade_drops_reports_lost_wakeup() {
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    for checker in [
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::shuttle_dfs(),
    ] {
        assert_unnotified_lost_wakeup(&unnotified_wait_with_noisy_drop(&UNWINDING).run(&checker));
    }
}

#[test]
fn shuttle_leak_with_facade_drops_reports_leak() {
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    for checker in [
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::shuttle_dfs(),
    ] {
        assert_leak_of_stuck(&leaked_wait_with_noisy_drop(&UNWINDING).run(&checker));
    }
}

// The body blocks last, so loom raises the deadlock panic on the body's own stack and the
// destructors below run there while it unwinds: a task waits for a flag nobody raises, the body
// yields so that the task blocks first, then waits on the same flag itself.

/// A flag and the condvar its waiters wait on.
type Flag = Arc<(Mutex<bool>, Condvar)>;

/// A body that blocks last while `guard` is on its stack.
fn body_blocks_last_holding<G: 'static>(make_guard: fn(&Flag) -> G) -> Check {
    Check::new(move || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let _guard = make_guard(&pair);
        thread::yield_now();
        let mut ready = pair.0.lock();
        while !*ready {
            ready = pair.1.wait(ready);
        }
    })
}

fn spawn_waiter(pair: &Flag) -> thread::JoinHandle<()> {
    let pair = Arc::clone(pair);
    thread::Builder::new().name("waiter").spawn(move || {
        let _g = pair.1.wait_while(pair.0.lock(), |ready| !*ready);
    })
}

/// Joins its task when dropped, as scoped-thread guards do.
struct JoinOnDrop(Option<thread::JoinHandle<()>>);

impl Drop for JoinOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// Waits once on the condvar when dropped (no loop: while unwinding a wait may return at once).
struct WaitOnceOnDrop(Flag);

impl Drop for WaitOnceOnDrop {
    fn drop(&mut self) {
        let ready = self.0 .0.lock();
        if !*ready {
            let _ready = self.0 .1.wait(ready);
        }
    }
}

fn assert_both_lost(report: &Report) {
    report.assert_finds(ViolationKind::LostWakeup);
    let blocked = blocked_ops(report);
    assert!(
        blocked.contains(&("waiter".to_owned(), "Condvar::wait".to_owned())),
        "{report}"
    );
    assert!(
        blocked.contains(&("main".to_owned(), "Condvar::wait".to_owned())),
        "{report}"
    );
}

#[test]
fn loom_body_blocking_last_with_facade_drops_reports_lost_wakeup() {
    // The control for the two below: the body unwinds with a Noisy on its stack.
    static UNWINDING: StdAtomicUsize = StdAtomicUsize::new(0);
    let check =
        body_blocks_last_holding(|pair| (spawn_waiter(pair), Bystanders::new().noisy(&UNWINDING)));
    assert_both_lost(&check.run(&Checker::loom()));
    assert!(
        UNWINDING.load(Ordering::SeqCst) > 0,
        "the body's stack was not unwound"
    );
}

#[test]
fn loom_join_on_drop_while_unwinding_reports_lost_wakeup() {
    // Aborts today (SIGABRT kills the whole binary): run it alone with `--ignored`.
    let check = body_blocks_last_holding(|pair| JoinOnDrop(Some(spawn_waiter(pair))));
    assert_both_lost(&check.run(&Checker::loom()));
}

#[test]
fn loom_condvar_wait_on_drop_while_unwinding_reports_lost_wakeup() {
    // Aborts today (SIGABRT kills the whole binary): run it alone with `--ignored`.
    let check = body_blocks_last_holding(|pair| {
        let _detached = spawn_waiter(pair);
        WaitOnceOnDrop(Arc::clone(pair))
    });
    assert_both_lost(&check.run(&Checker::loom()));
}

#[test]
fn loom_atomic_new_and_spawn_on_drop_while_unwinding_reports_lost_wakeup() {
    // Aborts today (SIGABRT kills the whole binary): run it alone with `--ignored`.
    struct BuildsOnDrop;
    impl Drop for BuildsOnDrop {
        fn drop(&mut self) {
            let n = AtomicUsize::new(0);
            n.fetch_add(1, Ordering::SeqCst);
            let _ = thread::spawn(|| {});
        }
    }
    let check = body_blocks_last_holding(|pair| (spawn_waiter(pair), BuildsOnDrop));
    assert_both_lost(&check.run(&Checker::loom()));
}
