//! A failing report read in ten seconds: the named cause of the violation, and the steps that
//! matter as a table with one column per task, built from the report's [`Trace`].
//!
//! The steps that matter are those on the objects the violation involves (the ones its tasks
//! block on, the ones touched at its sites, the locks a deadlocked task holds), by the tasks
//! that touched them, ending at the violation; at most [`MAX_ROWS`] of them, the latest.

use std::fmt::Write as _;

use crate::rt::steps::{Step, StepKind, Trace};
use crate::rt::OpKind;
use crate::violation::{Site, TaskState, Violation, ViolationKind};

/// Rows the table shows: with the report's other lines, a failing report fits one screen (40
/// lines). Earlier steps are counted, not shown; the HTML report shows them all.
pub const MAX_ROWS: usize = 18;

/// Widest cell, in characters: four task columns fit 140 columns.
const MAX_CELL: usize = 34;

/// The cause of `violation` in words, from the trace: who did what, where, in which order.
pub fn cause(trace: &Trace, violation: &Violation) -> Option<String> {
    match violation.kind {
        ViolationKind::LostWakeup => lost_wakeup(trace, violation),
        ViolationKind::DoubleClose => double_close(trace, violation),
        ViolationKind::SendAfterClose => send_after_close(trace, violation),
        ViolationKind::Deadlock => lock_cycle(trace, violation)
            .or_else(|| wait_holding_lock(trace, violation))
            .or_else(|| stranded(trace, violation)),
        ViolationKind::Leak | ViolationKind::Hang => stranded(trace, violation),
        ViolationKind::WaitGroupMisuse => {
            below_zero(trace, violation).or_else(|| add_during_wait(trace, violation))
        }
        _ => None,
    }
}

/// The table of the steps that matter, or `None` if none does.
pub fn table(trace: &Trace, violation: &Violation) -> Option<String> {
    let objects = involved_objects(trace, violation);
    let rows: Vec<(usize, &Step)> = trace
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.object.is_some_and(|o| objects.contains(&o))
                || (matches!(s.kind, StepKind::Panic) && involved_task(violation, s.task))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut tasks: Vec<usize> = rows.iter().map(|(_, s)| s.task).collect();
    tasks.sort_unstable();
    tasks.dedup();
    let hidden = rows.len().saturating_sub(MAX_ROWS);
    let shown = &rows[hidden..];
    let cells: Vec<(usize, usize, String)> = shown
        .iter()
        .map(|(i, s)| {
            let column = tasks
                .iter()
                .position(|&t| t == s.task)
                .expect("task listed");
            (*i, column, cell(trace, s))
        })
        .collect();
    let mut widths: Vec<usize> = tasks
        .iter()
        .map(|&t| trace.task_name(t).chars().count().min(MAX_CELL))
        .collect();
    for (_, column, text) in &cells {
        widths[*column] = widths[*column].max(text.chars().count());
    }
    let number = trace.steps.len().to_string().len().max(1);
    let mut out = String::new();
    let _ = write!(out, "{:>number$} ", "#");
    for (column, &t) in tasks.iter().enumerate() {
        let _ = write!(
            out,
            "| {:<w$} ",
            clip(&trace.task_name(t)),
            w = widths[column]
        );
    }
    out.push('\n');
    if hidden > 0 {
        let _ = writeln!(out, "{:>number$}   ({hidden} earlier steps not shown)", "");
    }
    for (i, column, text) in cells {
        let _ = write!(out, "{i:>number$} ");
        for (c, width) in widths.iter().enumerate() {
            let content = if c == column { text.as_str() } else { "" };
            let _ = write!(out, "| {content:<width$} ");
        }
        out.push('\n');
    }
    Some(out.trim_end().to_owned())
}

/// One step as a cell, its line first: `:185 close channel 'results'`.
fn cell(trace: &Trace, step: &Step) -> String {
    let op = short_op(&step.op);
    let object = trace.object_short(step).unwrap_or("");
    let line = step
        .at
        .as_ref()
        .map_or_else(String::new, |at| format!(":{} ", at.line));
    let text = match step.kind {
        StepKind::Op | StepKind::Spawn => format!("{line}{op} {object}"),
        StepKind::Block => format!("{line}blocked in {op} {object}"),
        StepKind::Resume => format!("{line}wakes from {op}"),
        StepKind::Finish => "returns".to_owned(),
        StepKind::Panic => "stopped here".to_owned(),
    };
    clip(text.trim())
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CELL {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_CELL - 3).collect();
    cut.push_str("...");
    cut
}

