// Go bug (before Go 1.22): a goroutine's closure captures the loop variable by reference; there
// is one variable for the whole loop, so the goroutines see whatever value it has when they run
// (often the last one, 3 3 3):
//
//     for i := 0; i < 3; i++ {
//         go func() { fmt.Println(i) }()
//     }
//
// Rust rule: `thread::spawn` requires a `'static` closure, and a closure that borrows the loop
// variable would outlive it (E0373, closure may outlive the current function but borrows `i`).
// The fix the compiler suggests, `move`, gives each task its own copy: Go 1.22's semantics.

use concheck::thread;

fn main() {
    let mut handles = Vec::new();
    for i in 0..3 {
        handles.push(thread::spawn(|| println!("{i}")));
    }
    for h in handles {
        h.join().unwrap();
    }
}
