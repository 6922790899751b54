//! `Weighted`: a weighted semaphore after `golang.org/x/sync/semaphore`.
//!
//! # Semantics, as in x/sync
//!
//! - [`Weighted::acquire`] takes `n` of the semaphore's `size` units, blocking until they are
//!   free or the context is done; on a done context it takes nothing and returns the context's
//!   error (a context already done fails at once, even with units free).
//! - Waiters are served first in, first out, with no barging: while a waiter is queued, neither
//!   a smaller `acquire` behind it nor a [`Weighted::try_acquire`] takes units, even units that
//!   would be enough for them. A large request at the head blocks the smaller ones behind it;
//!   that is what keeps it from starving.
//! - A request for more than `size` can never be served: it waits for its context.
//! - [`Weighted::release`] returns units and serves the queue from its head, as many waiters as
//!   now fit, in order.
//!
//! Each waiter waits on its own one-slot channel, in a [`Select`] with its context, so a
//! cancelled waiter leaves the queue (and, if it was the head, lets the next ones in).
//!
//! # Violations
//!
//! Releasing more than is held is x/sync's panic "semaphore: released more than held": a
//! reported [`ViolationKind::Misuse`](crate::ViolationKind::Misuse).

use std::collections::VecDeque;
use std::fmt;
use std::panic::Location;

use super::chan::{self, Receiver, Sender};
use super::context::{Context, ContextError};
use super::mutex::fatal;
use super::select::Select;
use crate::sync::Mutex;

/// A semaphore of `size` units; see the [module docs](self).
pub struct Weighted {
    size: usize,
    state: Mutex<State>,
    created_at: &'static Location<'static>,
}

struct State {
    /// Units held.
    cur: usize,
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

struct Waiter {
    id: u64,
    n: usize,
    /// Sent one `()` when the units are granted; never blocks (one slot, one send).
    ready: Sender<()>,
}

impl State {
    /// Grants queued waiters from the head while they fit; stops at the first that does not.
    fn serve(&mut self, size: usize) {
        while let Some(w) = self.waiters.front() {
            if size - self.cur < w.n {
                break; // no barging: the ones behind wait too
            }
            let w = self.waiters.pop_front().expect("the front waiter");
            self.cur += w.n;
            w.ready
                .try_send(())
                .unwrap_or_else(|_| unreachable!("a waiter's one-slot channel is sent once"));
        }
    }
}

impl Weighted {
    /// A semaphore of `size` units, all free.
    #[track_caller]
    pub fn new(size: usize) -> Self {
        Weighted {
            size,
            state: Mutex::internal(State {
                cur: 0,
                waiters: VecDeque::new(),
                next_id: 0,
            }),
            created_at: Location::caller(),
        }
    }

    /// Takes `n` units, blocking until they are free (in FIFO order) or `ctx` is done.
    ///
    /// # Errors
    ///
    /// The context's error if it is done first; then no units are taken.
    #[track_caller]
    pub fn acquire(&self, ctx: &Context, n: usize) -> Result<(), ContextError> {
        if let Some(err) = ctx.err() {
            return Err(err);
        }
        let mut s = self.state.lock();
        if self.size - s.cur >= n && s.waiters.is_empty() {
            s.cur += n;
            return Ok(());
        }
        let (ready_tx, ready_rx): (Sender<()>, Receiver<()>) = chan::named("semaphore waiter", 1);
        let id = s.next_id;
        s.next_id += 1;
        s.waiters.push_back(Waiter {
            id,
            n,
            ready: ready_tx,
        });
        drop(s);
        let granted = Select::new()
            .recv(&ready_rx, |_| true)
            .done(ctx, || false)
            .wait();
        if granted {
            return Ok(());
        }
        let err = ctx.err().expect("the done case fired");
        let mut s = self.state.lock();
        match s.waiters.iter().position(|w| w.id == id) {
            Some(i) => {
                s.waiters.remove(i);
                // A head that leaves may let the waiters behind it in.
                if i == 0 {
                    s.serve(self.size);
                }
            }
            None => {
                // Granted as the context ended: give the units back.
                s.cur -= n;
                s.serve(self.size);
            }
        }
        Err(err)
    }

    /// Takes `n` units if they are free now and nobody is queued; never blocks.
    pub fn try_acquire(&self, n: usize) -> bool {
        let mut s = self.state.lock();
        let ok = self.size - s.cur >= n && s.waiters.is_empty();
        if ok {
            s.cur += n;
        }
        ok
    }

    /// Returns `n` units and serves the queue.
    ///
    /// # Panics
    ///
    /// If fewer than `n` units are held: a
    /// [`ViolationKind::Misuse`](crate::ViolationKind::Misuse).
    #[track_caller]
    pub fn release(&self, n: usize) {
        let at = Location::caller();
        let mut s = self.state.lock();
        if s.cur < n {
            let held = s.cur;
            drop(s);
            fatal(
                &self.label(),
                &format!(
                    "release({n}) with {held} units held (x/sync's \"semaphore: released more \
                     than held\"): release only what an acquire took"
                ),
                at,
            );
        }
        s.cur -= n;
        s.serve(self.size);
    }

    /// How reports name this semaphore.
    pub fn label(&self) -> String {
        crate::rt::Object::created("semaphore", self.created_at).to_string()
    }
}

impl fmt::Debug for Weighted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Weighted")
            .field("size", &self.size)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
