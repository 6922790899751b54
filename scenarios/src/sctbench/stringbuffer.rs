//! `stringbuffer`: JDK 1.4's `StringBuffer.append(StringBuffer other)` reads `other`'s length
//! and then copies that many characters, each call synchronized on `other` but not the pair, so
//! a task that erases `other` between the two makes the copy run past its end.
//!
//! Ported from SCTBench's `benchmarks/conc-bugs/stringbuffer-jdk1.4/main.cpp` (CB, Thomson,
//! Donaldson and Betts, PPoPP'14 / TOPC'16; Jie Yu's C++ model of the JDK bug), rewritten. The
//! fix copies under one lock.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, spawn, Program, Study, ASSERTS};

/// A string buffer whose every method holds its lock.
struct StringBuffer {
    chars: Mutex<Vec<u8>>,
}

impl StringBuffer {
    fn new(s: &str) -> Self {
        StringBuffer {
            chars: Mutex::new(s.as_bytes().to_vec()),
        }
    }

    fn len(&self) -> usize {
        self.chars.lock().len()
    }

    /// Characters `0..end`, like Java's `getChars`, which throws past the end.
    fn get_chars(&self, end: usize) -> Vec<u8> {
        let chars = self.chars.lock();
        assert!(
            end <= chars.len(),
            "string index out of range: {end} > {}",
            chars.len()
        );
        chars[..end].to_vec()
    }

    fn snapshot(&self) -> Vec<u8> {
        self.chars.lock().clone()
    }

    fn erase(&self, start: usize, end: usize) {
        self.chars.lock().drain(start..end);
    }

    fn append(&self, s: &[u8]) {
        self.chars.lock().extend_from_slice(s);
    }

    /// JDK 1.4: the length and the copy under two separate holds of `other`'s lock.
    fn append_buffer_bad(&self, other: &StringBuffer) {
        let n = other.len();
        let chars = other.get_chars(n);
        self.append(&chars);
    }

    fn append_buffer_ok(&self, other: &StringBuffer) {
        let chars = other.snapshot();
        self.append(&chars);
    }
}

fn run(append: fn(&StringBuffer, &StringBuffer)) {
    let shared = Arc::new(StringBuffer::new("abc"));
    let s = Arc::clone(&shared);
    let editor = spawn("erase_append", move || {
        s.erase(0, 3);
        s.append(b"abc");
    });
    let sb = StringBuffer::new("");
    append(&sb, &shared);
    let _ = editor.join();
}

/// The JDK 1.4 program.
pub fn bad() {
    run(StringBuffer::append_buffer_bad);
}

/// Copies under one lock.
pub fn ok() {
    run(StringBuffer::append_buffer_ok);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_stringbuffer",
            "append(other) reads other's length, then copies: an erase between runs past its end",
            ASSERTS,
            bad,
            1,
        ),
        fixed: Some(fixed(
            "sct_stringbuffer_fixed",
            "copies under one lock",
            ok,
            1,
        )),
        origin: "benchmarks/conc-bugs/stringbuffer-jdk1.4/main.cpp",
        study: Some(Study {
            threads: 2,
            points: 10,
        }),
        tasks: 1,
    }
}
