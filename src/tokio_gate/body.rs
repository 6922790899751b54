//! The async body of a [`Check::tokio`](crate::check::Check::tokio): each call makes the future
//! of one run, which the tokio checker (`check::tokio_runs`) awaits on a fresh runtime inside a
//! [`Scope`](super::Scope).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::violation::{Violation, ViolationKind};

/// An async body: each call makes the future of one run.
pub(crate) type Body = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()>>> + Send + Sync>;

/// Boxes `f` as a [`Body`].
pub(crate) fn body<F, Fut>(f: F) -> Body
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + 'static,
{
    Arc::new(move || Box::pin(f()))
}

/// The sync body of an async check, which only the tokio checker can run.
pub(crate) fn refuse_other_checkers() {
    crate::rt::violation(Violation::new(
        ViolationKind::Misuse,
        "this check's body is async code on tokio, and tokio's runtime cannot run under loom, \
         shuttle or the std runner: run it with Checker::tokio() (or \
         Checker::Tokio(TokioConfig::multi_thread(n)) for real threads)",
    ));
}
