//! Unit tests of `concheck_scenarios::sctbench`: the SCTBench catalog: unique names, and buggy
//! programs as twins beside fixed references.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/sctbench/mod.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::sctbench::*;
use concheck_scenarios::Role;

#[test]
fn names_are_unique_and_roles_match() {
    let all = scenarios();
    let mut names: Vec<_> = all.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        all.len(),
        "two benchmark scenarios share a name"
    );
    for p in programs() {
        assert!(matches!(p.buggy.role, Role::Twin { .. }), "{}", p.name());
        assert!(
            p.fixed.is_none_or(|f| f.role == Role::Reference),
            "{}",
            p.name()
        );
        assert!(p.buggy.name.starts_with("sct_"), "{}", p.buggy.name);
    }
}
