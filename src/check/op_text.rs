//! Tests that an operation's display text never decides a verdict: classify and explain read
//! only [`OpKind`]s, so renaming the text an operation prints as (even to the name of another
//! operation that would mean another verdict) changes what a report prints, never which
//! violation it names, which tasks and sites it involves, or which cause it gives.

use std::collections::BTreeSet;

use super::classify::{classify_ended, Ended, Ending};
use super::explain;
use super::fixtures;
use crate::rt::OpKind;
use crate::violation::{Site, TaskInfo, TaskState, Violation};

/// Display texts that, matched as strings, would each mean another verdict: a condvar wait (a
/// lost wakeup), a scope end (a leak), an async park, a close, a lock, a notify; and nonsense.
const MISLEADING: [&str; 7] = [
    "Condvar::wait",
    "leak::scope end",
    "async await",
    "Sender::close",
    "Mutex::lock",
    "Condvar::notify_one",
    "zz",
];

/// A site in the made-up body of these unit tests (also `classify_cases`').
pub(super) fn site(line: u32) -> Site {
    Site {
        file: "src/body.rs".to_owned(),
        line,
        column: 5,
    }
}

/// Task `id` of the made-up body, spawned (unless it is the body) at line `100 + id`.
pub(super) fn task(id: usize, state: TaskState) -> TaskInfo {
    TaskInfo {
        id,
        name: format!("task-{id}"),
        spawned_at: (id > 0).then(|| site(100 + id as u32)),
        state,
    }
}

fn blocked(kind: OpKind, text: &str, line: u32) -> TaskState {
    TaskState::Blocked {
        op: text.to_owned(),
        op_kind: kind,
        object: format!("object @ body.rs:{line}"),
        at: site(line),
    }
}

/// The hangs a task blocked in `kind` (printed as `text`) can be part of: alone beside a task
/// blocked on a lock, and at a scope end whose task leaked.
fn hangs(kind: OpKind, text: &str) -> Vec<Ended> {
    vec![
        Ended {
            tasks: vec![
                task(0, blocked(OpKind::Lock, "Mutex::lock", 10)),
                task(1, blocked(kind, text, 20)),
            ],
            leaked: Vec::new(),
            first_panic: None,
            locks: Vec::new(),
        },
        Ended {
            tasks: vec![
                task(0, blocked(kind, text, 10)),
                task(1, blocked(OpKind::ChannelRecv, "Receiver::recv", 20)),
            ],
            leaked: vec![1],
            first_panic: None,
            locks: Vec::new(),
        },
    ]
}

/// What a verdict is, without the text it prints.
fn verdict(v: &Violation) -> (crate::ViolationKind, Vec<Site>, Vec<usize>) {
    (
        v.kind,
        v.sites.clone(),
        v.tasks.iter().map(|t| t.id).collect(),
    )
}

#[test]
fn classify_reads_kinds_not_display_text() {
    for kind in OpKind::ALL {
        let plain = format!("{kind:?}");
        for (case, ended) in hangs(kind, &plain).iter().enumerate() {
            let expected = verdict(&classify_ended(ended, Ending::AllBlocked));
            for text in MISLEADING {
                let renamed = &hangs(kind, text)[case];
                assert_eq!(
                    verdict(&classify_ended(renamed, Ending::AllBlocked)),
                    expected,
                    "renaming {kind:?} to {text:?} changed the verdict of hang {case}"
                );
            }
        }
    }
}

#[test]
fn a_lock_printed_as_a_condvar_wait_is_still_a_deadlock() {
    let ended = &hangs(OpKind::Lock, "Condvar::wait")[0];
    let v = classify_ended(ended, Ending::AllBlocked);
    assert_eq!(v.kind, crate::ViolationKind::Deadlock, "{v}");
}

/// Replaces every operation text of `names` in `text` (longest first) by one mark, so two
/// renderings that differ only in the operation texts they print compare equal.
fn without_op_text(text: &str, names: &BTreeSet<String>) -> String {
    let mut names: Vec<&String> = names.iter().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = text.to_owned();
    for name in names {
        out = out.replace(name.as_str(), "\u{25ca}");
    }
    out
}

/// Every text an operation of `names` can print as: whole, and its last `::` part (tables
/// print `send` for `Sender::send`).
fn forms(name: &str, into: &mut BTreeSet<String>) {
    into.insert(name.to_owned());
    if let Some(last) = name.rsplit("::").next() {
        into.insert(last.to_owned());
    }
}

/// A table's rows as which steps it shows and in which task's column: its cells' widths and
/// clipping follow the text, the choice of steps must not.
fn shape(table: &str) -> Vec<(String, Option<usize>)> {
    table
        .lines()
        .map(|line| {
            let mut cells = line.split('|');
            let number = cells.next().unwrap_or("").trim().to_owned();
            let column = cells.position(|c| !c.trim().is_empty());
            (number, column)
        })
        .collect()
}

#[test]
fn explain_reads_kinds_not_display_text() {
    for (fixture, report) in fixtures::all() {
        let trace = report.trace.clone().expect("fixtures carry a trace");
        let violation = report.violation().expect("fixtures fail").clone();
        let cause = explain::cause(&trace, &violation);
        assert!(cause.is_some(), "{fixture}: no cause to compare");
        let table = explain::table(&trace, &violation);
        for text in MISLEADING {
            let mut names = BTreeSet::new();
            forms(text, &mut names);
            let mut renamed_trace = trace.clone();
            for step in &mut renamed_trace.steps {
                if step.op_kind != OpKind::Spawn {
                    forms(&step.op, &mut names);
                    step.op = text.to_owned();
                }
            }
            let mut renamed = violation.clone();
            for t in &mut renamed.tasks {
                if let TaskState::Blocked { op, .. } = &mut t.state {
                    forms(op, &mut names);
                    *op = text.to_owned();
                }
            }
            let strip = |s: Option<String>| s.map(|s| without_op_text(&s, &names));
            assert_eq!(
                strip(explain::cause(&renamed_trace, &renamed)),
                strip(cause.clone()),
                "{fixture}: renaming every operation to {text:?} changed the cause"
            );
            assert_eq!(
                explain::table(&renamed_trace, &renamed).map(|t| shape(&t)),
                table.as_deref().map(shape),
                "{fixture}: renaming every operation to {text:?} changed the steps shown"
            );
        }
    }
}
