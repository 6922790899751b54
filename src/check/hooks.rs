//! One panic hook for every runner.
//!
//! shuttle installs a process-wide hook once and then prints its (stale) schedule for every
//! later panic, loom's included. We make shuttle install its hook first, then wrap it: a panic
//! inside a checker execution is recorded in that execution (it becomes the report) and not
//! printed; a panic in a shuttle execution of the user's own goes to shuttle's hook; any other
//! goes to the hook that was there before. Set `CONCHECK_SHOW_PANICS=1` to also print the panics
//! inside executions while debugging. (shuttle also prints one line of its own to stderr for
//! each failed execution, with `eprintln!`; no API silences it, so `check::quiet` filters those
//! lines out of stderr while a shuttle check runs.)

use std::panic::{self, PanicHookInfo};
use std::sync::Once;

pub(crate) use crate::rt::panic_message as message_of;
use crate::rt::{self, context, PanicRecord};
use crate::violation::Site;

/// Installs the hook; idempotent and cheap after the first call.
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // The hook before shuttle's (std's default, or the user's), then shuttle's around it.
        let original = panic::take_hook();
        let mut quiet = shuttle::Config::new();
        quiet.failure_persistence = shuttle::FailurePersistence::None;
        quiet.silence_warnings = true;
        shuttle::Runner::new(shuttle::scheduler::RandomScheduler::new(1), quiet).run(|| {});
        let show = std::env::var_os("CONCHECK_SHOW_PANICS").is_some_and(|v| v != "0");
        let shuttle_hook = panic::take_hook();
        let previous = move |info: &PanicHookInfo<'_>| {
            // shuttle's hook describes the failing shuttle execution; outside one it prints a
            // bogus "test panicked in task 'Tried to get ExecutionState ...'".
            if shuttle_engine::current::try_get_current_task().is_some() {
                shuttle_hook(info)
            } else {
                original(info)
            }
        };
        panic::set_hook(Box::new(move |info| match context::execution() {
            Some(execution) => {
                if execution.backend() == rt::Backend::Loom
                    && raised_by_loom(info)
                    && !context::loom_panic_expected()
                {
                    // Its deadlock detection or one of its own assertions: loom cannot go on.
                    context::loom_failed(&payload_message(info));
                }
                execution.record_panic(PanicRecord {
                    task: rt::current_task(),
                    message: payload_message(info),
                    at: info.location().map(Site::from),
                    last_call: rt::last_site().map(Site::from),
                });
                if show {
                    previous(info);
                }
            }
            None => previous(info),
        }));
    });
}

/// Whether the panic was raised inside loom's own source (its deadlock detection, its branch
/// bound, an assertion on its model), not by the checked body: the file of its location is in
/// loom's crate directory (`loom-<version>/`, as cargo lays out registry and git sources).
fn raised_by_loom(info: &PanicHookInfo<'_>) -> bool {
    info.location()
        .is_some_and(|l| in_crate_dir(l.file(), "loom"))
}

/// Whether `file` lies in the source directory of crate `name`: a path segment
/// `<name>-<version>`, the version starting with a digit.
pub(crate) fn in_crate_dir(file: &str, name: &str) -> bool {
    file.split(['/', '\\']).any(|segment| {
        segment
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
    })
}

fn payload_message(info: &PanicHookInfo<'_>) -> String {
    message_of(info.payload())
}

#[cfg(test)]
mod tests {
    use super::in_crate_dir;

    #[test]
    fn hooks_tell_loom_source_from_user_source() {
        let registry = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/loom-0.7.2/src/rt/execution.rs";
        assert!(in_crate_dir(registry, "loom"));
        assert!(in_crate_dir("loom-0.7.2/src/rt/execution.rs", "loom"));
        assert!(!in_crate_dir("/work/loom-tests/src/lib.rs", "loom"));
        assert!(!in_crate_dir("src/sync/mutex.rs", "loom"));
        assert!(!in_crate_dir("/x/shuttle-0.9.9/src/lib.rs", "loom"));
    }
}
