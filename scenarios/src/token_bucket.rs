//! Token bucket: a limiter that grants `rate` tokens per `per` on average, with bursts of up to
//! `burst`; a caller takes a token without waiting ([`TokenBucket::try_acquire`]) or waits for
//! one until its context is done ([`TokenBucket::acquire`]).
//!
//! Mirrors `golang.org/x/time/rate`'s `Limiter` (`Allow` and `Wait(ctx)`) and Go by Example's
//! "Rate Limiting". `Wait` computes when the next token comes and then
//!
//! ```go
//! t := time.NewTimer(delay)
//! defer t.Stop()
//! select {
//! case <-t.C:
//!     return nil
//! case <-ctx.Done():
//!     r.Cancel()
//!     return ctx.Err()
//! }
//! ```
//!
//! [`TokenBucket::acquire`] waits the same way, on the [`concheck::time`] clock: real on std,
//! virtual under loom and shuttle, where an hour-long wait costs nothing and the acquirers woken
//! by one token race for it.
//!
//! # Guarantees
//!
//! - Never more than the bucket allows: by any time `t` after the bucket was made, at most
//!   `burst + floor(t * rate / per)` tokens have been granted. Tokens accrue on a fixed grid
//!   (`per / rate` apart, computed in whole nanoseconds from the bucket's origin, so no rounding
//!   drifts), and a full bucket drops what it would earn beyond `burst`.
//! - No token is wasted by waiting: a waiter wakes when the next token is due, so acquirers that
//!   keep the bucket busy get tokens exactly on the grid (checked on the virtual clock).
//! - Cancellation wins: [`TokenBucket::acquire`] with a context that is (or becomes) done
//!   before a token is free returns the context's error and takes no token; a context already
//!   done returns at once even when a token is free, as Go's `Wait` does.
//! - It terminates: a waiter waits for a timer due at the next token or for its context; no
//!   token is ever held back, so each wakeup either grants or re-arms for a later token.
//! - The limiter spawns no task; a waiter holds one timer, stopped when it returns.
//!
//! # Twins
//!
//! - [`lost_update`]: the count is read under one lock and written back under another (check
//!   then act). Two acquirers both read the last token and both write "none left": two tokens
//!   granted where the burst allows one (over-admission).
//! - [`ignores_cancel`]: the waiter sleeps until the next token instead of selecting on its
//!   context (Go's `time.Sleep(delay)` in place of the `select`): a caller whose deadline passed
//!   (or who was cancelled) while it slept gets a token an hour later instead of its error.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use concheck::go::{Context, ContextError, Select};
use concheck::sync::Mutex;
use concheck::thread;
use concheck::time::{self, Instant, Timer};
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario, LOOM_BOUND};

/// Why a bucket cannot be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketError {
    /// `rate` was zero: no token would ever be earned after the burst, and every waiter would
    /// wait forever.
    ZeroRate,
    /// `per` was zero: the rate would be infinite.
    ZeroPeriod,
    /// `burst` was zero: the bucket could never hold a token, so nothing would ever be granted.
    ZeroBurst,
}

impl fmt::Display for BucketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BucketError::ZeroRate => {
                "token bucket needs a rate of at least 1 token per period: with zero, every \
                 waiter waits forever once the burst is spent; pass rate >= 1"
            }
            BucketError::ZeroPeriod => {
                "token bucket needs a non-zero period: tokens per zero time is an infinite rate; \
                 pass a period such as 1 s, or use no limiter"
            }
            BucketError::ZeroBurst => {
                "token bucket needs a burst of at least 1: a bucket that holds no token never \
                 grants one; pass burst >= 1"
            }
        })
    }
}

impl std::error::Error for BucketError {}

/// The bucket's arithmetic, with no synchronization: what a lock protects.
#[derive(Debug)]
struct Bucket {
    rate: u128,
    per_nanos: u128,
    burst: u64,
    /// When the bucket was made (full); tokens accrue on a grid from here.
    origin: Instant,
    /// Tokens in the bucket as of the last refill.
    tokens: u64,
    /// Tokens earned since the origin as of the last refill (counted even when a full bucket
    /// dropped them, so the grid never drifts).
    earned: u128,
}

impl Bucket {
    fn new(rate: u32, per: Duration, burst: u32) -> Result<Bucket, BucketError> {
        if rate == 0 {
            return Err(BucketError::ZeroRate);
        }
        if per.is_zero() {
            return Err(BucketError::ZeroPeriod);
        }
        if burst == 0 {
            return Err(BucketError::ZeroBurst);
        }
        Ok(Bucket {
            rate: rate.into(),
            per_nanos: per.as_nanos(),
            burst: burst.into(),
            origin: time::now(),
            tokens: burst.into(),
            earned: 0,
        })
    }

