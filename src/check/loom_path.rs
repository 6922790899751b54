//! loom's execution path (its checkpoint file) as replay strings carry it, checked before loom
//! reads it.
//!
//! loom decodes a checkpoint with `unwrap` and indexes its branches without bounds checks, so a
//! path that is valid JSON but not a path loom wrote panics inside loom. These types mirror the
//! shape loom 0.7 serialises (`loom::rt::path::Path`, private to loom) field for field; a path
//! that decodes into them and whose indices hold decodes into loom's own and can be walked.

use serde::Deserialize;

/// loom's `MAX_THREADS` (loom 0.7): the length of a schedule's thread array.
const MAX_THREADS: usize = loom::MAX_THREADS;
/// loom's `MAX_ATOMIC_HISTORY` (loom 0.7, private): the length of a load's value array.
const MAX_ATOMIC_HISTORY: usize = 7;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Path {
    preemption_bound: Option<u8>,
    pos: usize,
    branches: Store,
    #[allow(dead_code)]
    exploring: bool,
    #[allow(dead_code)]
    skipping: bool,
    #[allow(dead_code)]
    exploring_on_start: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Store {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
enum Entry {
    Schedule(Schedule),
    Load(Load),
    Spurious(Spurious),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Schedule {
    #[allow(dead_code)]
    preemptions: u8,
    initial_active: Option<u8>,
    #[allow(dead_code)]
    threads: [Thread; MAX_THREADS],
    prev: Option<Ref>,
    #[allow(dead_code)]
    exploring: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ref {
    index: usize,
    #[allow(dead_code)]
    _p: (),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Load {
    #[allow(dead_code)]
    values: [u8; MAX_ATOMIC_HISTORY],
    pos: u8,
    len: u8,
    #[allow(dead_code)]
    exploring: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spurious {
    #[allow(dead_code)]
    spur: bool,
    #[allow(dead_code)]
    exploring: bool,
}

#[derive(Deserialize)]
enum Thread {
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
