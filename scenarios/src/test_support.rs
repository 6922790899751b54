//! Test support: the few private checks of the catalog that its integration tests call directly
//! (the window and rate checks that the limiters' bodies assert with, and the sliding window's
//! memory bound). Not part of the API: hidden from the docs, and free to change.
//!
//! Everything else the tests need is public, or observable through the public API.

use std::time::Duration;

use concheck::time::Instant;

use crate::sliding_window::{self, SlidingWindow};
use crate::token_bucket;

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
