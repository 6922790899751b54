//! Reports' forms, the top layer: text ([`Report`]'s `Display`), HTML ([`Report::to_html`], [`Report::write_html`]), JSON (serde on
//! the data) and the merge of shards' reports ([`merge_shards`]). They read what the checkers
//! built (`check::Report`, built once by `check::runner`'s finish step) and never build a
//! verdict themselves.

use std::fmt;

mod html;
mod merge;

pub use merge::merge_shards;

use crate::check::thousands;
pub use crate::check::{completeness_label, Completeness, Outcome, Report};

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.checker)?;
        if let Some(shard) = self.shard {
            write!(f, " [shard {shard}]")?;
        }
        if let Outcome::Skipped { reason } = &self.outcome {
            return write!(f, ": skipped: {reason}");
        }
        write!(
            f,
            ": {} after {} iterations in {:.3}s ({}",
            self.outcome_label(),
            self.iterations,
            self.elapsed.as_secs_f64(),
            self.search_label()
        )?;
        if let Some(c) = &self.coverage {
            write!(f, "; coverage: {c}")?;
        }
        writeln!(f, ")")?;
        if let Some(a) = &self.allowed_leaks {
            writeln!(
                f,
                "allowed leak (Check::allow_leak) in {} execution{}, first: {}",
                a.executions,
                if a.executions == 1 { "" } else { "s" },
                a.first
            )?;
        }
        if let Some(v) = self.violation() {
            write!(f, "{v}")?;
            if !v.sites.is_empty() {
                let sites: Vec<String> = v.sites.iter().map(ToString::to_string).collect();
                write!(f, "\n  sites: {}", sites.join(", "))?;
            }
            if let Some(s) = &self.shrunk {
                write!(f, "\n  shrunk: {s}")?;
            }
            if let Some(trace) = &self.trace {
                if let Some(cause) = crate::check::explain::cause(trace, v) {
                    write!(f, "\n  cause: {cause}")?;
                }
                if let Some(table) = crate::check::explain::table(trace, v) {
                    write!(f, "\n  interleaving ({} steps in all):", trace.steps.len())?;
                    for line in table.lines() {
                        write!(f, "\n    {line}")?;
                    }
                }
            }
            if let Some(r) = &self.replay {
                write!(f, "\n  replay: {r}")?;
            }
        }
        Ok(())
    }
}
