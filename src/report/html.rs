//! The HTML report of a check: one self-contained page (inline CSS, no script, no network) that
//! draws a failing execution's interleaving as lanes, one per task.
//!
//! Time runs down the page, one row per [`Step`]; each task is a column headed by its name and
//! spawn site. A step is a box labelled with its operation and the object's short name; hovering
//! it shows the object's full name and the source line. A task's blocked time (from its
//! [`StepKind::Block`] to its next step, or to the end) is a striped bar in its lane. The last
//! rows mark the violation: the state of each task it names, and its message. Every text from
//! the report is escaped: task and channel names are user strings.
//!
//! A report without a trace (std and tokio runs, which cannot be replayed; passing checks) gets
//! the header and a line that says why.

use std::fmt::{self, Write as _};
use std::io;
use std::path::Path;

use super::{thousands, Outcome, Report};
use crate::rt::steps::{Step, StepKind, Trace};
use crate::violation::{Site, TaskState, Violation};

/// The page's stylesheet, inlined into every report.
const STYLE: &str = include_str!("html/style.css");

impl Report {
    /// The report as one self-contained HTML page titled `title`.
    ///
    /// ```
    /// use concheck::check::{Check, Checker};
    /// use concheck::go;
    ///
    /// let check = Check::new(|| {
    ///     let (tx, _rx) = go::named::<u32>("results", 1);
    ///     let again = tx.clone();
    ///     tx.close();
    ///     again.close(); // closed twice
    /// });
    /// let report = check.run(&Checker::shuttle_random());
    /// let page = report.to_html("closes twice");
    /// assert!(page.contains("<h1>closes twice</h1>") && page.contains("double close"));
    /// # let path = std::env::temp_dir().join(format!("concheck-doc-{}.html", std::process::id()));
    /// report.write_html(&path, "closes twice")?;
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn to_html(&self, title: &str) -> String {
        let mut out = String::with_capacity(32 * 1024);
        write_page(&mut out, self, title).expect("writing to a String cannot fail");
        out
    }

    /// Writes [`Report::to_html`] of this report to `path`.
    pub fn write_html(&self, path: impl AsRef<Path>, title: &str) -> io::Result<()> {
        std::fs::write(path, self.to_html(title))
    }
}

/// Text escaped for HTML content and attribute values (newlines kept as `&#10;`, which
/// tooltips show as line breaks).
struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = 0;
        for (i, c) in self.0.char_indices() {
            let entity = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\n' => "&#10;",
                _ => continue,
            };
            f.write_str(&self.0[rest..i])?;
            f.write_str(entity)?;
            rest = i + c.len_utf8();
        }
        f.write_str(&self.0[rest..])
    }
}

fn write_page(out: &mut String, report: &Report, title: &str) -> fmt::Result {
    let kind = report.outcome_label();
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        Esc(title),
        Esc(&kind)
    )?;
    header(out, report, title)?;
    match &report.trace {
        Some(trace) if !trace.steps.is_empty() => timeline(out, trace, report.violation())?,
        Some(_) => no_trace(out, "the recorded trace has no steps")?,
        None => no_trace(out, &no_trace_reason(report))?,
    }
    out.push_str("</body>\n</html>\n");
    Ok(())
}

fn header(out: &mut String, report: &Report, title: &str) -> fmt::Result {
    let verdict = if report.violation().is_some() {
        "bad"
    } else {
        "neutral"
    };
    write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"verdict\"><span class=\"kind {verdict}\">{}</span> \
         <b>{}</b> after {} iterations in {:.3} s <span class=\"sep\">|</span> search {}</p>\n",
        Esc(title),
        Esc(&report.outcome_label()),
        Esc(&report.checker),
        thousands(report.iterations),
        report.elapsed.as_secs_f64(),
        Esc(&report.search_label())
    )?;
    match &report.outcome {
        Outcome::Violation(v) => {
            writeln!(out, "<pre class=\"message\">{}</pre>", Esc(&v.message))?;
            if !has_steps(report) {
                task_list(out, v)?;
            }
            let cause = report
                .trace
                .as_ref()
                .and_then(|t| crate::check::explain::cause(t, v));
            if let Some(cause) = cause {
                writeln!(out, "<p class=\"cause\"><b>cause</b> {}</p>", Esc(&cause))?;
            }
            if let Some(shrunk) = &report.shrunk {
                writeln!(
                    out,
                    "<p class=\"meta\">shrunk: {}</p>",
                    Esc(&shrunk.to_string())
                )?;
            }
        }
        Outcome::Skipped { reason } => {
            writeln!(out, "<pre class=\"message\">skipped: {}</pre>", Esc(reason))?;
        }
        Outcome::NoViolation => {}
    }
    if let Some(replay) = &report.replay {
        writeln!(
            out,
            "<div class=\"replay\"><div class=\"label\">replay <span class=\"hint\">click to \
             select it all, then copy; pass it to <code>concheck::check::replay</code> or \
             <code>concheck replay SCENARIO '...'</code></span></div><code \
             class=\"string\">{}</code></div>",
            Esc(replay)
        )?;
    }
    if let Some(trace) = report.trace.as_ref().filter(|t| !t.steps.is_empty()) {
        writeln!(
            out,
            "<p class=\"meta\">{} steps, {} tasks, oldest first; hover a step for its object \
             and source line</p>",
            trace.steps.len(),
            lane_count(trace)
        )?;
        objects(out, trace)?;
    }
    out.push_str("</header>\n");
    Ok(())
}

