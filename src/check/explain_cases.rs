//! Unit tests of [`super::explain`] on the hand-made reports of [`super::fixtures`]: the whole
//! cause and the whole table of each, word for word, so any change to what a report says about
//! its failure (a name, a site, a row, a column, a width) shows here. Each expected text was
//! read against its fixture's trace.

use super::explain::{cause, table};
use super::fixtures;
use super::Report;

/// The cause and the table of a fixture, compared line by line with the expected ones.
fn assert_explains(report: &Report, want_cause: &str, want_table: &[&str]) {
    let trace = report.trace.as_ref().expect("fixtures carry a trace");
    let violation = report.violation().expect("fixtures fail");
    assert_eq!(cause(trace, violation).as_deref(), Some(want_cause));
    let got = table(trace, violation).expect("a table");
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got, want_table);
}

/// The notify that ran before main's wait was registered, and the flag the two tasks share
/// beside the condvar (the mutex main locked is not involved).
#[test]
fn explain_lost_wakeup_names_its_cause_and_shows_its_steps() {
    assert_explains(
        &fixtures::lost_wakeup(),
        "notify_one at scenarios/src/ready_flag.rs:51:21 by 'setter' ran before main's wait at scenarios/src/ready_flag.rs:56:22 was registered, so it woke nobody; nothing notified condvar @ ready_flag.rs:46 afterwards",
        &[
            "# | main                               | setter                             ",
            "2 | :55 load atomic @ ready_flag.rs:45 |                                    ",
            "3 |                                    | :50 store atomic @ ready_flag.r... ",
            "4 |                                    | :51 notify_one condvar @ ready_... ",
            "6 | :56 blocked in wait condvar @ r... |",
        ],
    );
}

/// The cycle through both locks, each with where it was locked; the rows of the three blocked
/// tasks.
#[test]
fn explain_ab_ba_names_its_cause_and_shows_its_steps() {
    assert_explains(
        &fixtures::ab_ba(),
        "lock cycle: #1 'a-to-b' holds mutex @ lock_order.rs:189 (locked at scenarios/src/lock_order.rs:183:31) and wants mutex @ lock_order.rs:190 -> #2 'b-to-a' holds mutex @ lock_order.rs:190 (locked at scenarios/src/lock_order.rs:183:31) and wants mutex @ lock_order.rs:189 -> back to #1 'a-to-b'",
        &[
            "# | main                               | a-to-b                             | b-to-a                             ",
            "2 | :203 blocked in join task 'a-to-b' |                                    |                                    ",
            "3 |                                    | :183 lock mutex @ lock_order.rs... |                                    ",
            "4 |                                    |                                    | :183 lock mutex @ lock_order.rs... ",
            "5 |                                    | :184 blocked in lock mutex @ lo... |                                    ",
            "6 |                                    |                                    | :184 blocked in lock mutex @ lo...",
        ],
    );
}

/// The stranded sender, its spawn, and the last other task on its channel; only the steps on
/// that channel.
#[test]
fn explain_leaked_sender_names_its_cause_and_shows_its_steps() {
    assert_explains(
        &fixtures::leaked_sender(),
        "'backend' (spawned at scenarios/src/request_timeout.rs:386:44) blocks forever in send on channel 'reply' at scenarios/src/request_timeout.rs:388:12; the last other task to use it was 'main' (wait at scenarios/src/request_timeout.rs:394:10)",
        &[
            "# | main                               | backend                            ",
            "3 | :394 blocked in wait channel 'r... |                                    ",
            "8 |                                    | :388 blocked in send channel 'r...",
        ],
    );
}

/// Both closes with their tasks; the latest 18 steps on the channel, the 10 earlier ones
/// counted, long cells clipped.
#[test]
fn explain_double_close_pool_names_its_cause_and_shows_its_steps() {
    assert_explains(
        &fixtures::double_close_pool(),
        "'worker-1' closed channel 'results' at scenarios/src/worker_pool.rs:168:32, then 'closer' closed it again at scenarios/src/worker_pool.rs:185:20",
        &[
            " # | main                               | worker-0                    | worker-1                     | closer                       ",
            "     (10 earlier steps not shown)",
            "30 | :190 wakes from recv               |                             |                              |                              ",
            "31 | :190 recv channel 'results'        |                             |                              |                              ",
            "32 | :190 blocked in recv channel 'r... |                             |                              |                              ",
            "37 |                                    |                             | :164 send channel 'results'  |                              ",
            "38 | :190 wakes from recv               |                             |                              |                              ",
            "39 | :190 recv channel 'results'        |                             |                              |                              ",
            "40 | :190 blocked in recv channel 'r... |                             |                              |                              ",
            "45 |                                    | :164 send channel 'results' |                              |                              ",
            "46 | :190 wakes from recv               |                             |                              |                              ",
            "47 | :190 recv channel 'results'        |                             |                              |                              ",
            "48 | :190 blocked in recv channel 'r... |                             |                              |                              ",
            "53 |                                    |                             | :164 send channel 'results'  |                              ",
            "54 | :190 wakes from recv               |                             |                              |                              ",
            "55 | :190 recv channel 'results'        |                             |                              |                              ",
            "56 | :190 blocked in recv channel 'r... |                             |                              |                              ",
            "69 |                                    |                             | :168 close channel 'results' |                              ",
            "71 |                                    |                             |                              | :185 close channel 'results' ",
            "72 |                                    |                             |                              | stopped here",
        ],
    );
}

/// A send after close names the close and the send that came after it, not a send before the
/// close. No fixture is a send after close, so the trace is built here, shaped as the
/// recorder's: a producer sends, the closer closes (and panics, on no object), the producer sends
/// again and stops there.
#[test]
fn explain_a_send_after_close_names_the_close_and_the_later_send() {
    use crate::rt::steps::StepKind;
    use crate::violation::{Violation, ViolationKind};

    let mut b = fixtures::TraceBuilder::new("src/pipeline.rs");
    let main = b.task("main", None);
    let producer = b.task("producer", Some((5, 9)));
    let closer = b.task("closer", Some((6, 9)));
    let jobs = b.object("channel", Some("jobs"), (3, 20));
    b.spawn(main, producer)
        .spawn(main, closer)
        .step(producer, StepKind::Op, "Sender::send", Some(jobs), (8, 13))
        .step(closer, StepKind::Op, "Sender::close", Some(jobs), (11, 13))
        .step(closer, StepKind::Panic, "Sender::close", None, (12, 13))
        .step(producer, StepKind::Op, "Sender::send", Some(jobs), (9, 13))
        .step(producer, StepKind::Panic, "Sender::send", None, (9, 13));
    let trace = b.build();
    let mut v = Violation::new(ViolationKind::SendAfterClose, "send on closed channel");
    v.sites = vec![b.site(11, 13), b.site(9, 13)];
    v.tasks.push(crate::violation::TaskInfo {
        id: producer,
        name: "producer".to_owned(),
        spawned_at: Some(b.site(5, 9)),
        state: crate::violation::TaskState::Running,
    });
    assert_eq!(
        cause(&trace, &v).as_deref(),
        Some(
            "'closer' closed channel 'jobs' at src/pipeline.rs:11:13, then 'producer' sent on \
             it at src/pipeline.rs:9:13"
        )
    );
    // The table shows where the producer, which the violation names, stopped; not where the
    // closer, which it does not name, panicked on no object (step 4).
    let table = table(&trace, &v).expect("a table");
    let stops: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("stopped here"))
        .collect();
    assert_eq!(stops.len(), 1, "{table}");
    assert!(stops[0].starts_with("6 |"), "{table}");
}
