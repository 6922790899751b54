//! The Go concurrency bugs that Rust's types forbid: each is a small program, ported the way a
//! Go programmer would port the buggy Go code, that the compiler rejects.
//!
//! The programs are `tests/ui/*.rs`, checked by the trybuild test `tests/compile_fail.rs`
//! against their `.stderr` snapshots; each file's opening comment gives the Go code and the
//! Rust rule. [`CASES`] lists them for the `concheck` command's table, and this module's tests
//! hold the list and the files to each other.
//!
//! What types cannot forbid (a double close through cloned senders, a send after close, leaks,
//! lost wakeups, `Add` racing `Wait`, lost updates by check-then-act) is what the checkers run
//! by the [catalog](crate::catalog) must catch.

/// A Go bug that Rust's type system rejects at compile time, shown by a trybuild test.
#[derive(Clone, Copy, Debug)]
pub struct CompileFail {
    /// Unique, snake_case, the file's stem: `copy_mutex`.
    pub name: &'static str,
    /// The program, relative to the `scenarios/` crate: `tests/ui/copy_mutex.rs`.
    pub file: &'static str,
    /// One line: the Go bug the program ports.
    pub go_bug: &'static str,
    /// One line: the Rust rule that rejects it.
    pub rust_rule: &'static str,
    /// The rustc error code the program must fail with: `E0382`.
    pub error: &'static str,
}

/// Every compile-fail case, one per `tests/ui/*.rs` file.
pub const CASES: &[CompileFail] = &[
    CompileFail {
        name: "copy_mutex",
        file: "tests/ui/copy_mutex.rs",
        go_bug: "a struct holding a sync.Mutex passed by value to a goroutine: two locks, \
                 no exclusion (go vet copylocks)",
        rust_rule: "Mutex is not Copy, so the struct moves into the task and the original \
                    cannot be used after",
        error: "E0382",
    },
    CompileFail {
        name: "copy_mutex_clone",
        file: "tests/ui/copy_mutex_clone.rs",
        go_bug: "a struct holding a sync.Mutex copied by assignment: two locks, no exclusion \
                 (go vet copylocks)",
        rust_rule: "Mutex is not Clone, so a struct holding one cannot derive Clone",
        error: "E0277",
    },
    CompileFail {
        name: "map_data_race",
        file: "tests/ui/map_data_race.rs",
        go_bug: "a plain map written from two goroutines (fatal error: concurrent map writes)",
        rust_rule: "Arc gives only shared access and insert needs &mut: mutation needs a lock",
        error: "E0596",
    },
    CompileFail {
        name: "close_from_receiver",
        file: "tests/ui/close_from_receiver.rs",
        go_bug: "the receiver closes the channel; the sender then panics on send",
        rust_rule: "Receiver has no close method: only a Sender can close",
        error: "E0599",
    },
    CompileFail {
        name: "loop_variable_capture",
        file: "tests/ui/loop_variable_capture.rs",
        go_bug: "goroutines capture the loop variable by reference (before Go 1.22): \
                 all see its last value",
        rust_rule: "spawn needs a 'static closure: one borrowing the loop variable is refused, \
                    move copies it",
        error: "E0373",
    },
    CompileFail {
        name: "unsync_counter",
        file: "tests/ui/unsync_counter.rs",
        go_bug: "a shared int incremented from goroutines without a lock: lost increments",
        rust_rule: "Rc<Cell<u64>> is not Send, so spawn refuses a closure that captures it",
        error: "E0277",
    },
    CompileFail {
        name: "use_after_send",
        file: "tests/ui/use_after_send.rs",
        go_bug: "a goroutine sends a pointer on a channel and keeps writing through it: \
                 sender and receiver race on the handed-over value",
        rust_rule: "send takes the value by move: after the send the sender no longer owns it",
        error: "E0382",
    },
];