/// `Sender::send` reads `send`: display text for a table cell.
fn short_op(op: &str) -> String {
    let op = op.rsplit("::").next().unwrap_or(op);
    match op {
        "atomic store or read-modify-write" => "atomic write".to_owned(),
        other => other.to_owned(),
    }
}

fn involved_task(violation: &Violation, task: usize) -> bool {
    violation.tasks.iter().any(|t| t.id == task)
}

/// The objects the violation involves: what its tasks block on, what was touched at its sites,
/// and the locks a task blocked on a lock holds.
fn involved_objects(trace: &Trace, violation: &Violation) -> Vec<usize> {
    let mut objects: Vec<usize> = Vec::new();
    for task in &violation.tasks {
        if let Some(o) = blocked_object(trace, task.id) {
            objects.push(o);
        }
    }
    for step in &trace.steps {
        let at_site = step
            .at
            .as_ref()
            .is_some_and(|at| violation.sites.contains(at));
        if at_site && step.kind != StepKind::Block {
            objects.extend(step.object);
        }
    }
    if violation.kind == ViolationKind::Deadlock {
        for link in cycle_links(trace, violation) {
            objects.push(link.held);
        }
    }
    // For a lost wakeup, what the waiter and the notifier share besides the condvar: the flag
    // the waiter checked before it waited.
    if violation.kind == ViolationKind::LostWakeup {
        shared_objects(trace, &mut objects);
    }
    // A select over an involved channel is about it too.
    let selects: Vec<usize> = (0..trace.objects.len())
        .filter(|&o| {
            objects
                .iter()
                .any(|&of| o != of && about(trace, Some(o), of))
        })
        .collect();
    objects.extend(selects);
    objects.sort_unstable();
    objects.dedup();
    objects
}

/// Adds the objects two tasks of `objects`' users both operated on.
fn shared_objects(trace: &Trace, objects: &mut Vec<usize>) {
    let tasks: Vec<usize> = trace
        .steps
        .iter()
        .filter(|s| s.object.is_some_and(|o| objects.contains(&o)))
        .map(|s| s.task)
        .collect();
    for (o, _) in trace.objects.iter().enumerate() {
        let mut users: Vec<usize> = trace
            .steps
            .iter()
            .filter(|s| s.object == Some(o) && s.kind == StepKind::Op && tasks.contains(&s.task))
            .map(|s| s.task)
            .collect();
        users.sort_unstable();
        users.dedup();
        if users.len() >= 2 {
            objects.push(o);
        }
    }
}

/// Whether `object` is `of` or a select with a case on it.
fn about(trace: &Trace, object: Option<usize>, of: usize) -> bool {
    let Some(object) = object else { return false };
    object == of
        || trace
            .objects
            .get(object)
            .zip(trace.objects.get(of))
            .is_some_and(|(o, of)| o.name.starts_with('[') && o.name.contains(of.name.as_str()))
}

/// The object `task` is blocked on at the end of the trace, if it is.
fn blocked_object(trace: &Trace, task: usize) -> Option<usize> {
    last_block(trace, task)?.1.object
}

/// `task`'s block that it never woke from, with its index: its last block or resume step, if
/// that is a block.
fn last_block(trace: &Trace, task: usize) -> Option<(usize, &Step)> {
    trace
        .steps
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.task == task && matches!(s.kind, StepKind::Block | StepKind::Resume))
        .filter(|(_, s)| s.kind == StepKind::Block)
}

fn site(step: &Step) -> String {
    step.at
        .as_ref()
        .map_or_else(|| "?".to_owned(), Site::to_string)
}

fn who(trace: &Trace, step: &Step) -> String {
    format!("'{}'", trace.task_name(step.task))
}

/// A task with its id, `#2 'worker'`: what a cycle names its tasks by, since two tasks may
/// share a name.
fn task_id(trace: &Trace, task: usize) -> String {
    format!("#{task} '{}'", trace.task_name(task))
}

fn object_name(trace: &Trace, object: usize) -> String {
    trace
        .objects
        .get(object)
        .map_or_else(|| "an object".to_owned(), |o| o.short.clone())
}

