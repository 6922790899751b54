//! Hand-made failing reports with traces shaped like the recorder's, for tests of what renders
//! traces (the HTML report): a lost wakeup, an AB-BA deadlock, a leaked sender, and a worker
//! pool's double close of about 80 steps. Sites and messages are the real twins' (scenarios/).

use std::time::Duration;

use super::verdict::{Completeness, Outcome, Report};
use crate::rt::steps::{Step, StepKind, Trace, TraceObject, TraceTask};
use crate::rt::OpKind;
use crate::violation::{Site, TaskInfo, TaskState, Violation, ViolationKind};

/// Builds a trace whose sites are all in one source file.
pub(crate) struct TraceBuilder {
    file: &'static str,
    trace: Trace,
}

impl TraceBuilder {
    pub(crate) fn new(file: &'static str) -> Self {
        TraceBuilder {
            file,
            trace: Trace::default(),
        }
    }

    pub(crate) fn site(&self, line: u32, column: u32) -> Site {
        Site {
            file: self.file.to_owned(),
            line,
            column,
        }
    }

    /// A task; `spawned` is its spawn site (`None` for the body).
    pub(crate) fn task(&mut self, name: &str, spawned: Option<(u32, u32)>) -> usize {
        let id = self.trace.tasks.len();
        let spawned_at = spawned.map(|(l, c)| self.site(l, c));
        self.trace.tasks.push(TraceTask {
            id,
            name: name.to_owned(),
            spawned_at,
        });
        id
    }

    /// An object `what 'name'` (or `what @ file:line` without a name) created at `line:col`.
    pub(crate) fn object(&mut self, what: &str, name: Option<&str>, at: (u32, u32)) -> usize {
        let created = self.site(at.0, at.1);
        let base = self.file.rsplit('/').next().unwrap_or(self.file);
        let (full, short) = match name {
            Some(n) => (
                format!("{what} '{n}' (created at {created})"),
                format!("{what} '{n}'"),
            ),
            None => (
                format!("{what} created at {created}"),
                format!("{what} @ {base}:{}", at.0),
            ),
        };
        self.trace.objects.push(TraceObject { name: full, short });
        self.trace.objects.len() - 1
    }

    /// A select over `cases` (`("recv on", channel)`), named as the recorder names the object a
    /// blocked select waits on (`Object::Select`): `[recv on channel 'a' (created at ...), ...]`,
    /// short `[channel 'a', ...]`.
    pub(crate) fn select(&mut self, cases: &[(&str, usize)]) -> usize {
        let objects = &self.trace.objects;
        let full: Vec<String> = cases
            .iter()
            .map(|&(op, o)| format!("{op} {}", objects[o].name))
            .collect();
        let short: Vec<String> = cases
            .iter()
            .map(|&(_, o)| objects[o].short.clone())
            .collect();
        self.trace.objects.push(TraceObject {
            name: format!("[{}]", full.join(", ")),
            short: format!("[{}]", short.join(", ")),
        });
        self.trace.objects.len() - 1
    }

    pub(crate) fn step(
        &mut self,
        task: usize,
        kind: StepKind,
        op: &str,
        object: Option<usize>,
        at: (u32, u32),
    ) -> &mut Self {
        let at = Some(self.site(at.0, at.1));
        self.trace.steps.push(Step {
            task,
            kind,
            op: op.to_owned(),
            op_kind: kind_of(op),
            object,
            at,
        });
        self
    }

    /// A `Spawn` step of `parent` for `child`, at the child's spawn site.
    pub(crate) fn spawn(&mut self, parent: usize, child: usize) -> &mut Self {
        let task = &self.trace.tasks[child];
        let at = task.spawned_at.clone();
        let op = format!("spawn '{}'", task.name);
        self.trace.steps.push(Step {
            task: parent,
            kind: StepKind::Spawn,
            op,
            op_kind: OpKind::Spawn,
            object: None,
            at,
        });
        self
    }

    pub(crate) fn finish(&mut self, task: usize) -> &mut Self {
        self.trace.steps.push(Step {
            task,
            kind: StepKind::Finish,
            op: "return".to_owned(),
            op_kind: OpKind::Return,
            object: None,
            at: None,
        });
        self
    }

    /// The recorder's step for a task that panicked: no object, no site (it ends the task
    /// wherever it was; the operation that panicked is the step before).
    pub(crate) fn panic(&mut self, task: usize) -> &mut Self {
        self.trace.steps.push(Step {
            task,
            kind: StepKind::Panic,
            op: "panicked".to_owned(),
            op_kind: OpKind::Panic,
            object: None,
            at: None,
        });
        self
    }

