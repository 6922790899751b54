//! Test support: the few private pieces of the catalog that its integration tests call directly
//! (the window and rate checks that the limiters' bodies assert with, the sliding window's
//! memory bound, and the work functions of the first-response and graceful-shutdown bodies, so
//! the tests run the very replica and handler the catalog checks). Not part of the API: hidden
//! from the docs, and free to change.
//!
//! Everything else the tests need is public, or observable through the public API.

use std::time::Duration;

use concheck::go::{Context, ContextError};
use concheck::time::Instant;

use crate::sliding_window::{self, SlidingWindow};
use crate::{first_response, graceful_shutdown, token_bucket};

/// The sliding window's check over recorded admission times (what its checked bodies assert):
/// panics if some window of length `window` holds more than `limit` of `admissions`.
pub fn assert_within_window(admissions: &[Instant], limit: usize, window: Duration) {
    sliding_window::assert_within_window(admissions, limit, window);
}

/// How many admission times `limiter` keeps: at most its limit, whatever the load.
pub fn sliding_window_kept(limiter: &SlidingWindow) -> usize {
    limiter.kept()
}

/// The token bucket's check over recorded grant times (what its checked bodies assert): panics
/// if more tokens were granted by some grant than `burst` plus those earned since `origin`.
pub fn assert_within_rate(
    grants: &[Instant],
    origin: Instant,
    rate: u32,
    per: Duration,
    burst: u32,
) {
    token_bucket::assert_within_rate(grants, origin, rate, per, burst);
}

/// The first-response bodies' deadline (2 ms).
pub const FIRST_RESPONSE_TIMEOUT: Duration = first_response::TIMEOUT;

/// The first-response bodies' replica: works for `work` on a query `q` and answers `q * 10`,
/// unless its context is done first.
pub fn first_response_replica(
    work: Duration,
) -> impl FnOnce(&Context, u32) -> Result<u32, ContextError> {
    first_response::replica_taking(work)
}

/// The request the graceful-shutdown handler treats as a long poll.
pub const GRACEFUL_SHUTDOWN_LONG_POLL: u32 = graceful_shutdown::LONG_POLL;

/// The graceful-shutdown bodies' handler: answers `req * 10` at once, except a long poll, which
/// waits for the server's context.
pub fn graceful_shutdown_handle(ctx: &Context, req: u32) -> Result<u32, ContextError> {
    graceful_shutdown::handle(ctx, req)
}
