//! The map suite: your concurrent map must be linearizable against a sequential `HashMap`.
//!
//! # Linearizability, checked
//!
//! A concurrent map is correct when every history it produces is *linearizable*: each call
//! takes effect at one instant between its invocation and its response, and the results are
//! what a plain `HashMap` returns when the calls run one at a time in that order (Herlihy and
//! Wing, 1990).
//!
//! Each property runs two or three tasks, each a short fixed sequence of `get`, `insert` and
//! `remove` calls on one map, under every checker. Every call is bracketed by two events,
//! recorded into a facade `Mutex<Vec<_>>` right before the call and right after it returns:
//! the invocation and the response with its result. After every task has ended the body
//! searches the history Wing & Gong style: it tries every order of the calls that respects real
//! time (a call that responded before another was invoked comes first) and replays each on a
//! `HashMap`, accepting the first order whose results all match. Histories are at most six
//! calls, so the search is brute force. Recording can only widen a call's interval, never
//! narrow it, so a correct map never fails.
//!
//! A history no order explains fails the property with an
//! [`AssertionFailed`](crate::ViolationKind::AssertionFailed) report whose message prints the
//! history, event by event, and (under loom and shuttle) a replay string.
//!
//! | property | the tasks' calls |
//! |---|---|
//! | `linearizable_inserts_same_key` | `insert(1, 10)` ‖ `insert(1, 20)` ‖ `get(1)` |
//! | `linearizable_insert_remove` | `insert(1, 10), remove(1)` ‖ `insert(1, 20), get(1)` |
//! | `linearizable_two_keys` | `insert(1, 10), get(2)` ‖ `insert(2, 20), get(1)` ‖ `remove(1)` |

use std::any::type_name;
use std::collections::HashMap;
use std::fmt::{self, Write as _};

use super::report::{Expect, SuiteReport};
use super::{spawn, Property};
use crate::check::{Check, Checker};
use crate::sync::{Arc, Mutex};

/// A concurrent map from `u32` to `u32`, as the suite drives it; each call behaves like the
/// `HashMap` method of the same name.
///
/// Build it from concheck's facade ([`crate::sync`]) so the model checkers control its every
/// step. The suite shares it between tasks in an `Arc`.
pub trait ConcurrentMap: Send + Sync + Sized + 'static {
    /// A new empty map.
    fn new() -> Self;

    /// The value of `key`, if any.
    fn get(&self, key: u32) -> Option<u32>;

    /// Sets `key` to `value`; returns the value it replaced, if any.
    fn insert(&self, key: u32, value: u32) -> Option<u32>;

    /// Removes `key`; returns the value it had, if any.
    fn remove(&self, key: u32) -> Option<u32>;
}

/// Runs every map property on `M` under each of `checkers`.
pub fn check_map<M: ConcurrentMap>(checkers: &[Checker]) -> SuiteReport {
    let mut suite = SuiteReport::new("map", type_name::<M>(), "map_property");
    for p in properties::<M>() {
        suite.properties.push(p.run(checkers));
    }
    suite
}

/// The body of the map property `name` as a [`Check`], to run alone or to
/// [`replay`](crate::check::replay); `None` if there is no such property.
pub fn map_property<M: ConcurrentMap>(name: &str) -> Option<Check> {
    properties::<M>()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.check())
}

fn properties<M: ConcurrentMap>() -> Vec<Property> {
    vec![
        Property {
            name: "linearizable_inserts_same_key",
            requirement: "two inserts of one key and a get are linearizable: one insert sees \
                          the other's value",
            expect: Expect::NoViolation,
            body: inserts_same_key::<M>,
        },
        Property {
            name: "linearizable_insert_remove",
            requirement: "inserts, a remove and a get of one key are linearizable",
            expect: Expect::NoViolation,
            body: insert_remove::<M>,
        },
        Property {
            name: "linearizable_two_keys",
            requirement: "calls on two keys from three tasks are linearizable",
            expect: Expect::NoViolation,
            body: two_keys::<M>,
        },
    ]
}

fn inserts_same_key<M: ConcurrentMap>() {
    run_tasks::<M>(&[&[Op::Insert(1, 10)], &[Op::Insert(1, 20)], &[Op::Get(1)]]);
}

fn insert_remove<M: ConcurrentMap>() {
    run_tasks::<M>(&[
        &[Op::Insert(1, 10), Op::Remove(1)],
        &[Op::Insert(1, 20), Op::Get(1)],
    ]);
}

fn two_keys<M: ConcurrentMap>() {
    run_tasks::<M>(&[
        &[Op::Insert(1, 10), Op::Get(2)],
        &[Op::Insert(2, 20), Op::Get(1)],
        &[Op::Remove(1)],
    ]);
}

/// One call on the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Get(u32),
    Insert(u32, u32),
    Remove(u32),
}

impl Op {
    fn call(self, map: &impl ConcurrentMap) -> Option<u32> {
        match self {
            Op::Get(k) => map.get(k),
            Op::Insert(k, v) => map.insert(k, v),
            Op::Remove(k) => map.remove(k),
        }
    }

    /// The same call on the sequential model.
    fn apply(self, model: &mut HashMap<u32, u32>) -> Option<u32> {
        match self {
            Op::Get(k) => model.get(&k).copied(),
            Op::Insert(k, v) => model.insert(k, v),
            Op::Remove(k) => model.remove(&k),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Get(k) => write!(f, "get({k})"),
            Op::Insert(k, v) => write!(f, "insert({k}, {v})"),
            Op::Remove(k) => write!(f, "remove({k})"),
        }
    }
}

