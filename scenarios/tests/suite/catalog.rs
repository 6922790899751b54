//! Every scenario under every checker it is held to: references show no violation, twins are
//! caught by loom and shuttle, and a twin's replay string reproduces its violation. One test per
//! pattern module, so `cargo test` runs them in parallel and names the pattern that breaks.

use concheck::check::{Checker, LoomConfig};
use concheck::ViolationKind;
use concheck_scenarios::{catalog, Body, Role, Scenario, LOOM_BOUND, MODULES};

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
        if let Some(unmet) = scenario.unmet(&checker, &report) {
            panic!(
                "{name} under {}: {unmet}; got:\n{report}",
                checker.short_name()
            );
        }
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

/// A reference in the catalog's shape with `body`.
fn reference_with(body: fn()) -> Scenario {
    Scenario {
        name: "made_for_the_test",
        pattern: "test",
        role: Role::Reference,
        summary: "a body the test chooses",
        body: Body::Sync(body),
        max_live_tasks: None,
        loom_preemption_bound: LOOM_BOUND,
    }
}

#[test]
fn a_reference_that_does_nothing_concurrent_is_not_a_reference() {
    // A body emptied out (or one that does its work on one task) passes every checker: loom's
    // complete search must find more than one schedule for a reference to count.
    fn empty() {}
    fn one_task() {
        let m = concheck::sync::Mutex::new(0);
        *m.lock() += 1;
        assert_eq!(*m.lock(), 1);
    }
    for body in [empty as fn(), one_task] {
        let scenario = reference_with(body);
        let report = scenario.check().run(&Checker::loom());
        assert_eq!(report.violation(), None);
        let unmet = scenario
            .unmet(&Checker::loom(), &report)
            .unwrap_or_else(|| panic!("a one-schedule reference is held to its role:\n{report}"));
        assert!(unmet.contains("found one schedule"), "{unmet}");
        // Only loom's complete search counts schedules; shuttle's searches run a fixed number.
        let shuttle = scenario.check().run(&Checker::shuttle_random());
        assert_eq!(scenario.unmet(&Checker::shuttle_random(), &shuttle), None);
    }
}

#[test]
fn a_reference_whose_tasks_meet_is_a_reference() {
    fn two_tasks() {
        let m = std::sync::Arc::new(concheck::sync::Mutex::new(0));
        let m2 = std::sync::Arc::clone(&m);
        let t = concheck::thread::spawn(move || *m2.lock() += 1);
        *m.lock() += 1;
        t.join().expect("the task ran");
        assert_eq!(*m.lock(), 2);
    }
    let scenario = reference_with(two_tasks);
    let report = scenario.check().run(&Checker::loom());
    assert!(report.iterations > 1, "{report}");
    assert_eq!(scenario.unmet(&Checker::loom(), &report), None);
    // A search its iteration cap stopped at one execution is not held to the count.
    let capped = Checker::Loom(LoomConfig::new().iterations(Some(1)));
    let report = scenario.check().run(&capped);
    assert_eq!(report.iterations, 1, "{report}");
    assert_eq!(scenario.unmet(&capped, &report), None);
}

#[test]
fn a_twin_caught_as_another_kind_names_both() {
    let twin = Scenario {
        role: Role::Twin {
            expects: &[ViolationKind::Deadlock],
            assertion: None,
        },
        ..reference_with(|| panic!("the twin's bug"))
    };
    let report = twin.check().run(&Checker::loom());
    let unmet = twin
        .unmet(&Checker::loom(), &report)
        .expect("a panic is not a deadlock");
    assert!(unmet.contains("expected one of [Deadlock]"), "{unmet}");
    assert!(unmet.starts_with("found "), "{unmet}");
}

#[test]
fn a_twin_caught_by_another_assertion_is_not_caught() {
    let twin = Scenario {
        role: Role::Twin {
            expects: &[ViolationKind::AssertionFailed],
            assertion: Some("every increment counted"),
        },
        ..reference_with(|| assert_eq!(1 + 1, 3, "a mistake in the body"))
    };
    let report = twin.check().run(&Checker::loom());
    assert_eq!(report.kind(), Some(ViolationKind::AssertionFailed));
    let unmet = twin
        .unmet(&Checker::loom(), &report)
        .expect("another assertion is not the bug");
    assert!(
        unmet.contains("an assertion other than the bug's failed")
            && unmet.contains("a mistake in the body"),
        "{unmet}"
    );
    let right = Scenario {
        role: Role::Twin {
            expects: &[ViolationKind::AssertionFailed],
            assertion: Some("a mistake"),
        },
        ..twin
    };
    assert_eq!(right.unmet(&Checker::loom(), &report), None);
}

#[test]
fn every_twin_that_expects_a_failed_assertion_names_it() {
    for s in catalog() {
        if let Role::Twin { expects, assertion } = s.role {
            assert_eq!(
                assertion.is_some(),
                expects.contains(&ViolationKind::AssertionFailed),
                "{}: a twin names the assertion that is its bug exactly when it expects one",
                s.name
            );
        }
    }
}

#[test]
fn every_scenario_is_held_to_its_checkers() {
    // A scenario held to no checker would pass its module's test having run nothing.
    for s in catalog() {
        let held: Vec<&str> = s.checkers().iter().map(Checker::short_name).collect();
        let expected: &[&str] = match s.body {
            Body::Sync(_) => &["loom", "shuttle-random", "shuttle-pct", "std"],
            Body::Tokio(_) => &["tokio"],
        };
        assert_eq!(held, expected, "{}", s.name);
    }
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
