//! What a blocked task waits on, kept as data and formatted only when a report is built.
//!
//! Under a checker every blocking call (each `Mutex::lock`, each condvar wait) marks its task
//! blocked, and almost none of those marks is ever read: formatting the description there cost
//! a fifth of concheck's time per shuttle execution (BENCHMARKS.md, `model_overhead`). An
//! [`Object`] is a `&'static str`, a `Location` and at most a shared name, so marking is a copy;
//! [`Object`]'s `Display` writes the same text the eager labels did. [`TaskName`] does the same
//! for the registry's name of every task (`task-3`), read only by reports.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// A primitive or task a blocking call waits on; see the [module docs](self).
#[derive(Clone, Debug)]
pub(crate) enum Object {
    /// `{what} created at {at}`, e.g. `mutex created at src/lib.rs:3:13`.
    Created {
        what: &'static str,
        at: &'static Location<'static>,
    },
    /// `{what} '{name}' (created at {at})`, e.g. a named channel.
    Named {
        what: &'static str,
        name: Arc<str>,
        at: &'static Location<'static>,
    },
    /// A select: `[recv on {object}, done of {object}]`, one entry per case.
    Select(Vec<(&'static str, Object)>),
    /// A task to join, by registry number and the name its spawn gave: `task #{id} '{name}'`,
    /// `task #{id}`, or `a task` outside a checker run.
    Task(Option<usize>, Option<String>),
    /// Formatted by the caller.
    Text(String),
}

impl Object {
    /// `{what} created at {at}`.
    pub(crate) fn created(what: &'static str, at: &'static Location<'static>) -> Object {
        Object::Created { what, at }
    }

    /// `{what} '{name}' (created at {at})` when named, else `{what} created at {at}`.
    pub(crate) fn named(
        what: &'static str,
        name: Option<&Arc<str>>,
        at: &'static Location<'static>,
    ) -> Object {
        match name {
            Some(name) => Object::Named {
                what,
                name: Arc::clone(name),
                at,
            },
            None => Object::Created { what, at },
        }
    }
}

/// What a report calls a task: the name its spawn gave, or `task-{id}`.
#[derive(Clone, Debug)]
pub(crate) enum TaskName {
    /// The checked body itself.
    Main,
    /// Unnamed: `task-{id}`.
    Numbered(usize),
    Given(String),
}

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskName::Main => f.write_str("main"),
            TaskName::Numbered(id) => write!(f, "task-{id}"),
            TaskName::Given(name) => f.write_str(name),
        }
    }
}

/// A source location as reports print it ([`crate::rt::violation::Site`]'s format).
struct At(&'static Location<'static>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.0.file(), self.0.line(), self.0.column())
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Object::Created { what, at } => write!(f, "{what} created at {}", At(at)),
            Object::Named { what, name, at } => {
                write!(f, "{what} '{name}' (created at {})", At(at))
            }
            Object::Select(cases) => {
                f.write_str("[")?;
                for (i, (op, object)) in cases.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{op} {object}")?;
                }
                f.write_str("]")
            }
            Object::Task(Some(id), Some(name)) => write!(f, "task #{id} '{name}'"),
            Object::Task(Some(id), None) => write!(f, "task #{id}"),
            Object::Task(None, _) => f.write_str("a task"),
            Object::Text(text) => f.write_str(text),
        }
    }
}

impl Object {
    /// Where the object was created, when it knows.
    pub(crate) fn created_at(&self) -> Option<&'static Location<'static>> {
        match self {
            Object::Created { at, .. } | Object::Named { at, .. } => Some(at),
            _ => None,
        }
    }

    /// The short form a trace table uses: `channel 'results'`, `mutex @ pool.rs:12`, `task
    /// 'worker'`; the full form is the `Display` one.
    pub(crate) fn short(&self) -> String {
        fn base(at: &Location<'_>) -> String {
            let file = at.file().rsplit(['/', '\\']).next().unwrap_or(at.file());
            format!("{file}:{}", at.line())
        }
        match self {
            Object::Created { what, at } => format!("{what} @ {}", base(at)),
            Object::Named { what, name, .. } => format!("{what} '{name}'"),
            Object::Select(cases) => {
                let parts: Vec<String> = cases.iter().map(|(_, o)| o.short()).collect();
                format!("[{}]", parts.join(", "))
            }
            Object::Task(Some(_), Some(name)) => format!("task '{name}'"),
            Object::Task(Some(id), None) => format!("task-{id}"),
            Object::Task(None, _) => "a task".to_owned(),
            Object::Text(text) => text.clone(),
        }
    }
}

impl From<String> for Object {
    fn from(text: String) -> Object {
        Object::Text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::violation::Site;

    #[test]
    fn object_reads_as_the_eager_labels_did() {
        let at = Location::caller();
        let site = Site::from(at);
        assert_eq!(
            Object::created("mutex", at).to_string(),
            format!("mutex created at {site}")
        );
        let name: Arc<str> = Arc::from("results");
        assert_eq!(
            Object::named("channel", Some(&name), at).to_string(),
            format!("channel 'results' (created at {site})")
        );
        assert_eq!(
            Object::named("channel", None, at).to_string(),
            format!("channel created at {site}")
        );
        let select = Object::Select(vec![
            ("recv on", Object::named("channel", Some(&name), at)),
            ("done of", Object::Text("context created at x".to_owned())),
        ]);
        assert_eq!(
            Object::Task(Some(2), Some("worker".to_owned())).to_string(),
            "task #2 'worker'"
        );
        assert_eq!(Object::Task(Some(2), None).to_string(), "task #2");
        assert_eq!(Object::Task(None, None).to_string(), "a task");
        assert_eq!(TaskName::Numbered(3).to_string(), "task-3");
        assert_eq!(TaskName::Main.to_string(), "main");
        assert_eq!(
            select.to_string(),
            format!(
                "[recv on channel 'results' (created at {site}), done of context created at x]"
            )
        );
    }
}