/// Whether the report has a trace with steps to draw (whose lanes show each task's state).
fn has_steps(report: &Report) -> bool {
    report.trace.as_ref().is_some_and(|t| !t.steps.is_empty())
}

/// The tasks the violation names, one per line as the text report gives them (what each blocks
/// on, and where): with no trace to draw (a std or tokio run) they are all a hang page has to
/// say where the run hangs. A task the message already lists is not repeated.
fn task_list(out: &mut String, v: &Violation) -> fmt::Result {
    let lines: Vec<String> = v
        .tasks
        .iter()
        .map(ToString::to_string)
        .filter(|line| !v.message.contains(line.as_str()))
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    out.push_str("<ul class=\"tasks\">\n");
    for line in lines {
        writeln!(out, "<li><code>{}</code></li>", Esc(&line))?;
    }
    out.push_str("</ul>\n");
    Ok(())
}

fn objects(out: &mut String, trace: &Trace) -> fmt::Result {
    if trace.objects.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<details class=\"objects\"><summary>{} objects</summary><table>",
        trace.objects.len()
    )?;
    for o in &trace.objects {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            Esc(&o.short),
            Esc(&o.name)
        )?;
    }
    out.push_str("</table></details>\n");
    Ok(())
}

/// Why a report has nothing to draw.
fn no_trace_reason(report: &Report) -> String {
    match &report.outcome {
        Outcome::NoViolation => {
            "the check found no violation, so there is no failing execution to draw".to_owned()
        }
        Outcome::Skipped { .. } => {
            "this shard skipped the check; the shard that runs it has the report".to_owned()
        }
        Outcome::Violation(_) if report.replay.is_none() => {
            "real runs (std, tokio) cannot be replayed, so no interleaving was recorded: check \
             the same body under loom or shuttle to see one"
                .to_owned()
        }
        Outcome::Violation(_) => "the checker recorded no interleaving for this violation (the \
                                  replay that records it did not run or did not reproduce)"
            .to_owned(),
    }
}

fn no_trace(out: &mut String, reason: &str) -> fmt::Result {
    writeln!(
        out,
        "<p class=\"no-trace\">No interleaving to draw: {}.</p>",
        Esc(reason)
    )
}

/// Lanes: every task the trace lists, and any a step names beyond them.
fn lane_count(trace: &Trace) -> usize {
    let by_steps = trace.steps.iter().map(|s| s.task + 1).max().unwrap_or(0);
    trace.tasks.len().max(by_steps)
}

/// A stretch of a lane where the task was blocked: from its `Block` step to the step it ran
/// next (`None`: to the end).
struct Blocked {
    task: usize,
    from: usize,
    to: Option<usize>,
}

/// Where everything goes on the grid. Row 1 holds the lane headers, step `i` is row `i + 2`,
/// then one row of end states and one for the violation; column 1 is the step number, lane
/// `t` is column `t + 2`, and the last column the source line.
struct Layout<'a> {
    trace: &'a Trace,
    violation: Option<&'a Violation>,
    lanes: usize,
    /// Per lane: the index of the step that spawned it.
    spawned_by: Vec<Option<usize>>,
    /// Per lane: its last step if that ended it (`Finish`, `Panic`).
    ended_at: Vec<Option<usize>>,
    blocked: Vec<Blocked>,
    /// Per step: whether it is the last step at one of the violation's sites.
    culprit: Vec<bool>,
}

