//! The crate's layers never import upward.
//!
//! concheck is built in layers (README, "How it is built"): `rt`, the engine (execution,
//! registry, clock state, recorders, violations); the flavors on it (`src/flavors/`, the
//! std/loom/shuttle switch of each backend primitive); the facade on them (`sync`, `cell`, `thread`,
//! `time`, `go`, `future`, `hint`, `leak`, the tokio gate); the checkers on both
//! (`check`, `conformance`, the tokio runner); the reports on top (`src/report/`, once it
//! exists). A lower layer that imports a higher one ties the engine to what is built on it, and
//! the module graph grows cycles.
//!
//! This test reads every `src/**/*.rs` file, finds each path into the crate outside comments,
//! string literals and `#[cfg(test)]` items (`crate::x`, `super::x`, a child module's `x::`),
//! maps the file and the path's target to their layers, and fails naming the file, the line and
//! both layers for every import from a lower layer into a higher one, unless the edge is in
//! [`ALLOWED`] with its reason.
//!
//! A second check keeps the backend switch in one place: no facade file names a loom or
//! shuttle path (`loom::`, `shuttle::`, `shuttle_engine::`) outside comments and strings, except
//! the files in [`NAMES_BACKENDS`], each with its reason. A third keeps the decisions there too:
//! no facade file names `Backend::Loom` or `Backend::Shuttle` (a match or a comparison that
//! does one thing for one checker) except the files in [`MATCHES_BACKENDS`], each with its
//! reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first: a file may import its own layer and the ones before it.
const LAYERS: [&str; 5] = ["rt", "flavors", "facade", "check", "report"];

/// Which layer each file is in, by path under `src/` (the first matching prefix wins, so the
/// specific entries come first). A file no entry matches fails the test: a new module must be
/// given its layer here.
const FILE_LAYERS: &[(&str, &str)] = &[
    ("rt/", "rt"),
    // The backend switch (std/loom/shuttle), under the facade that holds its flavors.
    ("flavors/", "flavors"),
    // The tokio runner is `check/tokio_runs.rs`; `tokio_gate/` is the gate async code runs in.
    ("tokio_gate/", "facade"),
    ("report/", "report"),
    ("check/", "check"),
    ("conformance/", "check"),
    ("sync/", "facade"),
    ("cell/", "facade"),
    ("thread/", "facade"),
    ("thread.rs", "facade"),
    ("time/", "facade"),
    ("go/", "facade"),
    ("future/", "facade"),
    ("hint.rs", "facade"),
    ("leak.rs", "facade"),
    // The violation types are the engine's (`rt::violation`); this module re-exports them.
    ("violation.rs", "facade"),
];

/// Upward edges that stay, each with its reason: (importing file, imported file).
const ALLOWED: &[(&str, &str, &str)] = &[];

/// One import from a lower layer into a higher one.
#[derive(Debug, PartialEq, Eq)]
struct Upward {
    file: String,
    line: usize,
    path: String,
    target: String,
    from: &'static str,
    to: &'static str,
}

impl std::fmt::Display for Upward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "src/{}:{}: `{}` imports src/{} (layer {}) from layer {}: a layer may import only \
             its own and lower layers ({}); move what it needs down, or pass it in",
            self.file,
            self.line,
            self.path,
            self.target,
            self.to,
            self.from,
            LAYERS.join(" < ")
        )
    }
}

fn layer_of(file: &str) -> Option<&'static str> {
    FILE_LAYERS
        .iter()
        .find(|(prefix, _)| file.starts_with(prefix))
        .map(|&(_, layer)| layer)
}

fn rank(layer: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == layer)
        .expect("every layer in FILE_LAYERS is in LAYERS")
}

