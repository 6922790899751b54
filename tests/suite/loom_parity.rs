//! Parity with loom's API: each item a `cfg(loom)` test suite uses, under loom, shuttle and std
//! (where it applies), with the racy twin caught where the item can be misused.
//!
//! Searches are bounded: loom at preemption bound 2 (the bodies have 2-3 tasks and a handful of
//! operations), shuttle random and PCT at 300 schedules each; the cost of each test is beside it.

use concheck::check::{Check, Checker, LoomConfig, Report, ShuttleConfig};
use concheck::sync::atomic::{self, Ordering};
use concheck::sync::Arc;
use concheck::{hint, thread, ViolationKind};

/// shuttle's sample size for these bodies: every bug below is found within the first few dozen
/// schedules, 300 keeps the whole file under a few seconds.
const SCHEDULES: u64 = 300;

pub(crate) fn loom() -> Checker {
    // Bound 2: enough for every two-preemption race below; the bodies stay under 1k executions.
    Checker::Loom(LoomConfig::new().preemption_bound(Some(2)))
}

pub(crate) fn shuttle_random() -> Checker {
    Checker::Shuttle(ShuttleConfig::random().iterations(SCHEDULES))
}

pub(crate) fn shuttle_pct() -> Checker {
    Checker::Shuttle(ShuttleConfig::pct().iterations(SCHEDULES))
}

pub(crate) fn models() -> [Checker; 3] {
    [loom(), shuttle_random(), shuttle_pct()]
}

pub(crate) fn assert_clean_everywhere(check: &Check) -> Vec<Report> {
    let mut reports = Vec::new();
    for checker in models().into_iter().chain([Checker::std()]) {
        let report = check.run(&checker);
        report.assert_no_violation();
        reports.push(report);
    }
    reports
}

pub(crate) fn assert_found_by_models(check: &Check, kind: ViolationKind) {
    for checker in models() {
        check.run(&checker).assert_finds(kind);
    }
}

/// Two tasks increment a counter of each new atomic type: atomically (no violation anywhere), or
/// with a load then a store (the lost update is found by every model checker).
macro_rules! counter_checks {
    ($($test:ident: $atomic:ident, $prim:ty;)*) => {$(
        #[test]
        fn $test() {
            fn body(racy: bool) -> Check {
                Check::new(move || {
                    let n = Arc::new(atomic::$atomic::new(0));
                    let m = Arc::clone(&n);
                    let add = move |a: &atomic::$atomic| {
                        if racy {
                            let v = a.load(Ordering::SeqCst);
                            a.store(v + 1, Ordering::SeqCst);
                        } else {
                            a.fetch_add(1, Ordering::SeqCst);
                        }
                    };
                    let t = thread::spawn(move || add(&m));
                    add(&n);
                    t.join().unwrap();
                    assert_eq!(n.load(Ordering::SeqCst), 2 as $prim, "an update was lost");
                })
            }
            assert_clean_everywhere(&body(false));
            assert_found_by_models(&body(true), ViolationKind::AssertionFailed);
        }
    )*};
}

counter_checks! {
    atomic_u8_counter: AtomicU8, u8;
    atomic_u16_counter: AtomicU16, u16;
    atomic_i8_counter: AtomicI8, i8;
    atomic_i16_counter: AtomicI16, i16;
    atomic_i32_counter: AtomicI32, i32;
    atomic_u32_counter: AtomicU32, u32;
    atomic_u64_counter: AtomicU64, u64;
    atomic_i64_counter: AtomicI64, i64;
    atomic_usize_counter: AtomicUsize, usize;
    atomic_isize_counter: AtomicIsize, isize;
}

#[test]
fn atomic_bool_and_the_bit_operations_exist_on_every_type() {
    let check = Check::new(|| {
        let b = atomic::AtomicBool::new(false);
        assert!(!b.fetch_or(true, Ordering::AcqRel));
        assert!(b.fetch_and(false, Ordering::AcqRel));
        let x = atomic::AtomicU8::new(0b1100);
        assert_eq!(x.fetch_xor(0b0110, Ordering::SeqCst), 0b1100);
        assert_eq!(x.fetch_and(0b1000, Ordering::SeqCst), 0b1010);
        assert_eq!(x.fetch_or(0b0001, Ordering::SeqCst), 0b1000);
        assert_eq!(x.fetch_min(3, Ordering::SeqCst), 0b1001);
        assert_eq!(
            x.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(v * 2)),
            Ok(3)
        );
        assert_eq!(
            x.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |_| None),
            Err(6)
        );
        assert_eq!(
            x.compare_exchange_weak(6, 7, Ordering::SeqCst, Ordering::Relaxed),
            Ok(6)
        );
        assert_eq!(x.load(Ordering::Relaxed), 7);
    });
    assert_clean_everywhere(&check);
}

