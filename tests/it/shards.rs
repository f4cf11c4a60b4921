//! Sharded runs merge into exactly the single run (issue: runs that outgrow one machine).

use crate::common::*;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// The file without its timing fields (and a merge's shard timing).
fn strip_timing(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| {
            ![
                "\"elapsed_seconds\"",
                "\"replicates_per_second\"",
                "\"threads\"",
                "\"merged_shards\"",
                "\"shard_seconds_total\"",
            ]
            .iter()
            .any(|k| l.contains(k))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_shards(out: &Path, n: u64, replicates: &str, extra: &[&str]) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            crossover_sim()
                .args([
                    "run",
                    "configs/williams2018.toml",
                    "--replicates",
                    replicates,
                    "--quiet",
                ])
                .args(["--shard", &format!("{k}/{n}"), "--out"])
                .arg(out)
                .args(extra)
                .current_dir(crate_path(""))
                .assert()
                .success();
            // With --set overrides the name ends in a hash of them: shard-K-of-N-set-<hash>.json.
            let dir = out.join("williams2018/shards");
            let stem = format!("shard-{k}-of-{n}");
            std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .find(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    name == format!("{stem}.json") || name.starts_with(&format!("{stem}-set-"))
                })
                .unwrap_or_else(|| panic!("no {stem} in {}", dir.display()))
        })
        .collect()
}

/// N = 1, 3 and 7 shards of 10,007 replicates (not a multiple of N) merge into the summary of a
/// single run, identical byte for byte except the timing fields.
#[test]
fn merged_shards_equal_the_single_run() {
    let single = tempfile::tempdir().unwrap();
    crossover_sim()
        .args([
            "run",
            "configs/williams2018.toml",
            "--replicates",
            "10007",
            "--quiet",
            "--out",
        ])
        .arg(single.path())
        .current_dir(crate_path(""))
        .assert()
        .success();
    let expected = strip_timing(&single.path().join("williams2018/summary.json"));
    for n in [1u64, 3, 7] {
        let out = tempfile::tempdir().unwrap();
        let shards = run_shards(out.path(), n, "10007", &[]);
        crossover_sim()
            .arg("merge")
            .args(&shards)
            .args(["--quiet", "--out"])
            .arg(out.path())
            .assert()
            .success();
        let merged = strip_timing(&out.path().join("williams2018/summary.json"));
        assert_eq!(merged, expected, "{n} shards");
        let csv_single =
            std::fs::read_to_string(single.path().join("williams2018/summary.csv")).unwrap();
        let csv_merged =
            std::fs::read_to_string(out.path().join("williams2018/summary.csv")).unwrap();
        assert_eq!(csv_single, csv_merged, "{n} shards: summary.csv");
    }
}

#[test]
fn merged_sweep_shards_equal_the_single_sweep() {
    let args = [
        "sweep",
        "configs/validation/gs_d05_n30.toml",
        "--param",
        "design.enrolled",
        "--values",
        "20:30:5",
        "--set",
        "sequential.looks=[0.5, 1.0]",
        "--target-power",
        "0.5",
        "--replicates",
        "3001",
        "--quiet",
    ];
    let single = tempfile::tempdir().unwrap();
    crossover_sim()
        .args(args)
        .arg("--out")
        .arg(single.path())
        .current_dir(crate_path(""))
        .assert()
        .success();
    // With --set overrides the sweep's files carry a hash of them in their name.
    let stem = crossover_sim::report::sweep::stem(
        "design.enrolled",
        None,
        &["sequential.looks=[0.5, 1.0]".to_string()],
    );
    assert!(stem.starts_with("sweep-design.enrolled-set-"), "{stem}");
    let sharded = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for k in 1..=3 {
        crossover_sim()
            .args(args)
            .args(["--shard", &format!("{k}/3"), "--out"])
            .arg(sharded.path())
            .current_dir(crate_path(""))
            .assert()
            .success();
        files.push(
            sharded
                .path()
                .join(format!("gs_d05_n30/shards/{stem}-shard-{k}-of-3.json")),
        );
    }
    crossover_sim()
        .arg("merge")
        .args(&files)
        .arg("--quiet")
        .arg("--out")
        .arg(sharded.path())
        .assert()
        .success();
    for f in [format!("{stem}.json"), format!("{stem}.csv")] {
        let a = std::fs::read_to_string(single.path().join("gs_d05_n30").join(&f)).unwrap();
        let b = std::fs::read_to_string(sharded.path().join("gs_d05_n30").join(&f)).unwrap();
        assert_eq!(a, b, "{f}");
    }
}

#[test]
fn merge_refuses_shards_that_do_not_belong_together() {
    let out = tempfile::tempdir().unwrap();
    let shards = run_shards(out.path(), 3, "5000", &[]);
    let other = tempfile::tempdir().unwrap();
    let other_seed = run_shards(other.path(), 3, "5000", &["--seed", "5"]);
    let other_config = tempfile::tempdir().unwrap();
    let other_cfg = run_shards(
        other_config.path(),
        3,
        "5000",
        &["--set", "population.correlation=0.4"],
    );
    let merge = |files: &[&PathBuf]| {
        let mut cmd = crossover_sim();
        cmd.arg("merge").args(files).arg("--out").arg(out.path());
        cmd.assert()
    };
    merge(&[&shards[0], &shards[2]])
        .code(2)
        .stderr(predicate::str::contains("missing shard(s) 2/3"));
    merge(&[&shards[0], &shards[1], &shards[1], &shards[2]])
        .code(2)
        .stderr(predicate::str::contains("shard 2/3 given twice"));
    merge(&[&shards[0], &other_seed[1], &shards[2]])
        .code(2)
        .stderr(
            predicate::str::contains("different seed")
                .and(predicate::str::contains("shard-2-of-3.json")),
        );
    merge(&[&shards[0], &other_cfg[1], &shards[2]])
        .code(2)
        .stderr(predicate::str::contains("different --set overrides"));
    // A corrupted file: one count changed by hand, and a truncated file.
    let text = std::fs::read_to_string(&shards[1]).unwrap();
    let tampered = out.path().join("tampered.json");
    let key = "\"enrolled_sum\": ";
    let at = text.find(key).expect("enrolled_sum in shard file") + key.len();
    let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let bumped: u64 = text[at..end].parse::<u64>().unwrap() + 1;
    std::fs::write(
        &tampered,
        format!("{}{bumped}{}", &text[..at], &text[end..]),
    )
    .unwrap();
    merge(&[&shards[0], &tampered, &shards[2]])
        .code(2)
        .stderr(predicate::str::contains("tampered.json is corrupted"));
    let truncated = out.path().join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    merge(&[&shards[0], &truncated, &shards[2]])
        .code(2)
        .stderr(predicate::str::contains(
            "truncated.json is not a valid shard file",
        ));
}

#[test]
fn bad_shard_specs_are_usage_errors() {
    for spec in ["0/3", "4/3", "3", "a/b", "1/0"] {
        crossover_sim()
            .args(["run", "configs/williams2018.toml", "--shard", spec])
            .current_dir(crate_path(""))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("expected K/N"));
    }
}