/// `src` with comments, string and char literals blanked (newlines kept, so lines still count).
fn strip_comments_and_strings(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !ident_char(b.get(i.wrapping_sub(1)))
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"')
                .chain((0..hashes).map(|_| '#'))
                .collect();
            let closing: Vec<char> = closing.chars().collect();
            let mut k = j + 1;
            while k < b.len() && !b[k..].starts_with(&closing) {
                k += 1;
            }
            let end = (k + closing.len()).min(b.len());
            b[i..end].iter().for_each(|&c| blank(&mut out, c));
            i = end;
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            if i < b.len() {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == '\'' && (next == Some('\\') || b.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\''); a lifetime ('a) has no closing quote.
            let mut k = i + 1;
            if b.get(k) == Some(&'\\') {
                k += 2;
            } else {
                k += 1;
            }
            while k < b.len() && b[k] != '\'' {
                k += 1;
            }
            let end = (k + 1).min(b.len());
            b[i..end].iter().for_each(|&c| blank(&mut out, c));
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// `code` (comments and strings already blanked) with every `#[cfg(test)]` item blanked: the
/// item after the attribute, up to its `;` or its closing brace.
fn strip_test_items(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let attr: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + attr.len() <= out.len() {
        if out[i..].starts_with(&attr) {
            let mut k = i;
            let mut depth = 0usize;
            let mut opened = false;
            while k < out.len() {
                match out[k] {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth = depth.saturating_sub(1),
                    ';' if !opened => break,
                    _ => {}
                }
                if opened && depth == 0 {
                    break;
                }
                k += 1;
            }
            let end = k.min(out.len() - 1);
            for c in &mut out[i..=end] {
                if *c != '\n' {
                    *c = ' ';
                }
            }
            i = k + 1;
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// The module path of a file under `src/`: `go/chan.rs` is `[go, chan]`, `go/mod.rs` is `[go]`.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Child modules a file declares (`mod x;`, `pub(crate) mod x;`), outside test items.
fn declared_children(code: &str) -> BTreeSet<String> {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ';'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| w[0] == "mod")
        .filter_map(|w| w[1].strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

/// The files that modules map to, and the names the crate root re-exports (`crate::Violation`
/// is `violation`'s).
struct Crate<'a> {
    files: &'a BTreeMap<String, String>,
    root_reexports: BTreeMap<String, Vec<String>>,
}

impl<'a> Crate<'a> {
    fn new(files: &'a BTreeMap<String, String>) -> Crate<'a> {
        let mut root_reexports = BTreeMap::new();
        if let Some(lib) = files.get("lib.rs") {
            let lib = strip_comments_and_strings(lib);
            for stmt in lib.split(';') {
                let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
                    continue;
                };
                let (module, names) = rest.split_once("::").unwrap_or((rest, ""));
                let module: Vec<String> = vec![module.trim().to_owned()];
                for name in names.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                    if !name.is_empty() {
                        root_reexports.insert(name.to_owned(), module.clone());
                    }
                }
            }
        }
        Crate {
            files,
            root_reexports,
        }
    }

    /// The file defining the longest prefix of `module` that is a file.
    fn file_of(&self, module: &[String]) -> Option<String> {
        (1..=module.len()).rev().find_map(|n| {
            let base = module[..n].join("/");
            [format!("{base}.rs"), format!("{base}/mod.rs")]
                .into_iter()
                .find(|f| self.files.contains_key(f))
        })
    }

    /// Every upward import in the crate, minus [`ALLOWED`]; files with no layer are errors.
    fn upward(&self) -> Result<Vec<Upward>, String> {
        let mut found = Vec::new();
        for (file, src) in self.files {
            if file == "lib.rs" || self.is_test_file(file) {
                continue;
            }
            let from = layer_of(file).ok_or_else(|| {
                format!(
                    "src/{file} has no layer: give it one in FILE_LAYERS in tests/suite/layers.rs"
                )
            })?;
            let code = strip_test_items(&strip_comments_and_strings(src));
            let me = module_of(file);
            let children = declared_children(&code);
            for (line, path, target) in self.paths(&code, &me, &children) {
                let Some(target_file) = self.file_of(&target) else {
                    continue;
                };
                if self.is_test_file(&target_file) {
                    continue;
                }
                let to = layer_of(&target_file).ok_or_else(|| {
                    format!("src/{target_file} has no layer: give it one in FILE_LAYERS in tests/suite/layers.rs")
                })?;
                let allowed = ALLOWED
                    .iter()
                    .any(|&(f, t, _)| f == file.as_str() && t == target_file.as_str());
                if rank(to) > rank(from) && !allowed {
                    found.push(Upward {
                        file: file.clone(),
                        line,
                        path,
                        target: target_file,
                        from,
                        to,
                    });
                }
            }
        }
        Ok(found)
    }

    /// Whether `file` is a test module (declared `#[cfg(test)] mod x;` by its parent).
    fn is_test_file(&self, file: &str) -> bool {
        let module = module_of(file);
        let Some((name, parent)) = module.split_last() else {
            return false;
        };
        let Some(parent_file) = self
            .file_of(parent)
            .or_else(|| parent.is_empty().then(|| "lib.rs".to_owned()))
        else {
            return false;
        };
        let parent_src = strip_comments_and_strings(&self.files[&parent_file]);
        let flat: String = parent_src.split_whitespace().collect::<Vec<_>>().join(" ");
        flat.contains(&format!("#[cfg(test)] mod {name};"))
    }

    /// Every path into the crate in `code`: (line, the path as written, the module it names).
    /// A group (`crate::{a, b::c}`, possibly over several lines) gives each member's path.
    fn paths(
        &self,
        code: &str,
        me: &[String],
        children: &BTreeSet<String>,
    ) -> Vec<(usize, String, Vec<String>)> {
        let chars: Vec<char> = code.chars().collect();
        let mut lines = Vec::with_capacity(chars.len());
        let mut line = 1;
        for &c in &chars {
            lines.push(line);
            line += usize::from(c == '\n');
        }
        let line_at = |i: usize| lines[i];
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let preceded = i > 0 && (ident_char(chars.get(i - 1)) || chars[i - 1] == ':');
            if preceded || !(chars[i].is_alphabetic() || chars[i] == '_') {
                i += 1;
                continue;
            }
            let start = i;
            let mut segs = Vec::new();
            let mut group = None;
            loop {
                let s = i;
                while ident_char(chars.get(i)) {
                    i += 1;
                }
                segs.push(chars[s..i].iter().collect::<String>());
                if chars.get(i) != Some(&':') || chars.get(i + 1) != Some(&':') {
                    break;
                }
                let after = chars[i + 2..].iter().position(|c| !c.is_whitespace());
                match after.map(|p| (i + 2 + p, chars[i + 2 + p])) {
                    Some((at, '{')) => {
                        let close = matching_brace(&chars, at);
                        group = Some(chars[at + 1..close].iter().collect::<String>());
                        i = close;
                        break;
                    }
                    Some((at, c)) if c.is_alphabetic() || c == '_' => i = at,
                    _ => break,
                }
            }
            let line = line_at(start);
            let mut push = |path: Vec<String>| {
                if let Some(t) = self.resolve(&path, me, children) {
                    out.push((line, path.join("::"), t));
                }
            };
            match group {
                Some(group) => {
                    for member in split_top_level(&group) {
                        let mut path = segs.clone();
                        path.extend(
                            member
                                .split(['{', ' ', '\n'])
                                .next()
                                .unwrap_or("")
                                .split("::")
                                .map(str::trim)
                                .filter(|s| !s.is_empty() && *s != "self")
                                .map(str::to_owned),
                        );
                        push(path);
                    }
                }
                None if segs.len() > 1 => push(segs),
                None => {}
            }
        }
        out
    }

    /// The crate module a path names, if it names one: `crate::go::chan::Sender` is `[go,
    /// chan, Sender]` (the file lookup takes the longest prefix that is a file).
    fn resolve(
        &self,
        path: &[String],
        me: &[String],
        children: &BTreeSet<String>,
    ) -> Option<Vec<String>> {
        let (head, rest) = path.split_first()?;
        match head.as_str() {
            "crate" => {
                let first = rest.first()?;
                match self.root_reexports.get(first) {
                    Some(module) if !self.is_module(first) => Some(module.clone()),
                    _ => Some(rest.to_vec()),
                }
            }
            "super" => {
                let mut base = me.to_vec();
                base.pop();
                let mut rest = rest;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            "self" => Some(me.iter().chain(rest).cloned().collect()),
            child if children.contains(child) => Some(me.iter().chain(path).cloned().collect()),
            _ => None,
        }
    }

    fn is_module(&self, name: &str) -> bool {
        self.files.contains_key(&format!("{name}.rs"))
            || self.files.contains_key(&format!("{name}/mod.rs"))
    }
}

/// The index of the `}` closing the `{` at `open` (or the end).
fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

/// The members of a `use` group, split at its top-level commas, trimmed.
fn split_top_level(group: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_owned());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_owned());
    out.retain(|m| !m.is_empty());
    out
}

fn read_tree(dir: &Path, root: &Path, files: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_tree(&path, root, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src/");
            let rel = rel.to_string_lossy().replace('\\', "/");
            files.insert(rel, std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

#[test]
fn no_layer_imports_a_higher_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    assert!(
        files.len() > 50,
        "read only {} files under src/",
        files.len()
    );
    let upward = Crate::new(&files)
        .upward()
        .unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<String> = upward.iter().map(ToString::to_string).collect();
    assert!(
        lines.is_empty(),
        "{} upward imports:\n{}",
        lines.len(),
        lines.join("\n")
    );
}

#[test]
fn every_allowed_edge_still_exists() {
    // An allowed edge the code no longer has is stale: drop it, so it cannot hide a new one.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    for &(from, to, why) in ALLOWED {
        assert!(
            files.contains_key(from) && files.contains_key(to),
            "allowed edge src/{from} -> src/{to} names a file that is gone: remove it from \
             ALLOWED ({why})"
        );
        let code = strip_test_items(&strip_comments_and_strings(&files[from]));
        let krate = Crate::new(&files);
        let me = module_of(from);
        let used = krate
            .paths(&code, &me, &declared_children(&code))
            .iter()
            .any(|(_, _, t)| krate.file_of(t).as_deref() == Some(to));
        assert!(
            used,
            "allowed edge src/{from} -> src/{to} is gone: remove it from ALLOWED"
        );
    }
}

fn fake(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|&(p, s)| (p.to_owned(), s.to_owned()))
        .collect()
}

#[test]
fn checker_finds_an_engine_file_importing_the_checkers() {
    let files = fake(&[
        ("lib.rs", "pub mod check;\nmod rt;\npub use rt::Backend;\n"),
        ("check/mod.rs", "pub struct Report;\n"),
        ("rt/mod.rs", "pub enum Backend { Std }\nmod trace;\n"),
        (
            "rt/trace.rs",
            "// crate::check in a comment is fine\n\
             const S: &str = \"crate::check::Report\";\n\
             use crate::check::Report;\n\
             #[cfg(test)]\nmod tests {\n    use crate::check::Report;\n}\n",
        ),
    ]);
    let found = Crate::new(&files).upward().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let u = &found[0];
    assert_eq!(
        (u.file.as_str(), u.line, u.from, u.to),
        ("rt/trace.rs", 3, "rt", "check")
    );
    assert_eq!(u.target, "check/mod.rs");
    let msg = u.to_string();
    assert!(
        msg.starts_with("src/rt/trace.rs:3: `crate::check::Report` imports"),
        "{msg}"
    );
    assert!(msg.contains("(layer check) from layer rt"), "{msg}");
}

#[test]
fn checker_follows_super_groups_children_and_root_reexports() {
    let files = fake(&[
        (
            "lib.rs",
            "pub mod go;\npub mod check;\nmod rt;\npub use check::Report;\n",
        ),
        ("check/mod.rs", "pub struct Report;\n"),
        ("check/trace.rs", "pub struct Trace;\n"),
        (
            "go/mod.rs",
            "mod chan;\npub(crate) mod runner;\nuse runner::Run;\n",
        ),
        ("go/runner.rs", "use crate::{rt, check::Report};\n"),
        (
            "go/chan.rs",
            "use super::super::check::trace::Trace;\nfn f() -> crate::Report { todo!() }\n",
        ),
        ("rt/mod.rs", "use crate::go;\n"),
    ]);
    let mut found: Vec<(String, usize, &str)> = Crate::new(&files)
        .upward()
        .unwrap()
        .into_iter()
        .map(|u| (u.file, u.line, u.to))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("go/chan.rs".to_owned(), 1, "check"),
            ("go/chan.rs".to_owned(), 2, "check"),
            ("go/runner.rs".to_owned(), 1, "check"),
            ("rt/mod.rs".to_owned(), 1, "facade"),
        ]
    );
}

#[test]
fn checker_refuses_a_file_with_no_layer() {
    let files = fake(&[("lib.rs", "mod newthing;\n"), ("newthing.rs", "")]);
    let err = Crate::new(&files).upward().unwrap_err();
    assert!(err.contains("src/newthing.rs has no layer"), "{err}");
}

#[test]
fn checker_keeps_lifetimes_and_blanks_char_literals() {
    let code =
        strip_comments_and_strings("fn f<'a>(x: &'a str) -> char { '\"' }\nuse crate::check;");
    assert!(code.contains("'a"), "{code}");
    assert!(code.contains("use crate::check;"), "{code}");
}

/// Facade files that still name loom or shuttle paths themselves, each with its reason. Every
/// other facade file goes through `src/flavors/`.
const NAMES_BACKENDS: &[(&str, &str)] = &[
    (
        "cell/unsafe_cell.rs",
        "moved later: the UnsafeCell's model half is being shrunk in its own change",
    ),
    (
        "cell/race.rs",
        "moved later with cell/unsafe_cell.rs: reads shuttle's vector clocks to find races",
    ),
    (
        "thread/local.rs",
        "public: LocalKey carries the three backends' keys, which thread_local! builds in the \
         user's crate",
    ),
];

/// The loom or shuttle paths `code` (comments and strings blanked) names, with their lines.
fn backend_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for name in ["loom::", "shuttle::", "shuttle_engine::"] {
            let mut from = 0;
            while let Some(i) = line[from..].find(name) {
                let at = from + i;
                let before = line[..at].chars().next_back();
                if !ident_char(before.as_ref()) {
                    found.push((n + 1, name.to_owned()));
                }
                from = at + name.len();
            }
        }
    }
    found
}

