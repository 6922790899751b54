//! What a blocked task waits on, kept as data and formatted only when a report is built.
//!
//! Under a checker every blocking call (each `Mutex::lock`, each condvar wait) marks its task
//! blocked, and almost none of those marks is ever read: formatting the description there cost
//! a fifth of concheck's time per shuttle execution (BENCHMARKS.md, `model_overhead`). An
//! [`Object`] is a `&'static str`, a `Location` and at most a shared name, so marking is a copy;
//! [`Object`]'s `Display` writes the same text the eager labels did.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// A primitive or task a blocking call waits on; see the [module docs](self).
#[derive(Clone, Debug)]
pub enum Object {
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
    /// Formatted by the caller.
    Text(String),
}

impl Object {
    /// `{what} created at {at}`.
    pub fn created(what: &'static str, at: &'static Location<'static>) -> Object {
        Object::Created { what, at }
    }

    /// `{what} '{name}' (created at {at})` when named, else `{what} created at {at}`.
    pub fn named(
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

/// A source location as reports print it ([`crate::violation::Site`]'s format).
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
            Object::Text(text) => f.write_str(text),
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
    use crate::violation::Site;

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
            select.to_string(),
            format!(
                "[recv on channel 'results' (created at {site}), done of context created at x]"
            )
        );
    }
}
