//! Fan-out/fan-in: values from several input channels merged onto one output channel, which is
//! closed once every input is drained.
//!
//! Mirrors `merge` from the Go blog's "Go Concurrency Patterns: Pipelines and cancellation":
//! one forwarding goroutine per input, a WaitGroup counting them, and a goroutine that closes
//! the output after `wg.Wait()`.
//!
//! # Guarantees
//!
//! - Every value of every input appears on the output exactly once; values of one input keep
//!   their order.
//! - The output is closed exactly once, after the last forwarded value.
//! - It terminates when every input is closed; every forwarder and the closer end.

use std::sync::Arc;

use concheck::go::{self, Receiver, WaitGroup};
use concheck::thread::{self, JoinHandle};

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Merges `inputs` into one receiver, closed when every input is closed and drained. Returns the
/// merged receiver and the handles of the forwarders and the closer (join them after draining).
pub fn merge<T: Send + 'static>(inputs: Vec<Receiver<T>>) -> (Receiver<T>, Vec<JoinHandle<()>>) {
    let (out_tx, out_rx) = go::named::<T>("merged", 0);
    let wg = Arc::new(WaitGroup::new());
    let mut handles = Vec::with_capacity(inputs.len() + 1);
    for (i, input) in inputs.into_iter().enumerate() {
        wg.add(1);
        let (out_tx, wg) = (out_tx.clone(), Arc::clone(&wg));
        handles.push(
            thread::Builder::new()
                .name(format!("forward-{i}"))
                .spawn(move || {
                    for v in &input {
                        out_tx.send(v);
                    }
                    wg.done();
                }),
        );
    }
    handles.push(thread::Builder::new().name("closer").spawn(move || {
        wg.wait();
        out_tx.close();
    }));
    (out_rx, handles)
}

/// A closed, buffered channel holding `values`: a finished producer.
fn source(name: &str, values: &[u32]) -> Receiver<u32> {
    let (tx, rx) = go::named(name, values.len());
    for &v in values {
        tx.send(v);
    }
    tx.close();
    rx
}

fn reference() {
    let (merged, handles) = merge(vec![source("a", &[1, 2]), source("b", &[10])]);
    let mut got: Vec<u32> = merged.iter().collect();
    for h in handles {
        h.join().expect("fan-in task panicked");
    }
    let from_a: Vec<u32> = got.iter().copied().filter(|v| *v < 10).collect();
    assert_eq!(from_a, vec![1, 2], "one input's values keep their order");
    got.sort_unstable();
    assert_eq!(got, vec![1, 2, 10], "every value exactly once");
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        name: "fan_in",
        pattern: "fan-out/fan-in",
        role: Role::Reference,
        summary: "2 inputs merged by 2 forwarders; a closer closes the output after wg.wait",
        body: Body::Sync(reference),
        max_live_tasks: Some(3),
        loom_preemption_bound: LOOM_BOUND,
    }]
}
