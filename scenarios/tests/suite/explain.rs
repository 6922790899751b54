//! Failing reports a person reads in ten seconds: for a lost-wakeup, a double-close, a leak and
//! an AB-BA twin, under loom and shuttle PCT, the report names the cause and shows the
//! interleaving table within one screen, and replaying its schedule gives the same report.

use concheck::check::{self, Checker, Report, StepKind};
use concheck::ViolationKind;
use concheck_scenarios::catalog;

/// Lines a failing report may take: one screen.
const SCREEN: usize = 40;

fn failing(name: &str, checker: &Checker) -> (concheck::check::Check, Report) {
    let scenario = catalog()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name} in the catalog"));
    let check = scenario.check();
    let report = check.run(checker);
    (check, report)
}

/// Runs `name` under loom and PCT; each report must find `kind`, carry a trace ending at the
/// violation, name a cause containing every one of `cause`, show a table, fit one screen, and
/// replay to the same kind and cause.
fn explains(name: &str, kind: ViolationKind, cause: &[&str]) {
    for checker in [Checker::loom(), Checker::shuttle_pct()] {
        let (check, report) = failing(name, &checker);
        report.assert_finds(kind);
        let text = report.to_string();
        let trace = report
            .trace
            .as_ref()
            .expect("a failing report carries its trace");
        assert!(!trace.steps.is_empty(), "{text}");
        let said = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("cause: "))
            .unwrap_or_else(|| panic!("{name} under {}: no cause line in\n{text}", report.checker));
        for part in cause {
            assert!(said.contains(part), "{name}: cause lacks {part:?}:\n{text}");
        }
        assert!(text.contains("interleaving ("), "{text}");
        let lines = text.lines().count();
        assert!(
            lines <= SCREEN,
            "{name}: {lines} lines, more than a screen:\n{text}"
        );
        let again = check::replay(&check, report.replay.as_deref().expect("a replay string"))
            .unwrap_or_else(|e| panic!("{e}"));
        again.assert_finds(kind);
        let again_text = again.to_string();
        assert!(
            again_text.contains(said),
            "replay names another cause:\n{again_text}"
        );
    }
}

#[test]
fn a_lost_wakeup_names_the_notify_that_came_before_the_wait() {
    explains(
        "ready_flag_lost_wakeup",
        ViolationKind::LostWakeup,
        &[
            "notify_one at scenarios/src/ready_flag.rs:51:21 by 'setter'",
            "ran before main's wait at scenarios/src/ready_flag.rs:56:22 was registered",
            "nothing notified",
        ],
    );
}

#[test]
fn a_double_close_names_both_closes_and_their_tasks() {
    explains(
        "worker_pool_double_close",
        ViolationKind::DoubleClose,
        // Which worker closes depends on the schedule (shrinking may pick the other one).
        &[
            "'worker-",
            "closed channel 'results' at scenarios/src/worker_pool.rs:168:32",
            "then 'closer' closed it again at scenarios/src/worker_pool.rs:185:20",
        ],
    );
}

#[test]
fn a_leak_names_the_task_its_spawn_its_blocker_and_who_could_release_it() {
    explains(
        "request_timeout_leaks_child",
        ViolationKind::Leak,
        &[
            "'backend' (spawned at scenarios/src/request_timeout.rs:386:44)",
            "blocks forever in send on channel 'reply'",
            "the last other task to use it was 'main' (select",
        ],
    );
}

#[test]
fn an_ab_ba_deadlock_names_the_lock_cycle() {
    explains(
        "lock_order_ab_ba",
        ViolationKind::Deadlock,
        &[
            "lock cycle: #",
            "holds mutex @ lock_order.rs:",
            "and wants mutex @ lock_order.rs:",
            "-> back to #",
        ],
    );
}

#[test]
fn the_trace_shows_every_task_blocked_at_a_deadlock_and_never_woken() {
    let (_, report) = failing("lock_order_ab_ba", &Checker::loom());
    let trace = report.trace.expect("trace");
    for task in ["a-to-b", "b-to-a"] {
        let id = trace.tasks.iter().position(|t| t.name == task).expect(task);
        let last = trace
            .steps
            .iter()
            .rev()
            .find(|s| s.task == id)
            .expect("a step");
        assert_eq!(last.kind, StepKind::Block, "{task} ends blocked");
        assert_eq!(last.op, "Mutex::lock");
    }
}

#[test]
fn passing_and_std_reports_carry_no_trace() {
    let (_, report) = failing("ready_flag", &Checker::loom());
    report.assert_no_violation();
    assert!(report.trace.is_none());
    let (_, report) = failing("worker_pool_double_close", &Checker::std());
    assert!(
        report.trace.is_none(),
        "std runs cannot be replayed, so carry no trace"
    );
}
