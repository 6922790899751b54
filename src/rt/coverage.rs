//! The coverage recorder: which pairs of conflicting operations a search has seen, in which
//! orders.
//!
//! An operation is a facade call identified by what it is, where it was called and by which
//! task (by name): `Sender::send at src/pool.rs:40:12 by 'worker-1'`. Two operations conflict
//! when they touch the same object from different tasks and at least one of them writes (a
//! lock, a send, a receive, a close, a notify, a wait, an atomic store or read-modify-write;
//! two atomic loads, two `RwLock` reads, two `Context::err` do not). Per execution, every
//! conflicting pair observed in an order (`a` then `b`) is recorded as the ordered pair
//! `(a, b)`; a search accumulates them over its executions. The figure a report shows is the
//! share of pairs seen in both orders among the pairs seen at all: a search that has only ever
//! let the closer close after the workers' sends, or the notify come after the wait, has not
//! seen the other order, and a thin search shows it.
//!
//! The recorder is a thread-local: loom and shuttle run every task of an execution as a
//! coroutine on the runner's OS thread, so one recorder sees the whole execution; a parallel
//! shuttle search has one per worker thread, merged at the end. The facade calls it with
//! one-line hooks, and only for primitives built for loom or shuttle: on std a hook is a
//! comparison of the primitive's own backend tag, with no thread-local read.
//!
//! A Go-level operation (a channel send, a WaitGroup wait) is built on the facade's Mutex and
//! Condvar. Its hook, [`op`], marks it as the task's operation in progress: it is recorded
//! once, when its first inner primitive operation takes effect (the moment it enters the
//! object's critical section, which is the order the scheduler chose), and its inner lock, wait
//! and notify calls are not recorded on their own. Those inner calls are told apart by their
//! site: the facade's `#[track_caller]` chain gives them the Go operation's own call site, or
//! they sit in the facade's own sources; the task's first operation at any other site ends the
//! Go operation. So the hook needs no guard, and on std it is one comparison. Calls at the
//! facade's own sites outside any Go operation (a `select` registering with a channel) are
//! bookkeeping and are not recorded either. A `select`'s receive and done cases are named by
//! the line inside concheck that tries them (its send cases by the body's `select`): their
//! pairs count, under a coarser name.
//!
//! Objects are identified by address within an execution; an object dropped and another
//! allocated at the same address in one execution are taken for one (rare in a checked body,
//! and it can only add pairs seen in one order).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::Location;

use super::context::{self, Backend};
use super::feedback::Seen;
use super::object::{Object, TaskName};
use super::recycle::{Pool, Recyclable};
use super::trace;

pub(crate) use super::op::{
    Op, CANCEL, CAS, CLOSE, CTX_DONE, CTX_ERR, LOAD, LOCK, NOTIFY_ALL, NOTIFY_ONE, READ, RECV,
    SELECT_RECV, SELECT_SEND, SEND, STORE, TRY_LOCK, TRY_RECV, TRY_SEND, WAIT, WG_ADD, WG_DONE,
    WG_WAIT, WRITE,
};

/// A primitive a hook names in a trace, formatted only when a trace is recorded.
pub(crate) trait Traced {
    /// What a trace calls it.
    fn traced(&self) -> Object;
}

/// The lock guarding a Go-level object's state (the facade's `sync::Mutex`), as [`op`] sees it:
/// only the backend it was built for (std costs a comparison and nothing else) and its address,
/// which names the object within an execution. The recorder never locks it: a trait of the
/// engine's own, so the engine does not import the facade built on it.
pub(crate) trait Guarding {
    /// The backend the lock was built for.
    fn built(&self) -> Backend;
}

/// Records `op` on `object` at `at` by the running task, if `built` (the backend the object
/// was built for) is a model checker's and a search is recording on this thread.
#[inline]
pub(crate) fn record<T: Traced>(
    built: Backend,
    object: &T,
    op: &'static Op,
    at: &'static Location<'static>,
) {
    if built != Backend::Std {
        record_model(address(object), &|| object.traced(), op, at, Who::LookUp);
    }
}

