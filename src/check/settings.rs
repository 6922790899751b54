//! The first invalid setting a checker config was given, kept until the run reports it.
//!
//! Every config is set through chainable setters. A setter that is given a value no search can
//! use (zero iterations, zero workers, a shard that does not exist, a zero watchdog) does not
//! panic where the config is built: it records why here, and [`Check::run`](super::Check::run)
//! reports it as a misuse before anything runs, so the mistake shows in the report of the check
//! it belongs to, never as a panic in the middle of building a list of checkers, nor as a hang.

/// The first invalid setting of a config, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Invalid(Option<String>);

impl Invalid {
    /// Records `why` unless an earlier setting was already invalid (the first mistake is the
    /// one to fix first), when `bad` holds.
    pub(crate) fn note_if(&mut self, bad: bool, why: impl FnOnce() -> String) {
        if bad && self.0.is_none() {
            self.0 = Some(why());
        }
    }

    /// Why the config cannot run, if it cannot.
    pub(crate) fn reason(&self) -> Option<&str> {
        self.0.as_deref()
    }
}
