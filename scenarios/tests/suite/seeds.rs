//! SEEDS.md, the map from every heading of the two source documents to what realises it, held
//! to the code: every scenario, twin, compile-fail case, test, item and file it names must
//! exist, and every heading must have a realisation, so the map cannot rot.
//!
//! The map's format is described at the top of SEEDS.md: heading rows are table rows whose
//! first cell is a backticked Markdown heading; realisations are backticked `kind:target`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use concheck_scenarios::compile_fail::CASES;
use concheck_scenarios::{catalog, Role};

/// The documents the map must cover, by the title of their table, with their heading counts:
/// a row deleted from the map (a heading left without a row) fails here.
const DOCUMENTS: &[(&str, usize)] = &[("Go Concurrency Patterns", 40), ("Go Concurrency", 17)];

/// The repository root: the scenarios crate's parent.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the scenarios crate is inside the repository")
        .to_path_buf()
}

/// One heading row of the map.
struct Row {
    document: String,
    heading: String,
    level: usize,
    realisation: String,
}

/// The heading rows of `text`, under the `## ` section (the document) they appear in.
fn rows(text: &str) -> Vec<Row> {
    let mut document = String::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            document = title.trim().to_owned();
            continue;
        }
        let Some(rest) = line.strip_prefix("| `#") else {
            continue;
        };
        let Some((heading, realisation)) = rest.split_once("` | ") else {
            continue;
        };
        let heading = format!("#{heading}");
        let level = heading.chars().take_while(|&c| c == '#').count();
        rows.push(Row {
            document: document.clone(),
            heading,
            level,
            realisation: realisation.trim_end_matches('|').trim().to_owned(),
        });
    }
    rows
}

/// The backticked `kind:target` references of a realisation; other backticked text (code such
/// as `concheck::go`) is not a reference.
fn references(realisation: &str) -> Vec<(&str, &str)> {
    realisation
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| {
            let (kind, target) = span.split_once(':')?;
            let is_kind = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase());
            (is_kind && !target.starts_with(':')).then_some((kind, target))
        })
        .collect()
}

/// Whether `source` has a test function `name`: `fn name(` under a test attribute.
fn has_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        let line = line.trim_start();
        (line.starts_with(&format!("fn {name}(")) || line.starts_with(&format!("async fn {name}(")))
            && lines[i.saturating_sub(3)..i]
                .iter()
                .any(|l| l.contains("#[test]") || l.contains("#[tokio::test"))
    })
}

/// Whether `source` declares a public item `name`.
fn has_pub_item(source: &str, name: &str) -> bool {
    const KINDS: [&str; 8] = [
        "fn", "struct", "enum", "trait", "const", "type", "static", "mod",
    ];
    source.lines().map(str::trim_start).any(|line| {
        line.starts_with("pub ")
            && KINDS.iter().any(|kind| {
                ['(', '<', ' ', ':', ';', '{']
                    .iter()
                    .any(|end| line.contains(&format!("{kind} {name}{end}")))
            })
    })
}

/// Why reference `kind:target` does not hold, if it does not.
fn check_reference(kind: &str, target: &str) -> Option<String> {
    let read = |path: &str| std::fs::read_to_string(root().join(path)).ok();
    let scenario = |name: &str| catalog().into_iter().find(|s| s.name == name);
    match kind {
        "scenario" => match scenario(target) {
            Some(s) if s.role == Role::Reference => None,
            Some(_) => Some(format!("`{target}` is a twin: write twin:{target}")),
            None => Some(format!("no scenario `{target}` in the catalog")),
        },
        "twin" => match scenario(target) {
            Some(s) if matches!(s.role, Role::Twin { .. }) => None,
            Some(_) => Some(format!(
                "`{target}` is a reference: write scenario:{target}"
            )),
            None => Some(format!("no twin `{target}` in the catalog")),
        },
        "ui" => match CASES.iter().find(|c| c.name == target) {
            Some(case) if root().join("scenarios").join(case.file).is_file() => None,
            Some(case) => Some(format!("compile-fail file {} is missing", case.file)),
            None => Some(format!(
                "no compile-fail case `{target}` in compile_fail::CASES"
            )),
        },
        "test" | "item" => {
            let Some((path, name)) = target.rsplit_once("::") else {
                return Some(format!("`{kind}:{target}` is not PATH::NAME"));
            };
            let Some(source) = read(path) else {
                return Some(format!("no file {path}"));
            };
            let found = if kind == "test" {
                has_test(&source, name)
            } else {
                has_pub_item(&source, name)
            };
            (!found).then(|| match kind {
                "test" => format!("no test fn `{name}` in {path}"),
                _ => format!("no public item `{name}` in {path}"),
            })
        }
        "file" => (!root().join(target).is_file()).then(|| format!("no file {target}")),
        _ => Some(format!(
            "unknown kind `{kind}:`; use scenario, twin, ui, test, item or file"
        )),
    }
}