impl<'a> Layout<'a> {
    fn new(trace: &'a Trace, violation: Option<&'a Violation>) -> Self {
        let lanes = lane_count(trace);
        let steps = &trace.steps;
        let mut spawned_by = vec![None; lanes];
        let mut ended_at = vec![None; lanes];
        let mut open: Vec<Option<usize>> = vec![None; lanes];
        let mut blocked = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            if let Some(from) = open[step.task].take() {
                blocked.push(Blocked {
                    task: step.task,
                    from,
                    to: Some(i),
                });
            }
            match step.kind {
                StepKind::Block => open[step.task] = Some(i),
                StepKind::Spawn => {
                    if let Some(child) = spawned_child(trace, step, &spawned_by) {
                        spawned_by[child] = Some(i);
                    }
                }
                StepKind::Finish | StepKind::Panic => ended_at[step.task] = Some(i),
                StepKind::Op | StepKind::Resume => ended_at[step.task] = None,
            }
        }
        for (task, from) in open.into_iter().enumerate() {
            if let Some(from) = from {
                blocked.push(Blocked {
                    task,
                    from,
                    to: None,
                });
            }
        }
        // A site named k times (both locks of a deadlock at one line) marks its last k steps.
        let mut culprit = vec![false; steps.len()];
        for site in violation.iter().flat_map(|v| &v.sites) {
            let unmarked = steps
                .iter()
                .enumerate()
                .rev()
                .find(|(i, s)| !culprit[*i] && s.at.as_ref() == Some(site));
            if let Some((i, _)) = unmarked {
                culprit[i] = true;
            }
        }
        Layout {
            trace,
            violation,
            lanes,
            spawned_by,
            ended_at,
            blocked,
            culprit,
        }
    }

    fn end_row(&self) -> usize {
        self.trace.steps.len() + 2
    }

    fn source_column(&self) -> usize {
        self.lanes + 2
    }

    /// What the violation says about lane `t`'s task, if it names it.
    fn named(&self, t: usize) -> Option<&'a TaskState> {
        self.violation?
            .tasks
            .iter()
            .find(|info| info.id == t)
            .map(|info| &info.state)
    }
}

/// The task a `spawn 'name'` step started: the first lane of that name not spawned yet.
fn spawned_child(trace: &Trace, step: &Step, spawned_by: &[Option<usize>]) -> Option<usize> {
    let name = step.op.strip_prefix("spawn '")?.strip_suffix('\'')?;
    trace
        .tasks
        .iter()
        .find(|t| t.id != step.task && t.name == name && spawned_by.get(t.id) == Some(&None))
        .map(|t| t.id)
}

/// `file.rs:12` from `src/dir/file.rs:12:5`: lanes are narrow; the tooltip has the rest.
fn short_site(site: &Site) -> String {
    let file = site.file.rsplit(['/', '\\']).next().unwrap_or(&site.file);
    format!("{file}:{}", site.line)
}

fn timeline(out: &mut String, trace: &Trace, violation: Option<&Violation>) -> fmt::Result {
    let layout = Layout::new(trace, violation);
    legend(out)?;
    writeln!(
        out,
        "<main class=\"timeline\" style=\"grid-template-columns: 3em repeat({}, minmax(11em, \
         30em)) minmax(8em, 12em)\">",
        layout.lanes
    )?;
    lane_heads(out, &layout)?;
    lane_lines(out, &layout)?;
    // Every other row banded across the lanes, so the eye keeps a row from lane to source line.
    for row in (3..layout.end_row()).step_by(2) {
        writeln!(
            out,
            "<div class=\"band\" style=\"grid-area: {row} / 1 / {} / -1\"></div>",
            row + 1
        )?;
    }
    blocked_bars(out, &layout)?;
    for (i, step) in trace.steps.iter().enumerate() {
        step_row(out, &layout, i, step)?;
    }
    end_rows(out, &layout)?;
    out.push_str("</main>\n");
    Ok(())
}

fn legend(out: &mut String) -> fmt::Result {
    out.push_str(
        "<p class=\"legend\"><span class=\"step k-op\">operation</span>\
         <span class=\"step k-block\"><span class=\"icon pause\"></span>blocks in an \
         operation</span><span class=\"swatch blocked\"></span>blocked\
         <span class=\"step k-resume\"><span class=\"icon play\"></span>resumes</span>\
         <span class=\"step k-spawn\">spawn</span>\
         <span class=\"step k-finish\">finished</span>\
         <span class=\"step k-panic\">stopped</span>\
         <span class=\"step k-op culprit\">at a site the violation names</span></p>\n",
    );
    Ok(())
}

