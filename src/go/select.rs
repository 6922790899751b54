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
//! With several cases ready, one is chosen uniformly at random, as Go does: a pattern must be
//! correct under any choice. shuttle's random and PCT schedulers sample the choice and record it
//! in the replay string; loom cannot branch on it and shuttle's DFS does not explore it, so their
//! reports say the choice was not explored (see `choice.rs`). `wait` blocks until a case is
//! ready; [`Select::or_else`] runs a default instead of blocking. A select with no cases blocks
//! forever, as Go's `select {}`: inside a checker the task is reported blocked in `select on []`
//! (a leak at its scope's end, or a deadlock), outside one the thread never returns.
//!
//! On a capacity-0 channel a `send` case meets a receiver blocked in a plain `recv` or waiting
//! in another select, and a `recv` case a blocked sender or a waiting select's `send`; as in Go,
//! a waiting select offers its cases to the other side, and a select completed by one partner
//! is never completed through another case too (`signal.rs`).

use std::panic::Location;
use std::sync::Arc;

use super::chan::{Receiver, RecvTry, SendTry, Sender};
use super::choice;
use super::context::Context;
use crate::rt::Object;
use crate::sync::signal::{Party, Signal};

/// What polling one case found.
enum Fire<R> {
    /// It completed, and its body ran.
    Fired(R),
    NotReady,
    /// The select, waiting, was completed by a partner through another case.
    Lost,
}

/// One case of a select.
trait Case<'a, R> {
    /// Completes the case if it is ready now, running its body. `me`: the select's signal and
    /// this case's index, once the select has registered (its offers may have been claimed).
    fn try_fire(&mut self, me: Option<Party<'_>>, at: &'static Location<'static>) -> Fire<R>;
    /// Registers the waiting select as case number `case`: fired on changes, and offered to
    /// the other side of a capacity-0 channel.
    fn watch(&mut self, s: &Arc<Signal>, case: usize);
    /// Withdraws the registration (and an offer no partner took).
    fn unwatch(&mut self, s: &Arc<Signal>);
    /// Runs the body of the case a partner completed while the select waited.
    fn complete(&mut self) -> R;
    /// What the case waits on, for a blocked select's report: `("recv on", channel)`.
    fn describe(&self) -> (&'static str, Object);
}

struct RecvCase<'a, T, F> {
    rx: &'a Receiver<T>,
    body: Option<F>,
    /// The value a sender handed the waiting select.
    handed: Option<T>,
}

impl<'a, T, R, F: FnOnce(Option<T>) -> R> RecvCase<'a, T, F> {
    fn run(&mut self, v: Option<T>) -> R {
        (self.body.take().expect("a case fires once"))(v)
    }
}

impl<'a, T, R, F: FnOnce(Option<T>) -> R> Case<'a, R> for RecvCase<'a, T, F> {
    fn try_fire(&mut self, me: Option<Party<'_>>, at: &'static Location<'static>) -> Fire<R> {
        match self.rx.try_recv_select(at, me) {
            RecvTry::Got(v) => Fire::Fired(self.run(Some(v))),
            RecvTry::Closed => Fire::Fired(self.run(None)),
            RecvTry::Empty => Fire::NotReady,
            RecvTry::Lost => Fire::Lost,
        }
    }
    fn watch(&mut self, s: &Arc<Signal>, case: usize) {
        self.rx.watch_recv(s, case);
    }
    fn unwatch(&mut self, s: &Arc<Signal>) {
        if let Some(v) = self.rx.unwatch_recv(s) {
            self.handed = Some(v);
        }
    }
    fn complete(&mut self) -> R {
        let v = self
            .handed
            .take()
            .expect("a sender claimed the select with a value");
        self.run(Some(v))
    }
    fn describe(&self) -> (&'static str, Object) {
        ("recv on", self.rx.object())
    }
}

struct SendCase<'a, T, F> {
    tx: &'a Sender<T>,
    /// The value, while the case holds it (not on offer in a capacity-0 channel).
    value: Option<T>,
    body: Option<F>,
}

