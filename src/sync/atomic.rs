//! Atomics backed by std, loom or shuttle.
//!
//! Orderings are passed through unchanged: loom explores the weak-memory behaviours they allow,
//! shuttle treats every access as sequentially consistent (it does not model weak memory).
//!
//! A loom atomic keeps a std shadow of the last value written, because while a loom execution
//! unwinds loom may not be called: accesses then read and write the shadow only.
//!
//! On std these are std atomics behind one enum match; unlike the locks they do not check that
//! they are used under the runner that built them (a check would cost more than the operation).

use std::fmt;
pub use std::sync::atomic::Ordering;

use crate::rt::{self, check_backend, Backend};

macro_rules! facade_int_ops {
    ($name:ident, $prim:ty) => {
        impl $name {
            /// Mutable access to the value through `&mut self`, which proves no other task
            /// holds the atomic (loom's `with_mut`, on the integer types as in loom; std's `get_mut` in closure form). Under loom
            /// the access is loom's own, so one that races a concurrent atomic access is
            /// reported as loom reports it; a drop that reads its state this way needs it.
            #[track_caller]
            pub fn with_mut<R>(&mut self, f: impl FnOnce(&mut $prim) -> R) -> R {
                match &mut self.inner {
                    Inner::Std(a) => f(a.get_mut()),
                    // While a loom execution unwinds loom may not be called: the shadow holds
                    // the last value written.
                    Inner::Loom(_, shadow) if !rt::loom_callable() => f(shadow.get_mut()),
                    Inner::Loom(a, shadow) => {
                        let (r, v) = a.with_mut(|v| (f(v), *v));
                        *shadow.get_mut() = v;
                        r
                    }
                    Inner::Shuttle(a) => f(a.get_mut()),
                }
            }

            /// Adds to the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_add(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_add(v, o),
                    |a, o| a.fetch_add(v, o),
                    |a, o| a.fetch_add(v, o),
                    |x| x.wrapping_add(v),
                )
            }

            /// Subtracts from the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_sub(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_sub(v, o),
                    |a, o| a.fetch_sub(v, o),
                    |a, o| a.fetch_sub(v, o),
                    |x| x.wrapping_sub(v),
                )
            }

            /// Stores the minimum of the value and `v`, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_min(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_min(v, o),
                    |a, o| a.fetch_min(v, o),
                    |a, o| a.fetch_min(v, o),
                    |x| x.min(v),
                )
            }

            /// Bitwise and with the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_and(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_and(v, o),
                    |a, o| a.fetch_and(v, o),
                    |a, o| a.fetch_and(v, o),
                    |x| x & v,
                )
            }

            /// Bitwise or with the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_or(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_or(v, o),
                    |a, o| a.fetch_or(v, o),
                    |a, o| a.fetch_or(v, o),
                    |x| x | v,
                )
            }

            /// Bitwise xor with the value, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_xor(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_xor(v, o),
                    |a, o| a.fetch_xor(v, o),
                    |a, o| a.fetch_xor(v, o),
                    |x| x ^ v,
                )
            }

            /// Stores the maximum of the value and `v`, returning the previous value.
            #[track_caller]
            #[inline]
            pub fn fetch_max(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(
                    order,
                    |a, o| a.fetch_max(v, o),
                    |a, o| a.fetch_max(v, o),
                    |a, o| a.fetch_max(v, o),
                    |x| x.max(v),
                )
            }
        }
    };
}

