//! The one place that reads loom's and shuttle's panic texts.
//!
//! loom and shuttle end a failing execution with a panic whose text is all they say about why:
//! every task blocked, a step or branch bound passed, a replayed schedule left, PCT finding no
//! concurrency. Both runners, their replays and the shrinker ask this module what a text means,
//! so a wording that changes in a new version of either crate is fixed here once.

use super::classify::Ending;

/// Which model checker raised a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Model {
    Loom,
    Shuttle,
}

/// loom's livelock verdict: an execution took more scheduling points than its `max_branches`.
const LOOM_BRANCHES: &str = "Model exceeded maximum number of branches";

/// loom's caps on one execution (branches, threads): its verdicts on the body, not failures of
/// loom itself.
const LOOM_CAPS: &str = "Model exceeded maximum number of";

/// PCT's scheduler panics with this when the body never has two runnable tasks at once: there
/// is nothing to prioritise, and nothing the body did wrong.
const NO_CONCURRENCY: &str = "test closure did not exercise any concurrency";

/// What shuttle's replay scheduler (and the replay runner's own step counter) panic with when
/// the body asks for a step the schedule does not hold.
const LEFT_THE_SCHEDULE: [&str; 4] = [
    "schedule ended early",
    "scheduled task is not runnable",
    "expected context switch but next schedule step is random choice",
    "expected random choice but next schedule step is context switch",
];

/// The panic text the replay runner's step counter uses when a replay asks for one step more
/// than its schedule holds (one of [`LEFT_THE_SCHEDULE`]).
pub(crate) const SCHEDULE_ENDED_EARLY: &str = LEFT_THE_SCHEDULE[0];

/// How the execution that panicked with `message` under `model` ended.
pub(crate) fn ending(model: Model, message: &str) -> Ending {
    match model {
        Model::Loom if message.starts_with("deadlock") => Ending::AllBlocked,
        Model::Loom if message.contains(LOOM_BRANCHES) => Ending::StepBound(
            "more scheduling points than loom's max_branches (a spin loop that never ends?)"
                .to_owned(),
        ),
        Model::Shuttle if message.starts_with("deadlock!") => Ending::AllBlocked,
        Model::Shuttle if message.starts_with("exceeded max_steps bound") => {
            Ending::StepBound(message.to_owned())
        }
        _ => Ending::Panic(message.to_owned()),
    }
}

/// Whether loom's text is its own verdict on the body (all tasks blocked, a cap passed) rather
/// than a failure inside loom.
pub(crate) fn is_loom_verdict(message: &str) -> bool {
    message.starts_with("deadlock") || message.contains(LOOM_CAPS)
}

/// Whether PCT stopped because the body never ran two tasks at once.
pub(crate) fn is_no_concurrency(message: &str) -> bool {
    message.contains(NO_CONCURRENCY)
}

/// Whether a shuttle replay stopped because the body left the recorded schedule.
pub(crate) fn left_the_schedule(message: &str) -> bool {
    LEFT_THE_SCHEDULE.iter().any(|m| message.contains(m))
}

/// The model checker whose own source `file` is in (loom, or shuttle and its engine crates),
/// if any: a panic raised there is the checker's, not the body's.
pub(crate) fn model_of_source(file: &str) -> Option<Model> {
    use super::hooks::in_crate_dir;
    if in_crate_dir(file, "loom") {
        Some(Model::Loom)
    } else if [
        "shuttle",
        "shuttle-engine",
        "shuttle-std",
        "shuttle-schedulers",
    ]
    .iter()
    .any(|c| in_crate_dir(file, c))
    {
        Some(Model::Shuttle)
    } else {
        None
    }
}

/// Whether `message`, raised inside `model`'s own source, is one of its verdicts on the body
/// (all tasks blocked, a bound passed, a replay that left its schedule, no concurrency to
/// explore) rather than a failure inside the checker.
pub(crate) fn is_model_verdict(model: Model, message: &str) -> bool {
    match model {
        Model::Loom => is_loom_verdict(message),
        Model::Shuttle => {
            message.starts_with("deadlock!")
                || message.starts_with("exceeded max_steps bound")
                || is_no_concurrency(message)
                || left_the_schedule(message)
        }
    }
}

