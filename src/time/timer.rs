//! Go's timer channels: [`after`], [`Timer`] (stop, reset) and [`Ticker`].
//!
//! Each delivers the time on a channel of capacity 1, as Go's `time` package does, so a select
//! can wait on a timer beside other channels. [`Timer::stop`] and [`Timer::reset`] keep Go's
//! classic contract (before Go 1.23): `stop` does not drain the channel, and it reports whether
//! it stopped the timer before it fired. The idiom `if !t.stop() { <-t.C }` is therefore right
//! only if nobody received the value yet; draining twice blocks forever, which a checker
//! reports.
//!
//! A timer's channel is made at the caller's site (where the timer was created), so reports
//! name that site and traces show the tasks that wait on it, as they do for the body's channels.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::clock::{Clock, TimerKey, WeakClock};
use super::Instant;
use crate::go::{named_at, Receiver, Sender};
use crate::violation::Site;

/// A channel that receives the time once, `d` from now (Go's `time.After`).
#[track_caller]
pub fn after(d: Duration) -> Receiver<Instant> {
    Timer::start(d, Location::caller()).rx
}

/// A one-shot timer whose channel receives the time when it fires (Go's `time.Timer`).
pub struct Timer {
    rx: Receiver<Instant>,
    tx: Sender<Instant>,
    clock: Clock,
    /// The last time it was armed; cancelling it says whether it was still pending.
    key: Mutex<TimerKey>,
}

impl Timer {
    /// A timer that fires `d` from now.
    #[track_caller]
    pub fn new(d: Duration) -> Timer {
        Timer::start(d, Location::caller())
    }

    fn start(d: Duration, at: &'static Location<'static>) -> Timer {
        let (tx, rx) = named_at(&format!("timer from {}", Site::from(at)), 1, at);
        let clock = Clock::current();
        let key = arm_once(&clock, &tx, d);
        Timer {
            rx,
            tx,
            clock,
            key: Mutex::new(key),
        }
    }

    /// The channel that receives the time when the timer fires (Go's `t.C`).
    pub fn receiver(&self) -> &Receiver<Instant> {
        &self.rx
    }

    /// Stops the timer; `true` if it had not fired yet. The channel is not drained: if the
    /// timer fired and nobody received, the value is still there.
    pub fn stop(&self) -> bool {
        self.clock.cancel(*self.key())
    }

    /// Stops the timer and arms it again to fire `d` from now; `true` if it had not fired yet.
    /// As in Go, reset a timer only when it is stopped or fired and its channel drained, or a
    /// stale value may be received after the reset.
    pub fn reset(&self, d: Duration) -> bool {
        let mut key = self.key();
        let pending = self.clock.cancel(*key);
        *key = arm_once(&self.clock, &self.tx, d);
        pending
    }

    fn key(&self) -> std::sync::MutexGuard<'_, TimerKey> {
        self.key.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer")
            .field("deadline", &Instant(self.key().deadline()))
            .finish_non_exhaustive()
    }
}

fn arm_once(clock: &Clock, tx: &Sender<Instant>, d: Duration) -> TimerKey {
    let at = clock.now() + d;
    let tx = tx.clone();
    clock.schedule(
        at,
        Box::new(move || {
            // Capacity 1 and one value per arming: full only after a reset without a drain,
            // where Go drops the value too.
            let _ = tx.try_send(at);
        }),
    )
}

/// A channel that receives the time every `period` (Go's `time.Ticker`). Ticks are dropped
/// while the channel is full, as in Go. Stop it when done.
pub struct Ticker {
    rx: Receiver<Instant>,
    shared: Arc<TickerShared>,
    clock: Clock,
}

struct TickerShared {
    tx: Sender<Instant>,
    period: Duration,
    stopped: AtomicBool,
    key: Mutex<Option<TimerKey>>,
}

impl Ticker {
    /// A ticker whose first tick comes `period` from now.
    ///
    /// # Panics
    ///
    /// If `period` is zero (Go panics too: it would tick without end at one instant); use
    /// [`after`] or [`Timer`] for a single event.
    #[track_caller]
    pub fn new(period: Duration) -> Ticker {
        let at = Location::caller();
        assert!(
            !period.is_zero(),
            "a ticker needs a positive period (got zero at {}): a zero period would tick forever \
             at one instant; use time::after for a single event",
            Site::from(at)
        );
        let (tx, rx) = named_at(&format!("ticker from {}", Site::from(at)), 1, at);
        let clock = Clock::current();
        let shared = Arc::new(TickerShared {
            tx,
            period,
            stopped: AtomicBool::new(false),
            key: Mutex::new(None),
        });
        arm_tick(&clock, clock.downgrade(), &shared, clock.now() + period);
        Ticker { rx, shared, clock }
    }

    /// The channel that receives the ticks (Go's `t.C`).
    pub fn receiver(&self) -> &Receiver<Instant> {
        &self.rx
    }

    /// Stops the ticker: no tick comes after this returns. The channel is not drained.
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        let key = self
            .shared
            .key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(key) = key {
            self.clock.cancel(key);
        }
    }
}

impl Drop for Ticker {
    /// A dropped ticker stops: nobody can receive its ticks any more (Go 1.23 collects it too).
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticker")
            .field("period", &self.shared.period)
            .field("stopped", &self.shared.stopped.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

fn arm_tick(clock: &Clock, weak: WeakClock, shared: &Arc<TickerShared>, at: Instant) {
    let s = Arc::clone(shared);
    let key = clock.schedule(
        at,
        Box::new(move || {
            if s.stopped.load(Ordering::SeqCst) {
                return;
            }
            let _ = s.tx.try_send(at);
            if let Some(clock) = weak.upgrade() {
                arm_tick(&clock, weak, &s, at + s.period);
            }
        }),
    );
    *shared.key.lock().unwrap_or_else(PoisonError::into_inner) = Some(key);
}
