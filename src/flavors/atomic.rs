//! The atomics of the three backends: one enum per atomic type (std, loom with its shadow,
//! shuttle), and the operations the facade's atomics are made of.
//!
//! A read-modify-write is a value ([`Rmw`] for the integers, [`BoolRmw`] for `AtomicBool`), so
//! the facade names no backend type: `fetch_add(v, o)` is `rmw(Rmw::Add(v), o, self)`. Each
//! method keeps the std arm inline (one variant check, then the std operation: the operation
//! value is a constant at the call site and its match folds away) and the model arms out of
//! line, where they check the backend, count progress, mark the task running and record
//! coverage against the facade object they are given.
//!
//! A loom atomic keeps a std shadow of the last value written, because while a loom execution
//! unwinds loom may not be called: accesses then read and write the shadow only. The integer
//! atomics ask [`rt::loom_callable_unwinding`] (a drop running while the body's own panic
//! unwinds may still use loom), [`AtomicPtr`] asks [`rt::loom_callable`]; that difference is
//! kept as it was in the facade.
//!
//! Progress ([`rt::progress::made`]) is counted only when a write changed the value: a store
//! always counts (its old value is not read), a read-modify-write or a compare-exchange counts
//! when the new value differs from the previous one.

use std::sync::atomic::Ordering;

use crate::rt::{self, check_backend, coverage::Traced, Backend};

/// A read-modify-write on an integer atomic: the operation and its operand.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rmw<P> {
    Store(P),
    Swap(P),
    Add(P),
    Sub(P),
    And(P),
    Or(P),
    Xor(P),
    Min(P),
    Max(P),
}

/// A read-modify-write on an `AtomicBool`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BoolRmw {
    Store(bool),
    Swap(bool),
    And(bool),
    Or(bool),
}

