//! Error collection: run every item in its own task and report *every* failure, not just the
//! first, without leaving any task blocked.
//!
//! Mirrors Go's `errors.Join` (Go 1.20) over concurrent work: each goroutine sends its result on
//! a channel buffered for all of them (`errc := make(chan error, len(items))`), and the caller
//! receives exactly `len(items)` results and joins the errors. The twin is the blocking bug that
//! "Understanding Real-World Concurrency Bugs in Go" (Tu et al., ASPLOS 2019) found most often:
//! an unbuffered channel whose receiver stops receiving early.
//!
//! # Guarantees
//!
//! - Every item's outcome is collected: the results in input order if all succeed, otherwise a
//!   [`JoinedError`] listing every error with its item's index, in input order.
//! - No task ever blocks: the channel has room for every outcome, so a send never waits for the
//!   caller, whatever the caller does.
//! - It terminates: each task sends once and ends; the caller joins every task, then drains
//!   exactly one outcome per item from the buffer.
//!
//! # Twins
//!
//! - [`return_on_first`]: the outcomes channel is unbuffered and the caller returns on the
//!   first error. Every task still to send blocks forever on a send nobody will receive.

use std::fmt;
use std::sync::Arc;

use concheck::go::{self, Receiver};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Every error of a [`collect_all`], with the index of the item that failed, in input order
/// (Go's `errors.Join`).
pub struct JoinedError<E> {
    errors: Vec<(usize, E)>,
}

impl<E> JoinedError<E> {
    /// The errors with their items' indices, in input order; never empty.
    pub fn errors(&self) -> &[(usize, E)] {
        &self.errors
    }

    /// Takes the errors with their items' indices, in input order.
    pub fn into_errors(self) -> Vec<(usize, E)> {
        self.errors
    }
}

impl<E: fmt::Display> fmt::Display for JoinedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "{n} task{} failed: ", if n == 1 { "" } else { "s" })?;
        for (k, (i, e)) in self.errors.iter().enumerate() {
            if k > 0 {
                f.write_str("; ")?;
            }
            write!(f, "item {i}: {e}")?;
        }
        Ok(())
    }
}

impl<E: fmt::Display> fmt::Debug for JoinedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinedError({self})")
    }
}

impl<E: fmt::Display> std::error::Error for JoinedError<E> {}

/// Runs `f` on every item, one task per item, and collects every outcome: the results in input
/// order, or every error.
///
/// # Errors
///
/// A [`JoinedError`] listing every item whose `f` failed, in input order.
///
/// # Panics
///
/// If `f` panics: the panic is resumed on the caller once every task has ended.
///
/// # Examples
///
/// ```
/// use concheck_scenarios::error_collection::collect_all;
///
/// let r = collect_all(vec![1, 2, 3, 4], |x: u32| if x % 2 == 0 { Err("even") } else { Ok(x) });
/// let errors = r.unwrap_err().into_errors();
/// assert_eq!(errors, vec![(1, "even"), (3, "even")]);
/// ```
pub fn collect_all<T, R, E, F>(items: Vec<T>, f: F) -> Result<Vec<R>, JoinedError<E>>
where
    T: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
    F: Fn(T) -> Result<R, E> + Send + Sync + 'static,
{
    let n = items.len();
    let f = Arc::new(f);
    // Room for every outcome: no send ever waits for the caller.
    let (outcomes_tx, outcomes_rx) = go::named::<(usize, Result<R, E>)>("outcomes", n);
    let handles: Vec<_> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let (outcomes_tx, f) = (outcomes_tx.clone(), Arc::clone(&f));
            thread::Builder::new()
                .name(format!("item-{i}"))
                .spawn(move || outcomes_tx.send((i, f(item))))
        })
        .collect();
    // Join first: the buffer lets every task finish without the caller, and a panicking task
    // (which never sends) is reported instead of leaving the caller waiting for its outcome.
    let mut panicked = None;
    for h in handles {
        if let Err(payload) = h.join() {
            panicked.get_or_insert(payload);
        }
    }
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    let mut errors = Vec::new();
    for _ in 0..n {
        let (i, outcome) = outcomes_rx
            .recv()
            .expect("every joined task sent its outcome");
        match outcome {
            Ok(r) => results[i] = Some(r),
            Err(e) => errors.push((i, e)),
        }
    }
    if errors.is_empty() {
        Ok(results
            .into_iter()
            .map(|r| r.expect("one outcome per item"))
            .collect())
    } else {
        errors.sort_by_key(|(i, _)| *i);
        Err(JoinedError { errors })
    }
}

/// The scenarios' work: odd items fail.
fn check_item(x: u32) -> Result<u32, &'static str> {
    if x % 2 == 1 {
        Err("odd item")
    } else {
        Ok(x * 10)
    }
}

fn reference() {
    let errors = collect_all(vec![1, 2, 3], check_item)
        .expect_err("items 1 and 3 fail")
        .into_errors();
    assert_eq!(
        errors,
        vec![(0, "odd item"), (2, "odd item")],
        "every error, in input order"
    );
}

/// The caller of the twin: receives outcomes until the first error, and returns it.
fn first_error(
    outcomes: &Receiver<Result<u32, &'static str>>,
    n: usize,
) -> Result<(), &'static str> {
    for _ in 0..n {
        // BUG: returning here leaves every task that has not sent yet blocked on its send.
        outcomes.recv().expect("never closed")?;
    }
    Ok(())
}

/// Twin: unbuffered outcomes and a caller that returns on the first error.
pub fn return_on_first() {
    // BUG: unbuffered: each task's send waits until the caller receives it.
    let (outcomes_tx, outcomes_rx) = go::named::<Result<u32, &'static str>>("outcomes", 0);
    let items = [1u32, 3];
    for (i, x) in items.into_iter().enumerate() {
        let outcomes_tx = outcomes_tx.clone();
        thread::Builder::new()
            .name(format!("item-{i}"))
            .spawn(move || outcomes_tx.send(check_item(x)));
    }
    assert_eq!(first_error(&outcomes_rx, items.len()), Err("odd item"));
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "error_collection",
            pattern: "error collection",
            role: Role::Reference,
            summary: "3 tasks, 2 fail: outcomes buffered for all, every error joined in input \
                      order",
            body: Body::Sync(reference),
            // One task per item: no bound is promised.
            max_live_tasks: None,
            // Bound 2: 178 iterations, 0.02 s. (Exhaustive verifies it in 93,102 iterations,
            // 7.4 s: too slow for every test run.)
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "error_collection_return_on_first",
            pattern: "error collection",
            role: Role::Twin {
                expects: &[ViolationKind::Leak],
                assertion: None,
            },
            summary: "unbuffered outcomes, the caller returns on the first error: the other \
                      sender blocks forever",
            body: Body::Sync(return_on_first),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
