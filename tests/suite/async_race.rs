//! `future::race` and `CancellationToken` under every checker: the first future to complete wins
//! and the loser is dropped inside the winning poll; a cancel reaches every task awaiting the
//! token wherever it waits; and a task stuck in a race is reported with both of its awaits.

use std::future::{pending, ready, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool as StdAtomicBool, Ordering as StdOrdering};
use std::task::{Context, Wake, Waker};

use concheck::check::{Check, Checker, LoomConfig};
use concheck::future::{self, channel, oneshot, race, CancellationToken, Either};
use concheck::ViolationKind;

fn exhaustive() -> Checker {
    Checker::Loom(LoomConfig::new().preemption_bound(None))
}

/// Exhaustive loom, shuttle random and PCT, and real threads; loom must verify.
fn verified(body: impl Fn() + Send + Sync + 'static) {
    let mut checkers = Checker::defaults();
    checkers[0] = exhaustive();
    let reports = Check::new(body).assert_no_violation(&checkers);
    assert!(reports[0].verified(), "loom was cut short: {}", reports[0]);
}

#[test]
fn race_is_biased_to_the_first_when_both_are_ready() {
    let won = future::block_on(race(ready(1), ready("two")));
    assert_eq!(won, Either::Left(1));
}

#[test]
fn race_returns_the_only_ready_future() {
    let won = future::block_on(race(pending::<u32>(), ready("two")));
    assert_eq!(won, Either::Right("two"));
}

#[test]
fn race_drops_the_loser_before_it_returns() {
    struct Loser(&'static StdAtomicBool);
    impl Drop for Loser {
        fn drop(&mut self) {
            self.0.store(true, StdOrdering::SeqCst);
        }
    }
    static DROPPED: StdAtomicBool = StdAtomicBool::new(false);
    let loser = async {
        let _guard = Loser(&DROPPED);
        pending::<()>().await;
    };
    let mut won = race(loser, ready(()));
    let waker = Waker::from(std::sync::Arc::new(Noop));
    let polled = Pin::new(&mut won).poll(&mut Context::from_waker(&waker));
    assert!(polled.is_ready());
    assert!(
        DROPPED.load(StdOrdering::SeqCst),
        "the loser was dropped inside the winning poll"
    );
}

struct Noop;

impl Wake for Noop {
    fn wake(self: std::sync::Arc<Self>) {}
}

#[test]
fn cancel_stops_a_worker_waiting_on_an_open_channel() {
    // The jobs channel is never closed: only the cancel can end the worker, wherever it waits.
    // Measured: 582 loom executions, 0.04 s.
    verified(|| {
        let (jobs, incoming) = channel::named::<u32>("jobs", 1);
        let token = CancellationToken::named("stop");
        let worker_token = token.clone();
        let worker = future::Builder::new().name("worker").spawn(async move {
            let mut handled = 0;
            while let Either::Right(Some(_)) = race(worker_token.cancelled(), incoming.recv()).await
            {
                handled += 1;
            }
            handled
        });
        future::block_on(jobs.send(1));
        token.cancel();
        assert!(future::block_on(worker).unwrap() <= 1);
    });
}

#[test]
fn cancel_wakes_every_task_awaiting_the_token() {
    // Three tasks: exhaustive loom did not finish within 200,000 executions (29 s); loom's
    // default bound 2 takes 168 (0.01 s).
    Check::new(|| {
        let token = CancellationToken::named("shutdown");
        let waiters: Vec<_> = (0..2)
            .map(|i| {
                let token = token.clone();
                future::Builder::new()
                    .name(format!("waiter-{i}"))
                    .spawn(async move { token.cancelled().await })
            })
            .collect();
        assert!(!token.is_cancelled());
        token.cancel();
        token.cancel(); // idempotent, as Go's CancelFunc
        assert!(token.is_cancelled());
        for w in waiters {
            w.join().unwrap();
        }
    })
    .assert_no_violation(&Checker::defaults());
}

#[test]
fn cancelled_future_completes_at_once_on_a_cancelled_token() {
    let token = CancellationToken::new();
    token.cancel();
    future::block_on(token.cancelled());
}

#[test]
fn a_task_stuck_in_a_race_is_reported_with_both_awaits() {
    let check = Check::new(|| {
        let (_reply_tx, reply_rx) = oneshot::named::<u32>("reply");
        let token = CancellationToken::named("stop");
        // Nobody replies and nobody cancels: the race can never complete.
        let _ = future::block_on(race(reply_rx.recv(), token.cancelled()));
    });
    for checker in Checker::models() {
        let report = check.run(&checker);
        report.assert_finds(ViolationKind::LostWakeup);
        let text = report.to_string();
        assert!(text.contains("blocked in async race on ["), "{report}");
        assert!(
            text.contains("async oneshot recv on oneshot 'reply'"),
            "{report}"
        );
        assert!(
            text.contains("async wait for cancel on cancellation token 'stop'"),
            "{report}"
        );
    }
}
