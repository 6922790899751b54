//! `cell::UnsafeCell` with loom's `with`/`with_mut` API and data-race detection.
//!
//! loom's `UnsafeCell` hands its closures a raw pointer and checks that no two accesses race.
//! This one has the same shape and runs one body under every backend:
//!
//! - under loom, loom's own `UnsafeCell` tracks every access, weak memory included; a race it
//!   finds is reported as [`ViolationKind::DataRace`](crate::ViolationKind::DataRace), naming
//!   this access and the last conflicting one with their tasks and sites;
//! - under shuttle, each access is checked against the last write (and, for a write, the reads
//!   since) with shuttle's vector clocks: an access not ordered after a conflicting one by the
//!   facade's synchronisation (locks, condvars, channels, joins, spawns, atomics, all of which
//!   shuttle treats as sequentially consistent) is the same violation;
//! - on std it is a cell behind a `RwLock`: no detection (a race there is undefined behaviour
//!   the checkers exist to find first), and concurrent accesses serialise instead of racing.
//!
//! The crate forbids `unsafe`, so the pointer comes from a guard of that `RwLock`: creating a raw
//! pointer is safe, dereferencing it is the caller's `unsafe`, as with loom. The pointer is valid
//! for the closure's duration only.

mod race;
mod unsafe_cell;

pub use unsafe_cell::UnsafeCell;
