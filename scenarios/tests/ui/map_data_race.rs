// Go bug: writing a plain map from two goroutines, which the runtime may detect and abort with
// "fatal error: concurrent map writes" (or silently corrupt the map):
//
//     m := map[string]int{}
//     var wg sync.WaitGroup
//     for _, k := range []string{"a", "b"} {
//         wg.Add(1)
//         go func(k string) { defer wg.Done(); m[k]++ }(k)
//     }
//     wg.Wait()
//
// Rust rule: an `Arc` hands out only shared references (`Arc` implements `Deref`, not
// `DerefMut`), and `HashMap::insert` needs `&mut self`: mutating shared data needs a lock
// (E0596, cannot borrow data in an `Arc` as mutable). `Arc<Mutex<HashMap<_, _>>>` compiles.

use std::collections::HashMap;

use concheck::sync::Arc;
use concheck::thread;

fn main() {
    let m: Arc<HashMap<&str, u64>> = Arc::new(HashMap::new());
    let mut handles = Vec::new();
    for k in ["a", "b"] {
        let m = Arc::clone(&m);
        handles.push(thread::spawn(move || {
            m.insert(k, 1);
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
}