/// One atomic type of the three backends. `$op` lists the read-modify-writes besides store and
/// swap: the variant, the backend method, and the new value computed from the previous one
/// `$x` and the operand `$v` (the loom shadow's next value, and what progress compares).
macro_rules! flavor_atomic {
    ($name:ident, $prim:ty, $op:ident $(<$opp:ty>)?,
     { $($var:ident => $method:ident ($x:ident, $v:ident) $next:expr),* $(,)? }) => {
        /// The backend atomic under the facade's atomic of the same name.
        pub(crate) enum $name {
            Std(std::sync::atomic::$name),
            /// loom's atomic and its std shadow.
            /// The last field is the id of the execution it was built in (see `rt::check_backend`).
            Loom(loom::sync::atomic::$name, std::sync::atomic::$name, u64),
            Shuttle(shuttle::sync::atomic::$name, u64),
        }

        impl $name {
            const WHAT: &'static str = stringify!($name);

            /// The atomic for the backend a primitive constructed now gets.
            pub(crate) fn new(v: $prim) -> Self {
                match rt::construction_backend() {
                    Backend::Std => $name::Std(std::sync::atomic::$name::new(v)),
                    Backend::Loom => $name::Loom(
                        loom::sync::atomic::$name::new(v),
                        std::sync::atomic::$name::new(v),
                        rt::execution_id(),
                    ),
                    Backend::Shuttle => {
                        $name::Shuttle(shuttle::sync::atomic::$name::new(v), rt::execution_id())
                    }
                }
            }

            #[inline]
            pub(crate) fn backend(&self) -> Backend {
                match self {
                    $name::Std(_) => Backend::Std,
                    $name::Loom(..) => Backend::Loom,
                    $name::Shuttle(..) => Backend::Shuttle,
                }
            }

            /// Loads the value; `obj` is the facade atomic coverage records.
            #[track_caller]
            #[inline]
            pub(crate) fn load(&self, order: Ordering, obj: &impl Traced) -> $prim {
                match self {
                    $name::Std(a) => a.load(order),
                    _ => self.load_model(order, obj),
                }
            }

            /// [`Self::load`] under a checker, out of line like [`Self::rmw_model`].
            #[track_caller]
            #[inline(never)]
            fn load_model(&self, order: Ordering, obj: &impl Traced) -> $prim {
                let v = match self {
                    $name::Std(_) => unreachable!("load handles the std arm inline"),
                    $name::Loom(_, shadow, _) if !rt::loom_callable_unwinding() => {
                        return shadow.load(Ordering::SeqCst);
                    }
                    $name::Loom(a, _, e) => {
                        check_backend(Backend::Loom, *e, Self::WHAT);
                        a.load(order)
                    }
                    $name::Shuttle(a, e) => {
                        check_backend(Backend::Shuttle, *e, Self::WHAT);
                        a.load(order)
                    }
                };
                rt::note_running();
                rt::coverage::after_note_here(self.backend(), obj, rt::coverage::LOAD);
                v
            }

            /// One read-modify-write (a store returns its own operand, which the facade drops).
            #[track_caller]
            #[inline]
            pub(crate) fn rmw(&self, op: $op $(<$opp>)?, order: Ordering, obj: &impl Traced) -> $prim {
                match self {
                    $name::Std(a) => Self::on_std(a, op, order),
                    _ => self.rmw_model(op, order, obj),
                }
            }

            /// [`Self::rmw`] under a checker, out of line: the std arm above stays small
            /// enough to inline into every caller (BENCHMARKS.md, facade).
            #[track_caller]
            #[inline(never)]
            fn rmw_model(&self, op: $op $(<$opp>)?, order: Ordering, obj: &impl Traced) -> $prim {
                let store = matches!(op, $op::Store(_));
                let (prev, next) = match self {
                    $name::Std(_) => unreachable!("rmw handles the std arm inline"),
                    $name::Loom(_, shadow, _) if !rt::loom_callable_unwinding() => {
                        let prev = shadow.load(Ordering::SeqCst);
                        shadow.store(Self::next(op, prev), Ordering::SeqCst);
                        return prev;
                    }
                    $name::Loom(a, shadow, e) => {
                        check_backend(Backend::Loom, *e, Self::WHAT);
                        let r = Self::on_loom(a, op, order);
                        // A store does not read its old value: the shadow's stands in for it.
                        let prev = if store { shadow.load(Ordering::SeqCst) } else { r };
                        let next = Self::next(op, prev);
                        shadow.store(next, Ordering::SeqCst);
                        (r, next)
                    }
                    $name::Shuttle(a, e) => {
                        check_backend(Backend::Shuttle, *e, Self::WHAT);
                        let r = Self::on_shuttle(a, op, order);
                        (r, Self::next(op, r))
                    }
                };
                // A store always counts: its old value is not read.
                if store || next != prev {
                    rt::progress::made();
                }
                rt::note_running();
                rt::coverage::after_note_here(self.backend(), obj, rt::coverage::STORE);
                prev
            }

            /// Stores `new` if the value is `current`; returns the previous value either way.
            /// Never fails spuriously, as under loom and shuttle.
            #[track_caller]
            #[inline]
            pub(crate) fn compare_exchange(
                &self,
                (current, new): ($prim, $prim),
                (success, failure): (Ordering, Ordering),
                obj: &impl Traced,
            ) -> Result<$prim, $prim> {
                match self {
                    $name::Std(a) => a.compare_exchange(current, new, success, failure),
                    _ => self.compare_exchange_model((current, new), (success, failure), obj),
                }
            }

            /// [`Self::compare_exchange`] under a checker, out of line like [`Self::rmw_model`].
            #[track_caller]
            #[inline(never)]
            fn compare_exchange_model(
                &self,
                (current, new): ($prim, $prim),
                (success, failure): (Ordering, Ordering),
                obj: &impl Traced,
            ) -> Result<$prim, $prim> {
                let r = match self {
                    $name::Std(_) => unreachable!("compare_exchange handles the std arm inline"),
                    $name::Loom(_, shadow, _) if !rt::loom_callable_unwinding() => {
                        return shadow.compare_exchange(
                            current,
                            new,
                            Ordering::SeqCst,
                            Ordering::SeqCst,
                        );
                    }
                    $name::Loom(a, shadow, e) => {
                        check_backend(Backend::Loom, *e, Self::WHAT);
                        let r = a.compare_exchange(current, new, success, failure);
                        if r.is_ok() {
                            shadow.store(new, Ordering::SeqCst);
                        }
                        r
                    }
                    $name::Shuttle(a, e) => {
                        check_backend(Backend::Shuttle, *e, Self::WHAT);
                        a.compare_exchange(current, new, success, failure)
                    }
                };
                if r.is_ok() && current != new {
                    rt::progress::made();
                }
                rt::note_running();
                rt::coverage::after_note_here(self.backend(), obj, rt::coverage::CAS);
                r
            }

            /// The value after `op`, from the one before it.
            #[inline]
            fn next(op: $op $(<$opp>)?, prev: $prim) -> $prim {
                match op {
                    $op::Store(v) | $op::Swap(v) => v,
                    $($op::$var($v) => {
                        let $x = prev;
                        $next
                    })*
                }
            }

            #[inline]
            fn on_std(a: &std::sync::atomic::$name, op: $op $(<$opp>)?, o: Ordering) -> $prim {
                match op {
                    $op::Store(v) => {
                        a.store(v, o);
                        v
                    }
                    $op::Swap(v) => a.swap(v, o),
                    $($op::$var(v) => a.$method(v, o),)*
                }
            }

            #[track_caller]
            fn on_loom(a: &loom::sync::atomic::$name, op: $op $(<$opp>)?, o: Ordering) -> $prim {
                match op {
                    $op::Store(v) => {
                        a.store(v, o);
                        v
                    }
                    $op::Swap(v) => a.swap(v, o),
                    $($op::$var(v) => a.$method(v, o),)*
                }
            }

            #[track_caller]
            fn on_shuttle(
                a: &shuttle::sync::atomic::$name,
                op: $op $(<$opp>)?,
                o: Ordering,
            ) -> $prim {
                match op {
                    $op::Store(v) => {
                        a.store(v, o);
                        v
                    }
                    $op::Swap(v) => a.swap(v, o),
                    $($op::$var(v) => a.$method(v, o),)*
                }
            }
        }
    };
}

