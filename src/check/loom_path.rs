//! loom's execution path (its checkpoint file) as replay strings carry it, checked before loom
//! reads it.
//!
//! loom decodes a checkpoint with `unwrap` and indexes its branches without bounds checks, so a
//! path that is valid JSON but not a path loom wrote panics inside loom. These types mirror the
//! shape loom 0.7 serialises (`loom::rt::path::Path`, private to loom) field for field; a path
//! that decodes into them and whose indices hold decodes into loom's own and can be walked.

use serde::{Deserialize, Serialize};

/// loom's `MAX_THREADS` (loom 0.7): the length of a schedule's thread array.
pub(super) const MAX_THREADS: usize = loom::MAX_THREADS;
/// loom's `MAX_ATOMIC_HISTORY` (loom 0.7, private): the length of a load's value array.
pub(super) const MAX_ATOMIC_HISTORY: usize = 7;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Path {
    pub(super) preemption_bound: Option<u8>,
    pub(super) pos: usize,
    pub(super) branches: Store,
    pub(super) exploring: bool,
    pub(super) skipping: bool,
    pub(super) exploring_on_start: bool,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Store {
    pub(super) entries: Vec<Entry>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) enum Entry {
    Schedule(Schedule),
    Load(Load),
    Spurious(Spurious),
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Schedule {
    pub(super) preemptions: u8,
    pub(super) initial_active: Option<u8>,
    pub(super) threads: [Thread; MAX_THREADS],
    pub(super) prev: Option<Ref>,
    pub(super) exploring: bool,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Ref {
    pub(super) index: usize,
    pub(super) _p: (),
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Load {
    pub(super) values: [u8; MAX_ATOMIC_HISTORY],
    pub(super) pos: u8,
    pub(super) len: u8,
    pub(super) exploring: bool,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spurious {
    pub(super) spur: bool,
    pub(super) exploring: bool,
}

#[derive(Clone, Copy, Deserialize, Serialize)]
pub(super) enum Thread {
    Disabled,
    Skip,
    Yield,
    Pending,
    Active,
    Visited,
}

/// Whether `json` is a path loom can load and walk with this preemption bound and branch cap;
/// if not, what is wrong.
pub(super) fn validate(
    json: &str,
    preemption_bound: Option<usize>,
    max_branches: usize,
) -> Result<(), String> {
    let path: Path =
        serde_json::from_str(json).map_err(|e| format!("the loom path does not decode: {e}"))?;
    let entries = &path.branches.entries;
    if path.preemption_bound.map(usize::from) != preemption_bound {
        return Err("the path's preemption bound is not the string's `pb`".to_owned());
    }
    if entries.len() > max_branches {
        return Err(format!(
            "{} branches, more than the string's `branches={max_branches}`",
            entries.len()
        ));
    }
    if path.pos > entries.len() {
        return Err("the path's position is past its branches".to_owned());
    }
    for (i, entry) in entries.iter().enumerate() {
        match entry {
            Entry::Schedule(s) => {
                if s.initial_active
                    .is_some_and(|t| usize::from(t) >= MAX_THREADS)
                {
                    return Err(format!("branch {i} names a thread loom does not have"));
                }
                if let Some(prev) = &s.prev {
                    if prev.index >= i || !matches!(entries[prev.index], Entry::Schedule(_)) {
                        return Err(format!("branch {i} links to no earlier schedule"));
                    }
                }
            }
            Entry::Load(l) => {
                if l.len == 0 || usize::from(l.len) > MAX_ATOMIC_HISTORY || l.pos >= l.len {
                    return Err(format!("branch {i} is a load out of its range"));
                }
            }
            Entry::Spurious(_) => {}
        }
    }
    Ok(())
}