/// Every problem of the map `text`: broken references, headings without a realisation,
/// documents with missing or duplicate rows.
fn problems(text: &str, documents: &[(&str, usize)]) -> Vec<String> {
    let rows = rows(text);
    let mut problems = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let at = format!("SEEDS.md, {} / {}", row.document, row.heading);
        let refs = references(&row.realisation);
        for (kind, target) in &refs {
            if let Some(why) = check_reference(kind, target) {
                problems.push(format!("{at}: {why}"));
            }
        }
        let sections_below = row.realisation.contains("Sections below.");
        let has_children = rows
            .get(i + 1)
            .is_some_and(|next| next.document == row.document && next.level > row.level);
        if sections_below && !has_children {
            problems.push(format!(
                "{at}: says \"Sections below.\" but no deeper heading follows it"
            ));
        }
        let moot = row.realisation.contains("Moot:");
        if refs.is_empty() && !moot && !sections_below {
            problems.push(format!(
                "{at}: no realisation; name a scenario, twin, ui case, test, item or file, or \
                 say \"Moot:\" and why"
            ));
        }
    }
    for (document, expected) in documents {
        let headings: Vec<&str> = rows
            .iter()
            .filter(|r| r.document == *document)
            .map(|r| r.heading.as_str())
            .collect();
        if headings.len() != *expected {
            problems.push(format!(
                "SEEDS.md, {document}: {} heading rows, the document has {expected}; every \
                 heading needs its row",
                headings.len()
            ));
        }
        let unique: BTreeSet<&str> = headings.iter().copied().collect();
        if unique.len() != headings.len() {
            problems.push(format!("SEEDS.md, {document}: a heading has two rows"));
        }
        if headings.first().is_some_and(|h| !h.starts_with("# ")) {
            problems.push(format!(
                "SEEDS.md, {document}: the first row must be the document's title"
            ));
        }
    }
    problems
}

#[test]
fn seeds_map_every_heading_is_realised_by_something_that_exists() {
    let path = root().join("SEEDS.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let problems = problems(&text, DOCUMENTS);
    assert!(
        problems.is_empty(),
        "SEEDS.md no longer matches the code; fix the map or restore what it names:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn seeds_map_check_rejects_broken_rows() {
    // A map with one fault per row: the check must name each.
    let text = "\
## Doc
| `# Doc` | Sections below. |
| `## Fine` | `scenario:worker_pool`, `ui:copy_mutex`, `item:src/leak.rs::scope` |
| `## Renamed twin` | `twin:worker_pool_double_closed` |
| `## Wrong role` | `scenario:worker_pool_double_close` |
| `## Gone test` | `test:tests/suite/leak_scope.rs::scope_no_such_test` |
| `## Helper, not a test` | `test:tests/suite/leak_scope.rs::assert_leaks` |
| `## Gone file` | `file:NO_SUCH.md` |
| `## Typo kind` | `scenrio:worker_pool` |
| `## Prose only` | We thought about it. |
| `## Childless` | Sections below. |
";
    let found = problems(text, &[("Doc", 11)]);
    for expected in [
        "no twin `worker_pool_double_closed`",
        "`worker_pool_double_close` is a twin",
        "no test fn `scope_no_such_test`",
        "no test fn `assert_leaks`",
        "no file NO_SUCH.md",
        "unknown kind `scenrio:`",
        "Prose only: no realisation",
        "Childless: says \"Sections below.\"",
        "Doc: 10 heading rows, the document has 11",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "the check missed `{expected}`; it found:\n{found:#?}"
        );
    }
    assert_eq!(found.len(), 9, "one problem per broken row: {found:#?}");
}
