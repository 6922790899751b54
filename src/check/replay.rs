//! Replay strings: the failing schedule of a loom or shuttle report, with a header that names
//! what it was recorded for.
//!
//! ```text
//! shuttle:1a2b3c4d.9f8e7d6c@0.1.0:<shuttle's encoded schedule>
//! loom:1a2b3c4d.9f8e7d6c@0.1.0:pb=2;branches=1000:<loom's execution path>
//! ```
//!
//! The first hex word is the check's fingerprint (its identity, [`Check::id`] or where it was
//! built and its body's type, its declared limits, and the checker), the second a checksum of
//! everything after the version, then the crate version. [`replay`] checks all three before
//! a dependency's decoder sees the rest, so a string of another check, another version, or one
//! cut short is an error that says so ([`ReplayError`]), never a made-up violation or a panic
//! inside loom or shuttle.

use std::fmt;

use super::runner::Replayed;
use super::verdict::Report;
use super::Check;

/// The version of this crate, written into replay strings (a string from another version may
/// decode into a different schedule) and into the main command's reports (shards of different
/// versions do not merge).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a replay string could not be replayed on a check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    /// It starts with neither `loom:` nor `shuttle:`.
    NotReplay,
    /// Its header or schedule does not decode; says what is wrong.
    Malformed {
        /// `loom` or `shuttle`.
        checker: &'static str,
        /// What did not decode.
        what: String,
    },
    /// Its checksum does not match: cut short or changed.
    Truncated {
        /// `loom` or `shuttle`.
        checker: &'static str,
    },
    /// Recorded by another version of concheck.
    OtherVersion {
        /// The version that recorded it.
        recorded: String,
    },
    /// Recorded for another check (another scenario or body, or other limits).
    OtherCheck {
        /// `loom` or `shuttle`.
        checker: &'static str,
    },
    /// The check is one this checker cannot run (a [`Check::tokio`] body).
    WrongChecker {
        /// `loom` or `shuttle`.
        checker: &'static str,
    },
    /// The body did not follow the recorded schedule to its end.
    Diverged {
        /// Where it left the schedule.
        why: String,
    },
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::NotReplay => write!(
                f,
                "not a replay string (it starts with neither `loom:` nor `shuttle:`): copy the \
                 `replay` field of a failing loom or shuttle report"
            ),
            ReplayError::Malformed { checker, what } => write!(
                f,
                "malformed {checker} replay string ({what}): copy the whole `replay` field of \
                 the failing report"
            ),
            ReplayError::Truncated { checker } => write!(
                f,
                "the {checker} replay string is truncated or altered (its checksum does not \
                 match): copy the whole `replay` field, on one line"
            ),
            ReplayError::OtherVersion { recorded } => write!(
                f,
                "the replay string was recorded by concheck {recorded}, this is {VERSION}: run \
                 the check again with this version for a new string"
            ),
            ReplayError::OtherCheck { checker } => write!(
                f,
                "the {checker} replay string was recorded for another check (its fingerprint \
                 differs): replay it on the scenario or body whose report printed it"
            ),
            ReplayError::WrongChecker { checker } => write!(
                f,
                "a {checker} replay string cannot run on a tokio check (tokio bodies run only \
                 under the tokio checker, whose runs are not replayable): run the tokio checker \
                 again"
            ),
            ReplayError::Diverged { why } => write!(
                f,
                "the body did not follow the recorded schedule to its end ({why}): it is not \
                 deterministic under a fixed schedule, or it is not the code that was recorded; \
                 run the check again"
            ),
        }
    }
}

impl std::error::Error for ReplayError {}

/// FNV-1a, 64 bits, folded to 32: stable across builds and platforms (std's hasher is not
/// guaranteed to be), and 8 hex digits are enough to tell checks apart by accident.
fn hash32(parts: &[&str]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (h ^ (h >> 32)) as u32
}

/// The fingerprint of `check` under the checker family `checker` (`loom` or `shuttle`).
pub(crate) fn fingerprint(check: &Check, checker: &str) -> u32 {
    let limits = format!("{:?}", check.limits.max_live_tasks);
    hash32(&[checker, &check.identity(), &limits])
}

/// `payload` with the header of `check` under `checker` in front.
pub(crate) fn encode(checker: &str, check: &Check, payload: &str) -> String {
    format!(
        "{checker}:{:08x}.{:08x}@{VERSION}:{payload}",
        fingerprint(check, checker),
        hash32(&[payload])
    )
}

