//! The HTML report of hand-made traces shaped like the recorder's (`check::fixtures`).
//!
//! `CONCHECK_HTML_DEMO=DIR cargo test -p concheck --lib html` also writes each fixture's page
//! to `DIR` (`harness/screenshot.sh` does, to screenshot a realistic trace).

use super::Esc;
use crate::check::fixtures::{self, TraceBuilder};
use crate::check::{Outcome, Report, StepKind};

/// The `title` of the step box of step `i` (1-based), unescaped back to its text.
fn tooltip(page: &str, i: usize) -> String {
    let start = page
        .find(&format!("title=\"step {i} · "))
        .unwrap_or_else(|| panic!("no tooltip for step {i}"));
    let rest = &page[start + "title=\"".len()..];
    let text = &rest[..rest.find('"').expect("a closed attribute")];
    text.replace("&#10;", "\n")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn html_escapes_markup_quotes_and_newlines() {
    assert_eq!(
        Esc("<a href=\"x\">Tom & 'Jerry'</a>\n").to_string(),
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;&#10;"
    );
    assert_eq!(Esc("plain ünïcode").to_string(), "plain ünïcode");
}

#[test]
fn html_draws_a_lane_per_task_with_its_name_and_spawn_site() {
    let report = fixtures::ab_ba();
    let page = report.to_html("lock_order_ab_ba under loom");
    let trace = report.trace.as_ref().unwrap();
    for task in &trace.tasks {
        let head = format!("style=\"grid-area: 1 / {}\"", task.id + 2);
        let at = page
            .find(&head)
            .unwrap_or_else(|| panic!("no lane for {}", task.name));
        let lane = &page[at..at + page[at..].find("</div></div>").unwrap()];
        assert!(lane.contains(&format!("{}<span class=\"id\">#{}", task.name, task.id)));
        match &task.spawned_at {
            Some(site) => assert!(
                lane.contains(&format!("lock_order.rs:{}", site.line)),
                "{lane}"
            ),
            None => assert!(lane.contains("the checked body"), "{lane}"),
        }
    }
    // Spawn steps are tied to the lanes they started.
    assert!(page.contains("spawned at scenarios/src/lock_order.rs:201:14 by main at step 2"));
}

#[test]
fn html_puts_each_steps_op_object_and_site_in_its_tooltip() {
    for (name, report) in fixtures::all() {
        let page = report.to_html(name);
        let trace = report.trace.as_ref().unwrap();
        for (i, step) in trace.steps.iter().enumerate() {
            let tip = tooltip(&page, i + 1);
            assert!(tip.contains(&step.op), "{name} step {}: {tip}", i + 1);
            if let Some(o) = step.object {
                let object = &trace.objects[o].name;
                assert!(tip.contains(&format!("object: {object}")), "{name}: {tip}");
            }
            if let Some(at) = &step.at {
                assert!(tip.contains(&format!("at {at}")), "{name}: {tip}");
            }
        }
    }
}

#[test]
fn html_draws_blocked_time_as_bars() {
    // main blocks in Condvar::wait at step 7 and never runs again: the bar runs from its row
    // (8) through the end row (9), in main's column (2).
    let page = fixtures::lost_wakeup().to_html("ready_flag_lost_wakeup");
    assert!(
        page.contains("class=\"blocked forever\" style=\"grid-area: 8 / 2 / 10 / 2\""),
        "{page}"
    );
    assert!(page.contains("main blocked in Condvar::wait on condvar @ ready_flag.rs:46, from step 7 to the end: never ran again"));
    assert_eq!(
        page.matches("class=\"blocked").count(),
        1,
        "only main blocks"
    );
    // The leak: main's select blocks and resumes (a bounded bar); the backend's send never does.
    let page = fixtures::leaked_sender().to_html("request_timeout_leaks_child");
    assert!(page.contains("main blocked in Select::wait on channel &#39;reply&#39;, from step 4 until step 5, when it ran again"));
    assert!(page.contains(
        "backend blocked in Sender::send on channel &#39;reply&#39;, from step 9 to the end"
    ));
    assert_eq!(page.matches("class=\"blocked forever\"").count(), 1);
}

#[test]
fn html_marks_the_violation_and_the_tasks_it_names() {
    let report = fixtures::ab_ba();
    let page = report.to_html("lock_order_ab_ba");
    assert_eq!(page.matches("lane-head lane-").count(), 3);
    assert_eq!(
        page.matches("class=\"head lane-head lane-0 named\"")
            .count(),
        1
    );
    assert!(page.contains("class=\"violation\""));
    assert!(page.contains("<span class=\"kind bad\">deadlock</span> every task is blocked"));
    assert_eq!(page.matches("class=\"state named\"").count(), 3);
    assert!(page.contains("\u{2716} stuck in Mutex::lock"));
    // The sites it names: main's join and both second locks (one line, named twice).
    assert_eq!(page.matches(" culprit\" style=").count(), 3);

    // Only the closer is named in the double close; both close sites are marked.
    let page = fixtures::double_close_pool().to_html("worker_pool_double_close");
    assert_eq!(
        page.matches(" named\"").count(),
        3,
        "the closer's head, lane and end state"
    );
    assert_eq!(page.matches(" culprit\" style=").count(), 2);
    assert!(page.contains("\u{2716} stopped here"));
}

#[test]
fn html_escapes_user_text() {
    let mut report = fixtures::lost_wakeup();
    let trace = report.trace.as_mut().unwrap();
    trace.tasks[1].name = "<script>alert('x')</script>".to_owned();
    trace.objects[0].short = "channel \"a&b\"".to_owned();
    trace.steps[0].op = "spawn '<script>alert('x')</script>'".to_owned();
    let page = report.to_html("<b>title</b>");
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<b>title"));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(page.contains("channel &quot;a&amp;b&quot;"));
    assert!(page.contains("&lt;b&gt;title&lt;/b&gt;"));
}

#[test]
fn html_without_a_trace_renders_the_header_and_why() {
    let mut std_run = fixtures::leaked_sender();
    std_run.checker = "std threads (100 runs, watchdog 1s)".to_owned();
    std_run.replay = None;
    std_run.trace = None;
    let page = std_run.to_html("pipeline_early_return under std");
    assert!(page.contains("<h1>pipeline_early_return under std</h1>"));
    assert!(page.contains("<span class=\"kind bad\">task leak</span>"));
    assert!(page.contains("1 task outlived its scope"));
    assert!(page.contains("No interleaving to draw: real runs (std, tokio) cannot be replayed"));
    assert!(!page.contains("class=\"timeline\""));

    let mut passing = std_run;
    passing.outcome = Outcome::NoViolation;
    let page = passing.to_html("ready_flag");
    assert!(page.contains("<span class=\"kind neutral\">no violation</span>"));
    assert!(page.contains("the check found no violation"));
    assert!(!page.contains("class=\"message\""));
}

#[test]
fn html_is_self_contained_and_balanced() {
    let mut pages: Vec<(&str, String)> = fixtures::all()
        .into_iter()
        .map(|(name, r)| (name, r.to_html(name)))
        .collect();
    let mut empty = fixtures::lost_wakeup();
    empty.trace = Some(TraceBuilder::new("x.rs").build());
    pages.push(("empty trace", empty.to_html("empty")));
    for (name, page) in &pages {
        for external in [
            "http://", "https://", "src=", "<link", "<script", "url(", "@import",
        ] {
            assert!(
                !page.contains(external),
                "{name} refers out with {external}"
            );
        }
        assert_eq!(
            page.matches("<div").count(),
            page.matches("</div>").count(),
            "{name}: unbalanced divs"
        );
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    }
    assert!(pages
        .last()
        .unwrap()
        .1
        .contains("the recorded trace has no steps"));
}

#[test]
fn html_keeps_about_80_steps_in_one_grid() {
    let report = fixtures::double_close_pool();
    let steps = report.trace.as_ref().unwrap().steps.len();
    assert!((70..=90).contains(&steps), "the fixture has {steps} steps");
    let page = report.to_html("pool");
    assert!(page.contains("grid-template-columns: 3em repeat(5, minmax(11em, 30em))"));
    // One number per step, and the end row after the last.
    assert!(page.contains(&format!(">{steps}</div>")));
    assert!(page.contains(&format!("grid-area: {} / 1\">end", steps + 2)));
    let finished = report
        .trace
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Finish)
        .count();
    assert_eq!(
        page.matches("<span class=\"tag\">finished</span>").count(),
        finished
    );
}

/// Writes every fixture's page to `$CONCHECK_HTML_DEMO`, for `harness/screenshot.sh`.
#[test]
fn html_demo_pages_are_written_when_asked() {
    let Some(dir) = std::env::var_os("CONCHECK_HTML_DEMO") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the demo directory");
    for (name, report) in fixtures::all() {
        let path = dir.join(format!("{name}.html"));
        Report::write_html(&report, &path, &format!("{name} (hand-made trace)"))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("class=\"timeline\""));
    }
}
