//! The scenario catalog.
