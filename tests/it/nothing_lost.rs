//! Interrupted runs and unwritable folders lose nothing and fail clearly.

use crate::common::*;
use predicates::prelude::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A long run interrupted mid-way by `signal` exits 130, says so, writes nothing, and leaves the
/// previous results of that config byte for byte as they were.
fn interrupted_run_keeps_previous_results(signal: &str) {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "3000",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success();
    let dir = out.path().join("williams2018");
    let before: Vec<(String, Vec<u8>)> = files_in(&dir)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap()))
        .collect();
    let bin = assert_cmd::cargo::cargo_bin("crossover-sim");
    let child = Command::new(bin)
        .args([
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "2000000000",
            "--threads",
            "1",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the run did not stop promptly"
    );
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("interrupted: stopped early; every result file is either completely written or untouched"),
        "{stderr}"
    );
    let after: Vec<(String, Vec<u8>)> = files_in(&dir)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap()))
        .collect();
    assert_eq!(
        before, after,
        "results changed or temporary files left behind"
    );
}

#[test]
fn sigint_keeps_previous_results() {
    interrupted_run_keeps_previous_results("-INT");
}

#[test]
fn sigterm_keeps_previous_results() {
    interrupted_run_keeps_previous_results("-TERM");
}

/// An unusable results folder is reported before any simulation time is spent: 2e9 replicates
/// would take half an hour, the error must come at once.
#[test]
fn unwritable_results_folder_fails_before_simulating() {
    let tmp = tempfile::tempdir().unwrap();
    let not_a_dir = tmp.path().join("results-file");
    std::fs::write(&not_a_dir, "I am a file").unwrap();
    let started = Instant::now();
    crossover_sim()
        .args([
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "2000000000",
            "--out",
        ])
        .arg(&not_a_dir)
        .current_dir(crate_path(""))
        .assert()
        // A file given as --out is bad input (issue 23): refused at once, naming the flag.
        .code(2)
        .stderr(
            predicate::str::contains("--out").and(predicate::str::contains(
                "results-file is a file, not a folder",
            )),
        );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(std::fs::read_to_string(&not_a_dir).unwrap(), "I am a file");
}

/// When the final write fails (here the target name is taken by a folder, so the rename fails
/// as it would on a full disk), the error is returned, the temporary file is removed and what
/// was there is untouched.
#[test]
fn a_failed_write_leaves_no_temporary_file_and_keeps_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("summary.json");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), "kept").unwrap();
    let err = crossover_sim::report::write_atomic(&target, b"{}").unwrap_err();
    assert!(err.to_string().contains("summary.json"), "{err}");
    assert_eq!(files_in(tmp.path()), vec!["summary.json".to_string()]);
    assert_eq!(
        std::fs::read_to_string(target.join("keep")).unwrap(),
        "kept"
    );
}