/// The payload of a string [`encode`] made for `check` under `checker`, or why not.
pub(crate) fn decode<'s>(
    checker: &'static str,
    check: &Check,
    rest: &'s str,
) -> Result<&'s str, ReplayError> {
    let malformed = |what: &str| ReplayError::Malformed {
        checker,
        what: what.to_owned(),
    };
    let (head, payload) = rest
        .split_once(':')
        .ok_or_else(|| malformed("no `:` after the header"))?;
    let (ids, version) = head.split_once('@').ok_or_else(|| {
        malformed("no `<fingerprint>.<checksum>@<version>` header; strings of concheck before 0.1.0 had none, run the check again")
    })?;
    let (fp, sum) = ids
        .split_once('.')
        .ok_or_else(|| malformed("no `.` between fingerprint and checksum"))?;
    // Lowercase only, as `encode` writes them: a flipped case bit (`d` to `D`) is a damaged
    // string, not the same fingerprint.
    let hex = |s: &str| {
        (s.len() == 8
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| u32::from_str_radix(s, 16).ok())
        .flatten()
        .ok_or_else(|| malformed("fingerprint and checksum are 8 hex digits each"))
    };
    let (fp, sum) = (hex(fp)?, hex(sum)?);
    if sum != hash32(&[payload]) {
        return Err(ReplayError::Truncated { checker });
    }
    if version != VERSION {
        return Err(ReplayError::OtherVersion {
            recorded: version.to_owned(),
        });
    }
    if check.is_tokio() {
        return Err(ReplayError::WrongChecker { checker });
    }
    if fp != fingerprint(check, checker) {
        return Err(ReplayError::OtherCheck { checker });
    }
    Ok(payload)
}

/// Runs the failing schedule a report's `replay` string describes, once, and reports it.
///
/// The error says what is wrong with the string and what to do: not a replay string,
/// malformed, truncated, recorded by another version or for another check, a check this
/// checker cannot run, or a body that left the recorded schedule before its end. It never
/// panics on a bad string.
pub fn replay(check: &Check, replay: &str) -> Result<Report, ReplayError> {
    replayed(check, replay).map(Replayed::into_report)
}

/// The failing schedule `replay` describes, run once with the trace recorder on, before it is
/// a report: [`replay`] makes it one, the finish step of a search keeps its trace.
pub(crate) fn replayed(check: &Check, replay: &str) -> Result<Replayed, ReplayError> {
    if let Some(rest) = replay.strip_prefix(super::loom::REPLAY_PREFIX) {
        let payload = decode("loom", check, rest)?;
        super::loom::replay(check, rest, payload)
    } else if let Some(rest) = replay.strip_prefix(super::shuttle::REPLAY_PREFIX) {
        let payload = decode("shuttle", check, rest)?;
        let _quiet = super::quiet::Quiet::enter();
        super::shuttle::replay(check, rest, payload)
    } else {
        Err(ReplayError::NotReplay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check() -> Check {
        Check::new(|| {}).id("a")
    }

    #[test]
    fn an_uppercase_hex_digit_is_a_damaged_header() {
        let s = encode("shuttle", &check(), "91020304");
        let rest = s.strip_prefix("shuttle:").unwrap();
        let upper = rest.replacen(
            |c: char| c.is_ascii_lowercase() && c.is_ascii_hexdigit(),
            "A",
            1,
        );
        if upper != rest {
            assert!(decode("shuttle", &check(), &upper).is_err(), "{upper}");
        }
        let shouting = rest.to_uppercase();
        assert!(decode("shuttle", &check(), &shouting).is_err());
    }

    #[test]
    fn a_string_round_trips_and_any_cut_or_flip_is_refused() {
        let s = encode("shuttle", &check(), "91020304");
        let rest = s.strip_prefix("shuttle:").unwrap();
        assert_eq!(decode("shuttle", &check(), rest), Ok("91020304"));
        for cut in 0..rest.len() {
            assert!(decode("shuttle", &check(), &rest[..cut]).is_err(), "{cut}");
        }
        let other = Check::new(|| {}).id("b");
        assert_eq!(
            decode("shuttle", &other, rest),
            Err(ReplayError::OtherCheck { checker: "shuttle" })
        );
        assert_eq!(
            decode("loom", &check(), rest),
            Err(ReplayError::OtherCheck { checker: "loom" })
        );
        let old = rest.replace(VERSION, "0.0.1");
        assert!(matches!(
            decode("shuttle", &check(), &old),
            Err(ReplayError::OtherVersion { .. })
        ));
    }
}
