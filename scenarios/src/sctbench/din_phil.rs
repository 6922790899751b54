//! `din_phil_N_sat`: N dining philosophers each take their right fork, then their left, inside
//! an atomic block, then count themselves done with an unlocked `++`; the last to count asserts
//! false. The `sat` programs make the assertion reachable on purpose: it fails in nearly every
//! schedule (all but those where the `++` loses an update), so the benchmark measures the cost
//! of N tasks' executions, not a search.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/din_phil{2..7}_sat.c`
//! (CS, Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The ESBMC atomic block
//! is one global lock. The fixed twin is the study's `din_philN_unsat`: no counter, no
//! assertion; the philosophers must still never deadlock.

use std::sync::Arc;

use concheck::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

fn dine(philosophers: usize, count: bool) {
    let atomic = Arc::new(Mutex::new(()));
    let forks: Arc<Vec<Mutex<()>>> = Arc::new((0..philosophers).map(|_| Mutex::new(())).collect());
    let done = Arc::new(AtomicUsize::new(0));
    let tasks = (0..philosophers)
        .map(|id| {
            let (atomic, forks, done) =
                (Arc::clone(&atomic), Arc::clone(&forks), Arc::clone(&done));
            spawn(format!("philosopher-{id}"), move || {
                {
                    let _block = atomic.lock();
                    let right = forks[(id + 1) % philosophers].lock();
                    let left = forks[id].lock();
                    drop(left);
                    drop(right);
                }
                if count {
                    let n = done.load(SeqCst) + 1;
                    done.store(n, SeqCst);
                    assert_ne!(
                        n, philosophers,
                        "every philosopher has eaten (the sat assertion)"
                    );
                }
            })
        })
        .collect();
    join_all(tasks);
}

macro_rules! sizes {
    ($($n:literal => $bad:ident, $ok:ident, $threads:literal, $points:literal;)*) => {
        $(
            #[doc = concat!("`din_phil", $n, "_sat`.")]
            pub fn $bad() {
                dine($n, true);
            }

            #[doc = concat!("`din_phil", $n, "_unsat`.")]
            pub fn $ok() {
                dine($n, false);
            }
        )*

        /// The benchmarks, 2 to 7 philosophers.
        pub fn programs() -> Vec<Program> {
            vec![$(
                Program {
                    buggy: buggy(
                        concat!("sct_din_phil", $n),
                        concat!($n, " philosophers count themselves done; the last asserts false"),
                        ASSERTS,
                        $bad,
                        $n,
                    ),
                    fixed: Some(fixed(
                        concat!("sct_din_phil", $n, "_fixed"),
                        concat!($n, " philosophers, no counter (the unsat program)"),
                        $ok,
                        $n,
                    )),
                    origin: concat!(
                        "benchmarks/concurrent-software-benchmarks/din_phil", $n, "_sat.c"
                    ),
                    study: Some(Study { threads: $threads, points: $points }),
                    tasks: $n,
                },
            )*]
        }
    };
}

sizes! {
    2 => bad_2, ok_2, 3, 21;
    3 => bad_3, ok_3, 4, 32;
    4 => bad_4, ok_4, 5, 43;
    5 => bad_5, ok_5, 6, 39;
    6 => bad_6, ok_6, 7, 49;
    7 => bad_7, ok_7, 8, 59;
}
