//! A model checker can leave the OS thread it ran on with a panic count that never returns to
//! zero (a task suspended in the middle of unwinding is never resumed). Checks must not inherit
//! that: the next check on the same thread must get the right answer.

use concheck::check::{Check, Checker};
use concheck::sync::{Arc, RwLock};
use concheck::{thread, ViolationKind};

/// A read guard kept alive into the branch that takes the write lock: deadlock. Under shuttle the
/// failing task is suspended while it unwinds.
fn upgrade_while_reading() -> Check {
    Check::new(|| {
        let map = Arc::new(RwLock::new(0u32));
        let m2 = Arc::clone(&map);
        let t = thread::spawn(move || {
            let _read = m2.read();
            let _write = m2.write();
        });
        t.join().unwrap();
    })
}

#[test]
fn a_failed_check_leaves_the_caller_thread_clean() {
    // This catalog twin makes shuttle suspend a task mid-unwind; before checks ran on fresh
    // threads, the calling thread stayed `panicking()` and the next loom check never finished.
    let twin = concheck_scenarios::catalog()
        .into_iter()
        .find(|s| s.name == "rwlock_cache_upgrade_while_reading")
        .expect("the catalog has the upgrade twin");
    for checker in [
        Checker::shuttle_random(),
        Checker::shuttle_pct(),
        Checker::loom(),
    ] {
        twin.check()
            .run(&checker)
            .assert_finds(ViolationKind::Deadlock);
        assert!(
            !std::thread::panicking(),
            "{} left the calling thread panicking",
            checker.short_name()
        );
    }
    // The next checks on this thread still get the right answers.
    upgrade_while_reading().assert_finds(ViolationKind::Deadlock, &Checker::models());
    Check::new(|| {
        let m = Arc::new(RwLock::new(0));
        let m2 = Arc::clone(&m);
        let t = thread::spawn(move || *m2.write() += 1);
        *m.write() += 1;
        t.join().unwrap();
        assert_eq!(*m.read(), 2);
    })
    .assert_no_violation(&Checker::models());
}