/// loom's and shuttle's own assertions whose text says what the body did: the text, and what
/// it means for the body, with what to do.
const INTERNAL_TEXTS: [(&str, &str); 4] = [
    (
        "no such thing as a relaxed fence",
        "a Relaxed fence orders nothing (std panics on it too): use Acquire, Release, AcqRel \
         or SeqCst",
    ),
    (
        "cannot park while already parked",
        "a task parked twice without an unpark between: park only through the facade's \
         blocking calls",
    ),
    (
        "Reached unexpected exploration state",
        "the body did not do the same thing when loom ran the same schedule again: make it \
         deterministic (no real time, randomness or state kept across executions)",
    ),
    (
        "atomic cell is in `with_mut` call",
        "an atomic was accessed while its with_mut closure ran",
    ),
];

/// What a panic `message` raised inside `model`'s own source (not one of its verdicts) means
/// for the body: the meaning of a known text, or the general advice.
pub(crate) fn internal_meaning(model: Model, message: &str) -> &'static str {
    INTERNAL_TEXTS
        .iter()
        .find(|(text, _)| message.contains(text))
        .map_or(
            match model {
                Model::Loom => {
                    "this usually means a primitive was used in a way loom does not model (a \
                     real thread, a primitive kept across executions, a body that is not \
                     deterministic): check that call"
                }
                Model::Shuttle => {
                    "this usually means a primitive was used in a way shuttle does not model (a \
                     real thread, a primitive kept across executions): check that call"
                }
            },
            |(_, meaning)| meaning,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_model_reads_its_own_deadlock_and_bound_texts() {
        let kind = |m, s| match ending(m, s) {
            Ending::AllBlocked => "blocked",
            Ending::StepBound(_) => "bound",
            Ending::Panic(_) => "panic",
            Ending::Watchdog(_) => "watchdog",
        };
        assert_eq!(kind(Model::Loom, "deadlock; threads = [..]"), "blocked");
        assert_eq!(
            kind(Model::Shuttle, "deadlock! blocked tasks: [..]"),
            "blocked"
        );
        // loom's text is not shuttle's: shuttle's needs the `!`.
        assert_eq!(kind(Model::Shuttle, "deadlock; threads"), "panic");
        assert_eq!(
            kind(
                Model::Loom,
                "Model exceeded maximum number of branches. ..."
            ),
            "bound"
        );
        assert_eq!(
            kind(Model::Shuttle, "exceeded max_steps bound 100000"),
            "bound"
        );
        assert_eq!(kind(Model::Loom, "exceeded max_steps bound 1"), "panic");
        assert_eq!(kind(Model::Shuttle, "assertion failed: x"), "panic");
        assert!(is_loom_verdict("Model exceeded maximum number of threads"));
        assert!(!is_loom_verdict("index out of bounds"));
        assert!(is_no_concurrency(
            "test closure did not exercise any concurrency"
        ));
        assert!(left_the_schedule(SCHEDULE_ENDED_EARLY));
        assert!(!left_the_schedule("assertion failed"));
    }

    #[test]
    fn checker_sources_and_their_own_failures_are_told_from_verdicts() {
        let reg = "/r/index.crates.io-1/";
        assert_eq!(
            model_of_source(&format!("{reg}loom-0.7.3/src/rt/atomic.rs")),
            Some(Model::Loom)
        );
        for krate in ["shuttle-0.9.9", "shuttle-std-0.1.5", "shuttle-engine-0.1.7"] {
            assert_eq!(
                model_of_source(&format!("{reg}{krate}/src/x.rs")),
                Some(Model::Shuttle)
            );
        }
        assert_eq!(model_of_source("tests/suite/loom_parity.rs"), None);
        assert_eq!(model_of_source("src/check/shuttle.rs"), None);
        assert!(is_model_verdict(Model::Loom, "deadlock; threads = []"));
        assert!(is_model_verdict(
            Model::Shuttle,
            "deadlock! blocked tasks: []"
        ));
        assert!(is_model_verdict(Model::Shuttle, SCHEDULE_ENDED_EARLY));
        assert!(!is_model_verdict(
            Model::Loom,
            "there is no such thing as a relaxed fence"
        ));
        assert!(
            internal_meaning(Model::Shuttle, "there is no such thing as a relaxed fence")
                .contains("SeqCst")
        );
        assert!(
            internal_meaning(Model::Loom, "index out of bounds").contains("loom does not model")
        );
    }
}
