//! Sliding-window limiter: never more than `limit` admissions in any window of length `window`,
//! wherever the window starts.
//!
//! Keeps the time of every admission still inside the window (a sliding log), as the sliding
//! window rate limiters of Go services do (a deque of timestamps in memory, or a sorted set in
//! Redis with `ZREMRANGEBYSCORE`, `ZCARD` and `ZADD` in one transaction); the fixed-window
//! counter it replaces is Go by Example's "Rate Limiting" ticker reset every period.
//!
//! # Guarantees
//!
//! - For every admission at time `t`, at most `limit` admissions (itself included) fall in
//!   `[t, t + window)`. The check, the eviction of admissions older than the window and the
//!   insertion happen under one lock, with the time read under it, so the admissions are
//!   recorded in time order and each is decided against every earlier one still in the window.
//! - A refused caller is refused only because `limit` admissions are in the last `window`.
//! - It never blocks beyond that lock, keeps at most `limit` timestamps, and spawns no task.
//!
//! # Twins
//!
//! - [`fixed_window`]: a counter reset at each multiple of `window` presented as a sliding
//!   window: `limit` admissions at the end of one window and `limit` more at the start of the
//!   next fall within one window length (twice the limit).
//! - [`check_then_insert`]: the count is checked under one lock and the admission inserted under
//!   another (Redis' `ZCARD` then `ZADD` without a transaction): two callers at one instant both
//!   see room for one more and both are admitted.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use concheck::sync::Mutex;
use concheck::thread;
use concheck::time::{self, Instant};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why a limiter cannot be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowError {
    /// `limit` was zero: nothing would ever be admitted.
    ZeroLimit,
    /// `window` was zero: every admission would leave the window at once, so nothing is limited.
    ZeroWindow,
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WindowError::ZeroLimit => {
                "sliding window needs a limit of at least 1: with zero, nothing is ever \
                 admitted; pass limit >= 1"
            }
            WindowError::ZeroWindow => {
                "sliding window needs a non-zero window: a zero-length window limits nothing; \
                 pass a window such as 1 s"
            }
        })
    }
}

impl std::error::Error for WindowError {}

/// A sliding-window limiter on the [`concheck::time`] clock; see the [module docs](self).
///
/// Share it between tasks with an `Arc`.
#[derive(Debug)]
pub struct SlidingWindow {
    limit: usize,
    window: Duration,
    /// Admissions still inside the window, oldest first.
    admitted: Mutex<VecDeque<Instant>>,
}

impl SlidingWindow {
    /// A limiter that admits at most `limit` calls in any `window`.
    ///
    /// # Errors
    ///
    /// [`WindowError`] if `limit` or `window` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use concheck_scenarios::sliding_window::SlidingWindow;
    ///
    /// let limiter = SlidingWindow::new(2, Duration::from_secs(3600)).unwrap();
    /// assert!(limiter.try_admit().is_some());
    /// assert!(limiter.try_admit().is_some());
    /// assert!(limiter.try_admit().is_none(), "two in the last hour already");
    /// ```
    pub fn new(limit: usize, window: Duration) -> Result<SlidingWindow, WindowError> {
        if limit == 0 {
            return Err(WindowError::ZeroLimit);
        }
        if window.is_zero() {
            return Err(WindowError::ZeroWindow);
        }
        Ok(SlidingWindow {
            limit,
            window,
            admitted: Mutex::new(VecDeque::with_capacity(limit)),
        })
    }

    /// Admits the caller if fewer than `limit` admissions fall in the last `window`; returns
    /// the instant it was admitted at (the one the limit counts), or `None` if refused.
    pub fn try_admit(&self) -> Option<Instant> {
        let mut admitted = self.admitted.lock();
        // Under the lock: admissions are recorded in time order, which eviction relies on.
        let now = time::now();
        if !self.room_at(&mut admitted, now) {
            return None;
        }
        admitted.push_back(now);
        Some(now)
    }

    /// Drops the admissions that left the window by `now`; whether one more fits.
    fn room_at(&self, admitted: &mut VecDeque<Instant>, now: Instant) -> bool {
        while admitted.front().is_some_and(|&t| t + self.window <= now) {
            admitted.pop_front();
        }
        admitted.len() < self.limit
    }

    /// How many admission times it keeps (test support: at most `limit`).
    pub(crate) fn kept(&self) -> usize {
        self.admitted.lock().len()
    }
}

/// Checks the window property over recorded admission times: for every admission at `t`, at
/// most `limit` admissions in `[t, t + window)`. The times must be the limiter's own (read when
/// it decided): a time recorded later could crowd two windows' admissions into one.
pub(crate) fn assert_within_window(admissions: &[Instant], limit: usize, window: Duration) {
    let mut times = admissions.to_vec();
    times.sort_unstable();
    for (i, &t) in times.iter().enumerate() {
        let inside = times[i..].iter().take_while(|&&u| u < t + window).count();
        assert!(
            inside <= limit,
            "sliding window over-admitted: {inside} admissions in the window [{t:?}, {:?}), \
             limit {limit}",
            t + window
        );
    }
}

/// What the checked body needs of a limiter, so a twin runs the reference's body.
trait Admit: Send + Sync + 'static {
    fn make(limit: usize, window: Duration) -> Self;
    fn try_admit(&self) -> Option<Instant>;
}

