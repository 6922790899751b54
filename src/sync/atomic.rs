//! Atomics backed by std, loom or shuttle.
//!
//! Orderings are passed through unchanged: loom explores the weak-memory behaviours they allow,
//! shuttle treats every access as sequentially consistent (it does not model weak memory).
//!
//! The backend atomics and their operations are in `flavors::atomic` (a loom atomic keeps a
//! std shadow there, for when loom may not be called); this module is the public face.
//!
//! On std these are std atomics behind one enum match; unlike the locks they do not check that
//! they are used under the runner that built them (a check would cost more than the operation).

use std::fmt;
pub use std::sync::atomic::Ordering;

use crate::flavors::atomic::{self as flavors, BoolRmw, Rmw};
use crate::rt::{self, Backend};

macro_rules! facade_int_ops {
    ($name:ident, $prim:ty) => {
        impl $name {
            /// Mutable access to the value through `&mut self`, which proves no other task
            /// holds the atomic (loom's `with_mut`, on the integer types as in loom; std's
            /// `get_mut` in closure form). Under loom the access is loom's own, so one that
            /// races a concurrent atomic access is reported as loom reports it; a drop that
            /// reads its state this way needs it.
            #[track_caller]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $prim) -> R) -> R {
                self.inner.with_mut(f)
            }

            /// Adds to the value (wrapping), returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_add(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Add(v), order, self)
            }

            /// Subtracts from the value (wrapping), returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_sub(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Sub(v), order, self)
            }

            /// Stores the minimum of the value and `v`, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_min(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Min(v), order, self)
            }

            /// Bitwise and with the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_and(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::And(v), order, self)
            }

            /// Bitwise or with the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_or(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Or(v), order, self)
            }

            /// Bitwise xor with the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_xor(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Xor(v), order, self)
            }

            /// Stores the maximum of the value and `v`, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_max(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Max(v), order, self)
            }

            /// Stores a value.
            #[track_caller]
            #[inline]
            pub fn store(&self, v: $prim, order: Ordering) {
                self.inner.rmw(Rmw::Store(v), order, self);
            }

            /// Stores a value, returning the previous one.
            #[track_caller]
            #[inline]
            pub fn swap(&self, v: $prim, order: Ordering) -> $prim {
                self.inner.rmw(Rmw::Swap(v), order, self)
            }
        }
    };
}

