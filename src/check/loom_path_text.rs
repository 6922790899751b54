//! A compact, lossless text form of loom's execution path for replay strings.
//!
//! loom writes its checkpoint as JSON, ~150 bytes per branch (`{"Schedule":{"preemptions":0,
//! "initial_active":null,"threads":["Active","Disabled",...],"prev":{"index":3,"_p":null},
//! "exploring":true}}`): a long failing run's string was ~100 kB on one line. This form writes
//! each branch field by field, a few bytes each, and a run of identical branches once with a
//! count:
//!
//! ```text
//! C<pb|n>.<pos>.<exploring><skipping><exploring_on_start>/<branch>/<branch>*<count>/...
//! schedule: S<preemptions>.<initial_active|n>.<threads, one letter each>.<prev as i - prev|n>.<exploring>
//! load:     L<values, `,`-separated>.<pos>.<len>.<exploring>
//! spurious: R<spur><exploring>
//! @<k>.<reps>: the last k branches again, reps times
//! ```
//!
//! Booleans are `0`/`1`; thread states `D`isabled, `S`kip, `Y`ield, `P`ending, `A`ctive,
//! `V`isited. A schedule's link to the previous schedule is written as the distance back, so
//! the branches of a long loop are identical text and collapse into one `*count`, or, when tasks
//! take turns, into one `@k.reps` that repeats the last `k` branches. [`decode`]
//! rebuilds the JSON byte for byte (`serde_json` writes the mirror types of
//! [`super::loom_path`] in loom's field order), and [`encode`] keeps the JSON whenever the
//! round trip would not give the same bytes back, so the form never loses anything.

use std::fmt::Write as _;

use super::loom_path::{
    Entry, Load, Path, Ref, Schedule, Spurious, Store, Thread, MAX_ATOMIC_HISTORY, MAX_THREADS,
};

/// The longest group of branches `@k.reps` repeats: two to a handful of tasks taking turns
/// in a loop; 16 covers loom's 5 threads with a load or two each, and keeps the encoder's
/// search at 16 comparisons a branch.
const MAX_GROUP: usize = 16;

/// The first byte of the compact form; loom's JSON starts with `{`.
const TAG: char = 'C';

/// The most branches a compact path may decode into: a path has at most `MAX_BRANCHES_LIMIT`
/// branches, so a `*count` or `@k.reps` past it is damage, refused when decoding reaches it.
const MAX_RUN: usize = super::loom::MAX_BRANCHES_LIMIT;

/// The compact form of loom's checkpoint `json`, or `json` itself when it is not a path this
/// form writes back byte for byte.
pub(super) fn encode(json: &str) -> String {
    let Ok(path) = serde_json::from_str::<Path>(json) else {
        return json.to_owned();
    };
    let text = write(&path);
    if decode(&text).as_deref() == Ok(json) {
        text
    } else {
        json.to_owned()
    }
}

/// loom's JSON for a path in either form: the compact one decoded, JSON (strings written
/// before the compact form) as it is.
pub(super) fn decode(text: &str) -> Result<String, String> {
    let Some(body) = text.strip_prefix(TAG) else {
        return Ok(text.to_owned());
    };
    let path = read(body)?;
    serde_json::to_string(&path).map_err(|e| format!("the loom path does not encode: {e}"))
}