/// An integer atomic: every [`Rmw`], and `with_mut` (loom has it on the integers only).
macro_rules! flavor_int {
    ($name:ident, $prim:ty) => {
        flavor_atomic!($name, $prim, Rmw<$prim>, {
            Add => fetch_add(x, v) x.wrapping_add(v),
            Sub => fetch_sub(x, v) x.wrapping_sub(v),
            And => fetch_and(x, v) x & v,
            Or => fetch_or(x, v) x | v,
            Xor => fetch_xor(x, v) x ^ v,
            Min => fetch_min(x, v) x.min(v),
            Max => fetch_max(x, v) x.max(v),
        });

        impl $name {
            /// Mutable access through `&mut self` (loom's own `with_mut` under loom, so one
            /// that races a concurrent atomic access is reported as loom reports it).
            #[track_caller]
            pub(crate) fn with_mut<R>(&mut self, f: impl FnOnce(&mut $prim) -> R) -> R {
                match self {
                    $name::Std(a) => f(a.get_mut()),
                    // While a loom execution unwinds loom may not be called: the shadow holds
                    // the last value written.
                    $name::Loom(_, shadow, _) if !rt::loom_callable() => f(shadow.get_mut()),
                    $name::Loom(a, shadow, _) => {
                        let (r, v) = a.with_mut(|v| (f(v), *v));
                        *shadow.get_mut() = v;
                        r
                    }
                    $name::Shuttle(a, _) => f(a.get_mut()),
                }
            }
        }
    };
}

