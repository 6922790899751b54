//! Error group: run tasks that may fail, wait for all of them, get the first error; the first
//! error cancels the group's context so siblings that watch it stop early. Optionally at most
//! `n` tasks run at once.
//!
//! Mirrors `golang.org/x/sync/errgroup`: `WithContext`, `Go`, `Wait`, `SetLimit`. As there, the
//! first error is kept (later ones are dropped), it cancels the derived context, `Wait` waits for
//! every task and then cancels the context too, and with a limit `Go` blocks until a slot is
//! free.
//!
//! # Guarantees
//!
//! - [`ErrGroup::wait`] returns only after every task has returned, with the first error any
//!   task returned (first by the time it was recorded), or `Ok(())`.
//! - The first error is recorded before the context is cancelled, so an error a sibling returns
//!   *because* of the cancellation can never be the one reported.
//! - With [`ErrGroup::set_limit`]`(n)`, at most `n` tasks are alive at once. Go's errgroup
//!   releases its slot in the goroutine's last deferred call, while the goroutine is still
//!   alive; here the released task is also joined before its slot is reused (see
//!   [`bounded_parallel`](crate::bounded_parallel) for why `limit + 1` is not a bound otherwise).
//! - It terminates if every task does: a task blocked on something only another task's success
//!   would provide must also watch the context, which the first error cancels.
//!
//! # Twins
//!
//! - [`no_cancel`]: the sibling waits on the *parent* context instead of the group's, the
//!   common slip with `g, gctx := errgroup.WithContext(ctx)`. The first error cancels nothing
//!   the sibling watches, so it waits forever for a value that will never come, and `wait`, which
//!   joins every task, waits forever for it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use concheck::go::{self, CancelFunc, Context, Receiver, Select, Sender};
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::Mutex;
use concheck::thread::{self, JoinHandle};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why an error group's limit cannot be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrGroupError {
    /// `set_limit(0)`: no task could ever start, and the first `go` would block forever.
    ZeroLimit,
    /// `set_limit` after a `go`: tasks already counted against the old limit (Go panics with
    /// "modify limit while goroutines in the group are still active").
    LimitAfterGo,
}

impl fmt::Display for ErrGroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrGroupError::ZeroLimit => {
                "error group limit must be at least one: with zero, the first go blocks forever; \
                 pass n >= 1, or set no limit"
            }
            ErrGroupError::LimitAfterGo => {
                "error group limit set after tasks were started: set the limit before the first \
                 go"
            }
        })
    }
}

impl std::error::Error for ErrGroupError {}

/// The slots of a limited group: running tasks send their index when they release.
struct Limit {
    max: usize,
    in_use: usize,
    released_tx: Sender<usize>,
    released_rx: Receiver<usize>,
}

/// Releases the task's slot when dropped (also if the task panics).
struct Release {
    released: Sender<usize>,
    task: usize,
}

impl Drop for Release {
    fn drop(&mut self) {
        // Never blocks: the channel holds `max` releases and at most `max` slots are in use.
        self.released.send(self.task);
    }
}

/// A group of tasks that may fail; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use concheck::go::Context;
/// use concheck_scenarios::errgroup::ErrGroup;
///
/// let (mut g, _ctx) = ErrGroup::with_context(&Context::background());
/// g.go(|_ctx| Ok(()));
/// g.go(|_ctx| Err("disk full"));
/// g.go(|ctx| {
///     ctx.done(); // cancelled by the first error
///     Err("cancelled")
/// });
/// assert_eq!(g.wait(), Err("disk full"));
/// ```
#[must_use = "call wait: it joins the tasks and returns the first error"]
pub struct ErrGroup<E> {
    ctx: Context,
    cancel: Arc<CancelFunc>,
    first_err: Arc<Mutex<Option<E>>>,
    handles: Vec<Option<JoinHandle<()>>>,
    limit: Option<Limit>,
    panicked: Option<Box<dyn Any + Send>>,
}

