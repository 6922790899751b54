//! Bodies shared by the search-at-scale tests (`parallel_search`, `sharding`).

use concheck::check::Check;
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
