//! Bodies shared by the search-at-scale tests (`parallel_search`, `sharding`, `shrink`), and
//! the check that a shrunk report replays (`shrink`, `strategies`).

use concheck::check::{replay, Check, Report};
use concheck::sync::atomic::{AtomicBool, Ordering};
use concheck::sync::{Arc, Condvar, Mutex};
use concheck::thread;

/// The setter raises the flag without the lock; the waiter checks it once, then waits: the
/// notify can land between the check and the wait (a lost wakeup).
pub(crate) fn lost_wakeup() -> Check {
    Check::new(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        let (f, p) = (Arc::clone(&flag), Arc::clone(&pair));
        let setter = thread::spawn(move || {
            f.store(true, Ordering::SeqCst);
            p.1.notify_one();
        });
        let guard = pair.0.lock();
        if !flag.load(Ordering::SeqCst) {
            drop(pair.1.wait(guard));
        }
        setter.join().unwrap();
    })
}

/// Requires `report`'s shrink to have gone no bigger (fewer preemptions, then fewer steps) and
/// its replay string to run the very run the report describes: the same message, sites and
/// tasks, the shrunk run's rather than the found run's. Returns the replay's report.
pub(crate) fn shrunk_and_replayed(check: &Check, report: &Report) -> Report {
    let shrunk = report
        .shrunk
        .unwrap_or_else(|| panic!("a failing shuttle report says how it shrank: {report}"));
    assert!(
        (shrunk.preemptions_after, shrunk.steps_after)
            <= (shrunk.preemptions_before, shrunk.steps_before),
        "{report}"
    );
    let again = replay(check, report.replay.as_deref().unwrap()).unwrap();
    assert_eq!(again.violation(), report.violation(), "{again}\n{report}");
    again
}