flavor_atomic!(AtomicBool, bool, BoolRmw, {
    And => fetch_and(x, v) x & v,
    Or => fetch_or(x, v) x | v,
});
flavor_int!(AtomicUsize, usize);
flavor_int!(AtomicIsize, isize);
flavor_int!(AtomicU8, u8);
flavor_int!(AtomicU16, u16);
flavor_int!(AtomicU32, u32);
flavor_int!(AtomicU64, u64);
flavor_int!(AtomicI8, i8);
flavor_int!(AtomicI16, i16);
flavor_int!(AtomicI32, i32);
flavor_int!(AtomicI64, i64);

/// The backend atomic under the facade's `AtomicPtr`. Unlike the integers it asks
/// [`rt::loom_callable`] before calling loom.
pub(crate) enum AtomicPtr<T> {
    Std(std::sync::atomic::AtomicPtr<T>),
    /// loom's atomic and its std shadow.
    /// The last field is the id of the execution it was built in (see `rt::check_backend`).
    Loom(
        loom::sync::atomic::AtomicPtr<T>,
        std::sync::atomic::AtomicPtr<T>,
        u64,
    ),
    Shuttle(shuttle::sync::atomic::AtomicPtr<T>, u64),
}

const PTR: &str = "AtomicPtr";

impl<T> AtomicPtr<T> {
    /// The atomic for the backend a primitive constructed now gets.
    pub(crate) fn new(p: *mut T) -> Self {
        match rt::construction_backend() {
            Backend::Std => AtomicPtr::Std(std::sync::atomic::AtomicPtr::new(p)),
            Backend::Loom => AtomicPtr::Loom(
                loom::sync::atomic::AtomicPtr::new(p),
                std::sync::atomic::AtomicPtr::new(p),
                rt::execution_id(),
            ),
            Backend::Shuttle => {
                AtomicPtr::Shuttle(shuttle::sync::atomic::AtomicPtr::new(p), rt::execution_id())
            }
        }
    }

    #[inline]
    pub(crate) fn backend(&self) -> Backend {
        match self {
            AtomicPtr::Std(_) => Backend::Std,
            AtomicPtr::Loom(..) => Backend::Loom,
            AtomicPtr::Shuttle(..) => Backend::Shuttle,
        }
    }

    /// Mutable access through `&mut self`; see the integers' `with_mut`.
    #[track_caller]
    pub(crate) fn with_mut<R>(&mut self, f: impl FnOnce(&mut *mut T) -> R) -> R {
        match self {
            AtomicPtr::Std(a) => f(a.get_mut()),
            // While a loom execution unwinds loom may not be called: the shadow holds the last
            // pointer written.
            AtomicPtr::Loom(_, shadow, _) if !rt::loom_callable() => f(shadow.get_mut()),
            AtomicPtr::Loom(a, shadow, _) => {
                let (r, p) = a.with_mut(|p| (f(p), *p));
                *shadow.get_mut() = p;
                r
            }
            AtomicPtr::Shuttle(a, _) => f(a.get_mut()),
        }
    }

    /// Loads the pointer; `obj` is the facade atomic coverage records.
    #[track_caller]
    #[inline]
    pub(crate) fn load(&self, order: Ordering, obj: &impl Traced) -> *mut T {
        match self {
            AtomicPtr::Std(a) => a.load(order),
            _ => self.load_model(order, obj),
        }
    }

    #[track_caller]
    #[inline(never)]
    fn load_model(&self, order: Ordering, obj: &impl Traced) -> *mut T {
        let v = match self {
            AtomicPtr::Std(_) => unreachable!("load handles the std arm inline"),
            AtomicPtr::Loom(_, shadow, _) if !rt::loom_callable() => {
                return shadow.load(Ordering::SeqCst)
            }
            AtomicPtr::Loom(a, _, e) => {
                check_backend(Backend::Loom, *e, PTR);
                a.load(order)
            }
            AtomicPtr::Shuttle(a, e) => {
                check_backend(Backend::Shuttle, *e, PTR);
                a.load(order)
            }
        };
        rt::note_running();
        rt::coverage::after_note_here(self.backend(), obj, rt::coverage::LOAD);
        v
    }

