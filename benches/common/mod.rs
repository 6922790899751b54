//! What the benches share besides criterion: command-line modes for a loaded machine.
//!
//! - `--paired N`: criterion measures one function for seconds, then its peer; when other work
//!   on the machine comes and goes in between, their ratio is off by as much as 2x
//!   (BENCHMARKS.md). Paired mode times the peer and concheck alternately, `N` times each, and
//!   reports the median of the `N` per-pair ratios, which load changes slower than one pair
//!   hardly move.
//! - `--once NAME [K]`: runs one function `K` times (default 1) and exits, so that
//!   `valgrind --tool=callgrind` counts its instructions (repeatable where time is not) or
//!   `perf stat` its syscalls.

use std::time::{Duration, Instant};

/// The argument after `flag` on the command line: `None` without the flag, `Some(None)` when
/// nothing follows it.
fn arg_after(flag: &str) -> Option<Option<String>> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == flag)?;
    Some(args.get(i + 1).cloned())
}

/// `--once NAME [K]`: the function's name and how many times to run it.
// Each bench is its own crate and compiles this module again; not every bench has `--once`.
#[allow(dead_code)]
pub(crate) fn once() -> Option<(String, usize)> {
    let name = arg_after("--once")?
        .unwrap_or_else(|| panic!("--once needs the name of a function, e.g. loom/concheck"));
    // `cargo bench -- --once NAME` appends `--bench`: only a number is a count.
    let times = arg_after(&name)
        .flatten()
        .and_then(|k| k.parse().ok())
        .unwrap_or(1);
    Some((name, times))
}

/// `--paired N`: how many pairs to time.
pub(crate) fn pairs() -> Option<usize> {
    arg_after("--paired").map(|n| {
        let n = n.unwrap_or_default();
        n.parse()
            .unwrap_or_else(|_| panic!("--paired N: N must be a count, not '{n}'"))
    })
}

/// What [`paired`] measured.
pub(crate) struct Paired {
    /// Median over the pairs of concheck's time / the peer's time (> 1: concheck is slower).
    pub ratio: f64,
    /// The fastest peer and concheck times.
    pub peer: Duration,
    pub concheck: Duration,
}

/// Times `peer` then `concheck`, `pairs` times; see the module docs.
pub(crate) fn paired(pairs: usize, mut peer: impl FnMut(), mut concheck: impl FnMut()) -> Paired {
    assert!(pairs > 0, "--paired N needs N >= 1");
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let mut ratios = Vec::with_capacity(pairs);
    let (mut best_peer, mut best_concheck) = (Duration::MAX, Duration::MAX);
    for _ in 0..pairs {
        let p = time(&mut peer);
        let c = time(&mut concheck);
        best_peer = best_peer.min(p);
        best_concheck = best_concheck.min(c);
        ratios.push(c.as_secs_f64() / p.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    Paired {
        ratio: ratios[pairs / 2],
        peer: best_peer,
        concheck: best_concheck,
    }
}