/// Every facade file that names a backend path and is not in [`NAMES_BACKENDS`].
fn facade_naming_backends(files: &BTreeMap<String, String>) -> Vec<String> {
    let mut bad = Vec::new();
    for (file, src) in files {
        if layer_of(file) != Some("facade") || NAMES_BACKENDS.iter().any(|(f, _)| f == file) {
            continue;
        }
        let code = strip_test_items(&strip_comments_and_strings(src));
        for (line, name) in backend_paths(&code) {
            bad.push(format!(
                "src/{file}:{line}: names `{name}` in the facade: the std/loom/shuttle switch \
                 lives in src/flavors/; add or use a flavor there"
            ));
        }
    }
    bad
}

#[test]
fn no_facade_file_names_loom_or_shuttle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    let bad = facade_naming_backends(&files);
    assert!(
        bad.is_empty(),
        "{} backend paths in the facade:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // An allowed file that no longer names a backend is stale: drop it, so it cannot hide one.
    for &(file, why) in NAMES_BACKENDS {
        let src = files
            .get(file)
            .unwrap_or_else(|| panic!("NAMES_BACKENDS names src/{file}, which is gone ({why})"));
        let code = strip_test_items(&strip_comments_and_strings(src));
        assert!(
            !backend_paths(&code).is_empty(),
            "src/{file} no longer names loom or shuttle: remove it from NAMES_BACKENDS ({why})"
        );
    }
}