impl<E: Send + 'static> ErrGroup<E> {
    /// A group whose context derives from a background context (nothing else cancels it).
    pub fn new() -> Self {
        ErrGroup::with_context(&Context::background()).0
    }

    /// A group and its context, derived from `parent`: cancelled by the group's first error, by
    /// [`wait`](ErrGroup::wait) returning, or by `parent`.
    pub fn with_context(parent: &Context) -> (Self, Context) {
        let (ctx, cancel) = parent.with_cancel();
        let group = ErrGroup {
            ctx: ctx.clone(),
            cancel: Arc::new(cancel),
            first_err: Arc::new(Mutex::new(None)),
            handles: Vec::new(),
            limit: None,
            panicked: None,
        };
        (group, ctx)
    }

    /// Limits the group to `n` tasks alive at once: [`go`](ErrGroup::go) blocks until a slot
    /// is free.
    ///
    /// # Errors
    ///
    /// [`ErrGroupError::ZeroLimit`] if `n` is zero; [`ErrGroupError::LimitAfterGo`] once a task
    /// has been started.
    pub fn set_limit(&mut self, n: usize) -> Result<(), ErrGroupError> {
        if n == 0 {
            return Err(ErrGroupError::ZeroLimit);
        }
        if !self.handles.is_empty() {
            return Err(ErrGroupError::LimitAfterGo);
        }
        let (released_tx, released_rx) = go::named("errgroup slots", n);
        self.limit = Some(Limit {
            max: n,
            in_use: 0,
            released_tx,
            released_rx,
        });
        Ok(())
    }

    /// Runs `f` in a new task with the group's context. With a limit, first waits until fewer
    /// than `n` tasks are alive. If `f` returns the group's first error, the error is recorded
    /// and the context is cancelled.
    pub fn go<F>(&mut self, f: F)
    where
        F: FnOnce(Context) -> Result<(), E> + Send + 'static,
    {
        let i = self.handles.len();
        let release = match &mut self.limit {
            None => None,
            Some(limit) => {
                if limit.in_use == limit.max {
                    // Wait for a release, then join that task: it has only its return left,
                    // and its slot is not free until it is gone.
                    let task = limit
                        .released_rx
                        .recv()
                        .expect("the slot channel is never closed");
                    let handle = self.handles[task].take().expect("each task releases once");
                    if let Err(payload) = handle.join() {
                        self.panicked.get_or_insert(payload);
                    }
                    limit.in_use -= 1;
                }
                limit.in_use += 1;
                Some(Release {
                    released: limit.released_tx.clone(),
                    task: i,
                })
            }
        };
        let (ctx, cancel, first_err) = (
            self.ctx.clone(),
            Arc::clone(&self.cancel),
            Arc::clone(&self.first_err),
        );
        let handle = thread::Builder::new()
            .name(format!("errgroup-{i}"))
            .spawn(move || {
                // Dropped last: the slot is released after the error is recorded.
                let _release = release;
                if let Err(e) = f(ctx) {
                    let mut first = first_err.lock();
                    if first.is_none() {
                        *first = Some(e);
                        drop(first);
                        // After recording: a sibling's error caused by this cancellation
                        // finds the first error already there.
                        cancel.cancel();
                    }
                }
            });
        self.handles.push(Some(handle));
    }

    /// Waits for every task, cancels the group's context, and returns the first error.
    ///
    /// # Panics
    ///
    /// If a task panicked: the first panic is resumed here, after every task has ended.
    pub fn wait(mut self) -> Result<(), E> {
        for handle in self.handles.drain(..).flatten() {
            if let Err(payload) = handle.join() {
                self.panicked.get_or_insert(payload);
            }
        }
        self.cancel.cancel();
        if let Some(payload) = self.panicked.take() {
            std::panic::resume_unwind(payload);
        }
        match self.first_err.lock().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl<E: Send + 'static> Default for ErrGroup<E> {
    fn default() -> Self {
        ErrGroup::new()
    }
}

impl<E> fmt::Debug for ErrGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrGroup")
            .field("ctx", &self.ctx)
            .field("tasks", &self.handles.len())
            .field("limit", &self.limit.as_ref().map(|l| l.max))
            .finish_non_exhaustive()
    }
}

/// A sibling that needs the value a fetch would send; stops when `ctx` is cancelled.
fn await_value(values: &Receiver<u32>, ctx: &Context) -> Result<(), &'static str> {
    Select::new()
        .recv(values, |v| v.map(|_| ()).ok_or("values closed"))
        .done(ctx, || Err("cancelled"))
        .wait()
}

fn reference() {
    let (mut g, _ctx) = ErrGroup::with_context(&Context::background());
    let (values_tx, values_rx) = go::named::<u32>("values", 0);
    g.go(move |_ctx| {
        // The fetch fails before it has a value to send.
        drop(values_tx);
        Err("fetch failed")
    });
    g.go(move |ctx| await_value(&values_rx, &ctx));
    assert_eq!(
        g.wait(),
        Err("fetch failed"),
        "the first error, not the sibling's cancellation"
    );
}

fn reference_bounded() {
    const LIMIT: usize = 2;
    let mut g = ErrGroup::<&'static str>::new();
    g.set_limit(LIMIT).expect("nonzero limit");
    let (working, peak, sum) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    for x in 1..=3 {
        let (working, peak, sum) = (Arc::clone(&working), Arc::clone(&peak), Arc::clone(&sum));
        g.go(move |_ctx| {
            let now = working.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            sum.fetch_add(x, Ordering::SeqCst);
            working.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        });
    }
    assert_eq!(g.wait(), Ok(()));
    assert_eq!(sum.load(Ordering::SeqCst), 6, "every task ran once");
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak <= LIMIT, "{peak} tasks worked at once, limit {LIMIT}");
}

