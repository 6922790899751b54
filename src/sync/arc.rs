//! `Arc` with leak reporting: an `Arc` built inside a checker execution and still alive when the
//! execution ends (a reference cycle, a clone stored where nothing drops it) is a reported
//! `resource leak`, naming where it was created and by which task, as loom reports a leaked
//! `Arc`. Outside any runner it is a plain `std::sync::Arc` plus one empty field.
//!
//! The reference count is std's: clones and drops are not scheduling points (loom's are), so a
//! race on `strong_count` or `try_unwrap` is not explored. Only sized values: `Arc<dyn Trait>`
//! and `Arc<str>` need an unsized coercion that a type outside std cannot offer on stable Rust;
//! use `std::sync::Arc` for those (untracked). Values built by a [`Lazy`](super::Lazy)
//! initialiser are owned by a static across executions and are not tracked.

use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::Location;
use std::sync::Weak;

use crate::rt::{self, context, Execution};
use crate::violation::{Site, Violation, ViolationKind};

std::thread_local! {
    /// Above zero while a `Lazy` initialiser runs on this thread: what it builds is a static's.
    static UNTRACKED: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f` with `Arc` tracking off on this thread (a `Lazy` initialiser).
pub(crate) fn untracked<R>(f: impl FnOnce() -> R) -> R {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            UNTRACKED.with(|u| u.set(u.get() - 1));
        }
    }
    UNTRACKED.with(|u| u.set(u.get() + 1));
    let _restore = Restore;
    f()
}

/// A thread-safe reference-counted pointer; see [`std::sync::Arc`] and the
/// [module docs](crate::sync).
pub struct Arc<T> {
    inner: std::sync::Arc<Tracked<T>>,
}

struct Tracked<T> {
    token: Option<Token>,
    value: T,
}

/// The allocation's entry in its execution's list of live `Arc`s, removed when the last clone
/// drops.
struct Token {
    execution: Weak<Execution>,
    id: usize,
}

impl Token {
    fn new(at: &'static Location<'static>) -> Option<Token> {
        let execution = context::execution()?;
        if UNTRACKED.with(Cell::get) > 0 {
            return None;
        }
        // The task's number: its label is formatted only if the `Arc` leaks.
        let id = execution.track_arc(at, rt::current_task());
        Some(Token {
            execution: std::sync::Arc::downgrade(&execution),
            id,
        })
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        if let Some(execution) = self.execution.upgrade() {
            execution.untrack_arc(self.id);
        }
    }
}

/// Reports every `Arc` of `execution` still alive, at the end of a body whose tasks all ended.
#[track_caller]
pub(crate) fn report_leaked(execution: &Execution) {
    let live = execution.live_arcs();
    if live.is_empty() {
        return;
    }
    let list: Vec<String> = live
        .iter()
        .map(|(at, task)| format!("Arc created at {} by {task}", Site::from(*at)))
        .collect();
    let mut v = Violation::new(
        ViolationKind::ResourceLeak,
        format!(
            "{} Arc{} still alive when the execution ended, every task done: [{}]; a reference \
             cycle or a clone kept where nothing drops it: drop every clone before the body \
             returns",
            live.len(),
            if live.len() == 1 { " was" } else { "s were" },
            list.join(", ")
        ),
    );
    v.sites = live.iter().map(|(at, _)| Site::from(*at)).collect();
    rt::violation(v);
}

impl<T> Arc<T> {
    /// A new `Arc`, tracked if a checker execution is running.
    #[track_caller]
    pub fn new(value: T) -> Arc<T> {
        Arc::new_at(value, Location::caller())
    }

    fn new_at(value: T, at: &'static Location<'static>) -> Arc<T> {
        Arc {
            inner: std::sync::Arc::new(Tracked {
                token: Token::new(at),
                value,
            }),
        }
    }

    /// Whether both point to the same allocation.
    pub fn ptr_eq(this: &Arc<T>, other: &Arc<T>) -> bool {
        std::sync::Arc::ptr_eq(&this.inner, &other.inner)
    }

    /// How many `Arc`s point to this allocation.
    pub fn strong_count(this: &Arc<T>) -> usize {
        std::sync::Arc::strong_count(&this.inner)
    }

    /// A pointer to the value.
    pub fn as_ptr(this: &Arc<T>) -> *const T {
        &this.inner.value
    }

    /// The value if this is the only `Arc`, else the `Arc` back.
    pub fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
        match std::sync::Arc::try_unwrap(this.inner) {
            Ok(Tracked { value, token }) => {
                drop(token);
                Ok(value)
            }
            Err(inner) => Err(Arc { inner }),
        }
    }

    /// The value if this is the last `Arc`, else `None` (the value stays with the others).
    pub fn into_inner(this: Arc<T>) -> Option<T> {
        let Tracked { value, token } = std::sync::Arc::into_inner(this.inner)?;
        drop(token);
        Some(value)
    }

    /// The value, mutably, if this is the only `Arc`.
    pub fn get_mut(this: &mut Arc<T>) -> Option<&mut T> {
        std::sync::Arc::get_mut(&mut this.inner).map(|t| &mut t.value)
    }

    /// The value, mutably, cloned into a new allocation first if other `Arc`s share it.
    #[track_caller]
    pub fn make_mut(this: &mut Arc<T>) -> &mut T
    where
        T: Clone,
    {
        if std::sync::Arc::get_mut(&mut this.inner).is_none() {
            *this = Arc::new_at(this.inner.value.clone(), Location::caller());
        }
        &mut std::sync::Arc::get_mut(&mut this.inner)
            .expect("a fresh allocation has one owner")
            .value
    }
}

impl<T> Clone for Arc<T> {
    fn clone(&self) -> Self {
        Arc {
            inner: std::sync::Arc::clone(&self.inner),
        }
    }
}

impl<T> std::ops::Deref for Arc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner.value
    }
}

impl<T> AsRef<T> for Arc<T> {
    fn as_ref(&self) -> &T {
        &self.inner.value
    }
}

impl<T> std::borrow::Borrow<T> for Arc<T> {
    fn borrow(&self) -> &T {
        &self.inner.value
    }
}

impl<T: Default> Default for Arc<T> {
    #[track_caller]
    fn default() -> Self {
        Arc::new(T::default())
    }
}

impl<T> From<T> for Arc<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Arc::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner.value, f)
    }
}

impl<T: fmt::Display> fmt::Display for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner.value, f)
    }
}

impl<T> fmt::Pointer for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Arc::as_ptr(self), f)
    }
}

impl<T: PartialEq> PartialEq for Arc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.inner.value == other.inner.value
    }
}

impl<T: Eq> Eq for Arc<T> {}

impl<T: PartialOrd> PartialOrd for Arc<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.inner.value.partial_cmp(&other.inner.value)
    }
}

impl<T: Ord> Ord for Arc<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.inner.value.cmp(&other.inner.value)
    }
}

impl<T: Hash> Hash for Arc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.value.hash(state);
    }
}
