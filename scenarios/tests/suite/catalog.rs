//! Every scenario under every checker it is held to: references show no violation, twins are
//! caught by loom and shuttle, and a twin's replay string reproduces its violation. One test per
//! pattern module, so `cargo test` runs them in parallel and names the pattern that breaks.

use concheck_scenarios::{catalog, Role, Scenario, MODULES};

fn check_module(module: &str) {
    let (_, scenarios) = MODULES
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("no pattern module {module} in scenarios::MODULES"));
    let scenarios = scenarios();
    assert!(
        !scenarios.is_empty(),
        "pattern module {module} has no scenarios yet"
    );
    for scenario in scenarios {
        check_scenario(&scenario);
    }
}

fn check_scenario(scenario: &Scenario) {
    let name = scenario.name;
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
        if let (Role::Twin { .. }, Some(replay)) = (scenario.role, &report.replay) {
            let again = concheck::check::replay(&scenario.check(), replay)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                again.kind(),
                report.kind(),
                "{name}: replay reproduces the violation:\n{again}"
            );
        }
    }
}

macro_rules! module_tests {
    ($($module:ident),* $(,)?) => {
        $(
            #[test]
            fn $module() {
                check_module(stringify!($module));
            }
        )*

        #[test]
        fn catalog_every_module_has_a_test() {
            let tested = [$(stringify!($module)),*];
            for (module, _) in MODULES {
                assert!(tested.contains(module), "pattern module {module} has no test in scenarios/tests/suite/catalog.rs");
            }
        }
    };
}

#[test]
fn catalog_names_are_unique() {
    let mut names: Vec<&str> = catalog().iter().map(|s| s.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two scenarios share a name");
}

module_tests!(
    worker_pool,
    fan_in,
    pipeline,
    ready_flag,
    safe_counter,
    rwlock_cache,
    once,
    pool,
    concurrent_map,
    lock_order,
    bounded_parallel,
    errgroup,
    error_collection,
    wait_group_rules,
    cancellable_worker,
    generator,
    first_response,
    graceful_shutdown,
    caller_decides,
    static_init,
    channel_hazards,
    buffer_sizing,
    request_timeout,
    token_bucket,
    sliding_window,
    tokio_timeout,
    tokio_first_response,
    tokio_shutdown,
    tokio_worker_pool,
    async_patterns,
);