/// [`record`] at the caller's site (the facade method is `#[track_caller]`, so the body's).
#[inline]
#[track_caller]
pub(crate) fn record_here<T: Traced>(built: Backend, object: &T, op: &'static Op) {
    if built != Backend::Std {
        record_model(
            address(object),
            &|| object.traced(),
            op,
            Location::caller(),
            Who::LookUp,
        );
    }
}

/// [`record`], placed right after `rt::note_running()`: takes the running task it just noted
/// instead of looking it up again (a loom task-local lookup costs more than the rest of the
/// recorder). Nothing between the two may switch tasks.
#[inline]
pub(crate) fn after_note<T: Traced>(
    built: Backend,
    object: &T,
    op: &'static Op,
    at: &'static Location<'static>,
) {
    if built != Backend::Std {
        record_model(address(object), &|| object.traced(), op, at, Who::Noted);
    }
}

/// [`after_note`] at the caller's site (the facade method is `#[track_caller]`, so the body's).
#[inline]
#[track_caller]
pub(crate) fn after_note_here<T: Traced>(built: Backend, object: &T, op: &'static Op) {
    if built != Backend::Std {
        after_note_cold(address(object), &|| object.traced(), op);
    }
}

/// Out of line and cold, so the std path around a hook keeps its registers: inlined, the
/// caller's location was hoisted out of a loop of atomic loads and cost it an instruction.
#[cold]
#[inline(never)]
#[track_caller]
fn after_note_cold(object: usize, name: &dyn Fn() -> Object, op: &'static Op) {
    record_model(object, name, op, Location::caller(), Who::Noted);
}

/// Where a hook learns the running task.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Ask the checker.
    LookUp,
    /// The task `Execution::note_running` noted just before (see [`after_note`]).
    Noted,
}

/// Called by `Execution::note_running` (after every model operation): the task running now,
/// for an [`after_note`] hook. A cell of its own, so the call costs a store.
#[inline]
pub(crate) fn noted(task: usize) {
    NOTED.with(|n| n.set(Some(task)));
}

/// Called by `Execution::register` when task `task` gets a name from the body: the name the
/// recorder remembers for that number (from an earlier execution) is forgotten, and the next
/// event of the task reads the registry. An unnamed task needs no call: `task-n` is the name
/// of every unnamed task `n`.
pub(crate) fn given_name(task: usize) {
    with_recorder(|r| {
        if let Some(slot) = r.task_names.get_mut(task) {
            *slot = None;
        }
    });
}

/// Starts a Go-level operation at `at` on the object whose state `lock` guards (a channel, a
/// WaitGroup, a context): recorded once, when its first inner primitive operation takes effect.
/// It lasts until the task's next operation at another site (see the module docs).
#[inline]
pub(crate) fn op<L: Guarding>(
    lock: &L,
    of: impl Fn() -> Object,
    op: &'static Op,
    at: &'static Location<'static>,
) {
    if lock.built() != Backend::Std {
        begin_op(address(lock), &of, op, at);
    }
}

/// [`op`] at the caller's site.
#[inline]
#[track_caller]
pub(crate) fn op_here<L: Guarding>(lock: &L, of: impl Fn() -> Object, op: &'static Op) {
    self::op(lock, of, op, Location::caller());
}

fn address<T: ?Sized>(object: &T) -> usize {
    std::ptr::from_ref(object).cast::<()>() as usize
}

/// Starts recording on this thread (a search's runner thread), forgetting what was there;
/// unless [`set_enabled`] turned recording off on this thread, then nothing is recorded.
pub(crate) fn start() {
    let on = ENABLED.with(Cell::get);
    let recorder = on.then(|| KEPT.take().unwrap_or_else(Recorder::sized));
    RECORDER.with(|r| *r.borrow_mut() = recorder);
}

/// Whether searches started on this thread record coverage (a checker's `coverage(false)`);
/// on by default on every thread.
pub(crate) fn set_enabled(on: bool) {
    ENABLED.with(|e| e.set(on));
}

/// Marks the start of an execution: per-execution state (objects, task names, operations in
/// progress) is reset; the pairs seen so far stay. Does nothing when not recording.
pub(crate) fn begin_execution() {
    with_recorder(Recorder::begin_execution);
}

