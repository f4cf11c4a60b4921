//! SIGINT and SIGTERM: stop at once, except while result files are being written.
//!
//! Nothing is lost by stopping outside a write: results exist only in memory until they are
//! written, and every file is written to a temporary name and renamed. So the handler ends the
//! process immediately (status 130), whatever the command is doing: reading configs, starting
//! worker threads, building boundaries or simulating. While a command writes a set of files
//! (a [`WriteGuard`] is held), the signal only sets a flag: the set is completed, so that no
//! summary.json is left beside the summary.md of an older run, and the command then stops.

use crate::error::Error;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set by the handler; the engine checks it before each block of replicates, and commands
/// check it after each write.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How many write phases are in progress.
static WRITING: AtomicUsize = AtomicUsize::new(0);

/// Whether SIGINT or SIGTERM has arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// `Err(Error::Interrupted)` once a signal has arrived.
pub fn check() -> Result<(), Error> {
    if interrupted() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Held while a set of result files is written; see [`writing`].
#[derive(Debug)]
pub struct WriteGuard(());

impl Drop for WriteGuard {
    fn drop(&mut self) {
        WRITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts a write phase, or refuses with `Error::Interrupted` when a signal has arrived.
///
/// The handler sets the flag before it looks at the count and a write phase raises the count
/// before it looks at the flag (both sequentially consistent), so at least one of them sees the
/// other: either the handler waits for the write, or the write never starts.
pub fn writing() -> Result<WriteGuard, Error> {
    WRITING.fetch_add(1, Ordering::SeqCst);
    let guard = WriteGuard(());
    check()?;
    Ok(guard)
}

/// What the handler does on a signal: returns true when the process should end now.
fn on_signal() -> bool {
    INTERRUPTED.store(true, Ordering::SeqCst);
    WRITING.load(Ordering::SeqCst) == 0
}

/// Installs the SIGINT/SIGTERM handler. Call it first thing, before worker threads start, so
/// that a signal is honoured at every stage.
pub fn install_handler() {
    // If a handler cannot be installed the default (immediate termination) still loses nothing,
    // because every result file is written to a temporary name and renamed.
    let _ = ctrlc::set_handler(|| {
        if on_signal() {
            eprintln!("error: {}", Error::Interrupted);
            std::process::exit(i32::from(Error::Interrupted.exit_code()));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test for the whole protocol, since the flag and the count are process-wide.
    #[test]
    fn a_signal_waits_for_a_write_and_stops_the_next_one() {
        {
            let _w = writing().unwrap();
            assert!(!on_signal(), "a signal during a write must wait for it");
        }
        assert!(matches!(writing(), Err(Error::Interrupted)));
        assert!(on_signal(), "outside a write the process ends at once");
        INTERRUPTED.store(false, Ordering::SeqCst);
    }
}
