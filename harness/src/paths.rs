//! The report paths (`--json`, `--markdown`, `--html`) checked before any check runs, so a
//! typo in a path fails in a millisecond instead of after a full run.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use crate::cli::ReportFiles;

/// Checks every path given: a file's directory exists and takes new files, an existing file
/// can be written, an HTML directory is not a file. The error is one line naming the option,
/// the path and what to do.
pub(crate) fn validate(files: &ReportFiles) -> Result<(), String> {
    if let Some(path) = &files.json {
        validate_file("--json", path)?;
    }
    if let Some(path) = &files.markdown {
        validate_file("--markdown", path)?;
    }
    if let Some(dir) = &files.html {
        validate_dir("--html", dir)?;
    }
    Ok(())
}

/// The directory a relative or absolute path lives in (`report.json` lives in `.`).
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn validate_file(option: &str, path: &Path) -> Result<(), String> {
    let shown = path.display();
    if path.is_dir() {
        return Err(format!(
            "{option} {shown} is a directory: give the path of a file to write"
        ));
    }
    if path.exists() {
        // Opened for writing without truncating: an existing report is only replaced at the end.
        return OpenOptions::new()
            .write(true)
            .open(path)
            .map(drop)
            .map_err(|e| {
                format!("{option} {shown} cannot be written ({e}): give a path you can write")
            });
    }
    writable_dir(option, path, &parent(path))
}

fn validate_dir(option: &str, dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    if dir.is_dir() {
        return writable_dir(option, dir, dir);
    }
    if dir.exists() {
        return Err(format!(
            "{option} {shown} is a file, not a directory: give a directory (it is created if \
             missing) or remove the file"
        ));
    }
    // Created at the end, with any missing parents: the nearest existing ancestor must take it.
    let mut ancestor = parent(dir);
    while !ancestor.exists() {
        match ancestor.parent() {
            Some(p) if !p.as_os_str().is_empty() => ancestor = p.to_owned(),
            _ => ancestor = PathBuf::from("."),
        }
    }
    if !ancestor.is_dir() {
        return Err(format!(
            "{option} {shown} is under {}, which is a file: give a path under a directory",
            ancestor.display()
        ));
    }
    writable_dir(option, dir, &ancestor)
}

/// Whether `dir` exists as a directory and a file can be created in it (by creating and
/// removing one: permission bits do not tell, e.g. on a read-only mount or as root).
fn writable_dir(option: &str, path: &Path, dir: &Path) -> Result<(), String> {
    let shown = path.display();
    if !dir.is_dir() {
        return Err(format!(
            "{option} {shown}: the directory {} does not exist: create it or give another path",
            dir.display()
        ));
    }
    let probe = dir.join(format!(".concheck-write-probe-{}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!(
            "{option} {shown}: cannot create files in {} ({e}): give a directory you can write",
            dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(json: Option<&Path>, html: Option<&Path>) -> ReportFiles {
        ReportFiles {
            json: json.map(Path::to_owned),
            markdown: None,
            html: html.map(Path::to_owned),
        }
    }

    #[test]
    fn a_missing_directory_and_a_file_as_html_are_refused() {
        let tmp = std::env::temp_dir().join(format!("concheck-paths-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        let file = tmp.join("a-file");
        std::fs::write(&file, "x").unwrap();

        assert!(validate(&files(Some(&tmp.join("r.json")), None)).is_ok());
        assert!(validate(&files(None, Some(&tmp.join("new/pages")))).is_ok());
        assert!(validate(&files(None, Some(&tmp))).is_ok());
        let err = validate(&files(Some(&tmp.join("nope/r.json")), None)).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        let err = validate(&files(None, Some(&file))).unwrap_err();
        assert!(err.contains("is a file, not a directory"), "{err}");
        let err = validate(&files(None, Some(&file.join("pages")))).unwrap_err();
        assert!(err.contains("which is a file"), "{err}");
        let err = validate(&files(Some(&tmp), None)).unwrap_err();
        assert!(err.contains("is a directory"), "{err}");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