/// The cells an `AtomicPtr` points into: addresses only, never dereferenced.
static CELLS: [u8; 4] = [0; 4];

fn cell(i: usize) -> *mut u8 {
    std::ptr::addr_of!(CELLS)
        .cast::<u8>()
        .cast_mut()
        .wrapping_add(i)
}

/// Two tasks each advance a shared pointer by one cell: with `fetch_update` it ends two cells
/// on; with a load then a store one advance can be lost, and every model checker finds it.
fn pointer_advance(racy: bool) -> Check {
    Check::new(move || {
        let p = Arc::new(atomic::AtomicPtr::new(cell(0)));
        let q = Arc::clone(&p);
        let advance = move |a: &atomic::AtomicPtr<u8>| {
            if racy {
                let now = a.load(Ordering::Acquire);
                a.store(now.wrapping_add(1), Ordering::Release);
            } else {
                a.fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                    Some(now.wrapping_add(1))
                })
                .unwrap();
            }
        };
        let t = thread::spawn(move || advance(&q));
        advance(&p);
        t.join().unwrap();
        assert_eq!(p.load(Ordering::SeqCst), cell(2), "an advance was lost");
    })
}

#[test]
fn atomic_ptr_advances_are_not_lost() {
    assert_clean_everywhere(&pointer_advance(false));
    assert_found_by_models(&pointer_advance(true), ViolationKind::AssertionFailed);
}

#[test]
fn atomic_ptr_swap_and_compare_exchange() {
    let check = Check::new(|| {
        let p = atomic::AtomicPtr::<u8>::default();
        assert!(p.load(Ordering::SeqCst).is_null());
        assert!(p.swap(cell(1), Ordering::SeqCst).is_null());
        assert_eq!(
            p.compare_exchange(cell(0), cell(2), Ordering::SeqCst, Ordering::SeqCst),
            Err(cell(1))
        );
        assert_eq!(
            p.compare_exchange(cell(1), cell(3), Ordering::SeqCst, Ordering::SeqCst),
            Ok(cell(1))
        );
        assert_eq!(p.load(Ordering::SeqCst), cell(3));
        p.store(cell(2), Ordering::SeqCst);
        assert_eq!(
            p.load(Ordering::SeqCst),
            cell(2),
            "a store is seen by the next load"
        );
    });
    assert_clean_everywhere(&check);
}

/// Message passing through relaxed accesses: the data is published before the flag, and a
/// reader that sees the flag must see the data. With a release fence before the flag store and
/// an acquire fence after the flag load this holds; without them loom finds the reader that
/// sees the flag but stale data. shuttle runs every access sequentially consistent, so it never
/// sees the stale read, with or without fences.
fn fenced_message(fences: bool) -> Check {
    Check::new(move || {
        let data = Arc::new(atomic::AtomicUsize::new(0));
        let flag = Arc::new(atomic::AtomicBool::new(false));
        let (d, f) = (Arc::clone(&data), Arc::clone(&flag));
        let writer = thread::spawn(move || {
            d.store(42, Ordering::Relaxed);
            if fences {
                atomic::fence(Ordering::Release);
            }
            f.store(true, Ordering::Relaxed);
        });
        if flag.load(Ordering::Relaxed) {
            if fences {
                atomic::fence(Ordering::Acquire);
            }
            assert_eq!(data.load(Ordering::Relaxed), 42, "flag seen, data stale");
        }
        atomic::compiler_fence(Ordering::SeqCst);
        writer.join().unwrap();
    })
}

#[test]
fn fences_order_relaxed_accesses_under_loom() {
    assert_clean_everywhere(&fenced_message(true));
    fenced_message(false)
        .run(&loom())
        .assert_finds(ViolationKind::AssertionFailed);
    // shuttle treats atomics as SeqCst: the weak-memory bug is loom's to find.
    fenced_message(false)
        .run(&shuttle_random())
        .assert_no_violation();
}