fn write(path: &Path) -> String {
    let mut out = String::new();
    out.push(TAG);
    opt(&mut out, path.preemption_bound.map(usize::from));
    let _ = write!(
        out,
        ".{}.{}{}{}",
        path.pos,
        bit(path.exploring),
        bit(path.skipping),
        bit(path.exploring_on_start)
    );
    let branches: Vec<String> = path
        .branches
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| branch(i, e))
        .collect();
    let mut i = 0;
    while i < branches.len() {
        let run = branches[i..]
            .iter()
            .take_while(|b| **b == branches[i])
            .count();
        if run > 1 {
            let _ = write!(out, "/{}*{run}", branches[i]);
            i += run;
            continue;
        }
        // The longest stretch from `i` that repeats the `k` branches before it (two tasks
        // taking turns in a loop write such periods).
        let (k, reps) = (2..=MAX_GROUP.min(i))
            .map(|k| {
                let reps = (0..)
                    .take_while(|r| {
                        let at = i + r * k;
                        at + k <= branches.len() && branches[at..at + k] == branches[i - k..i]
                    })
                    .count();
                (k, reps)
            })
            .max_by_key(|(k, reps)| k * reps)
            .unwrap_or((0, 0));
        if reps > 0 {
            let _ = write!(out, "/@{k}.{reps}");
            i += k * reps;
        } else {
            out.push('/');
            out.push_str(&branches[i]);
            i += 1;
        }
    }
    out
}

fn branch(i: usize, entry: &Entry) -> String {
    let mut s = String::new();
    match entry {
        Entry::Schedule(x) => {
            let _ = write!(s, "S{}.", x.preemptions);
            opt(&mut s, x.initial_active.map(usize::from));
            s.push('.');
            s.extend(x.threads.iter().map(|t| thread_letter(*t)));
            s.push('.');
            // A link forward (damage loom never writes) has no distance: keep the JSON.
            opt(&mut s, x.prev.as_ref().map(|r| i.saturating_sub(r.index)));
            let _ = write!(s, ".{}", bit(x.exploring));
        }
        Entry::Load(x) => {
            let values: Vec<String> = x.values.iter().map(u8::to_string).collect();
            let _ = write!(
                s,
                "L{}.{}.{}.{}",
                values.join(","),
                x.pos,
                x.len,
                bit(x.exploring)
            );
        }
        Entry::Spurious(x) => {
            let _ = write!(s, "R{}{}", bit(x.spur), bit(x.exploring));
        }
    }
    s
}

fn opt(out: &mut String, v: Option<usize>) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push('n'),
    }
}

fn bit(b: bool) -> char {
    if b {
        '1'
    } else {
        '0'
    }
}

fn thread_letter(t: Thread) -> char {
    match t {
        Thread::Disabled => 'D',
        Thread::Skip => 'S',
        Thread::Yield => 'Y',
        Thread::Pending => 'P',
        Thread::Active => 'A',
        Thread::Visited => 'V',
    }
}

fn read(body: &str) -> Result<Path, String> {
    let mut parts = body.split('/');
    let head = parts.next().unwrap_or_default();
    let [pb, pos, flags] = fields::<3>(head, '.', "the path's header")?;
    let [exploring, skipping, exploring_on_start] = bits::<3>(flags, "the path's flags")?;
    let mut entries = Vec::new();
    // Each decoded branch's text, for `@k.reps` to repeat.
    let mut texts: Vec<&str> = Vec::new();
    for part in parts {
        let (group, reps) = if let Some(group) = part.strip_prefix('@') {
            let [k, reps] = fields::<2>(group, '.', "a repeated group")?;
            let k: usize = number(k, "a group's length")?;
            if !(2..=MAX_GROUP).contains(&k) || k > texts.len() {
                return Err(format!("a group of {k} branches is out of range"));
            }
            (
                texts[texts.len() - k..].to_vec(),
                number(reps, "a group's repeats")?,
            )
        } else {
            match part.split_once('*') {
                Some((text, n)) => {
                    let run = number(n, "a run length")?;
                    if run < 2 {
                        return Err(format!("a run of {run} branches is out of range"));
                    }
                    (vec![text], run)
                }
                None => (vec![part], 1),
            }
        };
        for _ in 0..reps {
            for text in &group {
                if entries.len() >= MAX_RUN {
                    return Err(format!("more than {MAX_RUN} branches"));
                }
                let i = entries.len();
                entries.push(read_branch(i, text)?);
                texts.push(text);
            }
        }
    }
    Ok(Path {
        preemption_bound: optional(pb, "the preemption bound")?,
        pos: number(pos, "the path's position")?,
        branches: Store { entries },
        exploring,
        skipping,
        exploring_on_start,
    })
}

