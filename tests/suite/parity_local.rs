//! `concheck::thread_local!` under loom, shuttle random and PCT, and std: every task starts
//! from the initialiser's value and sees only its own writes, and every execution starts fresh
//! (with std's `thread_local!` the tasks of one checker execution share the runner's thread).
//!
//! Bounds: loom preemption bound 2, shuttle 300 schedules (see `loom_parity`); about 0.2 s.

use std::cell::{Cell, RefCell};

use concheck::check::Check;
use concheck::thread;

use super::loom_parity::assert_clean_everywhere;

concheck::thread_local! {
    static COUNT: Cell<u32> = Cell::new(0);
    static NAMES: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

#[test]
fn each_task_has_its_own_value_in_every_execution() {
    let check = Check::new(|| {
        assert_eq!(
            COUNT.get(),
            0,
            "a value carried over from another task or execution"
        );
        COUNT.set(COUNT.get() + 1);
        NAMES.with_borrow_mut(|n| n.push("main"));
        let t = thread::spawn(|| {
            assert_eq!(COUNT.get(), 0, "the task saw the body's value");
            COUNT.set(10);
            thread::yield_now();
            assert_eq!(COUNT.get(), 10);
            NAMES.with_borrow(|n| n.len())
        });
        thread::yield_now();
        assert_eq!(COUNT.get(), 1, "the task's write reached the body");
        assert_eq!(t.join().unwrap(), 0);
        assert_eq!(NAMES.with_borrow(|n| n.clone()), ["main"]);
        // On std the runner reuses its thread between runs: start the next one fresh.
        COUNT.set(0);
        NAMES.with_borrow_mut(Vec::clear);
    });
    assert_clean_everywhere(&check);
}