    pub(crate) fn build(&mut self) -> Trace {
        std::mem::take(&mut self.trace)
    }
}

/// The kind the recorder gives the operation a fixture names as the real twins' traces do.
fn kind_of(op: &str) -> OpKind {
    match op {
        "Mutex::lock" => OpKind::Lock,
        "AtomicBool::load" => OpKind::AtomicLoad,
        "AtomicBool::store" | "AtomicUsize::fetch_sub" => OpKind::AtomicWrite,
        "Condvar::notify_one" => OpKind::NotifyOne,
        "Condvar::wait" => OpKind::CondvarWait,
        "JoinHandle::join" => OpKind::Join,
        "time::sleep" => OpKind::Sleep,
        "time::after" => OpKind::Other,
        "Select::wait" => OpKind::Select,
        "Receiver::recv" => OpKind::ChannelRecv,
        "Sender::send" => OpKind::ChannelSend,
        "Sender::close" => OpKind::Close,
        "WaitGroup::add" => OpKind::WaitGroupAdd,
        "WaitGroup::done" => OpKind::WaitGroupDone,
        "WaitGroup::wait" => OpKind::WaitGroupWait,
        other => panic!("fixture op {other:?} has no kind: add it to kind_of"),
    }
}

fn blocked(op: &str, object: &str, at: Site) -> TaskState {
    TaskState::Blocked {
        op: op.to_owned(),
        op_kind: kind_of(op),
        object: object.to_owned(),
        at,
    }
}

fn failing(checker: &str, replay: &str, violation: Violation, trace: Trace) -> Report {
    let mut report = Report::new(
        checker,
        Outcome::Violation(violation),
        3,
        Duration::from_micros(212),
        Completeness::Complete,
    );
    report.replay = Some(replay.to_owned());
    report.trace = Some(trace);
    report
}

/// `ready_flag_lost_wakeup` under loom: the setter stores and notifies between main's check of
/// the flag and its wait; main waits forever.
pub(crate) fn lost_wakeup() -> Report {
    let mut b = TraceBuilder::new("scenarios/src/ready_flag.rs");
    let main = b.task("main", None);
    let setter = b.task("setter", Some((49, 41)));
    let flag = b.object("atomic", None, (45, 16));
    let mutex = b.object("mutex", None, (46, 31));
    let condvar = b.object("condvar", None, (46, 43));
    b.spawn(main, setter)
        .step(main, StepKind::Op, "Mutex::lock", Some(mutex), (54, 25))
        .step(main, StepKind::Op, "AtomicBool::load", Some(flag), (55, 14))
        .step(
            setter,
            StepKind::Op,
            "AtomicBool::store",
            Some(flag),
            (50, 18),
        )
        .step(
            setter,
            StepKind::Op,
            "Condvar::notify_one",
            Some(condvar),
            (51, 21),
        )
        .finish(setter)
        .step(
            main,
            StepKind::Block,
            "Condvar::wait",
            Some(condvar),
            (56, 22),
        );
    let trace = b.build();
    let wait = b.site(56, 22);
    let mut v = Violation::new(
        ViolationKind::LostWakeup,
        format!(
            "#0 'main' never got a notify and every other task is blocked or done: [#0 'main' \
             (blocked in Condvar::wait on condvar created at {} at {wait})]",
            b.site(46, 43)
        ),
    );
    v.sites.push(wait.clone());
    v.tasks.push(TaskInfo {
        id: main,
        name: "main".to_owned(),
        spawned_at: None,
        state: blocked(
            "Condvar::wait",
            &format!("condvar created at {}", b.site(46, 43)),
            wait,
        ),
    });
    failing(
        "loom (exhaustive)",
        "loom:pb=none;branches=1000:{\"preemption_bound\":null,\"pos\":0}",
        v,
        trace,
    )
}