#[test]
fn backend_check_finds_a_facade_file_naming_loom() {
    let files = fake(&[
        (
            "sync/mutex.rs",
            "// loom::sync::Mutex in a comment\nconst S: &str = \"shuttle::x\";\n\
             enum M { Loom(loom::sync::Mutex<()>) }\n",
        ),
        (
            "flavors/lock.rs",
            "enum M { Loom(loom::sync::Mutex<()>) }\n",
        ),
        ("rt/mod.rs", "use shuttle_engine::current;\n"),
        (
            "hint.rs",
            "fn f() -> u64 { my_loom::x() + ::shuttle_engine::y() }\n",
        ),
    ]);
    assert_eq!(
        facade_naming_backends(&files),
        [
            "src/hint.rs:1: names `shuttle_engine::` in the facade: the std/loom/shuttle \
             switch lives in src/flavors/; add or use a flavor there",
            "src/sync/mutex.rs:3: names `loom::` in the facade: the std/loom/shuttle switch \
             lives in src/flavors/; add or use a flavor there",
        ]
    );
}

/// Facade files that still decide on `Backend::Loom` or `Backend::Shuttle` themselves, each
/// with its reason. Every other facade file asks a flavor.
const MATCHES_BACKENDS: &[(&str, &str)] = &[
    (
        "cell/unsafe_cell.rs",
        "moved later with its loom and shuttle types (NAMES_BACKENDS)",
    ),
    (
        "thread/local.rs",
        "public: LocalKey picks one of the three backends' keys it carries (NAMES_BACKENDS)",
    ),
    (
        "thread.rs",
        "the engine's loom rules, not a backend call: a panic escaping a loom task fails the \
         execution (rt::loom_failed), a caught loom failure is raised again (rt::loom_goes_on), \
         and loom's thread limit is counted from the registry",
    ),
    (
        "time/clock.rs",
        "std gets the real clock and both checkers the virtual one: no backend is called",
    ),
    (
        "hint.rs",
        "std spins and both checkers yield through the facade's thread::yield_now, which also \
         marks the task running: no backend is called here",
    ),
];

