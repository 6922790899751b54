//! `thread_local!` and [`LocalKey`]: a value per task under loom and shuttle, per OS thread on
//! std.
//!
//! The checkers run every task of an execution on threads they control (loom and shuttle switch
//! tasks on their own terms), so std's `thread_local!` would hand tasks of one execution each
//! other's values and carry them into the next execution. [`thread_local!`](crate::thread_local)
//! declares one key with three slots and [`LocalKey::with`] picks the one for the runner active
//! now: loom's thread-locals under loom, shuttle's under shuttle (each task gets a fresh value
//! from the initialiser, dropped when the task ends, as loom's `thread_local!` does), std's on
//! std. While a failed loom execution unwinds (loom can no longer be asked), `with` reads the
//! std slot of the OS thread.

use std::fmt;

use crate::rt::{self, Backend};

/// A key to a per-task value declared with [`thread_local!`](crate::thread_local); see
/// [`std::thread::LocalKey`].
pub struct LocalKey<T: 'static> {
    #[doc(hidden)]
    pub std: std::thread::LocalKey<T>,
    #[doc(hidden)]
    pub loom: loom::thread::LocalKey<T>,
    #[doc(hidden)]
    pub shuttle: shuttle::thread::LocalKey<T>,
}

/// What [`LocalKey::try_with`] returns when the task's value was already destroyed (a
/// destructor running at the task's end reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError;

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("already destroyed")
    }
}

impl std::error::Error for AccessError {}

impl<T: 'static> LocalKey<T> {
    /// Runs `f` on the running task's value, built by the initialiser on its first access.
    ///
    /// # Panics
    ///
    /// If the value was already destroyed (see [`LocalKey::try_with`]).
    pub fn with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(AccessError) => panic!(
                "a thread_local! value was read after it was destroyed at its task's end; read \
                 it with try_with in destructors"
            ),
        }
    }

    /// [`LocalKey::with`], or `Err` if the task's value was already destroyed.
    pub fn try_with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> Result<R, AccessError> {
        match rt::backend() {
            Backend::Loom if rt::loom_callable() => self.loom.try_with(f).map_err(|_| AccessError),
            Backend::Shuttle => self.shuttle.try_with(f).map_err(|_| AccessError),
            Backend::Std | Backend::Loom => self.std.try_with(f).map_err(|_| AccessError),
        }
    }
}

impl<T: 'static> LocalKey<std::cell::Cell<T>> {
    /// Sets the running task's value.
    pub fn set(&'static self, value: T) {
        self.with(|cell| cell.set(value));
    }

    /// The running task's value, copied.
    pub fn get(&'static self) -> T
    where
        T: Copy,
    {
        self.with(std::cell::Cell::get)
    }

    /// Replaces the running task's value, returning the old one.
    pub fn replace(&'static self, value: T) -> T {
        self.with(|cell| cell.replace(value))
    }
}

impl<T: 'static> LocalKey<std::cell::RefCell<T>> {
    /// Runs `f` on a shared borrow of the running task's value.
    pub fn with_borrow<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        self.with(|cell| f(&cell.borrow()))
    }

    /// Runs `f` on a mutable borrow of the running task's value.
    pub fn with_borrow_mut<F: FnOnce(&mut T) -> R, R>(&'static self, f: F) -> R {
        self.with(|cell| f(&mut cell.borrow_mut()))
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

/// Declares per-task values, as std's and loom's `thread_local!`: each task (each OS thread on
/// std) gets its own, built by the initialiser on first access; see [`LocalKey`].
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
///
/// concheck::thread_local! {
///     static DEPTH: Cell<u32> = Cell::new(0);
/// }
///
/// DEPTH.with(|d| d.set(d.get() + 1));
/// assert_eq!(DEPTH.get(), 1);
/// ```
#[macro_export]
macro_rules! thread_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => (
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    );
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }) => (
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
    );
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => (
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
        $crate::thread_local!($($rest)*);
    );
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr) => (
        $crate::__thread_local_inner!($(#[$attr])* $vis $name, $t, $init);
    );
}

/// One key of [`thread_local!`]: its std, loom and shuttle slots.
#[doc(hidden)]
#[macro_export]
macro_rules! __thread_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty, $init:expr) => {
        $(#[$attr])* $vis static $name: $crate::thread::LocalKey<$t> = $crate::thread::LocalKey {
            std: {
                ::std::thread_local!(static STD: $t = $init);
                STD
            },
            loom: $crate::__private::loom::thread::LocalKey {
                init: (|| $init) as fn() -> $t,
                _p: ::std::marker::PhantomData,
            },
            shuttle: $crate::__private::shuttle::thread::LocalKey {
                init: (|| $init) as fn() -> $t,
                _p: ::std::marker::PhantomData,
            },
        };
    };
}