fn read_branch(i: usize, text: &str) -> Result<Entry, String> {
    let what = format!("branch {i}");
    let mut chars = text.chars();
    let tag = chars.next();
    let rest = chars.as_str();
    match tag {
        Some('S') => {
            let [pre, active, threads, prev, exploring] = fields::<5>(rest, '.', &what)?;
            let letters: Vec<Thread> = threads
                .chars()
                .map(|c| letter_thread(c).ok_or_else(|| format!("{what}: thread state {c:?}")))
                .collect::<Result<_, _>>()?;
            let threads: [Thread; MAX_THREADS] = letters
                .try_into()
                .map_err(|_| format!("{what}: {MAX_THREADS} thread states expected"))?;
            let prev = optional::<usize>(prev, &what)?
                .map(|back| {
                    i.checked_sub(back)
                        .filter(|_| back > 0)
                        .map(|index| Ref { index, _p: () })
                        .ok_or_else(|| format!("{what} links past the path's start"))
                })
                .transpose()?;
            let [exploring] = bits::<1>(exploring, &what)?;
            Ok(Entry::Schedule(Schedule {
                preemptions: number(pre, &what)?,
                initial_active: optional(active, &what)?,
                threads,
                prev,
                exploring,
            }))
        }
        Some('L') => {
            let [values, pos, len, exploring] = fields::<4>(rest, '.', &what)?;
            let values: [&str; MAX_ATOMIC_HISTORY] = fields(values, ',', &what)?;
            let mut out = [0u8; MAX_ATOMIC_HISTORY];
            for (o, v) in out.iter_mut().zip(values) {
                *o = number(v, &what)?;
            }
            let [exploring] = bits::<1>(exploring, &what)?;
            Ok(Entry::Load(Load {
                values: out,
                pos: number(pos, &what)?,
                len: number(len, &what)?,
                exploring,
            }))
        }
        Some('R') => {
            let [spur, exploring] = bits::<2>(rest, &what)?;
            Ok(Entry::Spurious(Spurious { spur, exploring }))
        }
        _ => Err(format!("{what} is neither `S`, `L` nor `R`")),
    }
}

fn letter_thread(c: char) -> Option<Thread> {
    Some(match c {
        'D' => Thread::Disabled,
        'S' => Thread::Skip,
        'Y' => Thread::Yield,
        'P' => Thread::Pending,
        'A' => Thread::Active,
        'V' => Thread::Visited,
        _ => return None,
    })
}

/// Exactly `N` fields of `s` split at `sep`.
fn fields<'s, const N: usize>(s: &'s str, sep: char, what: &str) -> Result<[&'s str; N], String> {
    let v: Vec<&str> = s.split(sep).collect();
    v.try_into()
        .map_err(|_| format!("{what}: {N} fields separated by `{sep}` expected"))
}

/// Exactly `N` booleans written `0`/`1`.
fn bits<const N: usize>(s: &str, what: &str) -> Result<[bool; N], String> {
    let v: Vec<bool> = s
        .chars()
        .map(|c| match c {
            '0' => Ok(false),
            '1' => Ok(true),
            _ => Err(format!("{what}: flags are `0` or `1`")),
        })
        .collect::<Result<_, _>>()?;
    v.try_into()
        .map_err(|_| format!("{what}: {N} flags expected"))
}

/// A decimal number written as `write` writes it: digits only, no sign, no leading zero.
fn number<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical
        .then(|| s.parse().ok())
        .flatten()
        .ok_or_else(|| format!("{what}: {s:?} is not a number in range"))
}

