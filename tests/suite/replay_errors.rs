//! Bad replay strings are errors that say what is wrong, never panics or made-up violations:
//! malformed, truncated or altered (every cut and bit flip of a real string, fuzzed), recorded
//! for another check, replayed on a tokio check, or a body that leaves the schedule.

use concheck::check::{self, Check, Checker, ReplayError};
use concheck::sync::{Arc, Mutex};
use concheck::thread;
use concheck::ViolationKind;
use proptest::prelude::*;

/// Two tasks take two locks in opposite orders: a deadlock in some schedules.
fn ab_ba(name: &str) -> Check {
    Check::new(|| {
        let a = Arc::new(Mutex::new(()));
        let b = Arc::new(Mutex::new(()));
        let (a1, b1) = (Arc::clone(&a), Arc::clone(&b));
        let ab = thread::Builder::new().name("ab").spawn(move || {
            let _a = a1.lock();
            let _b = b1.lock();
        });
        let ba = thread::Builder::new().name("ba").spawn(move || {
            let _b = b.lock();
            let _a = a.lock();
        });
        ab.join().unwrap();
        ba.join().unwrap();
    })
    .id(name)
}

/// A failing string of `ab_ba` under `checker`.
fn recorded(checker: &Checker) -> String {
    let report = ab_ba("ab-ba").run(checker);
    report.assert_finds(ViolationKind::Deadlock);
    report.replay.expect("a failing report has a replay string")
}

fn strings() -> Vec<String> {
    vec![
        recorded(&Checker::loom()),
        recorded(&Checker::shuttle_random()),
    ]
}

#[test]
fn a_string_of_another_check_is_refused() {
    for s in strings() {
        let e = check::replay(&ab_ba("another"), &s).unwrap_err();
        assert!(matches!(e, ReplayError::OtherCheck { .. }), "{e:?}");
        assert!(e.to_string().contains("recorded for another check"), "{e}");
        // The same check replays it.
        check::replay(&ab_ba("ab-ba"), &s)
            .unwrap()
            .assert_finds(ViolationKind::Deadlock);
    }
}

#[test]
fn a_string_on_a_tokio_check_is_refused() {
    let tokio = Check::tokio(|| async {}).id("ab-ba");
    for s in strings() {
        let e = check::replay(&tokio, &s).unwrap_err();
        assert!(matches!(e, ReplayError::WrongChecker { .. }), "{e:?}");
    }
}

#[test]
fn every_cut_of_a_real_string_is_an_error() {
    let check = ab_ba("ab-ba");
    for s in strings() {
        // Every cut of the shuttle string; loom's is long JSON: every 7th.
        let step = if s.starts_with("loom:") { 7 } else { 1 };
        for cut in (0..s.len()).step_by(step) {
            let e = check::replay(&check, &s[..cut]).unwrap_err();
            assert!(
                matches!(
                    e,
                    ReplayError::NotReplay
                        | ReplayError::Malformed { .. }
                        | ReplayError::Truncated { .. }
                ),
                "cut at {cut}: {e:?}"
            );
        }
    }
}

#[test]
fn a_body_that_leaves_the_schedule_is_an_error() {
    // The same name, another body: one task, no locks. shuttle's schedule holds steps the body
    // never asks for.
    let s = recorded(&Checker::shuttle_random());
    let other = Check::new(|| {
        thread::Builder::new()
            .name("alone")
            .spawn(|| {})
            .join()
            .unwrap();
    })
    .id("ab-ba");
    let e = check::replay(&other, &s).unwrap_err();
    assert!(matches!(e, ReplayError::Diverged { .. }), "{e:?}");
}

proptest! {
    // 64 cases: each replays at most one execution of a two-lock body (well under 1 ms).
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_strings_are_errors(bytes in proptest::collection::vec(any::<u8>(), 0..200),
                                 prefix in prop_oneof![Just(""), Just("loom:"), Just("shuttle:")]) {
        let s = format!("{prefix}{}", String::from_utf8_lossy(&bytes));
        prop_assert!(check::replay(&ab_ba("ab-ba"), &s).is_err());
    }

    #[test]
    fn bit_flips_of_real_strings_are_errors_or_replays(which in 0usize..2, at in any::<prop::sample::Index>(), bit in 0u8..7) {
        let s = &STRINGS.with(|s| s.clone())[which];
        let mut bytes = s.clone().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let flipped = String::from_utf8_lossy(&bytes).into_owned();
        // A flip in the prefix makes it not a replay string; anywhere else the checksum or
        // the header refuses it. Never a panic.
        prop_assert!(check::replay(&ab_ba("ab-ba"), &flipped).is_err(), "{}", flipped);
    }
}

thread_local! {
    static STRINGS: Vec<String> = strings();
}