/// Stops recording on this thread and returns every ordered pair seen, in the stable encoding
/// of [`crate::check::Coverage`], each once; empty if recording was never started. A vector,
/// not a set: [`crate::check::Coverage::from_ordered`] sorts and deduplicates anyway, and a
/// SipHash set built once per search cost about 130 instructions per loom execution of the
/// `model_overhead` body (BENCHMARKS.md).
pub(crate) fn finish() -> Vec<u64> {
    let Some(mut recorder) = RECORDER.with(|r| r.borrow_mut().take()) else {
        return Vec::new();
    };
    let pairs = recorder.stable_pairs();
    recorder.end_search();
    KEPT.keep([recorder]);
    pairs
}

/// Recorders of ended searches, emptied of everything a search found, for the next search on
/// any thread: a search runs on a fresh OS thread, and a recorder made anew cost about twenty
/// allocations and its interning of task names and call sites, in each search (about 300
/// instructions per execution of a 15-execution loom search).
static KEPT: Pool<Recorder> = Pool::new();

/// A recorder's room is its largest table: the names and sites it keeps grow with every search
/// that brings new ones, and a recorder grown past [`Pool::KEEP_ENTRIES`] is freed.
impl Recyclable for Recorder {
    fn room(&self) -> usize {
        [
            self.names.len(),
            self.internal.len(),
            self.keys.capacity(),
            self.pairs.capacity(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }
}

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(true) };
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
    /// The task `Execution::note_running` last noted on this thread, until a hook takes it.
    static NOTED: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `f` on this thread's recorder, if one is recording and not already in use.
fn with_recorder(f: impl FnOnce(&mut Recorder)) {
    RECORDER.with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if let Some(r) = r.as_mut() {
                f(r);
            }
        }
    });
}

#[inline(never)]
fn record_model(
    object: usize,
    name: &dyn Fn() -> Object,
    op: &'static Op,
    at: &'static Location<'static>,
    who: Who,
) {
    // While a task unwinds the checker may not be asked who runs; nothing it does then is a
    // scheduling choice anyway.
    if std::thread::panicking() {
        return;
    }
    with_recorder(|r| {
        // Sound as long as `rt::note_running` notes after every operation under a backend, or
        // never does (then the cell stays empty and the task is looked up).
        let noted = NOTED.with(Cell::take).filter(|_| who == Who::Noted);
        let Some(task) = noted.or_else(|| r.current_task()) else {
            return;
        };
        let internal = r.is_internal(at);
        match r.active.get(task).copied().flatten() {
            // Part of the Go operation in progress (the `#[track_caller]` chain passes its
            // location on): its first inner operation records it.
            Some(a) if internal || std::ptr::eq(a.at, at) => {
                if !a.recorded {
                    r.active[task] = Some(Active {
                        recorded: true,
                        ..a
                    });
                    r.event(a.object, a.op, a.at, task);
                }
            }
            // The facade's bookkeeping outside any Go operation.
            _ if internal => {}
            // The body's own operation: any Go operation of this task is over.
            active => {
                if active.is_some() {
                    r.active[task] = None;
                }
                trace::name(object, name);
                r.event(object, op, at, task);
            }
        }
    });
}

#[inline(never)]
fn begin_op(
    object: usize,
    name: &dyn Fn() -> Object,
    op: &'static Op,
    at: &'static Location<'static>,
) {
    if std::thread::panicking() {
        return;
    }
    with_recorder(|r| {
        let Some(task) = r.current_task() else {
            return;
        };
        if r.active.len() <= task {
            r.active.resize_with(task + 1, || None);
        }
        r.active[task] = Some(Active {
            object,
            op,
            at,
            recorded: false,
        });
        super::last_op::note(object, op.writes());
        trace::name(object, name);
    });
}

/// A Go-level operation in progress on one task.
#[derive(Clone, Copy)]
struct Active {
    object: usize,
    op: &'static Op,
    at: &'static Location<'static>,
    /// Whether its first inner operation has happened (and recorded it).
    recorded: bool,
}

/// One operation key's latest occurrence on an object in this execution.
struct Entry {
    key: u32,
    task: u32,
    writes: bool,
    /// The object's event count at its latest occurrence.
    last: u64,
    /// The scheduler's step at its latest occurrence, when feedback is on (`rt::feedback`).
    step: u32,
}

