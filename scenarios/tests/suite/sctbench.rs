//! A smoke subset of the SCTBench benchmark (`concheck_scenarios::sctbench`): a few programs,
//! each of whose bugs at least one shuttle strategy must find within a small budget, and whose
//! fixed twins must stay clean under loom and shuttle. The whole benchmark, with every program,
//! strategy and seed, is `concheck sctbench` (BENCHMARKS.md), not `cargo test`.

use concheck::check::{Checker, LoomConfig, ShuttleConfig, Strategy};
use concheck_scenarios::sctbench::{programs, Program};
use concheck_scenarios::Role;

/// The subset: small programs (at most 4 tasks, so loom runs the fixed twins too) with each
/// kind of bug: assertions (account, bluetooth_driver, stringbuffer, wronglock_3) and blocking
/// (carter01, sync02).
const SMOKE: &[&str] = &[
    "account",
    "bluetooth_driver",
    "carter01",
    "stringbuffer",
    "sync02",
    "wronglock_3",
];

/// Schedules per strategy: every smoke program's bug is found by some strategy within 25 on
/// the default seed (`concheck sctbench` medians); 300 leaves a wide margin at a few ms each.
const SCHEDULES: u64 = 300;

fn program(name: &str) -> Program {
    programs()
        .into_iter()
        .find(|p| p.name() == name)
        .unwrap_or_else(|| panic!("no sctbench program {name}"))
}

#[test]
fn smoke_bugs_are_found_by_some_strategy() {
    for name in SMOKE {
        let p = program(name);
        let Role::Twin { expects, .. } = p.buggy.role else {
            panic!("{name}'s buggy program is not a twin");
        };
        let check = p.buggy.check();
        let found: Vec<_> = ShuttleConfig::strategies()
            .into_iter()
            .filter(|c| c.get_strategy() != Strategy::Dfs)
            .map(|c| check.run(&Checker::Shuttle(c.iterations(SCHEDULES))))
            .filter(|r| r.kind().is_some_and(|k| expects.contains(&k)))
            .map(|r| r.checker)
            .collect();
        assert!(
            !found.is_empty(),
            "{name}: no strategy found its bug ({expects:?}) in {SCHEDULES} schedules"
        );
    }
}

#[test]
fn smoke_fixed_twins_are_clean() {
    for name in SMOKE {
        let p = program(name);
        let fixed = p
            .fixed
            .unwrap_or_else(|| panic!("{name} has no fixed twin"));
        let check = fixed.check();
        // loom at bound 1 on these 1-to-4-task bodies: 10 to 400 executions each.
        let loom = Checker::Loom(LoomConfig::default().preemption_bound(Some(1)));
        let checkers = [
            loom,
            Checker::Shuttle(ShuttleConfig::random().iterations(SCHEDULES)),
            Checker::Shuttle(ShuttleConfig::pct().iterations(SCHEDULES)),
        ];
        for checker in checkers {
            let report = check.run(&checker);
            assert!(
                report.violation().is_none(),
                "{} under {}: a false report on a fixed twin:\n{report}",
                fixed.name,
                checker.short_name()
            );
        }
    }
}
