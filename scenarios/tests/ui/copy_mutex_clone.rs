// Go bug: copying a struct that holds a sync.Mutex (go vet "copylocks"), here the explicit copy
// a Go programmer reaches for once Rust refuses the implicit one (see copy_mutex.rs):
//
//     type Counter struct {
//         mu sync.Mutex
//         n  int
//     }
//
//     c := Counter{}
//     c2 := c // a second, independent lock over a copy of n
//     go func() { c2.mu.Lock(); c2.n++; c2.mu.Unlock() }()
//     c.mu.Lock(); c.n++; c.mu.Unlock()
//
// Rust rule: `concheck::sync::Mutex` does not implement `Clone` (nor `Copy`), so a struct that
// holds one cannot derive it (E0277, the trait bound `Mutex<u64>: Clone` is not satisfied).
// To share one lock, share the struct itself: `Arc<Counter>`.

use concheck::sync::Mutex;
use concheck::thread;

#[derive(Clone)]
struct Counter {
    n: Mutex<u64>,
}

fn main() {
    let c = Counter { n: Mutex::new(0) };
    let c2 = c.clone();
    let handle = thread::spawn(move || *c2.n.lock() += 1);
    *c.n.lock() += 1;
    handle.join().unwrap();
}
