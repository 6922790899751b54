//! The access log of one `UnsafeCell` and the happens-before test shuttle's accesses get.
//!
//! A cell remembers its last write and the reads since it (one per task: a task's later read
//! is ordered after its earlier one). Under shuttle every entry carries the accessing task's
//! shuttle id and vector clock, taken after advancing the task's own entry: shuttle advances a
//! task's entry only when it synchronises, so without that step an access would look ordered
//! before everything the task did since its last synchronisation. A later access of another
//! task is ordered after it exactly when its clock has caught up with that entry, which only a
//! release by the first task after the access (an unlock, an atomic store, its end seen by a
//! join, a spawn) and an acquire by the second can bring about.
//! Under loom the entries carry no clock (loom itself decides what races) and only name the
//! other access in the report.

use std::panic::Location;

use shuttle_engine::runtime::execution::ExecutionState;
use shuttle_engine::runtime::task::clock::VectorClock;

use crate::rt;
use crate::violation::{Site, Violation, ViolationKind};

/// One access: who, where, and (under shuttle) when.
#[derive(Clone)]
pub(super) struct Access {
    task: Option<usize>,
    at: &'static Location<'static>,
    write: bool,
    /// Under shuttle: the task's shuttle id and its clock just after this access.
    clock: Option<(usize, VectorClock)>,
}

/// The running shuttle task's id and clock, its own entry advanced past everything before.
pub(super) fn shuttle_stamp() -> Option<(usize, VectorClock)> {
    let me = shuttle_engine::current::try_get_current_task()?;
    let clock = ExecutionState::try_with(|s| s.increment_clock().clone()).ok()?;
    Some((usize::from(me), clock))
}

impl Access {
    /// The running task's access at `at`, with `clock` if shuttle keeps one.
    pub(super) fn now(
        write: bool,
        at: &'static Location<'static>,
        clock: Option<(usize, VectorClock)>,
    ) -> Access {
        Access {
            task: rt::current_task(),
            at,
            write,
            clock,
        }
    }

    /// Whether `self` happens before `later` (the same task's accesses always do).
    fn before(&self, later: &Access) -> bool {
        if self.task == later.task {
            return true;
        }
        match (&self.clock, &later.clock) {
            (Some((me, mine)), Some((_, theirs))) => theirs.get(*me) >= mine.get(*me),
            // Without clocks nothing is known to race here (loom decides).
            _ => true,
        }
    }

    fn describe(&self) -> String {
        let what = if self.write { "write" } else { "read" };
        format!(
            "{what} by {} at {}",
            task_label(self.task),
            Site::from(self.at)
        )
    }
}

fn task_label(task: Option<usize>) -> String {
    let info = rt::execution_tasks().and_then(|tasks| task.and_then(|t| tasks.into_iter().nth(t)));
    match info {
        Some(t) => format!("#{} '{}'", t.id, t.name),
        None => "a task".to_owned(),
    }
}

/// The last write and the reads since it.
#[derive(Default)]
pub(super) struct Log {
    last_write: Option<Access>,
    reads: Vec<Access>,
}

impl Log {
    /// The first earlier access that conflicts with `access` and is not ordered before it.
    pub(super) fn unordered(&self, access: &Access) -> Option<&Access> {
        let write = self.last_write.iter().find(|w| !w.before(access));
        let read = || {
            self.reads
                .iter()
                .filter(|_| access.write)
                .find(|r| !r.before(access))
        };
        write.or_else(read)
    }

    /// The last conflicting access of another task, for naming it when loom found the race.
    pub(super) fn conflicting(&self, access: &Access) -> Option<&Access> {
        let other = |a: &&Access| a.task != access.task;
        let read = self.reads.iter().rev().filter(|_| access.write).find(other);
        read.or_else(|| self.last_write.iter().find(other))
    }

    /// Records `access` as the latest.
    pub(super) fn record(&mut self, access: Access) {
        if access.write {
            self.reads.clear();
            self.last_write = Some(access);
        } else {
            self.reads.retain(|r| r.task != access.task);
            self.reads.push(access);
        }
    }
}

/// Reports a data race between `access` (the running task's) and `other`, on the cell created
/// at `created_at`.
#[track_caller]
pub(super) fn report(
    access: &Access,
    other: Option<&Access>,
    created_at: &'static Location<'static>,
) -> ! {
    let against = other.map_or_else(|| "an access of another task".to_owned(), Access::describe);
    let mut v = Violation::new(
        ViolationKind::DataRace,
        format!(
            "data race on the UnsafeCell created at {}: {} is not ordered with the {against}; \
             order them with a lock, a channel, a join or a Release store read by an Acquire \
             load",
            Site::from(created_at),
            access.describe(),
        ),
    );
    v.sites.push(Site::from(access.at));
    if let Some(other) = other {
        v.sites.push(Site::from(other.at));
        let info = rt::execution_tasks()
            .and_then(|tasks| other.task.and_then(|t| tasks.into_iter().nth(t)));
        v.tasks.extend(info);
    }
    rt::violation(v)
}
