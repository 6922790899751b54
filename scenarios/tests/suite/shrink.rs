//! The catalog's twins shrink: a lost wakeup, two double closes, a leak and an AB-BA deadlock
//! under shuttle random and PCT shrink to the fewest preemptions each needs, and the report's
//! replay string runs the shrunk run. Shrinking on hand-made bodies is in concheck's own suite
//! (`tests/suite/shrink.rs`).

use crate::common::{scenario, shrunk_and_replayed};
use concheck::check::{Check, Checker, Report, ShuttleConfig};
use concheck::ViolationKind;

/// `report`'s shrink went no bigger, fewer preemptions first, the report says so, and its
/// replay string runs the very run the report describes, once.
fn assert_shrunk_and_replays(check: &Check, report: &Report) {
    let again = shrunk_and_replayed(check, report);
    let shrunk = report.shrunk.unwrap();
    assert!(
        shrunk.preemptions_after <= shrunk.preemptions_before,
        "{report}"
    );
    assert!(report
        .to_string()
        .contains(&format!("\n  shrunk: {shrunk}")));
    assert_eq!(again.kind(), report.kind(), "{again}");
    assert_eq!(again.iterations, 1);
}

/// A lost-wakeup, two double-close, a leak and an AB-BA twin from the catalog, under shuttle
/// random and PCT from their default seeds, with the preemptions each needs at least (its
/// non-preemptive schedule passes or fails).
const TWINS: [(&str, ViolationKind, usize); 5] = [
    ("ready_flag_lost_wakeup", ViolationKind::LostWakeup, 1),
    ("worker_pool_double_close", ViolationKind::DoubleClose, 0),
    (
        "channel_hazards_check_then_close",
        ViolationKind::DoubleClose,
        1,
    ),
    ("pipeline_early_return", ViolationKind::Leak, 0),
    ("lock_order_ab_ba", ViolationKind::Deadlock, 1),
];

#[test]
fn catalog_twins_shrink_to_their_fewest_preemptions_and_replay() {
    for (name, kind, fewest) in TWINS {
        let check = scenario(name).check();
        for config in [ShuttleConfig::random(), ShuttleConfig::pct()] {
            let report = check.run(&Checker::Shuttle(config));
            report.assert_finds(kind);
            assert_shrunk_and_replays(&check, &report);
            let shrunk = report.shrunk.unwrap();
            assert_eq!(shrunk.preemptions_after, fewest, "{name}: {report}");
            assert!(!shrunk.budget_spent, "{name}: {report}");
        }
    }
}