struct ObjectLog {
    events: u64,
    entries: Vec<Entry>,
}

/// A fast hasher for the recorder's integer keys (addresses, small ids), which need no
/// protection against collisions chosen by an attacker: FxHash's multiply-rotate.
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        let mut tail = [0; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(tail));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
type FxSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

#[derive(Default)]
struct Recorder {
    /// Task names, interned across executions: name to id, and id to name.
    names: FxMap<String, u32>,
    name_list: Vec<String>,
    /// `task-{n}` to its interned id, across executions.
    numbered_names: Vec<Option<u32>>,
    /// (operation, site, task name) to key, across executions; keyed by the addresses of the
    /// operation and location. One call site always passes the same addresses; should two sites
    /// see one operation at two addresses, their keys still hash alike (by name), and
    /// [`Recorder::stable_pairs`] drops pairs of a key with itself.
    keys: FxMap<(usize, usize, u32), u32>,
    /// Each key's stable hash (operation, file, line, column, task name): what reports carry.
    key_hashes: Vec<u64>,
    /// Whether a site is inside the facade's own sources.
    internal: FxMap<usize, bool>,
    /// Ordered pairs of keys seen, `a << 32 | b` for `a` before `b`.
    pairs: FxSet<u64>,
    /// Per execution: each object's operations.
    objects: FxMap<usize, ObjectLog>,
    /// Emptied entry lists of earlier executions, reused (an execution makes its objects anew).
    spare: Vec<Vec<Entry>>,
    /// Task registry number to interned name. A task the body names is named anew in every
    /// execution (see [`given_name`]); an unnamed task `n` is always `task-n` and the body
    /// always `main`, so their entries stay from one execution to the next (reading the
    /// registry for them once per task and execution was a tenth of the recorder's cost).
    task_names: Vec<Option<u32>>,
    /// The tasks whose entry in `task_names` is a given name: emptied per execution.
    given: Vec<usize>,
    /// Per execution: the Go-level operation each task is in, if any.
    active: Vec<Option<Active>>,
    /// Per execution, under shuttle: shuttle's task number to the registry's, so most events
    /// ask shuttle who runs (cheap) rather than look the task up in its task-local storage.
    shuttle_tasks: Vec<Option<usize>>,
}

/// The recorder's starting capacities: a small body's sites, keys, objects and pairs (the
/// `model_overhead` body has 2 sites, 3 keys, 1 object and 2 pairs; a catalog scenario a few
/// dozen). Grown from empty, each table was rehashed two or three times in a search's first
/// execution, about 200 instructions per execution of a 15-execution loom search.
const SITES: usize = 16;
const PAIRS: usize = 32;

impl Recorder {
    /// An empty recorder with room for a small body's sites, keys, objects and pairs.
    fn sized() -> Recorder {
        Recorder {
            names: FxMap::with_capacity_and_hasher(SITES / 2, BuildHasherDefault::default()),
            keys: FxMap::with_capacity_and_hasher(SITES, BuildHasherDefault::default()),
            key_hashes: Vec::with_capacity(SITES),
            internal: FxMap::with_capacity_and_hasher(SITES, BuildHasherDefault::default()),
            pairs: FxSet::with_capacity_and_hasher(PAIRS, BuildHasherDefault::default()),
            objects: FxMap::with_capacity_and_hasher(SITES / 2, BuildHasherDefault::default()),
            ..Recorder::default()
        }
    }

    /// Forgets what the search found (its pairs and keys, whose numbering must start again for
    /// a search to pick the same targets, `check::strategy::guided`, in every process) and the
    /// last execution's state; keeps the tables' memory and what holds in every search (task
    /// names' ids, which sites are the facade's).
    fn end_search(&mut self) {
        self.begin_execution();
        self.pairs.clear();
        self.keys.clear();
        self.key_hashes.clear();
    }

    fn begin_execution(&mut self) {
        // Keep the entry lists' memory for the next execution's objects.
        for (_, mut log) in self.objects.drain() {
            log.entries.clear();
            self.spare.push(log.entries);
        }
        for task in self.given.drain(..) {
            self.task_names[task] = None;
        }
        self.active.clear();
        self.shuttle_tasks.clear();
        NOTED.with(|n| n.set(None));
    }

