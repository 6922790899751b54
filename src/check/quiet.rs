//! shuttle's own stderr lines about each failing schedule, filtered out while a checker runs.
//!
//! shuttle prints a line for every execution that fails, with `eprintln!` and no switch to turn
//! it off: `Test deadlocked, and SHUTTLE_CAPTURE_BACKTRACE is not set...` for a deadlock (gone
//! only if that variable is set, which makes shuttle capture a backtrace at every block, far too
//! slow) and `test panicked in task '...'` for a panic. A search that finds a bug, then shrinks
//! it and replays it for its trace, fails dozens of schedules: 26 such lines in the
//! bounded_queue example's output, although the report already says everything they say.
//!
//! `eprintln!` writes to file descriptor 2 (or, inside libtest without `--nocapture`, to the
//! test's captured output, which is shown only if the test fails). Stable Rust has no hook for
//! it, so while a shuttle check runs, [`Quiet`] points descriptor 2 at a pipe and a thread
//! forwards every line to the real stderr except those two of shuttle's. Other output written
//! meanwhile (another test's, the body's own) passes through, line by line. One filter serves
//! every check running at once (a count of users); the last one to finish puts descriptor 2
//! back. `CONCHECK_SHOW_PANICS=1` leaves stderr alone. Only on Unix; elsewhere the lines stay.

/// While held, shuttle's per-schedule lines are filtered out of stderr (on Unix, unless
/// `CONCHECK_SHOW_PANICS` is set).
pub(crate) struct Quiet {
    #[cfg(unix)]
    active: bool,
}

/// The beginnings of the lines shuttle prints for each failing execution.
const NOISE: [&str; 3] = [
    "Test deadlocked, and SHUTTLE_CAPTURE_BACKTRACE is not set.",
    "test panicked in task '",
    "test panicked in a task that was still unwinding the panic",
];

/// Whether `line` is one of shuttle's per-schedule lines.
pub(crate) fn is_noise(line: &[u8]) -> bool {
    NOISE.iter().any(|n| line.starts_with(n.as_bytes()))
}

/// Whether the start of a line read so far may still turn out to be one of shuttle's.
fn may_be_noise(partial: &[u8]) -> bool {
    NOISE
        .iter()
        .any(|n| n.as_bytes().starts_with(partial) || partial.starts_with(n.as_bytes()))
}

/// Whether the user asked to see the panics inside executions (and so shuttle's lines too).
fn show_panics() -> bool {
    std::env::var_os("CONCHECK_SHOW_PANICS").is_some_and(|v| v != "0")
}

/// Copies `input` to `output` line by line, leaving out shuttle's per-schedule lines. A
/// partial line is passed on at once unless it may still become one of them.
pub(crate) fn forward(mut input: impl std::io::Read, mut output: impl std::io::Write) {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        pending.extend_from_slice(&chunk[..n]);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            if !is_noise(&line) {
                let _ = output.write_all(&line);
            }
        }
        if !pending.is_empty() && !may_be_noise(&pending) {
            let _ = output.write_all(&pending);
            pending.clear();
        }
        let _ = output.flush();
    }
    if !is_noise(&pending) {
        let _ = output.write_all(&pending);
    }
    let _ = output.flush();
}

#[cfg(unix)]
mod filter {
    use std::fs::File;
    use std::os::fd::{AsFd, OwnedFd};
    use std::sync::mpsc;
    use std::sync::{Mutex, PoisonError};
    use std::time::Duration;

    use rustix::io::{dup, fcntl_setfd, FdFlags};

    /// How long the last check waits for the forwarding thread to pass on what is left in the
    /// pipe. It returns as soon as the pipe is drained; the bound only matters if a process
    /// spawned meanwhile inherited the pipe as its stderr and still holds it (its lines keep
    /// being forwarded after the wait).
    const DRAIN_WAIT: Duration = Duration::from_secs(1);

    /// The filter in place: the real stderr, the pipe's write end now behind descriptor 2, and
    /// word from the forwarding thread when it has drained the pipe.
    pub(super) struct Filter {
        saved: OwnedFd,
        write: OwnedFd,
        drained: mpsc::Receiver<()>,
    }

    /// The filter and how many checks use it.
    pub(super) static STATE: Mutex<(usize, Option<Filter>)> = Mutex::new((0, None));

    pub(super) fn lock() -> std::sync::MutexGuard<'static, (usize, Option<Filter>)> {
        STATE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    impl Filter {
        pub(super) fn install() -> std::io::Result<Filter> {
            let stderr = std::io::stderr();
            let saved = dup(stderr.as_fd())?;
            fcntl_setfd(&saved, FdFlags::CLOEXEC)?;
            let (read, write) = rustix::pipe::pipe()?;
            fcntl_setfd(&read, FdFlags::CLOEXEC)?;
            fcntl_setfd(&write, FdFlags::CLOEXEC)?;
            let out = File::from(dup(&saved)?);
            fcntl_setfd(&out, FdFlags::CLOEXEC)?;
            let (done, drained) = mpsc::channel();
            std::thread::Builder::new()
                .name("concheck-stderr-filter".to_owned())
                .spawn(move || {
                    super::forward(File::from(read), out);
                    let _ = done.send(());
                })?;
            rustix::stdio::dup2_stderr(&write)?;
            Ok(Filter {
                saved,
                write,
                drained,
            })
        }

        pub(super) fn remove(self) {
            let _ = rustix::stdio::dup2_stderr(&self.saved);
            drop(self.write);
            let _ = self.drained.recv_timeout(DRAIN_WAIT);
        }
    }
}

impl Quiet {
    /// Filters shuttle's lines out of stderr until the returned guard is dropped.
    pub(crate) fn enter() -> Quiet {
        #[cfg(unix)]
        {
            if show_panics() {
                return Quiet { active: false };
            }
            let mut state = filter::lock();
            if state.0 == 0 {
                match filter::Filter::install() {
                    Ok(f) => state.1 = Some(f),
                    // No stderr to redirect (closed, or out of descriptors): the lines stay.
                    Err(_) => return Quiet { active: false },
                }
            }
            state.0 += 1;
            Quiet { active: true }
        }
        #[cfg(not(unix))]
        {
            let _ = show_panics;
            Quiet {}
        }
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        #[cfg(unix)]
        if self.active {
            let mut state = filter::lock();
            state.0 -= 1;
            if state.0 == 0 {
                if let Some(f) = state.1.take() {
                    f.remove();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuttle_lines_are_dropped_and_the_rest_passes_through() {
        let input = "first\nTest deadlocked, and SHUTTLE_CAPTURE_BACKTRACE is not set. If...\n\
                     test panicked in task 'main-thread'\nTest deadlocked in my own words\n\
                     partial without newline";
        let mut out = Vec::new();
        forward(input.as_bytes(), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "first\nTest deadlocked in my own words\npartial without newline"
        );
        assert!(may_be_noise(b"test pan"));
        assert!(!may_be_noise(b"progress 3/10"));
    }
}