    /// Stores `p` (`swap: false`, returning null) or swaps it in (returning the previous
    /// pointer).
    #[track_caller]
    #[inline]
    pub(crate) fn swap_or_store(
        &self,
        p: *mut T,
        order: Ordering,
        swap: bool,
        obj: &impl Traced,
    ) -> *mut T {
        match self {
            AtomicPtr::Std(a) if swap => a.swap(p, order),
            AtomicPtr::Std(a) => {
                a.store(p, order);
                std::ptr::null_mut()
            }
            _ => self.swap_model(p, order, swap, obj),
        }
    }

    #[track_caller]
    #[inline(never)]
    fn swap_model(&self, p: *mut T, order: Ordering, swap: bool, obj: &impl Traced) -> *mut T {
        let prev = match self {
            AtomicPtr::Std(_) => unreachable!("swap handles the std arm inline"),
            AtomicPtr::Loom(_, shadow, _) if !rt::loom_callable() => {
                return shadow.swap(p, Ordering::SeqCst)
            }
            AtomicPtr::Loom(a, shadow, e) => {
                check_backend(Backend::Loom, *e, PTR);
                let prev = if swap {
                    a.swap(p, order)
                } else {
                    a.store(p, order);
                    std::ptr::null_mut()
                };
                shadow.store(p, Ordering::SeqCst);
                prev
            }
            AtomicPtr::Shuttle(a, e) => {
                check_backend(Backend::Shuttle, *e, PTR);
                if swap {
                    a.swap(p, order)
                } else {
                    a.store(p, order);
                    std::ptr::null_mut()
                }
            }
        };
        // A store always counts: its old value is not read.
        if !swap || prev != p {
            rt::progress::made();
        }
        rt::note_running();
        rt::coverage::after_note_here(self.backend(), obj, rt::coverage::STORE);
        prev
    }

    /// Stores `new` if the pointer is `current`; returns the previous pointer either way.
    /// Never fails spuriously, as under loom and shuttle.
    #[track_caller]
    #[inline]
    pub(crate) fn compare_exchange(
        &self,
        (current, new): (*mut T, *mut T),
        (success, failure): (Ordering, Ordering),
        obj: &impl Traced,
    ) -> Result<*mut T, *mut T> {
        match self {
            AtomicPtr::Std(a) => a.compare_exchange(current, new, success, failure),
            _ => self.compare_exchange_model((current, new), (success, failure), obj),
        }
    }

    #[track_caller]
    #[inline(never)]
    fn compare_exchange_model(
        &self,
        (current, new): (*mut T, *mut T),
        (success, failure): (Ordering, Ordering),
        obj: &impl Traced,
    ) -> Result<*mut T, *mut T> {
        let r = match self {
            AtomicPtr::Std(_) => unreachable!("compare_exchange handles the std arm inline"),
            AtomicPtr::Loom(_, shadow, _) if !rt::loom_callable() => {
                return shadow.compare_exchange(current, new, Ordering::SeqCst, Ordering::SeqCst)
            }
            AtomicPtr::Loom(a, shadow, e) => {
                check_backend(Backend::Loom, *e, PTR);
                let r = a.compare_exchange(current, new, success, failure);
                if r.is_ok() {
                    shadow.store(new, Ordering::SeqCst);
                }
                r
            }
            AtomicPtr::Shuttle(a, e) => {
                check_backend(Backend::Shuttle, *e, PTR);
                a.compare_exchange(current, new, success, failure)
            }
        };
        if r.is_ok() && current != new {
            rt::progress::made();
        }
        rt::note_running();
        rt::coverage::after_note_here(self.backend(), obj, rt::coverage::CAS);
        r
    }
}
