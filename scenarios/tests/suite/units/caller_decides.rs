//! Unit tests of `concheck_scenarios::caller_decides`: the synchronous checksum (known FNV-1a
//! values) and callers that spawn it themselves on real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/caller_decides.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::thread;
use concheck_scenarios::caller_decides::*;

#[test]
fn caller_decides_checksum_is_synchronous() {
    // Known FNV-1a 64 values.
    assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(checksum(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(checksum(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn caller_decides_how_many_tasks_on_real_threads() {
    let blocks: Vec<Vec<u8>> = (0..16u8).map(|i| vec![i; 4096]).collect();
    let sequential: Vec<u64> = blocks.iter().map(|b| checksum(b)).collect();
    let tasks: Vec<_> = blocks
        .into_iter()
        .map(|b| thread::spawn(move || checksum(&b)))
        .collect();
    let concurrent: Vec<u64> = tasks.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(concurrent, sequential);
}