/// Twin: the sibling watches the parent context, which the group's first error does not cancel.
pub fn no_cancel() {
    let (parent, _cancel_parent) = Context::background().with_cancel();
    let (mut g, _gctx) = ErrGroup::with_context(&parent);
    let (values_tx, values_rx) = go::named::<u32>("values", 0);
    g.go(move |_gctx| {
        drop(values_tx);
        Err("fetch failed")
    });
    let ctx = parent.clone();
    // BUG: `ctx` is the parent, not the group's context: the first error cancels the group's
    // context only, so this select waits forever for a value nobody will send.
    g.go(move |_gctx| await_value(&values_rx, &ctx));
    assert_eq!(g.wait(), Err("fetch failed"));
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "errgroup",
            pattern: "error group",
            role: Role::Reference,
            summary: "one task fails; the sibling waiting for its value stops on the cancelled \
                      context; wait returns the first error",
            body: Body::Sync(reference),
            // An unlimited group spawns one task per go: no bound is promised.
            max_live_tasks: None,
            // Exhaustive loom is cheap: 24 iterations, under 0.01 s.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "errgroup_bounded",
            pattern: "error group",
            role: Role::Reference,
            summary: "set_limit(2), 3 tasks: go blocks for a slot; at most 2 tasks alive",
            body: Body::Sync(reference_bounded),
            // The limit: a slot is reused only after its task is joined.
            max_live_tasks: Some(2),
            // Bound 2: 1,097 iterations, 0.09 s; exhaustive passes 200,000 iterations (15 s)
            // without finishing.
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "errgroup_no_cancel",
            pattern: "error group",
            role: Role::Twin {
                // Deadlock, not Leak: errgroup's wait joins every task, so the caller itself
                // waits on the stuck sibling and nothing can run; a leak would need the caller
                // to have returned without it.
                expects: &[ViolationKind::Deadlock],
            },
            summary: "the sibling watches the parent context: the first error cancels nothing it \
                      sees, and wait joins it forever",
            body: Body::Sync(no_cancel),
            max_live_tasks: None,
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errgroup_rejects_zero_limit() {
        let mut g = ErrGroup::<()>::new();
        let err = g.set_limit(0).unwrap_err();
        assert_eq!(err, ErrGroupError::ZeroLimit);
        assert!(err.to_string().contains("pass n >= 1"));
        assert_eq!(g.wait(), Ok(()));
    }

    #[test]
    fn errgroup_rejects_limit_after_go() {
        let mut g = ErrGroup::<()>::new();
        g.go(|_| Ok(()));
        assert_eq!(g.set_limit(2), Err(ErrGroupError::LimitAfterGo));
        assert_eq!(g.wait(), Ok(()));
    }

    #[test]
    fn errgroup_first_error_cancels_blocked_siblings_on_real_threads() {
        let (mut g, ctx) = ErrGroup::with_context(&Context::background());
        for _ in 0..8 {
            g.go(|ctx| {
                ctx.done();
                Err("cancelled")
            });
        }
        g.go(|_| Err("root cause"));
        assert_eq!(g.wait(), Err("root cause"));
        assert!(ctx.err().is_some(), "the group's context ends cancelled");
    }

    #[test]
    fn errgroup_wait_cancels_the_context_on_success() {
        let (g, ctx) = ErrGroup::<()>::with_context(&Context::background());
        assert_eq!(g.wait(), Ok(()));
        assert!(ctx.err().is_some());
    }

    #[test]
    fn errgroup_limit_holds_on_real_threads() {
        let mut g = ErrGroup::<()>::new();
        g.set_limit(3).unwrap();
        let (working, peak, sum) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        for x in 0..100 {
            let (working, peak, sum) = (Arc::clone(&working), Arc::clone(&peak), Arc::clone(&sum));
            g.go(move |_| {
                let now = working.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::yield_now();
                sum.fetch_add(x, Ordering::SeqCst);
                working.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            });
        }
        assert_eq!(g.wait(), Ok(()));
        assert_eq!(sum.load(Ordering::SeqCst), (0..100).sum::<usize>());
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn errgroup_resumes_a_task_panic() {
        let r = std::panic::catch_unwind(|| {
            let mut g = ErrGroup::<()>::new();
            g.set_limit(1).unwrap();
            g.go(|_| panic!("task fails hard"));
            g.go(|_| Ok(()));
            g.wait()
        });
        assert!(r.is_err());
    }
}