fn optional<T: std::str::FromStr>(s: &str, what: &str) -> Result<Option<T>, String> {
    if s == "n" {
        Ok(None)
    } else {
        number(s, what).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(prev: Option<usize>, active: char) -> String {
        let threads: Vec<String> = ['A', 'D', 'D', 'D', 'D']
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let c = if k == 1 { active } else { *c };
                let name = match c {
                    'A' => "Active",
                    'V' => "Visited",
                    _ => "Disabled",
                };
                format!("\"{name}\"")
            })
            .collect();
        let prev = prev.map_or("null".to_owned(), |p| {
            format!("{{\"index\":{p},\"_p\":null}}")
        });
        format!(
            "{{\"Schedule\":{{\"preemptions\":0,\"initial_active\":0,\"threads\":[{}],\"prev\":{prev},\"exploring\":true}}}}",
            threads.join(",")
        )
    }

    fn path(entries: &[String]) -> String {
        format!(
            "{{\"preemption_bound\":2,\"pos\":{},\"branches\":{{\"entries\":[{}]}},\"exploring\":true,\"skipping\":false,\"exploring_on_start\":true}}",
            entries.len(),
            entries.join(",")
        )
    }

    #[test]
    fn a_loop_of_schedules_collapses_into_one_run_and_decodes_to_the_same_json() {
        let mut entries = vec![schedule(None, 'D')];
        entries.extend((1..50).map(|i| schedule(Some(i - 1), 'V')));
        entries.push(
            "{\"Load\":{\"values\":[0,1,0,0,0,0,0],\"pos\":1,\"len\":2,\"exploring\":false}}"
                .to_owned(),
        );
        entries.push("{\"Spurious\":{\"spur\":false,\"exploring\":true}}".to_owned());
        let json = path(&entries);
        let text = encode(&json);
        assert_eq!(
            text,
            "C2.52.101/S0.0.ADDDD.n.1/S0.0.AVDDD.1.1*49/L0,1,0,0,0,0,0.1.2.0/R01"
        );
        assert_eq!(decode(&text).as_deref(), Ok(json.as_str()));
    }

    #[test]
    fn tasks_taking_turns_collapse_into_one_group() {
        let mut entries = vec![schedule(None, 'D')];
        entries.extend((1..41).map(|i| schedule(Some(i - 1), if i % 2 == 0 { 'V' } else { 'A' })));
        let json = path(&entries);
        let text = encode(&json);
        assert_eq!(
            text,
            "C2.41.101/S0.0.ADDDD.n.1/S0.0.AADDD.1.1/S0.0.AVDDD.1.1/@2.19"
        );
        assert_eq!(decode(&text).as_deref(), Ok(json.as_str()));
    }

    #[test]
    fn json_that_is_not_a_path_stays_json_and_json_decodes_as_itself() {
        for json in ["{\"x\":1}", "not json", ""] {
            assert_eq!(encode(json), json);
            assert_eq!(decode(json).as_deref(), Ok(json));
        }
    }

    #[test]
    fn damaged_compact_forms_are_errors_not_panics() {
        let good = "C2.2.101/S0.0.ADDDD.n.1/S0.0.AVDDD.1.1";
        assert!(decode(good).is_ok());
        for bad in [
            "C",
            "C2.2",
            "C2.2.1011",
            "C2.2.101/X",
            "C2.2.101/S0.0.ADDD.n.1",
            "C2.2.101/S0.0.ADDDQ.n.1",
            "C2.2.101/S0.0.ADDDD.1.1",
            "C2.2.101/S0.0.ADDDD.0.1",
            "C2.2.101/S0.0.ADDDD.n.1*1",
            "C2.2.101/S0.0.ADDDD.n.1*99999999999",
            "C2.2.101/S0.0.ADDDD.n.1*65536*2",
            "C2.2.101/S0.0.ADDDD.n.1/@2.1",
            "C2.2.101/S0.0.ADDDD.n.1/R01/@17.1",
            "C2.2.101/S0.0.ADDDD.n.1/R01/@2.99999999",
            "C2.02.101",
            "C2.-2.101",
            "C256.2.101",
            "C2.2.101/L0,1.0.1.0",
            "C2.2.101/R2",
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    /// Real failing loom paths, end to end: the report's string carries the compact form, it
    /// decodes to exactly the JSON loom wrote (loom reads it back and fails the same way), and
    /// the same path as a JSON string (the form of strings written before the compact one)
    /// still replays.
    mod real {
        use super::super::{decode, TAG};
        use crate::check::{self, replay, Check, Checker};
        use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use crate::sync::Arc;
        use crate::thread;
        use crate::ViolationKind;

        /// Both tasks count `steps` increments of their own, then race a load-then-store on
        /// `n`; the body asserts the race loses an update. loom's first schedule interleaves
        /// the two (the assertion holds); the schedules that do not come after loom's
        /// search backs up from the end of a long path, so the failing path is long.
        fn long_lost_update(steps: usize) -> Check {
            Check::new(move || {
                let n = Arc::new(AtomicUsize::new(0));
                let (n2, mine, theirs) = (
                    Arc::clone(&n),
                    Arc::new(AtomicUsize::new(0)),
                    Arc::new(AtomicUsize::new(0)),
                );
                let t = thread::spawn(move || {
                    for _ in 0..steps {
                        theirs.fetch_add(1, SeqCst);
                    }
                    let v = n2.load(SeqCst);
                    n2.store(v + 1, SeqCst);
                });
                for _ in 0..steps {
                    mine.fetch_add(1, SeqCst);
                }
                let v = n.load(SeqCst);
                n.store(v + 1, SeqCst);
                t.join().unwrap();
                assert_eq!(n.load(SeqCst), 1, "no update lost");
            })
            .id(format!("long lost update {steps}"))
        }

        /// The string's path part (after `pb=..;branches=..:`) and everything before it.
        fn split(s: &str) -> (&str, &str) {
            let at = s.find(";branches=").unwrap();
            let colon = at + s[at..].find(':').unwrap();
            (&s[..=colon], &s[colon + 1..])
        }

        #[test]
        fn a_long_failing_path_is_short_decodes_to_loom_json_and_replays_in_both_forms() {
            // 150 increments per task: ~300 branches before the race. Measured: ~1 s under
            // loom with its default preemption bound (opt-level 2).
            let check = long_lost_update(150);
            let report = check.run(&Checker::loom());
            report.assert_finds(ViolationKind::AssertionFailed);
            let s = report
                .replay
                .clone()
                .expect("a failing loom report has a replay string");
            let (_, path) = split(&s);
            assert!(path.starts_with(TAG), "{s}");
            let json = decode(path).unwrap();
            assert!(json.starts_with("{\"preemption_bound\":"), "{json}");
            // Measured on this path: 69,832 bytes of JSON before, 844 bytes compact after (the
            // whole replay string 892).
            assert!(json.len() > 60_000, "{}", json.len());
            assert!(path.len() < 1_000, "{}", path.len());

            let again = replay(&check, &s).unwrap();
            again.assert_finds(ViolationKind::AssertionFailed);
            assert_eq!(again.iterations, 1);
            assert_eq!(
                again.violation().unwrap().tasks,
                report.violation().unwrap().tasks
            );

            // The same path as JSON, under the header `encode` writes: a string of the format
            // before the compact one.
            let settings = &split(&s).0[s.find('@').unwrap() + 1 + check::VERSION.len() + 1..];
            let old =
                super::super::super::replay::encode("loom", &check, &format!("{settings}{json}"));
            assert!(old.len() > 40_000);
            let old_again = replay(&check, &old).unwrap();
            old_again.assert_finds(ViolationKind::AssertionFailed);
            assert_eq!(
                old_again.violation().unwrap().tasks,
                report.violation().unwrap().tasks
            );
        }
    }
}