impl Admit for SlidingWindow {
    fn make(limit: usize, window: Duration) -> Self {
        SlidingWindow::new(limit, window).expect("valid limiter")
    }
    fn try_admit(&self) -> Option<Instant> {
        SlidingWindow::try_admit(self)
    }
}

/// The attempts' spacing: small, so std's 100 real runs take milliseconds; its magnitude is
/// free on the virtual clock.
const STEP: Duration = Duration::from_millis(1);
/// The window: two steps, so an admission leaves it two attempts later.
const WINDOW: Duration = Duration::from_millis(2);
const LIMIT: usize = 2;

/// Two callers try once a step, three times each, the second starting a step later, against a
/// limit of 2 per 2 steps: from step 2 on, one admission is in the window when both try, so
/// they contend for the last slot.
fn admit_over_windows<L: Admit>() {
    let limiter = Arc::new(L::make(LIMIT, WINDOW));
    let origin = time::now();
    let admissions = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..2u32)
        .map(|i| {
            let (limiter, admissions) = (Arc::clone(&limiter), Arc::clone(&admissions));
            thread::Builder::new()
                .name(format!("caller-{i}"))
                .spawn(move || {
                    for step in i + 1..i + 4 {
                        time::sleep_until(origin + step * STEP);
                        if let Some(t) = limiter.try_admit() {
                            admissions.lock().push(t);
                        }
                    }
                })
        })
        .collect();
    for t in tasks {
        t.join().expect("caller panicked");
    }
    let admissions = admissions.lock().clone();
    assert_within_window(&admissions, LIMIT, WINDOW);
    assert!(
        admissions.len() >= LIMIT,
        "the first {LIMIT} attempts find the window empty"
    );
    if time::is_virtual() {
        // Step 1: caller 0 alone, admitted. Steps 2 and 3: both try, one slot left (the
        // previous step's admission is still in the window), one admitted. Step 4: caller 1
        // alone, admitted.
        let mut since: Vec<_> = admissions.iter().map(|&t| t - origin).collect();
        since.sort_unstable();
        assert_eq!(since, vec![STEP, 2 * STEP, 3 * STEP, 4 * STEP]);
    }
}

fn reference() {
    admit_over_windows::<SlidingWindow>();
}

/// A counter of admissions in the current fixed window `[k * window, (k + 1) * window)`.
struct FixedWindow {
    limit: usize,
    window: Duration,
    origin: Instant,
    /// The current window's index and its admissions.
    current: Mutex<(u128, usize)>,
}

impl Admit for FixedWindow {
    fn make(limit: usize, window: Duration) -> Self {
        FixedWindow {
            limit,
            window,
            origin: time::now(),
            current: Mutex::new((0, 0)),
        }
    }
    fn try_admit(&self) -> Option<Instant> {
        let mut current = self.current.lock();
        let now = time::now();
        // BUG: the count restarts at each window boundary, whatever was admitted just before
        // it: up to 2 * limit admissions fall within one window length across the boundary.
        let index = (now - self.origin).as_nanos() / self.window.as_nanos();
        if index != current.0 {
            *current = (index, 0);
        }
        if current.1 >= self.limit {
            return None;
        }
        current.1 += 1;
        Some(now)
    }
}

/// Twin: a fixed-window counter where a sliding window is promised.
pub fn fixed_window() {
    admit_over_windows::<FixedWindow>();
}

/// The sliding log with its check and its insert under two lock acquisitions.
struct RacyWindow(SlidingWindow);

impl Admit for RacyWindow {
    fn make(limit: usize, window: Duration) -> Self {
        RacyWindow(SlidingWindow::make(limit, window))
    }
    fn try_admit(&self) -> Option<Instant> {
        let limiter = &self.0;
        let now = {
            let mut admitted = limiter.admitted.lock();
            let now = time::now();
            if !limiter.room_at(&mut admitted, now) {
                return None;
            }
            now
        };
        // BUG: check then insert: another caller may fill the last slot between the two locks;
        // both saw room and both are admitted.
        limiter.admitted.lock().push_back(now);
        Some(now)
    }
}

/// Twin: room checked under one lock, the admission inserted under another.
pub fn check_then_insert() {
    admit_over_windows::<RacyWindow>();
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "sliding_window",
            pattern: "sliding window",
            role: Role::Reference,
            summary: "limit 2 per 2 steps: 2 callers try at steps 1-3 and 2-4; one admitted per \
                      step",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Measured (test build, 2 cores): bound 2 781 iterations (0.2 s), bound 3 9,676
            // (2.6 s); unbounded passed loom's 200,000-iteration cap (39 s) unfinished.
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "sliding_window_fixed_window",
            pattern: "sliding window",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("sliding window over-admitted"),
            },
            summary: "a fixed-window counter: 1 admitted at step 1 and 2 at step 2, a new \
                      window (3 in one window length)",
            body: Body::Sync(fixed_window),
            max_live_tasks: Some(2),
            // Not a race: every schedule over-admits; found in the first iteration.
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "sliding_window_check_then_insert",
            pattern: "sliding window",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("sliding window over-admitted"),
            },
            summary: "room checked and admission inserted under two locks: 2 callers both take \
                      the last slot",
            body: Body::Sync(check_then_insert),
            max_live_tasks: Some(2),
            // Found in 53 iterations at bound 2 (0.2 s).
            loom_preemption_bound: LOOM_BOUND,
        },
    ]
}