/// The lines of `code` (comments and strings blanked) that name `Backend::Loom` or
/// `Backend::Shuttle`.
fn backend_matches(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for name in ["Backend::Loom", "Backend::Shuttle"] {
            let mut from = 0;
            while let Some(i) = line[from..].find(name) {
                let at = from + i;
                let before = line[..at].chars().next_back();
                let after = line[at + name.len()..].chars().next();
                if !ident_char(before.as_ref()) && !ident_char(after.as_ref()) {
                    found.push((n + 1, name.to_owned()));
                }
                from = at + name.len();
            }
        }
    }
    found
}

/// Every facade file that decides on loom or shuttle and is not in [`MATCHES_BACKENDS`].
fn facade_matching_backends(files: &BTreeMap<String, String>) -> Vec<String> {
    let mut bad = Vec::new();
    for (file, src) in files {
        if layer_of(file) != Some("facade") || MATCHES_BACKENDS.iter().any(|(f, _)| f == file) {
            continue;
        }
        let code = strip_test_items(&strip_comments_and_strings(src));
        for (line, name) in backend_matches(&code) {
            bad.push(format!(
                "src/{file}:{line}: decides on `{name}` in the facade: what differs between \
                 std, loom and shuttle lives in src/flavors/; add or use a flavor method there"
            ));
        }
    }
    bad
}

