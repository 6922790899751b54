//! Every scenario under every checker it is held to: references show no violation, twins are
//! caught by loom and shuttle. One test per scenario, so `cargo test` runs them in parallel and
//! names the one that breaks.

use concheck_scenarios::{catalog, Role};

fn check_scenario(name: &str) {
    let scenario = catalog()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario named {name} in the catalog"));
    for checker in scenario.checkers() {
        let report = scenario.check().run(&checker);
        assert!(
            scenario.satisfied_by(&checker, &report),
            "{name} under {}: expected {}, got:\n{report}",
            checker.short_name(),
            match scenario.role {
                Role::Reference => "no violation".to_owned(),
                Role::Twin { expects } => format!("one of {expects:?}"),
            }
        );
        if let Role::Twin { .. } = scenario.role {
            if report.violation().is_some() && report.replay.is_some() {
                let again = concheck::check::replay(
                    &scenario.check(),
                    report.replay.as_deref().unwrap_or_default(),
                );
                assert_eq!(
                    again.kind(),
                    report.kind(),
                    "{name}: replay reproduces the violation:\n{again}"
                );
            }
        }
    }
}

macro_rules! scenario_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_scenario(stringify!($name));
            }
        )*

        #[test]
        fn catalog_every_scenario_has_a_test() {
            let tested = [$(stringify!($name)),*];
            for s in catalog() {
                assert!(tested.contains(&s.name), "scenario {} has no test in scenarios/tests/catalog.rs", s.name);
            }
        }
    };
}

scenario_tests!(
    worker_pool,
    worker_pool_add_inside_task,
    worker_pool_double_close,
    worker_pool_unbounded_spawn,
    fan_in,
    pipeline_cancel,
    pipeline_drain,
    pipeline_early_return,
    ready_flag,
    ready_flag_lost_wakeup,
);
