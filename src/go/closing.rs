//! Close bookkeeping shared by Go's channel ([`chan`](super::chan)) and its async twin
//! ([`future::channel`](crate::future::channel)): where and by which task a channel was first
//! closed, and the violations a second close and a send after the close are, each naming both
//! sites. The channels differ only in the advice their messages end with.

use std::panic::Location;

use crate::rt;
use crate::violation::{Site, Violation, ViolationKind};

/// A channel's first close: where, and by which task.
#[derive(Clone)]
pub(crate) struct Closed {
    at: &'static Location<'static>,
    by: String,
}

impl Closed {
    /// A close at `at` by the running task.
    pub(crate) fn now(at: &'static Location<'static>) -> Closed {
        Closed {
            at,
            by: rt::current_task_label(),
        }
    }

    /// The [`ViolationKind::DoubleClose`] of the running task closing `channel` (its label)
    /// again at `at`: `{channel} was closed at {first} by {task} and again at {at} by {task}`,
    /// then `: {advice}` if there is one.
    pub(crate) fn double_close(
        &self,
        channel: &str,
        at: &'static Location<'static>,
        advice: Option<&str>,
    ) -> Violation {
        let then = format!(
            " and again at {} by {}",
            Site::from(at),
            rt::current_task_label()
        );
        self.violation(ViolationKind::DoubleClose, channel, then, at, advice)
    }

    /// The [`ViolationKind::SendAfterClose`] of the running task's send at `at` on `channel`
    /// (its label): `{channel} was closed at {close} by {task}; {task} {how}, at {at}`, then
    /// `: {advice}` if there is one. `how` says whether the send began after the close or was
    /// waiting when it came.
    pub(crate) fn send_after_close(
        &self,
        channel: &str,
        at: &'static Location<'static>,
        how: &str,
        advice: Option<&str>,
    ) -> Violation {
        let then = format!(
            "; {} {how}, at {}",
            rt::current_task_label(),
            Site::from(at)
        );
        self.violation(ViolationKind::SendAfterClose, channel, then, at, advice)
    }

    /// `{channel} was closed at {close} by {task}{then}`, then `: {advice}` if there is
    /// one, as a `kind` naming the close site and `at`.
    fn violation(
        &self,
        kind: ViolationKind,
        channel: &str,
        then: String,
        at: &'static Location<'static>,
        advice: Option<&str>,
    ) -> Violation {
        let mut message = format!(
            "{channel} was closed at {} by {}{then}",
            Site::from(self.at),
            self.by
        );
        if let Some(advice) = advice {
            message.push_str(": ");
            message.push_str(advice);
        }
        let mut v = Violation::new(kind, message);
        v.sites = vec![Site::from(self.at), Site::from(at)];
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts both channels reported before they shared this module, to the letter.
    #[test]
    fn closing_messages_name_both_sites_and_the_advice() {
        let (first, again) = (Location::caller(), Location::caller());
        let (f, a) = (Site::from(first), Site::from(again));
        let closed = Closed::now(first);
        let v = closed.double_close("channel 'c'", again, None);
        assert_eq!(v.kind, ViolationKind::DoubleClose);
        assert_eq!(
            v.message,
            format!("channel 'c' was closed at {f} by the caller and again at {a} by the caller")
        );
        assert_eq!(v.sites, vec![f.clone(), a.clone()]);
        let v = closed.send_after_close("channel 'c'", again, "sent after it closed", Some("x"));
        assert_eq!(v.kind, ViolationKind::SendAfterClose);
        assert_eq!(
            v.message,
            format!(
                "channel 'c' was closed at {f} by the caller; the caller sent after it closed, \
                 at {a}: x"
            )
        );
        assert_eq!(v.sites, vec![f, a]);
    }
}
