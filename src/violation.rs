//! The violation types, where the facade and the checkers name them.
//!
//! The engine produces violations, so they are defined in it (`rt::violation`); this module
//! re-exports them so the layers above write `crate::violation::Site` and users see them at the
//! crate root (`concheck::Violation`, `concheck::ViolationKind`, ...).

pub use crate::rt::violation::{Site, TaskInfo, TaskState, Violation, ViolationKind};