fn lost_wakeup(trace: &Trace, violation: &Violation) -> Option<String> {
    // The tasks that wait for a wakeup; the others (a join on one of them) wait on them.
    let waiting = |t: &&crate::violation::TaskInfo| {
        matches!(&t.state, TaskState::Blocked { op_kind, .. }
            if *op_kind == OpKind::CondvarWait || op_kind.is_async())
    };
    let mut tasks: Vec<_> = violation.tasks.iter().filter(waiting).collect();
    if tasks.is_empty() {
        tasks = violation.tasks.iter().collect();
    }
    // First the waits a notify_one passed over for another waiter; a waiter it woke, which
    // waits again, is explained by them.
    let mut parts = Vec::new();
    let mut explained = Vec::new();
    for task in &tasks {
        let Some((b, block)) = last_block(trace, task.id) else {
            continue;
        };
        let Some(object) = block.object else { continue };
        if let Some((text, woken)) = woke_another(trace, task.id, b, object) {
            parts.push(text);
            explained.extend([task.id, woken]);
        }
    }
    for task in tasks {
        if explained.contains(&task.id) {
            continue;
        }
        let Some((_, block)) = last_block(trace, task.id) else {
            continue;
        };
        let Some(object) = block.object else { continue };
        let name = object_name(trace, object);
        let last_notify =
            trace.steps.iter().rev().find(|s| {
                s.kind == StepKind::Op && s.object == Some(object) && s.op_kind.notifies()
            });
        // The task never woke, and no notify_one came after its wait: every notify of the
        // object came before its wait was registered (a notify wakes only waiters already
        // registered).
        parts.push(match last_notify {
            Some(notify) => format!(
                "{} at {} by {} ran before {}'s {} at {} was registered, so it woke nobody; \
                 nothing notified {name} afterwards",
                short_op(&notify.op),
                site(notify),
                who(trace, notify),
                trace.task_name(task.id),
                short_op(&block.op),
                site(block),
            ),
            _ => format!(
                "nothing ever notified {name}: {} waits at {} forever",
                who(trace, block),
                site(block)
            ),
        });
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A `notify_one` on `object` after `task` began its last wait (step `b`) that woke another
/// waiter instead: the notify, whom it woke, and whether that one waits again; and the task
/// it woke.
fn woke_another(trace: &Trace, task: usize, b: usize, object: usize) -> Option<(String, usize)> {
    let (n, notify) = trace.steps[b..].iter().enumerate().find(|(_, s)| {
        s.kind == StepKind::Op && s.object == Some(object) && s.op_kind == OpKind::NotifyOne
    })?;
    let n = b + n;
    let (r, resumed) = trace.steps[n..]
        .iter()
        .enumerate()
        .find(|(_, s)| s.kind == StepKind::Resume && s.object == Some(object) && s.task != task)?;
    let again = trace.steps[n + r..]
        .iter()
        .find(|s| s.kind == StepKind::Block && s.object == Some(object) && s.task == resumed.task);
    let then = again.map_or_else(String::new, |w| {
        format!(", which waits again at {}", site(w))
    });
    let text = format!(
        "{} at {} by {} woke {}{then}; {} waiting on the same {} since {} was never woken",
        short_op(&notify.op),
        site(notify),
        who(trace, notify),
        who(trace, resumed),
        format_args!("'{}'", trace.task_name(task)),
        object_name(trace, object),
        site(&trace.steps[b]),
    );
    Some((text, resumed.task))
}

/// Every close of the object closed at the violation's sites, in order.
fn close_steps<'t>(trace: &'t Trace, violation: &Violation) -> Vec<&'t Step> {
    let object = trace.steps.iter().rev().find_map(|s| {
        let at_site = s.at.as_ref().is_some_and(|at| violation.sites.contains(at));
        (at_site && s.op_kind == OpKind::Close)
            .then_some(s.object)
            .flatten()
    });
    trace
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Op && s.op_kind == OpKind::Close && s.object == object)
        .collect()
}