    /// Adds the tokens earned up to `now`, up to `burst`.
    fn refill(&mut self, now: Instant) {
        let earned = earned_by(now - self.origin, self.rate, self.per_nanos);
        if earned > self.earned {
            let room = u128::from(self.burst - self.tokens);
            // Lossless: at most `room`, which fits in u64.
            self.tokens += (earned - self.earned).min(room) as u64;
            self.earned = earned;
        }
    }

    /// When the next token is earned: the first grid point after the last refill.
    fn next_token_at(&self) -> Instant {
        let nanos = ((self.earned + 1) * self.per_nanos).div_ceil(self.rate);
        self.origin + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Takes a token if one is there at `now`; else says when the next one is due.
    fn take(&mut self, now: Instant) -> Result<(), Instant> {
        self.refill(now);
        if self.tokens == 0 {
            return Err(self.next_token_at());
        }
        self.tokens -= 1;
        Ok(())
    }
}

/// Tokens earned in `elapsed` at `rate` per `per_nanos`, counted from zero (whole tokens).
fn earned_by(elapsed: Duration, rate: u128, per_nanos: u128) -> u128 {
    elapsed.as_nanos() * rate / per_nanos
}

/// A token-bucket rate limiter on the [`concheck::time`] clock; see the [module docs](self).
///
/// Share it between tasks with an `Arc`.
#[derive(Debug)]
pub struct TokenBucket {
    bucket: Mutex<Bucket>,
}

impl TokenBucket {
    /// A full bucket (`burst` tokens) that earns `rate` tokens every `per`.
    ///
    /// # Errors
    ///
    /// [`BucketError`] if `rate`, `per` or `burst` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use concheck_scenarios::token_bucket::TokenBucket;
    ///
    /// let bucket = TokenBucket::new(10, Duration::from_secs(3600), 2).unwrap();
    /// assert!(bucket.try_acquire());
    /// assert!(bucket.try_acquire());
    /// assert!(!bucket.try_acquire(), "the burst is spent; the next token is minutes away");
    /// ```
    pub fn new(rate: u32, per: Duration, burst: u32) -> Result<TokenBucket, BucketError> {
        Ok(TokenBucket {
            bucket: Mutex::new(Bucket::new(rate, per, burst)?),
        })
    }

    /// Takes a token if one is free now (Go's `Allow`).
    pub fn try_acquire(&self) -> bool {
        self.take().is_ok()
    }

    /// Waits for a token until `ctx` is done (Go's `Wait(ctx)`).
    ///
    /// # Errors
    ///
    /// The context's error if it is done before a token is granted (at once if it is done
    /// already); no token is taken then.
    ///
    /// # Cancel safety
    ///
    /// Cancelling `ctx` never loses a token: a token is taken only by the call that returns
    /// `Ok`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use concheck::go::{Context, ContextError};
    /// use concheck_scenarios::token_bucket::TokenBucket;
    ///
    /// let bucket = TokenBucket::new(1, Duration::from_secs(3600), 1).unwrap();
    /// let ctx = Context::background();
    /// assert_eq!(bucket.acquire(&ctx), Ok(()), "the burst's token");
    /// let (ctx, _cancel) = ctx.with_timeout(Duration::from_millis(1));
    /// assert_eq!(bucket.acquire(&ctx), Err(ContextError::DeadlineExceeded));
    /// ```
    pub fn acquire(&self, ctx: &Context) -> Result<(), ContextError> {
        wait_for_token(ctx, || self.take())
    }

