//! `bluetooth_driver`: a driver's stop routine races an I/O request; the request checks the
//! "stopping" flag *before* counting itself pending, so the stop can finish (and release the
//! device) between the check and the use.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/bluetooth_driver_bad.c`
//! (CS, Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16; the Windows Bluetooth driver model of
//! Qadeer and Wu's KISS), rewritten. The fix counts the request first and checks the flag after,
//! undoing the count if it is set.

use std::sync::Arc;

use concheck::sync::atomic::{AtomicBool, Ordering::SeqCst};
use concheck::sync::Mutex;

use super::{buggy, fixed, spawn, Program, Study, ASSERTS};

struct Device {
    /// Requests in flight, plus 1 for the device itself (the ESBMC atomic blocks: a lock).
    pending_io: Mutex<i32>,
    stopping_flag: AtomicBool,
    stopping_event: AtomicBool,
    stopped: AtomicBool,
}

impl Device {
    fn new() -> Self {
        Device {
            pending_io: Mutex::new(1),
            stopping_flag: AtomicBool::new(false),
            stopping_event: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        }
    }

    /// The C's `BCSP_IoIncrement`: checks the flag, then counts.
    fn increment_bad(&self) -> bool {
        if self.stopping_flag.load(SeqCst) {
            return false;
        }
        *self.pending_io.lock() += 1;
        true
    }

    /// Counts, then checks the flag, undoing the count if it is set.
    fn increment_ok(&self) -> bool {
        *self.pending_io.lock() += 1;
        if self.stopping_flag.load(SeqCst) {
            self.decrement();
            return false;
        }
        true
    }

    fn decrement(&self) {
        let left = {
            let mut p = self.pending_io.lock();
            *p -= 1;
            *p
        };
        if left == 0 {
            self.stopping_event.store(true, SeqCst);
        }
    }

    fn work(&self) {
        assert!(
            !self.stopped.load(SeqCst),
            "an I/O request ran on a stopped device"
        );
    }

    fn stop(&self) {
        self.stopping_flag.store(true, SeqCst);
        self.decrement();
        if self.stopping_event.load(SeqCst) {
            self.stopped.store(true, SeqCst);
        }
    }
}

/// The C program: `BCSP_PnpAdd` decrements even when its increment was refused.
pub fn bad() {
    let device = Arc::new(Device::new());
    let d = Arc::clone(&device);
    let stopper = spawn("pnp_stop", move || d.stop());
    if device.increment_bad() {
        device.work();
    }
    device.decrement();
    let _ = stopper.join();
}

/// Counts before checking the flag.
pub fn ok() {
    let device = Arc::new(Device::new());
    let d = Arc::clone(&device);
    let stopper = spawn("pnp_stop", move || d.stop());
    if device.increment_ok() {
        device.work();
        device.decrement();
    }
    let _ = stopper.join();
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_bluetooth_driver",
            "I/O checks the stopping flag before counting itself: stop releases the device under it",
            ASSERTS,
            bad,
            1,
        ),
        fixed: Some(fixed(
            "sct_bluetooth_driver_fixed",
            "I/O counts itself first, then checks the flag",
            ok,
            1,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/bluetooth_driver_bad.c",
        study: Some(Study { threads: 2, points: 13 }),
        tasks: 1,
    }
}
