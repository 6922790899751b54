//! `select` over several channel operations and cancellation signals.
//!
//! ```
//! use concheck::go::{chan, Context, Select};
//!
//! let (tx, rx) = chan::channel::<u32>(1);
//! let (ctx, cancel) = Context::background().with_cancel();
//! tx.send(7);
//! let got = Select::new()
//!     .recv(&rx, |v| v)
//!     .done(&ctx, || None)
//!     .wait();
//! assert_eq!(got, Some(7));
//! cancel.cancel();
//! ```
//!
//! Cases are tried in the order they were added; the first ready one runs (Go picks uniformly
//! among ready cases; a pattern must be correct under any choice, and the checkers reach the
//! other choices through the interleavings that make only one case ready). `wait` blocks until a
//! case is ready; [`Select::or_else`] runs a default instead of blocking.
//!
//! On a capacity-0 channel a `send` case is ready when a plain `recv` is blocked on the channel,
//! and a `recv` case is ready when a plain `send` is blocked on it; a `send` case and a `recv`
//! case in two selects do not meet each other (one side must be a plain operation).

use std::panic::Location;
use std::sync::Arc;

use super::chan::{Receiver, Sender, TryRecvError};
use super::context::Context;
use super::signal::Signal;
use crate::rt::Object;

/// One case of a select.
trait Case<'a, R> {
    /// Completes the case if it is ready now, running its body.
    fn try_fire(&mut self, at: &'static Location<'static>) -> Option<R>;
    fn watch(&self, s: &Arc<Signal>);
    fn unwatch(&self, s: &Arc<Signal>);
    /// What the case waits on, for a blocked select's report: `("recv on", channel)`.
    fn describe(&self) -> (&'static str, Object);
}

struct RecvCase<'a, T, F> {
    rx: &'a Receiver<T>,
    body: Option<F>,
}

impl<'a, T, R, F: FnOnce(Option<T>) -> R> Case<'a, R> for RecvCase<'a, T, F> {
    fn try_fire(&mut self, _at: &'static Location<'static>) -> Option<R> {
        let v = match self.rx.try_recv() {
            Ok(v) => Some(v),
            Err(TryRecvError::Closed) => None,
            Err(TryRecvError::Empty) => return None,
        };
        Some((self.body.take().expect("a case fires once"))(v))
    }
    fn watch(&self, s: &Arc<Signal>) {
        self.rx.watch(s);
    }
    fn unwatch(&self, s: &Arc<Signal>) {
        self.rx.unwatch(s);
    }
    fn describe(&self) -> (&'static str, Object) {
        ("recv on", self.rx.object())
    }
}

struct SendCase<'a, T, F> {
    tx: &'a Sender<T>,
    value: Option<T>,
    body: Option<F>,
}

impl<'a, T, R, F: FnOnce() -> R> Case<'a, R> for SendCase<'a, T, F> {
    fn try_fire(&mut self, at: &'static Location<'static>) -> Option<R> {
        let value = self.value.take().expect("a case fires once");
        match self.tx.try_send_at(value, at) {
            Ok(()) => Some((self.body.take().expect("a case fires once"))()),
            Err(v) => {
                self.value = Some(v);
                None
            }
        }
    }
    fn watch(&self, s: &Arc<Signal>) {
        self.tx.watch(s);
    }
    fn unwatch(&self, s: &Arc<Signal>) {
        self.tx.unwatch(s);
    }
    fn describe(&self) -> (&'static str, Object) {
        ("send on", self.tx.object())
    }
}

struct DoneCase<'a, F> {
    ctx: &'a Context,
    body: Option<F>,
}

impl<'a, R, F: FnOnce() -> R> Case<'a, R> for DoneCase<'a, F> {
    fn try_fire(&mut self, _at: &'static Location<'static>) -> Option<R> {
        if self.ctx.err().is_some() {
            Some((self.body.take().expect("a case fires once"))())
        } else {
            None
        }
    }
    fn watch(&self, s: &Arc<Signal>) {
        self.ctx.watch(s);
    }
    fn unwatch(&self, s: &Arc<Signal>) {
        self.ctx.unwatch(s);
    }
    fn describe(&self) -> (&'static str, Object) {
        ("done of", Object::Text(self.ctx.label()))
    }
}

/// A select under construction; every case's body returns an `R`. See the [module docs](crate::go).
#[must_use = "a select does nothing until `wait` or `or_else`"]
pub struct Select<'a, R> {
    cases: Vec<Box<dyn Case<'a, R> + 'a>>,
    at: &'static Location<'static>,
}

impl<'a, R> Select<'a, R> {
    /// An empty select.
    #[track_caller]
    pub fn new() -> Self {
        Select {
            cases: Vec::new(),
            at: Location::caller(),
        }
    }

    /// A case that receives from `rx`; the body gets `None` if the channel is closed and drained.
    pub fn recv<T: 'a>(
        mut self,
        rx: &'a Receiver<T>,
        body: impl FnOnce(Option<T>) -> R + 'a,
    ) -> Self {
        self.cases.push(Box::new(RecvCase {
            rx,
            body: Some(body),
        }));
        self
    }

    /// A case that sends `value` on `tx`.
    pub fn send<T: 'a>(
        mut self,
        tx: &'a Sender<T>,
        value: T,
        body: impl FnOnce() -> R + 'a,
    ) -> Self {
        self.cases.push(Box::new(SendCase {
            tx,
            value: Some(value),
            body: Some(body),
        }));
        self
    }

    /// A case that fires once `ctx` is cancelled (Go's `<-ctx.Done()`).
    pub fn done(mut self, ctx: &'a Context, body: impl FnOnce() -> R + 'a) -> Self {
        self.cases.push(Box::new(DoneCase {
            ctx,
            body: Some(body),
        }));
        self
    }

    /// Runs the first ready case, or `default` if none is ready now (Go's `default:`).
    pub fn or_else(mut self, default: impl FnOnce() -> R) -> R {
        let at = self.at;
        for case in &mut self.cases {
            if let Some(r) = case.try_fire(at) {
                return r;
            }
        }
        default()
    }

    /// Blocks until a case is ready and runs it.
    ///
    /// # Panics
    ///
    /// With no cases: Go's empty `select {}` blocks forever, which is never what a pattern
    /// means; add a case.
    pub fn wait(mut self) -> R {
        let at = self.at;
        assert!(
            !self.cases.is_empty(),
            "select with no cases at {} would block forever: add a recv, send or done case",
            crate::violation::Site::from(at)
        );
        loop {
            for case in &mut self.cases {
                if let Some(r) = case.try_fire(at) {
                    return r;
                }
            }
            // Register, re-check, then wait: a change after registration fires the signal, so
            // nothing between the check and the wait is missed.
            let signal = Signal::new();
            for case in &self.cases {
                case.watch(&signal);
            }
            let mut fired = None;
            for case in &mut self.cases {
                if let Some(r) = case.try_fire(at) {
                    fired = Some(r);
                    break;
                }
            }
            if fired.is_none() {
                let cases = &self.cases;
                signal.wait(
                    crate::rt::op::SELECT,
                    || Object::Select(cases.iter().map(|c| c.describe()).collect()),
                    at,
                );
            }
            for case in &self.cases {
                case.unwatch(&signal);
            }
            if let Some(r) = fired {
                return r;
            }
        }
    }
}

impl<R> Default for Select<'_, R> {
    #[track_caller]
    fn default() -> Self {
        Select::new()
    }
}