/// `lock_order_ab_ba` under loom: each transfer holds its source and waits for the other's.
pub(crate) fn ab_ba() -> Report {
    let mut b = TraceBuilder::new("scenarios/src/lock_order.rs");
    let main = b.task("main", None);
    let t1 = b.task("a-to-b", Some((195, 14)));
    let t2 = b.task("b-to-a", Some((201, 14)));
    let lock_a = b.object("mutex", None, (189, 22));
    let lock_b = b.object("mutex", None, (190, 22));
    let join = b.object("task", Some("a-to-b"), (195, 14));
    b.spawn(main, t1)
        .spawn(main, t2)
        .step(
            main,
            StepKind::Block,
            "JoinHandle::join",
            Some(join),
            (203, 8),
        )
        .step(t1, StepKind::Op, "Mutex::lock", Some(lock_a), (183, 31))
        .step(t2, StepKind::Op, "Mutex::lock", Some(lock_b), (183, 31))
        .step(t1, StepKind::Block, "Mutex::lock", Some(lock_b), (184, 34))
        .step(t2, StepKind::Block, "Mutex::lock", Some(lock_a), (184, 34));
    let trace = b.build();
    let mut v = Violation::new(
        ViolationKind::Deadlock,
        format!(
            "every task is blocked: [#0 'main' (blocked in JoinHandle::join on task #1 'a-to-b' \
             at {}), #1 'a-to-b' spawned at {} (blocked in Mutex::lock on mutex created at {} at \
             {}), #2 'b-to-a' spawned at {} (blocked in Mutex::lock on mutex created at {} at {})]",
            b.site(203, 8),
            b.site(195, 14),
            b.site(190, 22),
            b.site(184, 34),
            b.site(201, 14),
            b.site(189, 22),
            b.site(184, 34)
        ),
    );
    v.sites = vec![b.site(203, 8), b.site(184, 34), b.site(184, 34)];
    let infos = [
        (
            main,
            "main",
            None,
            "JoinHandle::join",
            "task #1 'a-to-b'",
            (203, 8),
        ),
        (
            t1,
            "a-to-b",
            Some((195, 14)),
            "Mutex::lock",
            "mutex @ 190",
            (184, 34),
        ),
        (
            t2,
            "b-to-a",
            Some((201, 14)),
            "Mutex::lock",
            "mutex @ 189",
            (184, 34),
        ),
    ];
    for (id, name, spawned, op, object, at) in infos {
        v.tasks.push(TaskInfo {
            id,
            name: name.to_owned(),
            spawned_at: spawned.map(|(l, c)| b.site(l, c)),
            state: blocked(op, object, b.site(at.0, at.1)),
        });
    }
    failing(
        "loom (exhaustive)",
        "loom:pb=none;branches=1000:{\"pos\":0}",
        v,
        trace,
    )
}

/// `request_timeout_leaks_child` under shuttle: the timeout wins the select, main returns, and
/// the backend blocks forever sending its reply on the unbuffered channel.
pub(crate) fn leaked_sender() -> Report {
    let mut b = TraceBuilder::new("scenarios/src/request_timeout.rs");
    let main = b.task("main", None);
    let backend = b.task("backend", Some((386, 44)));
    let reply = b.object("channel", Some("reply"), (385, 20));
    let timer = b.object("timer", None, (390, 19));
    b.spawn(main, backend)
        .step(
            backend,
            StepKind::Block,
            "time::sleep",
            Some(timer),
            (387, 9),
        )
        .step(main, StepKind::Op, "time::after", Some(timer), (390, 19))
        .step(
            main,
            StepKind::Block,
            "Select::wait",
            Some(reply),
            (394, 10),
        )
        .step(
            main,
            StepKind::Resume,
            "Select::wait",
            Some(timer),
            (394, 10),
        )
        .step(main, StepKind::Op, "Receiver::recv", Some(timer), (393, 10))
        .step(
            backend,
            StepKind::Resume,
            "time::sleep",
            Some(timer),
            (387, 9),
        )
        .finish(main)
        .step(
            backend,
            StepKind::Block,
            "Sender::send",
            Some(reply),
            (388, 12),
        );
    let trace = b.build();
    let send = b.site(388, 12);
    let mut v = Violation::new(
        ViolationKind::Leak,
        format!(
            "1 task outlived its scope: [#1 'backend' spawned at {} (blocked in Sender::send on \
             channel 'reply' (created at {}) at {send})]; the scope ended at \
             scenarios/src/catalog.rs:69:33, where #0 'main' waits",
            b.site(386, 44),
            b.site(385, 20)
        ),
    );
    v.sites = vec![b.site(386, 44), send.clone()];
    v.tasks.push(TaskInfo {
        id: backend,
        name: "backend".to_owned(),
        spawned_at: Some(b.site(386, 44)),
        state: blocked("Sender::send", "channel 'reply'", send),
    });
    let mut report = failing(
        "shuttle random (seed 0xc0ffee)",
        "shuttle:91024eeeff8306800491000990244182204880200092244980004882044802044951142502",
        v,
        trace,
    );
    report.completeness = Completeness::Incomplete {
        bound: "1,000 random schedules".to_owned(),
    };
    report
}