    /// The registry number of the running task.
    fn current_task(&mut self) -> Option<usize> {
        if context::backend() != Backend::Shuttle {
            return super::current_task();
        }
        let shuttle = usize::from(shuttle_engine::current::try_get_current_task()?);
        if let Some(Some(task)) = self.shuttle_tasks.get(shuttle) {
            return Some(*task);
        }
        let task = super::current_task()?;
        if self.shuttle_tasks.len() <= shuttle {
            self.shuttle_tasks.resize(shuttle + 1, None);
        }
        self.shuttle_tasks[shuttle] = Some(task);
        Some(task)
    }

    fn event(
        &mut self,
        object: usize,
        op: &'static Op,
        at: &'static Location<'static>,
        task: usize,
    ) {
        trace::op(task, object, op, at);
        super::last_op::note(object, op.writes());
        let name = self.task_name(task);
        let key = self.key(op, at, name);
        let task = task as u32;
        let spare = &mut self.spare;
        let log = self.objects.entry(object).or_insert_with(|| ObjectLog {
            events: 0,
            entries: spare.pop().unwrap_or_default(),
        });
        log.events += 1;
        let now = log.events;
        let mine = log
            .entries
            .iter()
            .position(|e| e.key == key && e.task == task);
        // Entries seen before this key's previous occurrence were paired with it then.
        let since = mine.map_or(0, |i| log.entries[i].last);
        let feedback = super::feedback::is_on();
        let step = if feedback { super::feedback::step() } else { 0 };
        for e in &log.entries {
            if e.task != task && e.last > since && (e.writes || op.writes()) && e.key != key {
                let pair = u64::from(e.key) << 32 | u64::from(key);
                let fresh = self.pairs.insert(pair);
                if feedback {
                    let reverse_seen = self.pairs.contains(&Seen::reverse(pair));
                    if fresh || !reverse_seen {
                        super::feedback::note(Seen {
                            pair,
                            earlier: e.step,
                            later: step,
                            fresh,
                            reverse_seen,
                        });
                    }
                }
            }
        }
        match mine {
            Some(i) => {
                log.entries[i].last = now;
                log.entries[i].step = step;
            }
            None => log.entries.push(Entry {
                key,
                task,
                writes: op.writes(),
                last: now,
                step,
            }),
        }
    }

    /// The interned name of task `task` of the running execution.
    fn task_name(&mut self, task: usize) -> u32 {
        if let Some(Some(id)) = self.task_names.get(task) {
            return *id;
        }
        let execution = context::execution();
        let state = execution.as_ref().map(|e| e.state());
        // Named without formatting: a `task-N` name is formatted once per search, not once per
        // task and execution (that was 840 instructions per shuttle execution of two tasks).
        let id = match state
            .as_ref()
            .and_then(|s| s.tasks.get(task))
            .map(|t| &t.name)
        {
            Some(TaskName::Given(name)) => {
                self.given.push(task);
                self.intern(name)
            }
            Some(TaskName::Main) => self.intern("main"),
            Some(&TaskName::Numbered(n)) => self.numbered(n),
            None => self.numbered(task),
        };
        if self.task_names.len() <= task {
            self.task_names.resize(task + 1, None);
        }
        self.task_names[task] = Some(id);
        id
    }