macro_rules! facade_atomic {
    ($(#[$doc:meta])* $name:ident, $prim:ty) => {
        $(#[$doc])*
        pub struct $name {
            inner: Inner,
        }

        impl rt::coverage::Traced for $name {
            fn traced(&self) -> rt::Object {
                rt::Object::Text(stringify!($name).to_owned())
            }
        }

        enum Inner {
            Std(std::sync::atomic::$name),
            Loom(loom::sync::atomic::$name, std::sync::atomic::$name),
            Shuttle(shuttle::sync::atomic::$name),
        }

        impl $name {
            /// A new atomic for the backend of the current runner.
            pub fn new(v: $prim) -> Self {
                let inner = match rt::construction_backend() {
                    Backend::Std => Inner::Std(std::sync::atomic::$name::new(v)),
                    Backend::Loom => Inner::Loom(
                        loom::sync::atomic::$name::new(v),
                        std::sync::atomic::$name::new(v),
                    ),
                    Backend::Shuttle => Inner::Shuttle(shuttle::sync::atomic::$name::new(v)),
                };
                $name { inner }
            }

            /// The backend this atomic was built for.
            pub fn backend(&self) -> Backend {
                match self.inner {
                    Inner::Std(_) => Backend::Std,
                    Inner::Loom(..) => Backend::Loom,
                    Inner::Shuttle(_) => Backend::Shuttle,
                }
            }

            /// Loads the value.
            #[track_caller]
            #[inline]
            pub fn load(&self, order: Ordering) -> $prim {
                match &self.inner {
                    Inner::Std(a) => a.load(order),
                    _ => self.load_model(order),
                }
            }

            /// [`Self::load`] under a checker, out of line like [`Self::rmw_model`].
            #[track_caller]
            #[inline(never)]
            fn load_model(&self, order: Ordering) -> $prim {
                match &self.inner {
                    Inner::Std(_) => unreachable!("load handles the std arm inline"),
                    Inner::Loom(a, shadow) => {
                        if !rt::loom_callable_unwinding() {
                            return shadow.load(Ordering::SeqCst);
                        }
                        check_backend(Backend::Loom, stringify!($name));
                        let v = a.load(order);
                        rt::note_running();
                        rt::coverage::after_note_here(Backend::Loom, self, rt::coverage::LOAD);
                        v
                    }
                    Inner::Shuttle(a) => {
                        check_backend(Backend::Shuttle, stringify!($name));
                        let v = a.load(order);
                        rt::note_running();
                        rt::coverage::after_note_here(Backend::Shuttle, self, rt::coverage::LOAD);
                        v
                    }
                }
            }

            /// Stores a value.
            #[track_caller]
            #[inline]
            pub fn store(&self, v: $prim, order: Ordering) {
                self.rmw(order, |a, o| a.store(v, o), |a, o| a.store(v, o), |a, o| a.store(v, o), |_| v);
            }

            /// Stores a value, returning the previous one.
            #[track_caller]
            #[inline]
            pub fn swap(&self, v: $prim, order: Ordering) -> $prim {
                self.rmw(order, |a, o| a.swap(v, o), |a, o| a.swap(v, o), |a, o| a.swap(v, o), |_| v)
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
                match &self.inner {
                    Inner::Std(a) => a.compare_exchange(current, new, success, failure),
                    _ => self.compare_exchange_model((current, new), (success, failure)),
                }
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

            /// [`Self::compare_exchange`] under a checker, out of line like [`Self::rmw_model`].
            #[track_caller]
            #[inline(never)]
            fn compare_exchange_model(
                &self,
                (current, new): ($prim, $prim),
                (success, failure): (Ordering, Ordering),
            ) -> Result<$prim, $prim> {
                match &self.inner {
                    Inner::Std(_) => unreachable!("compare_exchange handles the std arm inline"),
                    Inner::Loom(a, shadow) => {
                        if !rt::loom_callable_unwinding() {
                            return shadow.compare_exchange(current, new, Ordering::SeqCst, Ordering::SeqCst);
                        }
                        check_backend(Backend::Loom, stringify!($name));
                        let r = a.compare_exchange(current, new, success, failure);
                        if r.is_ok() {
                            shadow.store(new, Ordering::SeqCst);
                            if current != new {
                                rt::progress::made();
                            }
                        }
                        rt::note_running();
                        rt::coverage::after_note_here(Backend::Loom, self, rt::coverage::CAS);
                        r
                    }
                    Inner::Shuttle(a) => {
                        check_backend(Backend::Shuttle, stringify!($name));
                        let r = a.compare_exchange(current, new, success, failure);
                        if r.is_ok() && current != new {
                            rt::progress::made();
                        }
                        rt::note_running();
                        rt::coverage::after_note_here(Backend::Shuttle, self, rt::coverage::CAS);
                        r
                    }
                }
            }

            /// One read-modify-write on whichever backend; `next` computes the shadow's new value
            /// from the previous one.
            #[track_caller]
            #[inline]
            fn rmw<R: Copy + IntoPrev<$prim>>(
                &self,
                order: Ordering,
                on_std: impl FnOnce(&std::sync::atomic::$name, Ordering) -> R,
                on_loom: impl FnOnce(&loom::sync::atomic::$name, Ordering) -> R,
                on_shuttle: impl FnOnce(&shuttle::sync::atomic::$name, Ordering) -> R,
                next: impl Fn($prim) -> $prim,
            ) -> R {
                match &self.inner {
                    Inner::Std(a) => on_std(a, order),
                    _ => self.rmw_model(order, on_loom, on_shuttle, next),
                }
            }

            /// [`Self::rmw`] under a checker, out of line: the std arm above stays small enough
            /// to inline into every caller (BENCHMARKS.md, facade).
            #[track_caller]
            #[inline(never)]
            fn rmw_model<R: Copy + IntoPrev<$prim>>(
                &self,
                order: Ordering,
                on_loom: impl FnOnce(&loom::sync::atomic::$name, Ordering) -> R,
                on_shuttle: impl FnOnce(&shuttle::sync::atomic::$name, Ordering) -> R,
                next: impl Fn($prim) -> $prim,
            ) -> R {
                match &self.inner {
                    Inner::Std(_) => unreachable!("rmw handles the std arm inline"),
                    Inner::Loom(a, shadow) => {
                        if !rt::loom_callable_unwinding() {
                            let prev = shadow.load(Ordering::SeqCst);
                            shadow.store(next(prev), Ordering::SeqCst);
                            return R::from_prev(prev);
                        }
                        check_backend(Backend::Loom, stringify!($name));
                        let r = on_loom(a, order);
                        let prev = r.prev().unwrap_or_else(|| shadow.load(Ordering::SeqCst));
                        shadow.store(next(prev), Ordering::SeqCst);
                        // A store always counts: its old value is not read.
                        if r.prev().is_none_or(|p| next(p) != p) {
                            rt::progress::made();
                        }
                        rt::note_running();
                        rt::coverage::after_note_here(Backend::Loom, self, rt::coverage::STORE);
                        r
                    }
                    Inner::Shuttle(a) => {
                        check_backend(Backend::Shuttle, stringify!($name));
                        let r = on_shuttle(a, order);
                        if r.prev().is_none_or(|p| next(p) != p) {
                            rt::progress::made();
                        }
                        rt::note_running();
                        rt::coverage::after_note_here(Backend::Shuttle, self, rt::coverage::STORE);
                        r
                    }
                }
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

/// What a read-modify-write returns: the previous value, or nothing (a store).
trait IntoPrev<P>: Sized {
    fn prev(self) -> Option<P>;
    fn from_prev(prev: P) -> Self;
}

impl<P> IntoPrev<P> for () {
    fn prev(self) -> Option<P> {
        None
    }
    fn from_prev(_: P) -> Self {}
}

macro_rules! into_prev {
    ($($prim:ty),*) => {$(
        impl IntoPrev<$prim> for $prim {
            fn prev(self) -> Option<$prim> {
                Some(self)
            }
            fn from_prev(prev: $prim) -> Self {
                prev
            }
        }
    )*};
}
into_prev!(bool, usize, isize, u8, u16, u32, u64, i8, i16, i32, i64);

mod bool_impl {
    use super::*;
    facade_atomic!(
        /// A boolean shared between tasks.
        AtomicBool, bool
    );

    impl AtomicBool {
        /// Logical or with the value, returning the previous value.
        #[track_caller]
        #[inline]
        pub fn fetch_or(&self, v: bool, order: Ordering) -> bool {
            self.rmw(
                order,
                |a, o| a.fetch_or(v, o),
                |a, o| a.fetch_or(v, o),
                |a, o| a.fetch_or(v, o),
                |x| x | v,
            )
        }

        /// Logical and with the value, returning the previous value.
        #[track_caller]
        #[inline]
        pub fn fetch_and(&self, v: bool, order: Ordering) -> bool {
            self.rmw(
                order,
                |a, o| a.fetch_and(v, o),
                |a, o| a.fetch_and(v, o),
                |a, o| a.fetch_and(v, o),
                |x| x & v,
            )
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
