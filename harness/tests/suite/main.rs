//! The integration tests of the main command, one module per subject, in one test binary (one link
//! instead of one per file). Run one subject with `cargo test -p concheck-harness --test suite <module>::`.

mod cli_errors;
mod coverage_growth;
mod fuzz_cli;
mod html;
mod merge;
mod readme_figures;
mod replay_cli;