#[test]
fn no_facade_file_matches_on_loom_or_shuttle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    let bad = facade_matching_backends(&files);
    assert!(
        bad.is_empty(),
        "{} backend decisions in the facade:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // An allowed file that no longer decides on a backend is stale: drop it.
    for &(file, why) in MATCHES_BACKENDS {
        let src = files
            .get(file)
            .unwrap_or_else(|| panic!("MATCHES_BACKENDS names src/{file}, which is gone ({why})"));
        let code = strip_test_items(&strip_comments_and_strings(src));
        assert!(
            !backend_matches(&code).is_empty(),
            "src/{file} no longer names Backend::Loom or Backend::Shuttle: remove it from \
             MATCHES_BACKENDS ({why})"
        );
    }
}

#[test]
fn backend_match_check_finds_a_facade_file_deciding_on_loom() {
    let files = fake(&[
        (
            "go/choice.rs",
            "// Backend::Loom in a comment\nconst S: &str = \"Backend::Shuttle\";\n\
             fn f() -> bool { rt::backend() != Backend::Loom }\n\
             fn g(b: Backend) -> bool { b == Backend::LoomLike || b == Backend::Std }\n",
        ),
        (
            "flavors/random.rs",
            "fn f() -> bool { rt::backend() != Backend::Loom }\n",
        ),
        (
            "rt/mod.rs",
            "fn f(b: Backend) -> bool { b == Backend::Shuttle }\n",
        ),
    ]);
    assert_eq!(
        facade_matching_backends(&files),
        [
            "src/go/choice.rs:3: decides on `Backend::Loom` in the facade: what differs between \
          std, loom and shuttle lives in src/flavors/; add or use a flavor method there"
        ]
    );
}
