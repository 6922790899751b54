//! The coverage figure: pairs of conflicting operations (same object, different tasks, at least
//! one write) seen in both orders, counted at the level the body wrote them.

use concheck::check::{Check, Checker, Coverage, ShuttleConfig};
use concheck::go;
use concheck::sync::atomic::{AtomicUsize, Ordering};
use concheck::sync::{Arc, Mutex, RwLock};
use concheck::thread;

fn coverage(check: &Check, checker: Checker) -> Coverage {
    let report = check.run(&checker);
    report.assert_no_violation();
    match report.coverage.clone() {
        Some(c) => c,
        None => panic!("no coverage in {report}"),
    }
}

/// Two tasks, one operation each on one object.
fn two_tasks(op: fn(&AtomicUsize)) -> Check {
    Check::new(move || {
        let a = Arc::new(AtomicUsize::new(0));
        let a2 = Arc::clone(&a);
        let t = thread::spawn(move || op(&a2));
        op(&a);
        t.join().unwrap();
    })
}

#[test]
fn coverage_of_an_exhaustive_search_sees_both_orders() {
    let racing_adds = two_tasks(|a| {
        a.fetch_add(1, Ordering::SeqCst);
    });
    let c = coverage(&racing_adds, Checker::shuttle_dfs());
    assert_eq!(c.to_string(), "pairs 1/1 (100%)");
    let c = coverage(&racing_adds, Checker::loom());
    assert_eq!(c.to_string(), "pairs 1/1 (100%)");
}

#[test]
fn coverage_of_one_schedule_sees_one_order() {
    let racing_adds = two_tasks(|a| {
        a.fetch_add(1, Ordering::SeqCst);
    });
    let one = Checker::Shuttle(ShuttleConfig::random().iterations(1));
    assert_eq!(coverage(&racing_adds, one).to_string(), "pairs 0/1 (0%)");
}

#[test]
fn coverage_reads_do_not_conflict() {
    let loads = two_tasks(|a| {
        a.load(Ordering::SeqCst);
    });
    assert_eq!(
        coverage(&loads, Checker::shuttle_dfs()).to_string(),
        "no conflicting pairs"
    );
    let reads = Check::new(|| {
        let l = Arc::new(RwLock::new(0));
        let l2 = Arc::clone(&l);
        let t = thread::spawn(move || *l2.read());
        let _ = *l.read();
        t.join().unwrap();
    });
    assert_eq!(coverage(&reads, Checker::loom()).pairs, 0);
    // A read and a write do.
    let read_write = Check::new(|| {
        let l = Arc::new(RwLock::new(0));
        let l2 = Arc::clone(&l);
        let t = thread::spawn(move || *l2.write() += 1);
        let _ = *l.read();
        t.join().unwrap();
    });
    assert_eq!(coverage(&read_write, Checker::loom()).pairs, 1);
}

#[test]
fn coverage_counts_channel_operations_not_their_inner_locks() {
    // One send against one receive: one pair, whatever locks and condvar waits the channel
    // takes inside. DFS sees the receiver arrive first and the sender arrive first.
    let handoff = Check::new(|| {
        let (tx, rx) = go::channel::<u32>(1);
        let t = thread::spawn(move || tx.send(1));
        assert_eq!(rx.recv(), Some(1));
        t.join().unwrap();
    });
    assert_eq!(
        coverage(&handoff, Checker::shuttle_dfs()).to_string(),
        "pairs 1/1 (100%)"
    );
}

#[test]
fn coverage_tells_tasks_apart_by_name() {
    // Two workers at one site: their race is a pair of its own, beside each one's race with the
    // body's lock.
    let workers = Check::new(|| {
        let m = Arc::new(Mutex::new(0));
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let m = Arc::clone(&m);
                thread::Builder::new()
                    .name(format!("worker-{i}"))
                    .spawn(move || *m.lock() += 1)
            })
            .collect();
        *m.lock() += 1;
        for h in handles {
            h.join().unwrap();
        }
    });
    let c = coverage(&workers, Checker::shuttle_dfs());
    assert_eq!((c.both_orders, c.pairs), (3, 3), "{c}");
}

#[test]
fn coverage_names_a_task_by_its_name_in_each_execution() {
    // The worker is named in every other execution (a std counter outside the model) and
    // unnamed (`task-1`) in the rest: two names, two pairs with the body's add. The recorder
    // keeps an unnamed task's name from one execution to the next; a name given in one
    // execution must not stick to the same task number in another, nor the other way round.
    static EXECUTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let alternating = Check::new(|| {
        let named = EXECUTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 0;
        let a = Arc::new(AtomicUsize::new(0));
        let a2 = Arc::clone(&a);
        let builder = if named {
            thread::Builder::new().name("adder".to_owned())
        } else {
            thread::Builder::new()
        };
        let t = builder.spawn(move || {
            a2.fetch_add(1, Ordering::SeqCst);
        });
        a.fetch_add(1, Ordering::SeqCst);
        t.join().unwrap();
    });
    // 200 random schedules: each name sees both orders (about 10 ms).
    let c = coverage(
        &alternating,
        Checker::Shuttle(ShuttleConfig::random().iterations(200)),
    );
    assert_eq!(c.to_string(), "pairs 2/2 (100%)");
    // loom's exhaustive search alternates the name between its executions too.
    let c = coverage(&alternating, Checker::loom());
    assert_eq!(c.pairs, 2, "{c}");
}

#[test]
fn coverage_is_not_recorded_on_real_threads() {
    let racing_adds = two_tasks(|a| {
        a.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(racing_adds.run(&Checker::std()).coverage, None);
}

#[test]
fn coverage_of_a_parallel_search_is_the_union_of_its_workers() {
    let racing_adds = two_tasks(|a| {
        a.fetch_add(1, Ordering::SeqCst);
    });
    let c = coverage(
        &racing_adds,
        Checker::Shuttle(ShuttleConfig::random().iterations(200).workers(2)),
    );
    assert_eq!(c.to_string(), "pairs 1/1 (100%)");
}

#[test]
fn coverage_can_be_turned_off_and_then_is_not_reported() {
    use concheck::check::LoomConfig;
    let racing_adds = two_tasks(|a| {
        a.fetch_add(1, Ordering::SeqCst);
    });
    for checker in [
        Checker::Loom(LoomConfig::new().coverage(false)),
        Checker::Shuttle(ShuttleConfig::random().coverage(false)),
        Checker::Shuttle(ShuttleConfig::pct().workers(2).coverage(false)),
    ] {
        let report = racing_adds.run(&checker);
        report.assert_no_violation();
        assert!(report.coverage.is_none(), "{report}");
    }
    // The switch is per search: the next search on the same thread records again.
    assert_eq!(
        coverage(&racing_adds, Checker::loom()).to_string(),
        "pairs 1/1 (100%)"
    );
}