/// A task spins on a flag the body sets. With `hint::spin_loop` in the loop every checker runs
/// the setter; without it loom keeps choosing the spinner and the execution never ends, which
/// loom reports as a hang (its branch bound).
fn spin_on_flag(hinted: bool) -> Check {
    Check::new(move || {
        let flag = Arc::new(atomic::AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let spinner = thread::spawn(move || {
            while !f.load(Ordering::Acquire) {
                if hinted {
                    hint::spin_loop();
                }
            }
        });
        flag.store(true, Ordering::Release);
        spinner.join().unwrap();
    })
}

#[test]
fn spin_loop_is_a_yield_point_not_a_livelock() {
    assert_clean_everywhere(&spin_on_flag(true));
    spin_on_flag(false)
        .run(&loom())
        .assert_finds(ViolationKind::Hang);
}

/// The body parks until a task it spawned sets a flag and unparks it. Setting the flag before
/// the unpark is correct; unparking first lets the body consume the token, see no flag, and
/// park forever: a deadlock with the body blocked in `thread::park`.
fn park_handshake(unpark_first: bool) -> Check {
    Check::new(move || {
        let flag = Arc::new(atomic::AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let me = thread::current();
        let setter = thread::spawn(move || {
            if unpark_first {
                me.unpark();
                f.store(true, Ordering::Release);
            } else {
                f.store(true, Ordering::Release);
                me.unpark();
            }
        });
        while !flag.load(Ordering::Acquire) {
            thread::park();
        }
        setter.join().unwrap();
    })
}

#[test]
fn park_and_unpark_hand_over_a_flag() {
    assert_clean_everywhere(&park_handshake(false));
    for checker in models() {
        let report = park_handshake(true).run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("thread::park"), "{text}");
    }
}

#[test]
fn join_handle_thread_unparks_a_named_task() {
    let check = Check::new(|| {
        let flag = Arc::new(atomic::AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let parker = thread::Builder::new().name("parker").spawn(move || {
            assert_eq!(thread::current().name(), Some("parker"));
            while !f.load(Ordering::Acquire) {
                thread::park();
            }
        });
        assert_eq!(parker.thread().name(), Some("parker"));
        flag.store(true, Ordering::Release);
        parker.thread().unpark();
        parker.join().unwrap();
    });
    assert_clean_everywhere(&check);
}

/// Three tasks meet at a barrier: each sees the others' arrivals after it, and one is leader.
/// A barrier for three that only two reach is a deadlock naming `Barrier::wait`.
fn barrier_meeting(parties: usize) -> Check {
    Check::new(move || {
        let barrier = Arc::new(concheck::sync::Barrier::new(parties));
        let arrived = Arc::new(atomic::AtomicUsize::new(0));
        let leaders = Arc::new(atomic::AtomicUsize::new(0));
        let meet = {
            let (barrier, arrived, leaders) = (
                Arc::clone(&barrier),
                Arc::clone(&arrived),
                Arc::clone(&leaders),
            );
            move || {
                arrived.fetch_add(1, Ordering::SeqCst);
                if barrier.wait().is_leader() {
                    leaders.fetch_add(1, Ordering::SeqCst);
                }
                assert_eq!(arrived.load(Ordering::SeqCst), 2, "left the barrier early");
            }
        };
        let other = thread::spawn(meet.clone());
        meet();
        other.join().unwrap();
        assert_eq!(leaders.load(Ordering::SeqCst), 1);
    })
}

#[test]
fn barrier_releases_all_parties_with_one_leader() {
    assert_clean_everywhere(&barrier_meeting(2));
    for checker in models() {
        let report = barrier_meeting(3).run(&checker);
        report.assert_finds(ViolationKind::Deadlock);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("Barrier::wait"), "{text}");
    }
}

#[test]
fn future_block_on_runs_a_future_across_tasks() {
    let check = Check::new(|| {
        let (tx, rx) = concheck::future::oneshot::channel::<u32>();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(concheck::future::block_on(rx.recv()), Ok(7));
        sender.join().unwrap();
    });
    assert_clean_everywhere(&check);
}

/// A counter in an `UnsafeCell`, incremented by a spawned task and the body. Ordered by a join
/// (`Sync::Join`), by a Release/Acquire flag (`Sync::Flag`) or not at all (`Sync::None`).
#[derive(Clone, Copy, PartialEq)]
enum Order {
    Join,
    Flag(Ordering, Ordering),
    None,
}

/// Shares an `UnsafeCell` between tasks the way a loom test's type does.
struct Shared(concheck::cell::UnsafeCell<u32>);

// SAFETY: every access goes through `with`/`with_mut`, which the checkers test for races.
unsafe impl Sync for Shared {}

fn cell_counter(order: Order) -> Check {
    Check::new(move || {
        let cell = Arc::new(Shared(concheck::cell::UnsafeCell::new(0)));
        let flag = Arc::new(atomic::AtomicBool::new(false));
        let (c, f) = (Arc::clone(&cell), Arc::clone(&flag));
        let writer = thread::spawn(move || {
            // SAFETY: the pointer is valid for the closure; exclusivity is what is checked.
            c.0.with_mut(|p| unsafe { *p += 1 });
            if let Order::Flag(store, _) = order {
                f.store(true, store);
            }
        });
        match order {
            Order::Join => {
                writer.join().unwrap();
                // SAFETY: as above.
                assert_eq!(cell.0.with(|p| unsafe { *p }), 1);
            }
            Order::Flag(_, load) => {
                if flag.load(load) {
                    // SAFETY: as above.
                    assert_eq!(cell.0.with(|p| unsafe { *p }), 1);
                }
                writer.join().unwrap();
            }
            Order::None => {
                // SAFETY: as above.
                cell.0.with_mut(|p| unsafe { *p += 1 });
                writer.join().unwrap();
            }
        }
    })
}

#[test]
fn unsafe_cell_accesses_ordered_by_join_or_release_acquire_are_clean() {
    assert_clean_everywhere(&cell_counter(Order::Join));
    assert_clean_everywhere(&cell_counter(Order::Flag(
        Ordering::Release,
        Ordering::Acquire,
    )));
}

#[test]
fn unsafe_cell_unordered_writes_are_a_data_race_naming_both_accesses() {
    for checker in models() {
        let report = cell_counter(Order::None).run(&checker);
        report.assert_finds(ViolationKind::DataRace);
        let v = report.violation().unwrap();
        let text = v.to_string();
        assert!(
            text.contains("data race on the UnsafeCell created at"),
            "{text}"
        );
        assert_eq!(text.matches("write by #").count(), 2, "{text}");
        assert_eq!(v.sites.len(), 2, "{text}");
        assert_eq!(v.tasks.len(), 2, "both tasks are named: {text}");
    }
}

#[test]
fn unsafe_cell_relaxed_flag_is_a_race_under_loom_only() {
    let relaxed = cell_counter(Order::Flag(Ordering::Relaxed, Ordering::Relaxed));
    relaxed.run(&loom()).assert_finds(ViolationKind::DataRace);
    // shuttle treats every atomic access as SeqCst, which orders the accesses.
    relaxed.run(&shuttle_random()).assert_no_violation();
}

#[test]
fn unsafe_cell_built_outside_the_runner_is_misuse() {
    let outside = Arc::new(Shared(concheck::cell::UnsafeCell::new(0)));
    let check = Check::new(move || {
        outside.0.with(|_| ());
    });
    for checker in models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::Misuse);
        let text = report.violation().unwrap().to_string();
        assert!(text.contains("UnsafeCell built for std"), "{text}");
    }
}

/// A facade `UnsafeCell` on std is its data's lock and two words: the checkers' half (the access
/// log, loom's shadow cell) is boxed and absent on std. Before it was boxed a cell of `usize`
/// carried its log inline and was several times this, and 31 of them with their atomics (the
/// block concurrent-queue's `Unbounded` builds on the stack) overflowed loom's 32 KiB stack;
/// `ported::clean` runs that queue under loom again.
#[test]
fn unsafe_cell_is_small_on_every_backend() {
    use std::mem::size_of;
    let cell = size_of::<concheck::cell::UnsafeCell<usize>>();
    let bound = size_of::<std::sync::RwLock<usize>>() + 2 * size_of::<usize>();
    eprintln!("size_of::<UnsafeCell<usize>>() = {cell} bytes (bound {bound})");
    assert!(
        cell <= bound,
        "the facade UnsafeCell<usize> is {cell} bytes, more than its lock and two words \
         ({bound}): keep the checkers' state boxed so blocks of cells fit loom's stack"
    );
}