    fn take(&self) -> Result<(), Instant> {
        let mut bucket = self.bucket.lock();
        // The time is read under the lock: refills happen in lock order with time that never
        // goes back, so `earned` only grows.
        let now = time::now();
        bucket.take(now)
    }
}

/// The waiting loop of `acquire`: until `take` grants, wait for its next token or for `ctx`.
fn wait_for_token(
    ctx: &Context,
    mut take: impl FnMut() -> Result<(), Instant>,
) -> Result<(), ContextError> {
    loop {
        // First, as Go's `Wait`: a done context gets its error even if a token is free.
        if let Some(err) = ctx.err() {
            return Err(err);
        }
        let next = match take() {
            Ok(()) => return Ok(()),
            Err(next) => next,
        };
        let timer = Timer::new(next.saturating_duration_since(time::now()));
        let done = Select::new()
            .done(ctx, || true)
            .recv(timer.receiver(), |_| false)
            .wait();
        timer.stop();
        if done {
            return Err(ctx.err().unwrap_or(ContextError::Canceled));
        }
        // The token is due; another waiter may take it first, and then this one waits again.
    }
}

/// Checks the rate property over recorded grant times: by each grant, at most
/// `burst + floor((t - origin) * rate / per)` grants. `origin` may be read before the bucket is
/// made and a grant recorded after it returned: both only loosen the bound, so on real threads
/// it holds under any timing, and on the virtual clock it is exact.
pub(crate) fn assert_within_rate(
    grants: &[Instant],
    origin: Instant,
    rate: u32,
    per: Duration,
    burst: u32,
) {
    let mut grants = grants.to_vec();
    grants.sort_unstable();
    for (i, &t) in grants.iter().enumerate() {
        let earned = earned_by(t - origin, rate.into(), per.as_nanos());
        let allowed = u128::from(burst) + earned;
        assert!(
            (i as u128) < allowed,
            "token bucket over-admitted: {} tokens granted by {:?} after its origin, but burst \
             {burst} + {earned} earned at {rate} per {per:?} allows {allowed}",
            i + 1,
            t - origin,
        );
    }
}

/// What the checked bodies need of a limiter, so a twin runs the reference's body.
trait Acquire: Send + Sync + 'static {
    fn make(rate: u32, per: Duration, burst: u32) -> Self;
    fn acquire(&self, ctx: &Context) -> Result<(), ContextError>;
}

/// What the cancellation body also needs: a take that never waits.
trait TryAcquire: Acquire {
    fn try_acquire(&self) -> bool;
}

impl Acquire for TokenBucket {
    fn make(rate: u32, per: Duration, burst: u32) -> Self {
        TokenBucket::new(rate, per, burst).expect("valid bucket")
    }
    fn acquire(&self, ctx: &Context) -> Result<(), ContextError> {
        TokenBucket::acquire(self, ctx)
    }
}

impl TryAcquire for TokenBucket {
    fn try_acquire(&self) -> bool {
        TokenBucket::try_acquire(self)
    }
}

/// The grid step of the bodies: small, so std's 100 real runs take milliseconds; its magnitude
/// is free on the virtual clock.
const TICK: Duration = Duration::from_millis(2);

/// Main and two tasks each wait for one token from a bucket of burst 1 earning 1 per tick.
fn contend<L: Acquire>() {
    let origin = time::now();
    let limiter = Arc::new(L::make(1, TICK, 1));
    let grants = Arc::new(Mutex::new(Vec::new()));
    let acquire = {
        let (limiter, grants) = (Arc::clone(&limiter), Arc::clone(&grants));
        move || {
            limiter
                .acquire(&Context::background())
                .expect("a background context is never done");
            let t = time::now();
            grants.lock().push(t);
        }
    };
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let acquire = acquire.clone();
            thread::Builder::new()
                .name(format!("acquirer-{i}"))
                .spawn(acquire)
        })
        .collect();
    acquire();
    for t in tasks {
        t.join().expect("acquirer panicked");
    }
    let grants = grants.lock().clone();
    assert_within_rate(&grants, origin, 1, TICK, 1);
    if time::is_virtual() {
        let mut since: Vec<_> = grants.iter().map(|&t| t - origin).collect();
        since.sort_unstable();
        assert_eq!(
            since,
            vec![Duration::ZERO, TICK, 2 * TICK],
            "the burst at once, then one token per tick: none wasted"
        );
    }
}

/// The wait that cancellation must cut short: the bucket's next token is an hour away.
const HOUR: Duration = Duration::from_secs(3600);

/// On an empty bucket (next token in an hour), one waiter is cancelled by the caller and the
/// caller's own wait has a deadline of one tick: both get their context's error, promptly, and
/// the token earned at the hour is still there.
fn cancel_waiters<L: TryAcquire>() {
    let origin = time::now();
    let limiter = Arc::new(L::make(1, HOUR, 1));
    assert!(limiter.try_acquire(), "the burst's token");
    assert!(!limiter.try_acquire(), "the next token is an hour away");
    let (ctx, cancel) = Context::background().with_cancel();
    let waiter = {
        let limiter = Arc::clone(&limiter);
        thread::Builder::new()
            .name("waiter")
            .spawn(move || limiter.acquire(&ctx))
    };
    cancel.cancel();
    let (deadline, _cancel) = Context::background().with_timeout(TICK);
    let mine = limiter.acquire(&deadline);
    let theirs = waiter.join().expect("waiter panicked");
    assert_eq!(
        theirs,
        Err(ContextError::Canceled),
        "a cancelled waiter returns its context's error, not a token"
    );
    assert_eq!(
        mine,
        Err(ContextError::DeadlineExceeded),
        "a waiter whose deadline passes returns that error, not a token"
    );
    if time::is_virtual() {
        assert_eq!(time::now() - origin, TICK, "both returned by the deadline");
        time::sleep_until(origin + HOUR);
        assert!(
            limiter.try_acquire(),
            "the token earned at the hour is free: the cancelled waiters took none"
        );
    }
}

