//! `--html DIR`: one page per check that found a violation (`DIR/<scenario>-<checker>.html`,
//! drawn by [`concheck::check::Report::to_html`]) and `DIR/index.html` linking them.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::table::Row;

/// A check's page, as the index links it.
struct Page<'a> {
    file: String,
    row: &'a Row,
    traced: bool,
}

/// Writes the pages of the rows whose report holds a violation, then the index; returns how
/// many pages were written.
pub(crate) fn write_pages(rows: &[Row], summary: &str, dir: &Path) -> io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut pages = Vec::new();
    for row in rows {
        let Some(report) = row.report.as_ref().filter(|r| r.violation().is_some()) else {
            continue;
        };
        let file = format!(
            "{}-{}.html",
            file_safe(&row.scenario),
            file_safe(&row.checker)
        );
        let title = format!("{} under {}", row.scenario, row.checker);
        report.write_html(dir.join(&file), &title)?;
        pages.push(Page {
            file,
            row,
            traced: report.trace.as_ref().is_some_and(|t| !t.steps.is_empty()),
        });
    }
    std::fs::write(dir.join("index.html"), index(&pages, summary))?;
    Ok(pages.len())
}

/// Letters, digits, `-` and `_` kept; anything else becomes `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const INDEX_STYLE: &str =
    "body { font: 14px/1.45 system-ui, sans-serif; margin: 20px; color: #1f2328; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 3px 14px 3px 0; }
th { border-bottom: 2px solid #d0d7de; } tr:hover td { background: #f6f8fa; }
.kind { background: #cf222e; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; }
.fail { color: #cf222e; font-weight: 600; } .muted { color: #656d76; }
";

fn index(pages: &[Page<'_>], summary: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>concheck: {} violations</title>\n<style>\n{INDEX_STYLE}</style>\n</head>\n<body>\n\
         <h1>concheck: the checks that found a violation</h1>\n<p class=\"muted\">{}</p>\n",
        pages.len(),
        escape(summary)
    );
    if pages.is_empty() {
        out.push_str("<p>No check found a violation: there is no interleaving to draw.</p>\n");
    } else {
        out.push_str(
            "<table>\n<tr><th>scenario</th><th>role</th><th>checker</th><th>violation</th>\
             <th>interleaving</th><th></th></tr>\n",
        );
        for page in pages {
            let r = page.row;
            let _ = writeln!(
                out,
                "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td><span \
                 class=\"kind\">{}</span></td><td class=\"muted\">{}</td><td \
                 class=\"fail\">{}</td></tr>",
                escape(&page.file),
                escape(&r.scenario),
                escape(&r.role),
                escape(&r.checker),
                escape(&r.outcome),
                if page.traced { "drawn" } else { "not recorded" },
                if r.ok { "" } else { "FAIL" }
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
