//! Unit tests of `concheck_scenarios::generator`: the generator: values in order, taking none, and
//! the channel closed after the last value.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/generator.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck::go::Context;
use concheck_scenarios::generator::*;

#[test]
fn generator_counts_in_order_and_stops_on_real_threads() {
    let got = first(10_000, 1);
    assert_eq!(got, (1..=10_000).collect::<Vec<u64>>());
}

#[test]
fn generator_takes_nothing_and_still_stops() {
    assert_eq!(first(0, 1), Vec::<u64>::new());
}

#[test]
fn generator_closes_after_the_last_value() {
    let numbers = count(Context::background(), u64::MAX - 1);
    let all: Vec<u64> = numbers.iter().collect();
    assert_eq!(all, vec![u64::MAX - 1, u64::MAX]);
}