fn double_close(trace: &Trace, violation: &Violation) -> Option<String> {
    let closes = close_steps(trace, violation);
    let [first, second, ..] = closes.as_slice() else {
        return None;
    };
    let object = first
        .object
        .map_or_else(String::new, |o| object_name(trace, o));
    Some(format!(
        "{} closed {object} at {}, then {} closed it again at {}",
        who(trace, first),
        site(first),
        who(trace, second),
        site(second)
    ))
}

fn send_after_close(trace: &Trace, violation: &Violation) -> Option<String> {
    let closes = close_steps(trace, violation);
    let close = closes.first()?;
    let position = trace.steps.iter().position(|s| std::ptr::eq(s, *close))?;
    let send = trace.steps[position..]
        .iter()
        .find(|s| s.object == close.object && s.op_kind.sends())?;
    let object = close
        .object
        .map_or_else(String::new, |o| object_name(trace, o));
    Some(format!(
        "{} closed {object} at {}, then {} sent on it at {}",
        who(trace, close),
        site(close),
        who(trace, send),
        site(send)
    ))
}

/// One link of a lock cycle: `task` holds `held` and wants `wanted`.
struct Link {
    task: usize,
    held: usize,
    wanted: usize,
    locked_at: Option<Site>,
}

/// The steps by which tasks may still hold `object` at the end of the trace: the last
/// acquisition of it (a later one by anyone would have needed it released first) and, if that
/// is a read lock, every read lock since the last write lock (readers share it).
fn holders(trace: &Trace, object: usize) -> Vec<&Step> {
    let acquisitions: Vec<&Step> = trace
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Op && s.object == Some(object) && s.op_kind.acquires_lock())
        .collect();
    let readers = acquisitions
        .iter()
        .rev()
        .take_while(|s| s.op_kind == OpKind::ReadLock)
        .count();
    let shared = readers.max(1).min(acquisitions.len());
    acquisitions[acquisitions.len() - shared..].to_vec()
}

/// For each task blocked on a lock: the lock it holds that another blocked task wants. The
/// holders of a lock are found by [`holders`].
fn cycle_links(trace: &Trace, violation: &Violation) -> Vec<Link> {
    let holder = |object: usize| holders(trace, object);
    let wanted: Vec<(usize, usize)> = violation
        .tasks
        .iter()
        .filter(
            |t| matches!(&t.state, TaskState::Blocked { op_kind, .. } if op_kind.acquires_lock()),
        )
        .filter_map(|t| Some((t.id, blocked_object(trace, t.id)?)))
        .collect();
    let mut links = Vec::new();
    for &(task, want) in &wanted {
        for &(_, other_want) in &wanted {
            if let Some(h) = holder(other_want).into_iter().find(|h| h.task == task) {
                links.push(Link {
                    task,
                    held: other_want,
                    wanted: want,
                    locked_at: h.at.clone(),
                });
            }
        }
    }
    links
}

fn lock_cycle(trace: &Trace, violation: &Violation) -> Option<String> {
    let links = cycle_links(trace, violation);
    let first = links.first()?;
    let mut text = String::from("lock cycle: ");
    let mut current = first;
    for _ in 0..links.len() {
        let _ = write!(
            text,
            "{} holds {} (locked at {}) and wants {} -> ",
            task_id(trace, current.task),
            object_name(trace, current.held),
            current
                .locked_at
                .as_ref()
                .map_or_else(|| "?".to_owned(), ToString::to_string),
            object_name(trace, current.wanted),
        );
        match links.iter().find(|l| l.held == current.wanted) {
            Some(next) if next.task != first.task => current = next,
            _ => break,
        }
    }
    let _ = write!(text, "back to {}", task_id(trace, first.task));
    Some(text)
}

/// A task waiting on a condvar while it holds a lock another blocked task wants: the two wait
/// for each other, as the tasks of a lock cycle do.
fn wait_holding_lock(trace: &Trace, violation: &Violation) -> Option<String> {
    let blocked_in = |kind: fn(OpKind) -> bool| {
        violation.tasks.iter().filter(
            move |t| matches!(&t.state, TaskState::Blocked { op_kind, .. } if kind(*op_kind)),
        )
    };
    for waiter in blocked_in(|k| k == OpKind::CondvarWait) {
        let Some((_, wait)) = last_block(trace, waiter.id) else {
            continue;
        };
        for locker in blocked_in(OpKind::acquires_lock) {
            let Some((_, lock)) = last_block(trace, locker.id) else {
                continue;
            };
            let Some(wanted) = lock.object else { continue };
            let held = holders(trace, wanted);
            let Some(locked) = held.iter().find(|h| h.task == waiter.id) else {
                continue;
            };
            let condvar = wait
                .object
                .map_or_else(|| "a condvar".to_owned(), |o| object_name(trace, o));
            return Some(format!(
                "{} holds {} (locked at {}) while it waits on {condvar} at {}; {} is blocked \
                 locking it at {}, so it can never notify: release the lock before waiting, \
                 or take it only inside the condvar's mutex",
                task_id(trace, wait.task),
                object_name(trace, wanted),
                site(locked),
                site(wait),
                task_id(trace, lock.task),
                site(lock)
            ));
        }
    }
    None
}