fn lane_heads(out: &mut String, layout: &Layout<'_>) -> fmt::Result {
    out.push_str("<div class=\"head gutter\" style=\"grid-area: 1 / 1\">step</div>\n");
    for t in 0..layout.lanes {
        let task = layout.trace.tasks.get(t);
        let name = layout.trace.task_name(t);
        let named = layout.named(t).is_some();
        let (origin, origin_title) = match (task.and_then(|t| t.spawned_at.as_ref()), t) {
            (Some(site), _) => {
                let by = layout.spawned_by[t]
                    .map(|i| {
                        let parent = layout.trace.task_name(layout.trace.steps[i].task);
                        format!(" by {parent} at step {}", i + 1)
                    })
                    .unwrap_or_default();
                (
                    format!("spawned at {}", short_site(site)),
                    format!("spawned at {site}{by}"),
                )
            }
            (None, 0) => (
                "the checked body".to_owned(),
                "task #0 runs the checked body".to_owned(),
            ),
            (None, _) => (String::new(), String::new()),
        };
        writeln!(
            out,
            "<div class=\"head lane-head lane-{}{}\" style=\"grid-area: 1 / {}\" \
             title=\"{}\"><div class=\"name\">{}{}<span class=\"id\">#{t}</span></div>\
             <div class=\"origin\">{}</div></div>",
            t % 8,
            if named { " named" } else { "" },
            t + 2,
            Esc(&origin_title),
            if named {
                "<span class=\"mark\" title=\"named in the violation\">&#10006;</span>"
            } else {
                ""
            },
            Esc(&name),
            Esc(&origin)
        )?;
    }
    writeln!(
        out,
        "<div class=\"head src-head\" style=\"grid-area: 1 / {}\">source line</div>",
        layout.source_column()
    )
}

/// Each lane's shading, and a line through the stretch its task was alive: from its spawn (or
/// first step) to its last step if that ended it, or to the end.
fn lane_lines(out: &mut String, layout: &Layout<'_>) -> fmt::Result {
    let bottom = layout.end_row() + 2;
    for t in 0..layout.lanes {
        let named = if layout.named(t).is_some() {
            " named"
        } else {
            ""
        };
        writeln!(
            out,
            "<div class=\"lane{named}\" style=\"grid-area: 2 / {c} / {bottom} / {c}\"></div>",
            c = t + 2
        )?;
        let first =
            layout.spawned_by[t].or_else(|| layout.trace.steps.iter().position(|s| s.task == t));
        let Some(first) = first else { continue };
        let last = layout.ended_at[t].map_or(layout.end_row() + 1, |i| i + 3);
        writeln!(
            out,
            "<div class=\"life lane-{}\" style=\"grid-area: {} / {c} / {last} / {c}\"></div>",
            t % 8,
            first + 2,
            c = t + 2
        )?;
    }
    Ok(())
}

fn blocked_bars(out: &mut String, layout: &Layout<'_>) -> fmt::Result {
    let steps = &layout.trace.steps;
    for b in &layout.blocked {
        let step = &steps[b.from];
        let name = layout.trace.task_name(b.task);
        let object = layout
            .trace
            .object_short(step)
            .map_or_else(String::new, |o| format!(" on {o}"));
        let (until, end, class) = match b.to {
            Some(to) => (
                format!(
                    "from step {} until step {}, when it ran again",
                    b.from + 1,
                    to + 1
                ),
                to + 2,
                "",
            ),
            None => (
                format!("from step {} to the end: never ran again", b.from + 1),
                layout.end_row() + 1,
                " forever",
            ),
        };
        writeln!(
            out,
            "<div class=\"blocked{class}\" style=\"grid-area: {} / {c} / {end} / {c}\" \
             title=\"{}\"></div>",
            b.from + 2,
            Esc(&format!("{name} blocked in {}{object}, {until}", step.op)),
            c = b.task + 2
        )?;
    }
    Ok(())
}

