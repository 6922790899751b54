//! Helpers shared by the suite's modules.

use concheck_scenarios::{catalog, Scenario};

/// The catalog's scenario called `name`.
pub(crate) fn scenario(name: &str) -> Scenario {
    catalog()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name} in the catalog"))
}
