//! Fuzzes the command line: bytes (as lossy UTF-8) split into arguments at newlines, parsed and
//! checked as the binary does (`cli::dry_run`: thread counts, shard specs, `--values` ranges,
//! `--set` strings, boundary options), with `boundaries` requests computed. Any panic is a
//! crash, and so is an error message with serde's jargon in it; libFuzzer's `-timeout` catches
//! hangs.
//!
//! Run from the crate root on a stable toolchain:
//!     RUSTC_BOOTSTRAP=1 cargo fuzz run cli_args -- -max_total_time=120 -max_len=512

#![no_main]

use libfuzzer_sys::fuzz_target;

/// More arguments than any real command line has.
const MAX_ARGS: usize = 32;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let args: Vec<&str> = text.split('\n').take(MAX_ARGS).collect();
    if let Err(message) = crossover_sim::cli::dry_run(args.iter().copied()) {
        assert!(!message.is_empty());
        assert!(
            !message.contains("invalid type:"),
            "serde jargon for {args:?}: {message}"
        );
    }
});