impl<'a, T, R, F: FnOnce() -> R> Case<'a, R> for SendCase<'a, T, F> {
    fn try_fire(&mut self, me: Option<Party<'_>>, at: &'static Location<'static>) -> Fire<R> {
        match self.tx.try_send_select(&mut self.value, at, me) {
            SendTry::Sent => Fire::Fired(self.complete()),
            SendTry::Full(()) => Fire::NotReady,
            SendTry::Lost(()) => Fire::Lost,
        }
    }
    fn watch(&mut self, s: &Arc<Signal>, case: usize) {
        let value = self
            .value
            .take()
            .expect("the case holds its value until it waits");
        self.value = self.tx.watch_send(s, case, value);
    }
    fn unwatch(&mut self, s: &Arc<Signal>) {
        if let Some(v) = self.tx.unwatch_send(s) {
            self.value = Some(v);
        }
    }
    fn complete(&mut self) -> R {
        (self.body.take().expect("a case fires once"))()
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
    fn try_fire(&mut self, me: Option<Party<'_>>, _at: &'static Location<'static>) -> Fire<R> {
        if self.ctx.err().is_none() {
            Fire::NotReady
        } else if crate::sync::signal::mark(me) {
            Fire::Fired(self.complete())
        } else {
            Fire::Lost
        }
    }
    fn watch(&mut self, s: &Arc<Signal>, _case: usize) {
        self.ctx.watch(s);
    }
    fn unwatch(&mut self, s: &Arc<Signal>) {
        self.ctx.unwatch(s);
    }
    fn complete(&mut self) -> R {
        (self.body.take().expect("a case fires once"))()
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

impl<R> std::fmt::Debug for Select<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("cases", &self.cases.len())
            .field("at", &format_args!("{}", self.at))
            .finish()
    }
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
            handed: None,
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

    /// Runs a ready case, chosen uniformly at random among the ready ones, or `default` if
    /// none is ready now (Go's `default:`).
    pub fn or_else(mut self, default: impl FnOnce() -> R) -> R {
        match self.poll(None) {
            Fire::Fired(r) => r,
            Fire::NotReady | Fire::Lost => default(),
        }
    }

    /// Blocks until a case is ready and runs it; with several ready, one chosen uniformly at
    /// random. With no cases it blocks forever, as Go's `select {}` does: inside a checker the
    /// task is reported blocked in this select (a leak at its scope's end, or a deadlock);
    /// outside one the thread never returns.
    pub fn wait(mut self) -> R {
        let at = self.at;
        loop {
            if let Fire::Fired(r) = self.poll(None) {
                return r;
            }
            // Register (fired on every change, offered on capacity-0 channels), poll again,
            // then wait: a change after registration fires the signal, so nothing between the
            // poll and the wait is missed. From registration on, a partner may complete a case
            // by claiming the signal; every completion, ours or a partner's, claims it first.
            let signal = Signal::new();
            // In a random order, as Go enqueues a blocked select's cases: two sends (or two
            // receives) on one channel are offered in that order, and a partner takes the
            // first offer; registering in declared order would always pair the first case
            // (Go's TestPseudoRandomSend, whenever the select blocks before its receiver).
            for i in choice::poll_order(self.cases.len()) {
                self.cases[i].watch(&signal, i);
            }
            let fired = match self.poll(Some(&signal)) {
                Fire::Fired(r) => Some(r),
                Fire::Lost => None,
                Fire::NotReady => {
                    let cases = &self.cases;
                    signal.wait(
                        crate::rt::op::SELECT,
                        || Object::Select(cases.iter().map(|c| c.describe()).collect()),
                        at,
                    );
                    None
                }
            };
            for case in &mut self.cases {
                case.unwatch(&signal);
            }
            if let Some(r) = fired {
                return r;
            }
            // Withdrawn everywhere: no partner can claim the signal any more.
            if let Some(case) = signal.won() {
                return self.cases[case].complete();
            }
        }
    }

    /// Polls every case once, in a random order, and fires the first ready one. `me`: the
    /// select's signal once registered.
    fn poll(&mut self, me: Option<&Arc<Signal>>) -> Fire<R> {
        let at = self.at;
        let n = self.cases.len();
        for (position, i) in choice::poll_order(n).into_iter().enumerate() {
            match self.cases[i].try_fire(me.map(|s| (s, i)), at) {
                Fire::NotReady => {}
                Fire::Fired(r) => {
                    choice::note_fired(position, n);
                    return Fire::Fired(r);
                }
                Fire::Lost => return Fire::Lost,
            }
        }
        Fire::NotReady
    }
}

impl<R> Default for Select<'_, R> {
    #[track_caller]
    fn default() -> Self {
        Select::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::Select;
    use crate::go::{chan, Context};

    /// How long a step of the test may take before it is called broken: far above the
    /// microseconds a select takes to register or return, even on a loaded 2-core machine.
    const PATIENCE: Duration = Duration::from_secs(10);

    /// A select that waited on a `done` case and returned through another case must withdraw
    /// from the context: otherwise a long-lived context (a worker loop's) keeps one signal per
    /// such select until it is dropped, and fires every stale one when it is cancelled.
    ///
    /// The select runs on a thread of its own and reports back with a timeout, so a select
    /// that never registers or never returns fails the test instead of hanging it.
    #[test]
    fn a_select_that_waited_on_done_and_returned_through_a_recv_unregisters_from_the_context() {
        let (ctx, cancel) = Context::background().with_cancel();
        for round in 0..3_u32 {
            let (tx, rx) = chan::channel::<u32>(1);
            let (result_tx, result_rx) = mpsc::channel();
            let select_ctx = ctx.clone();
            std::thread::spawn(move || {
                let got = Select::new()
                    .recv(&rx, Some)
                    .done(&select_ctx, || None)
                    .wait();
                let _ = result_tx.send(got);
            });
            // Sends only once the select is registered with the context: it waits on it.
            let deadline = Instant::now() + PATIENCE;
            while ctx.watcher_count() == 0 {
                assert!(
                    Instant::now() < deadline,
                    "round {round}: the select never registered with the context"
                );
                std::thread::yield_now();
            }
            tx.send(round);
            let got = result_rx
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|e| panic!("round {round}: the select did not return ({e})"));
            assert_eq!(got, Some(Some(round)));
            assert_eq!(
                ctx.watcher_count(),
                0,
                "round {round}: a select that returned through its recv case is still \
                 registered with the context it waited on"
            );
        }
        cancel.cancel();
    }
}