/// A worker pool with a feeder, two workers and a closer over six jobs (`worker_pool`'s double
/// close twin, grown to about 80 steps): the last worker and the closer both close `results`.
pub(crate) fn double_close_pool() -> Report {
    let mut b = TraceBuilder::new("scenarios/src/worker_pool.rs");
    let main = b.task("main", None);
    let feeder = b.task("feeder", Some((186, 43)));
    let workers = [
        b.task("worker-0", Some((162, 14))),
        b.task("worker-1", Some((162, 14))),
    ];
    let closer = b.task("closer", Some((183, 43)));
    let jobs = b.object("channel", Some("jobs"), (148, 33));
    let results = b.object("channel", Some("results"), (149, 36));
    let wg = b.object("waitgroup", None, (150, 14));
    let active = b.object("atomic", None, (151, 18));
    for w in workers {
        b.step(main, StepKind::Op, "WaitGroup::add", Some(wg), (153, 12))
            .spawn(main, w);
    }
    b.spawn(main, closer).spawn(main, feeder);
    for w in workers {
        b.step(w, StepKind::Block, "Receiver::recv", Some(jobs), (163, 28));
    }
    b.step(
        closer,
        StepKind::Block,
        "WaitGroup::wait",
        Some(wg),
        (184, 12),
    )
    .step(
        main,
        StepKind::Block,
        "Receiver::recv",
        Some(results),
        (190, 24),
    );
    for job in 0..6 {
        let w = workers[job % 2];
        b.step(feeder, StepKind::Op, "Sender::send", Some(jobs), (187, 13))
            .step(w, StepKind::Resume, "Receiver::recv", Some(jobs), (163, 28))
            .step(w, StepKind::Op, "Receiver::recv", Some(jobs), (163, 28))
            .step(w, StepKind::Op, "Sender::send", Some(results), (164, 32))
            .step(
                main,
                StepKind::Resume,
                "Receiver::recv",
                Some(results),
                (190, 24),
            )
            .step(
                main,
                StepKind::Op,
                "Receiver::recv",
                Some(results),
                (190, 24),
            )
            .step(
                main,
                StepKind::Block,
                "Receiver::recv",
                Some(results),
                (190, 24),
            )
            .step(w, StepKind::Block, "Receiver::recv", Some(jobs), (163, 28));
    }
    b.step(feeder, StepKind::Op, "Sender::close", Some(jobs), (189, 13))
        .finish(feeder);
    for w in workers {
        b.step(w, StepKind::Resume, "Receiver::recv", Some(jobs), (163, 28))
            .step(w, StepKind::Op, "Receiver::recv", Some(jobs), (163, 28))
            .step(w, StepKind::Op, "WaitGroup::done", Some(wg), (166, 20))
            .step(
                w,
                StepKind::Op,
                "AtomicUsize::fetch_sub",
                Some(active),
                (167, 27),
            );
    }
    b.step(
        closer,
        StepKind::Resume,
        "WaitGroup::wait",
        Some(wg),
        (184, 12),
    )
    .step(
        workers[1],
        StepKind::Op,
        "Sender::close",
        Some(results),
        (168, 32),
    )
    .finish(workers[0])
    .step(
        closer,
        StepKind::Op,
        "Sender::close",
        Some(results),
        (185, 20),
    )
    .step(
        closer,
        StepKind::Panic,
        "Sender::close",
        Some(results),
        (185, 20),
    );
    let trace = b.build();
    let mut v = Violation::new(
        ViolationKind::DoubleClose,
        format!(
            "channel 'results' (created at {}) was closed at {} by #{} 'worker-1' and again at \
             {} by #{closer} 'closer'",
            b.site(149, 36),
            b.site(168, 32),
            workers[1],
            b.site(185, 20)
        ),
    );
    v.sites = vec![b.site(168, 32), b.site(185, 20)];
    v.tasks.push(TaskInfo {
        id: closer,
        name: "closer".to_owned(),
        spawned_at: Some(b.site(183, 43)),
        state: TaskState::Running,
    });
    let mut report = failing(
        "shuttle pct (depth 3, seed 0xc0ffee)",
        "shuttle:91023ceeff83060000000000009224010024490000491249922409c0b60d",
        v,
        trace,
    );
    report.completeness = Completeness::Incomplete {
        bound: "1,000 pct schedules".to_owned(),
    };
    report
}

/// Every fixture, named for file names.
pub(crate) fn all() -> Vec<(&'static str, Report)> {
    vec![
        ("lost_wakeup", lost_wakeup()),
        ("ab_ba", ab_ba()),
        ("leaked_sender", leaked_sender()),
        ("double_close_pool", double_close_pool()),
    ]
}