/// Each stranded task: where it blocks, on what, and who else used that object last.
fn stranded(trace: &Trace, violation: &Violation) -> Option<String> {
    let mut parts = Vec::new();
    for task in &violation.tasks {
        let Some((b, block)) = last_block(trace, task.id) else {
            continue;
        };
        let object = block
            .object
            .map_or_else(String::new, |o| object_name(trace, o));
        let spawned = trace
            .tasks
            .get(task.id)
            .and_then(|t| t.spawned_at.as_ref())
            .map_or_else(String::new, |s| format!(" (spawned at {s})"));
        let mut text = format!(
            "'{}'{spawned} blocks forever in {} on {object} at {}",
            trace.task_name(task.id),
            short_op(&block.op),
            site(block)
        );
        let others: Vec<&Step> = trace
            .steps
            .iter()
            .filter(|s| {
                s.task != task.id && block.object.is_some_and(|b| about(trace, s.object, b))
            })
            .collect();
        match others.last() {
            Some(last) => {
                let ended = trace.steps[b..].iter().any(|s| {
                    s.task == last.task && matches!(s.kind, StepKind::Finish | StepKind::Panic)
                });
                let _ = write!(
                    text,
                    "; the last other task to use it was {} ({} at {}){}",
                    who(trace, last),
                    short_op(&last.op),
                    site(last),
                    if ended { ", which then ended" } else { "" }
                );
            }
            None => text.push_str("; no other task ever used it"),
        }
        parts.push(text);
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A `done` (or negative `add`) that took the counter below zero: it, and the adds and dones
/// before it on the same WaitGroup.
fn below_zero(trace: &Trace, violation: &Violation) -> Option<String> {
    let (i, done) = trace.steps.iter().enumerate().rev().find(|(_, s)| {
        s.kind == StepKind::Op
            && s.op_kind == OpKind::WaitGroupDone
            && s.at.as_ref().is_some_and(|at| violation.sites.contains(at))
    })?;
    let earlier = |kind: OpKind| -> Vec<String> {
        trace.steps[..i]
            .iter()
            .filter(|s| s.kind == StepKind::Op && s.object == done.object && s.op_kind == kind)
            .map(|s| format!("{} at {}", who(trace, s), site(s)))
            .collect()
    };
    let (adds, dones) = (
        earlier(OpKind::WaitGroupAdd),
        earlier(OpKind::WaitGroupDone),
    );
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    Some(format!(
        "done at {} by {} took the counter below zero: the adds before it ({}) were already \
         matched by the dones before it ({}); call done once per add",
        site(done),
        who(trace, done),
        list(&adds),
        list(&dones)
    ))
}

/// An add from zero while another task waits: the add, and the wait it raced.
fn add_during_wait(trace: &Trace, violation: &Violation) -> Option<String> {
    let (i, add) = trace.steps.iter().enumerate().rev().find(|(_, s)| {
        s.kind == StepKind::Op
            && matches!(s.op_kind, OpKind::WaitGroupAdd | OpKind::WaitGroupDone)
            && s.at.as_ref().is_some_and(|at| violation.sites.contains(at))
    })?;
    let wait = trace.steps[..i].iter().rev().find(|s| {
        s.kind == StepKind::Block && s.object == add.object && s.op_kind == OpKind::WaitGroupWait
    })?;
    Some(format!(
        "{} called add at {} while {} was already waiting at {}: the wait could return before \
         this add, so the add must come before the wait starts (before the spawn)",
        who(trace, add),
        site(add),
        who(trace, wait),
        site(wait)
    ))
}