macro_rules! facade_atomic {
    ($(#[$doc:meta])* $name:ident, $prim:ty) => {
        $(#[$doc])*
        pub struct $name {
            inner: flavors::$name,
        }

        impl rt::coverage::Traced for $name {
            fn traced(&self) -> rt::Object {
                rt::Object::Text(stringify!($name).to_owned())
            }
        }

        impl $name {
            /// A new atomic for the backend of the current runner.
            pub fn new(v: $prim) -> Self {
                $name { inner: flavors::$name::new(v) }
            }

            /// The backend this atomic was built for.
            pub fn backend(&self) -> Backend {
                self.inner.backend()
            }

            /// Loads the value.
            #[track_caller]
            #[inline]
            pub fn load(&self, order: Ordering) -> $prim {
                self.inner.load(order, self)
            }

            /// Stores `new` if the value is `current`; returns the previous value either way.
            #[track_caller]
            #[inline]
            pub fn compare_exchange(
                &self,
                current: $prim,
                new: $prim,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$prim, $prim> {
                self.inner.compare_exchange((current, new), (success, failure), self)
            }

            /// [`Self::compare_exchange`]; like loom and shuttle, never fails spuriously, so a
            /// checker explores the same schedules as for the strong form.
            #[track_caller]
            #[inline]
            pub fn compare_exchange_weak(
                &self,
                current: $prim,
                new: $prim,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$prim, $prim> {
                self.compare_exchange(current, new, success, failure)
            }

            /// Applies `f` until its result is stored by a compare-exchange; returns the previous
            /// value, or `Err` with the current one once `f` returns `None`.
            #[track_caller]
            pub fn fetch_update(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                mut f: impl FnMut($prim) -> Option<$prim>,
            ) -> Result<$prim, $prim> {
                let mut prev = self.load(fetch_order);
                while let Some(next) = f(prev) {
                    match self.compare_exchange_weak(prev, next, set_order, fetch_order) {
                        Ok(x) => return Ok(x),
                        Err(now) => prev = now,
                    }
                }
                Err(prev)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new(Default::default())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).field("backend", &self.backend()).finish_non_exhaustive()
            }
        }
    };
}

mod bool_impl {
    use super::*;
    facade_atomic!(
        /// A boolean shared between tasks.
        AtomicBool, bool
    );

    impl AtomicBool {
        /// Stores a value.
        #[track_caller]
        #[inline]
        pub fn store(&self, v: bool, order: Ordering) {
            self.inner.rmw(BoolRmw::Store(v), order, self);
        }

        /// Stores a value, returning the previous one.
        #[track_caller]
        #[inline]
        pub fn swap(&self, v: bool, order: Ordering) -> bool {
            self.inner.rmw(BoolRmw::Swap(v), order, self)
        }

        /// Logical or with the value, returning the previous value.
        #[track_caller]
        #[inline]
        pub fn fetch_or(&self, v: bool, order: Ordering) -> bool {
            self.inner.rmw(BoolRmw::Or(v), order, self)
        }

        /// Logical and with the value, returning the previous value.
        #[track_caller]
        #[inline]
        pub fn fetch_and(&self, v: bool, order: Ordering) -> bool {
            self.inner.rmw(BoolRmw::And(v), order, self)
        }
    }
}

mod usize_impl {
    use super::*;
    facade_atomic!(
        /// A `usize` shared between tasks.
        AtomicUsize, usize
    );
    facade_int_ops!(AtomicUsize, usize);
}

mod isize_impl {
    use super::*;
    facade_atomic!(
        /// An `isize` shared between tasks.
        AtomicIsize, isize
    );
    facade_int_ops!(AtomicIsize, isize);
}

mod u8_impl {
    use super::*;
    facade_atomic!(
        /// A `u8` shared between tasks.
        AtomicU8, u8
    );
    facade_int_ops!(AtomicU8, u8);
}

mod u16_impl {
    use super::*;
    facade_atomic!(
        /// A `u16` shared between tasks.
        AtomicU16, u16
    );
    facade_int_ops!(AtomicU16, u16);
}

mod i8_impl {
    use super::*;
    facade_atomic!(
        /// An `i8` shared between tasks.
        AtomicI8, i8
    );
    facade_int_ops!(AtomicI8, i8);
}

mod i16_impl {
    use super::*;
    facade_atomic!(
        /// An `i16` shared between tasks.
        AtomicI16, i16
    );
    facade_int_ops!(AtomicI16, i16);
}

mod i32_impl {
    use super::*;
    facade_atomic!(
        /// An `i32` shared between tasks.
        AtomicI32, i32
    );
    facade_int_ops!(AtomicI32, i32);
}

mod u32_impl {
    use super::*;
    facade_atomic!(
        /// A `u32` shared between tasks.
        AtomicU32, u32
    );
    facade_int_ops!(AtomicU32, u32);
}

mod u64_impl {
    use super::*;
    facade_atomic!(
        /// A `u64` shared between tasks.
        AtomicU64, u64
    );
    facade_int_ops!(AtomicU64, u64);
}

mod i64_impl {
    use super::*;
    facade_atomic!(
        /// An `i64` shared between tasks.
        AtomicI64, i64
    );
    facade_int_ops!(AtomicI64, i64);
}

mod fence;
mod ptr;

pub use bool_impl::AtomicBool;
pub use fence::{compiler_fence, fence};
pub use i16_impl::AtomicI16;
pub use i32_impl::AtomicI32;
pub use i64_impl::AtomicI64;
pub use i8_impl::AtomicI8;
pub use isize_impl::AtomicIsize;
pub use ptr::AtomicPtr;
pub use u16_impl::AtomicU16;
pub use u32_impl::AtomicU32;
pub use u64_impl::AtomicU64;
pub use u8_impl::AtomicU8;
pub use usize_impl::AtomicUsize;