    /// The interned id of `name`.
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = self.name_list.len() as u32;
        self.names.insert(name.to_owned(), id);
        self.name_list.push(name.to_owned());
        id
    }

    /// The interned id of `task-{n}`, the name of an unnamed task.
    fn numbered(&mut self, n: usize) -> u32 {
        if let Some(Some(id)) = self.numbered_names.get(n) {
            return *id;
        }
        let id = self.intern(&TaskName::Numbered(n).to_string());
        if self.numbered_names.len() <= n {
            self.numbered_names.resize(n + 1, None);
        }
        self.numbered_names[n] = Some(id);
        id
    }

    fn key(&mut self, op: &'static Op, at: &'static Location<'static>, name: u32) -> u32 {
        let k = (
            std::ptr::from_ref(op) as usize,
            std::ptr::from_ref(at) as usize,
            name,
        );
        if let Some(&key) = self.keys.get(&k) {
            return key;
        }
        let key = self.key_hashes.len() as u32;
        let task = &self.name_list[name as usize];
        self.key_hashes.push(stable_hash(&[
            op.name.as_bytes(),
            at.file().as_bytes(),
            &at.line().to_le_bytes(),
            &at.column().to_le_bytes(),
            task.as_bytes(),
        ]));
        self.keys.insert(k, key);
        key
    }

    fn is_internal(&mut self, at: &'static Location<'static>) -> bool {
        *self
            .internal
            .entry(std::ptr::from_ref(at) as usize)
            .or_insert_with(|| is_facade_source(at.file()))
    }

    /// The pairs as reports carry them: for `a` before `b` with stable hashes `ha != hb`, the
    /// hash of the unordered pair with its lowest bit cleared, plus 1 when `ha < hb`. The two
    /// orders of one pair differ only in that bit.
    fn stable_pairs(&self) -> Vec<u64> {
        self.pairs
            .iter()
            .filter_map(|&p| {
                let a = self.key_hashes[(p >> 32) as usize];
                let b = self.key_hashes[(p & 0xffff_ffff) as usize];
                (a != b).then(|| {
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    let unordered = stable_hash(&[&lo.to_le_bytes(), &hi.to_le_bytes()]);
                    (unordered & !1) | u64::from(a < b)
                })
            })
            .collect()
    }
}

/// FNV-1a over the parts, each followed by a separator: the same in every process and build.
fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Whether `file` is one of the facade's own sources (the primitives, the Go layer, the task
/// registry), whose calls are the implementation of an operation, not one of the body's.
pub(crate) fn is_facade_source(file: &str) -> bool {
    let here = file!();
    let root = here
        .strip_suffix("rt/coverage.rs")
        .or_else(|| here.strip_suffix("rt\\coverage.rs"))
        .unwrap_or(here);
    file.strip_prefix(root).is_some_and(|rest| {
        ["sync", "go", "time", "rt", "check", "thread.rs", "leak.rs"]
            .iter()
            .any(|m| rest.starts_with(m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facade_sources_are_told_from_the_body() {
        assert!(is_facade_source(file!()));
        let chan = file!().replace("rt/coverage.rs", "go/chan.rs");
        assert!(is_facade_source(&chan));
        assert!(!is_facade_source("tests/go_channel.rs"));
        assert!(!is_facade_source("scenarios/src/worker_pool.rs"));
        let conformance = file!().replace("rt/coverage.rs", "conformance/channel.rs");
        assert!(!is_facade_source(&conformance));
    }

    #[test]
    fn the_two_orders_of_a_pair_differ_in_the_low_bit_only() {
        let mut r = Recorder {
            key_hashes: vec![stable_hash(&[b"a"]), stable_hash(&[b"b"])],
            ..Recorder::default()
        };
        r.pairs.insert(1);
        r.pairs.insert(1 << 32);
        let pairs: Vec<u64> = r.stable_pairs().into_iter().collect();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0] ^ pairs[1], 1);
    }

    #[test]
    fn a_kept_recorder_forgets_the_search_and_keeps_what_holds_in_every_search() {
        let at = Location::caller();
        let mut r = Recorder::sized();
        let main = r.intern("main");
        let key = r.key(LOCK, at, main);
        assert!(r.is_internal(at), "this test sits in the facade's sources");
        r.pairs.insert(u64::from(key) << 32 | u64::from(key + 1));
        r.end_search();
        assert!(
            r.room() <= Pool::<Recorder>::KEEP_ENTRIES,
            "a small body's recorder is kept"
        );
        assert!(r.pairs.is_empty() && r.keys.is_empty() && r.key_hashes.is_empty());
        assert_eq!(
            r.key(LOCK, at, main),
            0,
            "the next search numbers its keys from 0"
        );
        assert_eq!(r.intern("main"), main, "task names keep their ids");
        assert_eq!(r.internal.len(), 1, "which sites are the facade's is kept");

        for n in 0..=Pool::<Recorder>::KEEP_ENTRIES {
            r.intern(&format!("worker-{n}"));
        }
        r.end_search();
        let pool = Pool::new();
        pool.keep([r]);
        assert!(
            pool.take().is_none(),
            "a recorder with large tables is freed, not kept"
        );
    }
}