fn reference() {
    contend::<TokenBucket>();
}

fn reference_cancel() {
    cancel_waiters::<TokenBucket>();
}

/// A bucket whose take reads the count under one lock and writes it back under another.
struct RacyBucket(Mutex<Bucket>);

impl RacyBucket {
    fn take(&self) -> Result<(), Instant> {
        let tokens = {
            let mut bucket = self.0.lock();
            let now = time::now();
            bucket.refill(now);
            if bucket.tokens == 0 {
                return Err(bucket.next_token_at());
            }
            bucket.tokens
        };
        // BUG: check then act: another acquirer may have taken the token read above between
        // the two locks; both write back `tokens - 1` and both are granted (lost update).
        self.0.lock().tokens = tokens - 1;
        Ok(())
    }
}

impl Acquire for RacyBucket {
    fn make(rate: u32, per: Duration, burst: u32) -> Self {
        RacyBucket(Mutex::new(Bucket::new(rate, per, burst).expect("valid")))
    }
    fn acquire(&self, ctx: &Context) -> Result<(), ContextError> {
        wait_for_token(ctx, || self.take())
    }
}

/// Twin: the token count is read and written back under two separate lock acquisitions.
pub fn lost_update() {
    contend::<RacyBucket>();
}

/// A bucket whose waiter sleeps until the next token, deaf to its context.
struct DeafBucket(TokenBucket);

impl Acquire for DeafBucket {
    fn make(rate: u32, per: Duration, burst: u32) -> Self {
        DeafBucket(TokenBucket::make(rate, per, burst))
    }
    fn acquire(&self, ctx: &Context) -> Result<(), ContextError> {
        if let Some(err) = ctx.err() {
            return Err(err);
        }
        loop {
            match self.0.take() {
                Ok(()) => return Ok(()),
                // BUG: a plain sleep: a cancel or deadline during it goes unnoticed, and the
                // waiter takes a token its caller no longer wants.
                Err(next) => time::sleep_until(next),
            }
        }
    }
}

impl TryAcquire for DeafBucket {
    fn try_acquire(&self) -> bool {
        self.0.try_acquire()
    }
}

/// Twin: `acquire` sleeps until the next token instead of waiting on its context too.
pub fn ignores_cancel() {
    cancel_waiters::<DeafBucket>();
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "token_bucket",
            pattern: "token bucket",
            role: Role::Reference,
            summary: "burst 1, 1 token per tick: main and 2 tasks wait; grants at 0, 1 and 2 ticks",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Measured (test build, 2 cores): bound 2 1,161 iterations (0.2-0.5 s), bound 3
            // 14,546 (4.2 s).
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "token_bucket_cancel",
            pattern: "token bucket",
            role: Role::Reference,
            summary: "empty bucket: a cancelled waiter and an expired deadline get their errors, \
                      no token",
            body: Body::Sync(reference_cancel),
            max_live_tasks: Some(1),
            // Exhaustive: 1,184 iterations (0.24 s); bound 2 takes 76, bound 3 456.
            loom_preemption_bound: None,
        },
        Scenario {
            name: "token_bucket_lost_update",
            pattern: "token bucket",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("token bucket over-admitted"),
            },
            summary: "count read and written under two locks: two acquirers share the last \
                      token (burst + 1)",
            body: Body::Sync(lost_update),
            max_live_tasks: Some(2),
            // The reference's body: found in 69 iterations at bound 2 (0.2-0.4 s).
            loom_preemption_bound: LOOM_BOUND,
        },
        Scenario {
            name: "token_bucket_ignores_cancel",
            pattern: "token bucket",
            role: Role::Twin {
                expects: &[ViolationKind::AssertionFailed],
                assertion: Some("a waiter whose deadline passes returns that error"),
            },
            summary: "acquire sleeps to the next token: a waiter past its deadline gets a token \
                      an hour later",
            body: Body::Sync(ignores_cancel),
            max_live_tasks: Some(1),
            // The cancel reference's body, exhaustive like it: found in the first iteration.
            loom_preemption_bound: None,
        },
    ]
}
