//! `concheck run --html DIR`: a page per check that found a violation, and an index linking
//! them.

use std::process::Command;

#[test]
fn html_writes_a_page_per_violation_and_an_index() {
    let dir = std::env::temp_dir().join(format!("concheck-html-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // loom finds the lost wakeup in 3 schedules; std's 100 real runs usually miss it (no page
    // then) and find the leak at once.
    let out = Command::new(env!("CARGO_BIN_EXE_concheck"))
        .args([
            "run",
            "ready_flag_lost_wakeup",
            "request_timeout_leaks_child",
        ])
        .args(["--checker", "loom,std", "--iterations", "5", "--html"])
        .arg(&dir)
        .env_remove("CONCHECK_SHARD")
        .output()
        .expect("run the concheck binary");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("HTML reports written to {}", dir.display())),
        "{text}"
    );
    let index = std::fs::read_to_string(dir.join("index.html")).expect("the index");
    for page in [
        "ready_flag_lost_wakeup-loom.html",
        "request_timeout_leaks_child-loom.html",
        "request_timeout_leaks_child-std.html",
    ] {
        assert!(
            index.contains(&format!("href=\"{page}\"")),
            "{page}:\n{index}"
        );
        let html = std::fs::read_to_string(dir.join(page)).expect("the page");
        assert!(
            html.contains("<h1>") && html.contains("class=\"kind bad\""),
            "{page}"
        );
    }
    assert!(index.contains("lost wakeup") && index.contains("task leak"));
    // The std page has no trace and says why.
    let std_page =
        std::fs::read_to_string(dir.join("request_timeout_leaks_child-std.html")).unwrap();
    assert!(std_page.contains("real runs (std, tokio) cannot be replayed"));
    std::fs::remove_dir_all(&dir).unwrap();
}
