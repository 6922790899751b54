//! The backend switch: the only place the facade names loom and shuttle types.
//!
//! Every facade primitive (`sync::Mutex`, `sync::Condvar`, the atomics, `thread`...) is built
//! for one backend, std, loom or shuttle, chosen once from [`rt::construction_backend`] when it
//! is constructed. What differs between the backends lives here, one file per kind of backend
//! primitive, in the style of crossbeam-channel's `flavors/`: each is an enum `Std` / `Loom` /
//! `Shuttle` built once, with the methods the facade calls. The facade keeps what every backend
//! shares (data locks, the registry's blocking marks and holds, coverage, reports) and never
//! matches on a backend's type itself.
//!
//! - [`lock`]: the model lock under a `Mutex` or an `RwLock`, and [`lock::Guard`], the one guard
//!   of every model lock, which applies the one rule for releasing a lock while the thread
//!   unwinds.
//! - [`atomic`]: the atomics, with their operations as values ([`atomic::Rmw`]) so the facade
//!   names no backend type.
//! - [`condvar`]: the condition variable, waiting with a [`lock::Guard`].
//! - [`fence`]: the memory fence of the running backend.
//! - [`random`]: the randomness a backend gives a program's own choices (`select`).
//! - [`thread`]: spawning and joining threads, park handles, task ids, `park`, `yield_now`, the
//!   virtual clock's driver thread.
//!
//! This layer sits on `rt` and under the facade: it imports nothing of the facade
//! (`tests/suite/layers.rs` checks both, and that no facade file outside it names loom or
//! shuttle).
//!
//! [`rt::construction_backend`]: crate::rt::construction_backend

pub(crate) mod atomic;
pub(crate) mod condvar;
pub(crate) mod fence;
pub(crate) mod lock;
pub(crate) mod random;
pub(crate) mod thread;
