use concheck::check::{Check, Checker};
use concheck::sync::{Arc, Condvar, Mutex, atomic::{AtomicBool, Ordering}};
use concheck::thread;
use concheck::ViolationKind;

fn lost_wakeup() {
    let flag = Arc::new(AtomicBool::new(false));
    let pair = Arc::new((Mutex::new(()), Condvar::new()));
    let (f2, p2) = (Arc::clone(&flag), Arc::clone(&pair));
    let t = thread::Builder::new().name("setter").spawn(move || {
        f2.store(true, Ordering::SeqCst);
        p2.1.notify_one();
    });
    let g = pair.0.lock();
    if !flag.load(Ordering::SeqCst) {
        let _g = pair.1.wait(g);
    }
    t.join().unwrap();
}

#[test]
fn smoke() {
    let check = Check::new(lost_wakeup);
    for c in [Checker::loom(), Checker::shuttle_random(), Checker::shuttle_pct(), Checker::shuttle_dfs()] {
        let r = check.run(&c);
        println!("{r}\n");
        r.assert_finds(ViolationKind::LostWakeup);
        let again = concheck::check::replay(&check, r.replay.as_deref().unwrap());
        println!("replay: {again}\n");
        again.assert_finds(ViolationKind::LostWakeup);
    }
    let leak = Check::new(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let p2 = Arc::clone(&pair);
        thread::Builder::new().name("stuck").spawn(move || {
            let mut g = p2.0.lock();
            while !*g { g = p2.1.wait(g); }
        });
    });
    for c in [Checker::loom(), Checker::shuttle_random(), Checker::Stress(concheck::check::StressConfig::new().timeout(std::time::Duration::from_millis(300)))] {
        let r = leak.run(&c);
        println!("{r}\n");
        r.assert_finds(ViolationKind::Leak);
    }
}
