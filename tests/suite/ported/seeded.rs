//! concurrent-queue's loom suite against the same vendored sources built with
//! `cfg(concheck_seeded_bug)`: `Single::pop` (the queue `bounded(1)` builds) unlocks the slot
//! before it reads the value, so the next push can write the slot while the read runs. Every
//! model checker must name it a data race on the slot's `UnsafeCell`.

use concheck::check::{Check, Checker};
use concheck::ViolationKind;
pub(super) use concurrent_queue_seeded as queue;

// The same suite as `clean.rs` loads, against the seeded crate; its vendored loops stay as
// upstream wrote them.
#[allow(clippy::duplicate_mod, clippy::while_let_loop)]
#[path = "concurrent_queue_loom.rs"]
mod loom_suite;

/// Runs one queue's body: `bounded(1)` under every model checker, each of which must report the
/// data race. The other two queues do not contain this seeded code (`bounded(2)` and `unbounded`
/// are `Bounded` and `Unbounded`, not `Single`), and `clean` already checks them. `bounded(2)`
/// does carry the second, weak-memory seed (`cfg(concheck_seeded_fence)`), which this suite's
/// mutex-ordered channel cannot expose: `historical.rs` tests that one.
fn run(queue: &str, check: Check) {
    if queue != "bounded(1)" {
        return;
    }
    let models: Vec<Checker> = super::clean::checkers()
        .into_iter()
        .filter(|c| !matches!(c, Checker::Std(_)))
        .collect();
    for report in check.assert_finds(ViolationKind::DataRace, &models) {
        eprintln!("{queue} (seeded): {report}");
    }
}
