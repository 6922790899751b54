// Go bug: incrementing a shared int from goroutines with no lock or atomic: `count++` is a
// read-modify-write, so concurrent increments are lost (and `go test -race` reports a race):
//
//     count := 0
//     var wg sync.WaitGroup
//     for i := 0; i < 2; i++ {
//         wg.Add(1)
//         go func() { defer wg.Done(); count++ }()
//     }
//     wg.Wait()
//
// Rust rule: `Rc` (a non-atomic reference count) and `Cell` (unsynchronized mutation) are not
// `Send`, so `thread::spawn` rejects a closure that captures them (E0277, `Rc<Cell<u64>>`
// cannot be sent between threads safely). `Arc<AtomicU64>` or `Arc<Mutex<u64>>` compiles.

use std::cell::Cell;
use std::rc::Rc;

use concheck::thread;

fn main() {
    let count = Rc::new(Cell::new(0u64));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let count = Rc::clone(&count);
        handles.push(thread::spawn(move || count.set(count.get() + 1)));
    }
    for h in handles {
        h.join().unwrap();
    }
    println!("{}", count.get());
}