fn step_row(out: &mut String, layout: &Layout<'_>, i: usize, step: &Step) -> fmt::Result {
    let row = i + 2;
    let trace = layout.trace;
    let object = trace.object_short(step);
    // Blocks and resumes are frequent and their boxes crowded: an icon, which the legend and
    // the tooltip name, instead of a word.
    let (class, marker) = match step.kind {
        StepKind::Op => ("k-op", ""),
        StepKind::Block => ("k-block", "<span class=\"icon pause\"></span>"),
        StepKind::Resume => ("k-resume", "<span class=\"icon play\"></span>"),
        StepKind::Spawn => ("k-spawn", ""),
        StepKind::Finish => ("k-finish", "<span class=\"tag\">finished</span>"),
        StepKind::Panic => ("k-panic", "<span class=\"tag\">stopped</span>"),
    };
    // A finish's op (`return`) says nothing its tag does not: the tooltip keeps it.
    let op = match step.kind {
        StepKind::Finish => "",
        _ => step.op.as_str(),
    };
    let mut tip = format!(
        "step {} · {} · {}",
        i + 1,
        trace.task_name(step.task),
        kind_word(step.kind)
    );
    if !step.op.is_empty() {
        write!(tip, ": {}", step.op)?;
    }
    if let Some(o) = step.object.and_then(|o| trace.objects.get(o)) {
        write!(tip, "\nobject: {}", o.name)?;
    }
    if let Some(at) = &step.at {
        write!(tip, "\nat {at}")?;
    }
    if layout.culprit[i] {
        tip.push_str("\n(a site the violation names)");
    }
    write!(
        out,
        "<div class=\"n\" style=\"grid-area: {row} / 1\">{}</div>\n\
         <div class=\"step {class} lane-{}{}\" style=\"grid-area: {row} / {}\" title=\"{}\">",
        i + 1,
        step.task % 8,
        if layout.culprit[i] { " culprit" } else { "" },
        step.task + 2,
        Esc(&tip)
    )?;
    out.push_str(marker);
    if !op.is_empty() {
        write!(out, "<span class=\"op\">{}</span>", Esc(op))?;
    }
    if let Some(o) = object {
        write!(out, " <span class=\"obj\">{}</span>", Esc(o))?;
    }
    out.push_str("</div>\n");
    if let Some(at) = &step.at {
        writeln!(
            out,
            "<div class=\"src\" style=\"grid-area: {row} / {}\" title=\"{}\">{}</div>",
            layout.source_column(),
            Esc(&at.to_string()),
            Esc(&short_site(at))
        )?;
    }
    Ok(())
}

fn kind_word(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Op => "operation",
        StepKind::Block => "blocks",
        StepKind::Resume => "resumes",
        StepKind::Spawn => "spawn",
        StepKind::Finish => "finished",
        StepKind::Panic => "stopped",
    }
}

/// The last two rows: what the violation says of each task it names (and which other tasks
/// are still blocked), then the violation itself across the whole width.
fn end_rows(out: &mut String, layout: &Layout<'_>) -> fmt::Result {
    let row = layout.end_row();
    writeln!(
        out,
        "<div class=\"n end\" style=\"grid-area: {row} / 1\">end</div>"
    )?;
    for t in 0..layout.lanes {
        let still_blocked = layout.blocked.iter().any(|b| b.task == t && b.to.is_none());
        let (class, text, tip) = match layout.named(t) {
            Some(state) => ("state named", state_label(state), state.to_string()),
            None if still_blocked => (
                "state",
                "still blocked".to_owned(),
                "blocked at the end; the violation does not name it".to_owned(),
            ),
            None => continue,
        };
        writeln!(
            out,
            "<div class=\"{class}\" style=\"grid-area: {row} / {}\" title=\"{}\">{}</div>",
            t + 2,
            Esc(&tip),
            Esc(&text)
        )?;
    }
    if let Some(v) = layout.violation {
        writeln!(
            out,
            "<div class=\"violation\" style=\"grid-area: {} / 1 / {} / -1\"><span \
             class=\"kind bad\">{}</span> {}</div>",
            row + 1,
            row + 2,
            Esc(v.kind.name()),
            Esc(&v.message)
        )?;
    }
    Ok(())
}

/// A named task's state, short enough for a lane: the operation it is stuck in.
fn state_label(state: &TaskState) -> String {
    match state {
        TaskState::Blocked { op, .. } => format!("\u{2716} stuck in {op}"),
        TaskState::Running => "\u{2716} stopped here".to_owned(),
        TaskState::Finished => "\u{2716} finished".to_owned(),
        TaskState::Panicked => "\u{2716} panicked".to_owned(),
    }
}

#[cfg(test)]
mod tests;
