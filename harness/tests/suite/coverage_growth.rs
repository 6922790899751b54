//! The coverage figure grows with the search: `worker_pool` under shuttle random at 1, 10, 100
//! and 1,000 schedules (one seed, so each search's schedules begin with the previous one's).

use concheck::check::{Checker, Coverage, ShuttleConfig};
use concheck_scenarios::catalog;

#[test]
fn coverage_grows_with_the_budget_for_worker_pool() {
    let scenario = catalog()
        .into_iter()
        .find(|s| s.name == "worker_pool")
        .expect("the catalog has worker_pool");
    let figures: Vec<(u64, Coverage)> = [1, 10, 100, 1000]
        .into_iter()
        .map(|n| {
            let config = ShuttleConfig::random().iterations(n);
            let report = scenario.check().run(&Checker::Shuttle(config));
            report.assert_no_violation();
            (n, report.coverage.expect("shuttle records coverage"))
        })
        .collect();
    let table: Vec<String> = figures.iter().map(|(n, c)| format!("{n}: {c}")).collect();
    println!("{}", table.join(", "));
    for pair in figures.windows(2) {
        let ((_, a), (_, b)) = (&pair[0], &pair[1]);
        assert!(b.both_orders >= a.both_orders, "{table:?}");
        assert!(b.pairs >= a.pairs, "{table:?}");
        assert!(b.ratio() >= a.ratio(), "{table:?}");
        // A longer search saw every ordered pair the shorter one did.
        assert!(a.ordered.iter().all(|p| b.ordered.contains(p)), "{table:?}");
    }
    let (first, last) = (&figures[0].1, &figures[3].1);
    assert!(last.both_orders > first.both_orders, "{table:?}");
    // Some orders the pattern forbids (every add before the wait; the closer's close after
    // every send), so even a long search stays below 100%.
    assert!(last.percent() < Some(100), "{table:?}");
}