/// One entry of the history: a call's invocation, or its response with the result.
#[derive(Clone, Copy, Debug)]
struct Event {
    task: usize,
    op: Op,
    /// `None`: the invocation; `Some(result)`: the response.
    response: Option<Option<u32>>,
}

/// Runs `programs[0]` on the body's own task and each other program on a spawned task, all on
/// one map, recording the history; then panics with it unless it is linearizable.
fn run_tasks<M: ConcurrentMap>(programs: &[&'static [Op]]) {
    let map = Arc::new(M::new());
    let history = Arc::new(Mutex::new(Vec::new()));
    let run = |task: usize, program: &[Op], map: &M, history: &Mutex<Vec<Event>>| {
        for &op in program {
            history.lock().push(Event {
                task,
                op,
                response: None,
            });
            let result = op.call(map);
            history.lock().push(Event {
                task,
                op,
                response: Some(result),
            });
        }
    };
    let tasks: Vec<_> = programs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(task, &program)| {
            let (map, history) = (Arc::clone(&map), Arc::clone(&history));
            spawn(&format!("task-{task}"), move || {
                run(task, program, &map, &history);
            })
        })
        .collect();
    run(0, programs[0], &map, &history);
    for t in tasks {
        t.join().unwrap();
    }
    let history = history.lock().clone();
    if !linearizable(&history) {
        panic!("{}", describe(&history));
    }
}

/// A completed call: what it did, what it returned, and its interval in the history.
struct Call {
    op: Op,
    result: Option<u32>,
    invoked: usize,
    responded: usize,
}

/// Pairs each response with its task's pending invocation.
fn calls(history: &[Event]) -> Vec<Call> {
    let mut calls = Vec::new();
    let mut pending: HashMap<usize, usize> = HashMap::new();
    for (at, e) in history.iter().enumerate() {
        match e.response {
            None => {
                pending.insert(e.task, at);
            }
            Some(result) => {
                let invoked = pending
                    .remove(&e.task)
                    .expect("a response follows its task's invocation");
                calls.push(Call {
                    op: e.op,
                    result,
                    invoked,
                    responded: at,
                });
            }
        }
    }
    calls
}

/// Whether some order of the calls that respects real time gives every recorded result on a
/// sequential `HashMap` (Wing & Gong's search, without memoization: histories are tiny).
fn linearizable(history: &[Event]) -> bool {
    let calls = calls(history);
    let mut done = vec![false; calls.len()];
    search(&calls, &mut done, &HashMap::new())
}

fn search(calls: &[Call], done: &mut [bool], model: &HashMap<u32, u32>) -> bool {
    if done.iter().all(|&d| d) {
        return true;
    }
    for i in 0..calls.len() {
        if done[i] {
            continue;
        }
        // `i` may go next only if no other pending call responded before `i` was invoked.
        let preceded = calls
            .iter()
            .enumerate()
            .any(|(j, c)| !done[j] && j != i && c.responded < calls[i].invoked);
        if preceded {
            continue;
        }
        let mut next = model.clone();
        if calls[i].op.apply(&mut next) != calls[i].result {
            continue;
        }
        done[i] = true;
        if search(calls, done, &next) {
            return true;
        }
        done[i] = false;
    }
    false
}

/// The failure message: what is wrong, then the history, one event a line.
fn describe(history: &[Event]) -> String {
    let mut s = String::from(
        "not linearizable: no order of these calls that respects real time gives these results \
         on a sequential HashMap. history (invocations and responses as recorded):",
    );
    for (at, e) in history.iter().enumerate() {
        let who = if e.task == 0 {
            "main".to_owned()
        } else {
            format!("task-{}", e.task)
        };
        let _ = match e.response {
            None => write!(s, "\n    {at:>2} {who:<6} call   {}", e.op),
            Some(r) => write!(s, "\n    {at:>2} {who:<6} return {} -> {r:?}", e.op),
        };
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(task: usize, op: Op) -> Event {
        Event {
            task,
            op,
            response: None,
        }
    }

    fn ret(task: usize, op: Op, result: Option<u32>) -> Event {
        Event {
            task,
            op,
            response: Some(result),
        }
    }

    #[test]
    fn overlapping_inserts_that_both_saw_none_are_not_linearizable() {
        let (a, b) = (Op::Insert(1, 10), Op::Insert(1, 20));
        let history = [call(0, a), call(1, b), ret(0, a, None), ret(1, b, None)];
        assert!(!linearizable(&history));
        let fixed = [call(0, a), call(1, b), ret(0, a, Some(20)), ret(1, b, None)];
        assert!(linearizable(&fixed));
    }

    #[test]
    fn real_time_order_is_respected() {
        // get(1) responded None before insert was invoked: fine. After it: not.
        let (g, i) = (Op::Get(1), Op::Insert(1, 10));
        let before = [call(0, g), ret(0, g, None), call(1, i), ret(1, i, None)];
        assert!(linearizable(&before));
        let after = [call(1, i), ret(1, i, None), call(0, g), ret(0, g, None)];
        assert!(!linearizable(&after));
        assert!(describe(&after).contains(" 2 main   call   get(1)"));
    }
}
