//! `carter01`: a "light switch" for two classes of task: the first task of a class in takes a
//! shared lock `l`, the last one out releases it, the class count guarded by `m`; both classes
//! share `m`, so a class-B task blocked on `l` while holding `m` keeps the class-A task that
//! holds `l` from ever releasing it.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/carter01_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten; two of its four tasks do
//! nothing, as in the C. `l` is held across critical sections, so both locks are
//! [`concheck::go::Mutex`]. The fix gives each class its own counter lock.

use std::sync::Arc;

use concheck::go;
use concheck::sync::atomic::{AtomicU32, Ordering::SeqCst};

use super::{buggy, fixed, join_all, spawn, Program, Study, BLOCKS};

struct Switch {
    /// Guards `count` (shared by both classes in the C program).
    guard: Arc<go::Mutex>,
    count: AtomicU32,
}

/// The first in takes `room`, the last out releases it.
fn pass(switch: &Switch, room: &go::Mutex) {
    switch.guard.lock();
    let n = switch.count.load(SeqCst) + 1;
    switch.count.store(n, SeqCst);
    if n == 1 {
        room.lock();
    }
    switch.guard.unlock();
    // The class's operation would run here.
    switch.guard.lock();
    let n = switch.count.load(SeqCst) - 1;
    switch.count.store(n, SeqCst);
    if n == 0 {
        room.unlock();
    }
    switch.guard.unlock();
}

fn run(shared_guard: bool) {
    let room = Arc::new(go::Mutex::new());
    let guard_a = Arc::new(go::Mutex::new());
    let guard_b = if shared_guard {
        Arc::clone(&guard_a)
    } else {
        Arc::new(go::Mutex::new())
    };
    let mut tasks = Vec::new();
    for (name, guard) in [("class_a", guard_a), ("class_b", guard_b)] {
        let room = Arc::clone(&room);
        tasks.push(spawn(name, move || {
            let switch = Switch {
                guard,
                count: AtomicU32::new(0),
            };
            pass(&switch, &room);
        }));
    }
    tasks.push(spawn("idle_a", || {}));
    tasks.push(spawn("idle_b", || {}));
    join_all(tasks);
}

/// The C program: both classes count under the same lock.
pub fn bad() {
    run(true);
}

/// Each class counts under its own lock.
pub fn ok() {
    run(false);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_carter01",
            "two light switches share their counter lock: B holds it while blocked on the room A holds",
            BLOCKS,
            bad,
            4,
        ),
        fixed: Some(fixed(
            "sct_carter01_fixed",
            "each class counts under its own lock",
            ok,
            4,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/carter01_bad.c",
        study: Some(Study { threads: 5, points: 19 }),
        tasks: 4,
    }
}
