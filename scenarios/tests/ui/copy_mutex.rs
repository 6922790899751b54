// Go bug: copying a struct that holds a sync.Mutex (go vet "copylocks"). The copy gets its own
// lock, so the goroutine and main lock different mutexes and the counter is unprotected:
//
//     type Counter struct {
//         mu sync.Mutex
//         n  int
//     }
//
//     func worker(c Counter) { c.mu.Lock(); c.n++; c.mu.Unlock() } // c is a copy
//
//     c := Counter{}
//     go worker(c)
//     c.mu.Lock(); c.n++; c.mu.Unlock()
//
// Rust rule: `concheck::sync::Mutex` is neither `Copy` nor `Clone`, so a struct holding one is
// not `Copy`: passing it by value moves it, and the original cannot be used afterwards (E0382,
// borrow of moved value). The compiler's hint, implementing `Clone`, is refused in turn (see
// copy_mutex_clone.rs). To share one lock, share the struct itself: `Arc<Counter>`.

use concheck::sync::Mutex;
use concheck::thread;

struct Counter {
    n: Mutex<u64>,
}

fn worker(c: Counter) {
    *c.n.lock() += 1;
}

fn main() {
    let c = Counter { n: Mutex::new(0) };
    let handle = thread::spawn(move || worker(c));
    *c.n.lock() += 1;
    handle.join().unwrap();
}
