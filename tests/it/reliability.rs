//! Nothing lost, nothing ambiguous (issue 14): bounded threads, signals at every stage, name
//! collisions refused, every output recording what reproduces it, errors located where the
//! mistake was written, and every command of the README run as written.
//!
//! Commands run in a scratch folder holding a copy of `configs/`, so that nothing writes into
//! the repository's `results/`.

use crate::common::*;
use predicates::prelude::*;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("crossover-sim")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary folder with a copy of `configs/`.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&crate_path("configs"), &dir.path().join("configs"));
    dir
}

/// The binary, run in `dir`.
fn cmd_in(dir: &Path) -> assert_cmd::Command {
    let mut c = crossover_sim();
    c.current_dir(dir).timeout(Duration::from_secs(300));
    c
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const WILLIAMS: &str = "configs/williams2018.toml";

fn williams_text() -> String {
    read(&crate_path(WILLIAMS))
}

/// The 1-based line of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in the text"))
        + 1
}

/// Splits a command line as a POSIX shell does for the quoting the recorded commands use
/// (single quotes, with `'\''` for a quote).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Runs a recorded command (`crossover-sim ...`) in `dir` with `extra` arguments.
fn rerun(dir: &Path, command: &str, extra: &[&str]) {
    let words = shell_words(command);
    assert_eq!(words[0], "crossover-sim", "{command}");
    cmd_in(dir).args(&words[1..]).args(extra).assert().success();
}

/// summary.json without its timing fields.
fn figures(path: &Path) -> Json {
    let mut j = json(path);
    let o = j.as_object_mut().unwrap();
    for k in [
        "elapsed_seconds",
        "replicates_per_second",
        "threads",
        "merged_shards",
        "shard_seconds_total",
    ] {
        o.remove(k);
    }
    j
}

fn without_timing_line(md: &str) -> String {
    md.lines()
        .filter(|l| !l.starts_with("Timing: "))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// 1. Threads and signals
// ---------------------------------------------------------------------------------------------

/// `--threads 100000` used to start 100,000 threads (a panic, a load average of 4,000 and ten
/// minutes deaf to signals). It is refused at once, naming the flag, the value and the range.
#[test]
fn thread_counts_beyond_four_per_core_are_refused_at_once() {
    let dir = scratch();
    let max = crossover_sim::cli::max_threads();
    for n in ["100000", "0", &(max + 1).to_string()] {
        let started = Instant::now();
        cmd_in(dir.path())
            .args([
                "run",
                WILLIAMS,
                "--replicates",
                "1000",
                "--quiet",
                "--threads",
                n,
            ])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!(
                    "--threads {n}: must be a whole number from 1 to {max}"
                ))
                .and(predicate::str::contains("panicked").not()),
            );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    assert!(
        !dir.path().join("results").exists(),
        "nothing may be written"
    );
    cmd_in(dir.path())
        .args([
            "run",
            WILLIAMS,
            "--replicates",
            "1000",
            "--quiet",
            "--threads",
        ])
        .arg(max.to_string())
        .assert()
        .success();
    // The same bound for every command that simulates.
    for args in [
        vec!["batch", "configs", "--threads", "100000"],
        vec![
            "sweep",
            WILLIAMS,
            "--param",
            "design.enrolled",
            "--values",
            "20,30",
            "--threads",
            "100000",
        ],
        vec!["claim", WILLIAMS, "--threads", "100000"],
    ] {
        cmd_in(dir.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--threads 100000: must be"));
    }
}

/// A signal during start-up (here: building the critical-value tables of a 100,000-participant
/// design, which takes seconds before the first replicate) ends the run at once with status
/// 130 and writes nothing; before, the run only noticed it when simulation began.
fn signal_during_start_up_stops_at_once(signal: &str) {
    let dir = scratch();
    let child = Command::new(bin())
        .args([
            "run",
            WILLIAMS,
            "--set",
            "design.enrolled=100000",
            "--replicates",
            "1000",
            "--out",
            "out",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let sent = Instant::now();
    assert!(Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let output = child.wait_with_output().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{signal} took {:?} to stop the run",
        sent.elapsed()
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let written: Vec<_> = std::fs::read_dir(dir.path().join("out/williams2018"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "files left behind: {written:?}");
}

#[test]
fn sigint_during_start_up_stops_at_once() {
    signal_during_start_up_stops_at_once("-INT");
}

#[test]
fn sigterm_during_start_up_stops_at_once() {
    signal_during_start_up_stops_at_once("-TERM");
}

// ---------------------------------------------------------------------------------------------
// 2. Name collisions
// ---------------------------------------------------------------------------------------------

/// A copy of williams2018.toml with only its looks changed: the same `name`.
fn write_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("my_copy.toml");
    std::fs::write(
        &copy,
        williams_text().replace("looks = [15, 30]", "looks = [10, 30]"),
    )
    .unwrap();
    copy
}

/// `run A B` with two configs named alike used to write results/williams2018/ twice and exit 0.
/// It is refused before anything is simulated, naming both files; earlier results stay.
#[test]
fn run_refuses_two_configs_with_the_same_name_and_keeps_earlier_results() {
    let dir = scratch();
    cmd_in(dir.path())
        .args(["run", WILLIAMS, "--replicates", "1000", "--quiet"])
        .assert()
        .success();
    let summary = dir.path().join("results/williams2018/summary.json");
    let before = read(&summary);
    write_copy(dir.path());
    let started = Instant::now();
    cmd_in(dir.path())
        .args([
            "run",
            WILLIAMS,
            "my_copy.toml",
            "--replicates",
            "2000000000",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("nothing was run")
                .and(predicate::str::contains(WILLIAMS))
                .and(predicate::str::contains("my_copy.toml"))
                .and(predicate::str::contains("give each config its own `name`")),
        );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it simulated first"
    );
    assert_eq!(read(&summary), before);
    // Given their own names, both run and both results are kept.
    let renamed = read(&dir.path().join("my_copy.toml")).replace(
        "name = \"williams2018\"",
        "name = \"williams2018_early_look\"",
    );
    std::fs::write(dir.path().join("my_copy.toml"), renamed).unwrap();
    cmd_in(dir.path())
        .args([
            "run",
            WILLIAMS,
            "my_copy.toml",
            "--replicates",
            "1000",
            "--quiet",
        ])
        .assert()
        .success();
    let a = json(&summary);
    let b = json(
        &dir.path()
            .join("results/williams2018_early_look/summary.json"),
    );
    assert_eq!(a["looks"][0]["enrolled"], 15);
    assert_eq!(b["looks"][0]["enrolled"], 10);
}

/// `batch` used to report "2 of 2 configs ran" and leave one folder. Both colliding configs are
/// now failed (each naming the other) and the others still run.
#[test]
fn batch_refuses_colliding_configs_and_runs_the_others() {
    let dir = scratch();
    write_copy(dir.path());
    cmd_in(dir.path())
        .args([
            "batch",
            WILLIAMS,
            "my_copy.toml",
            "configs/williams2018_null.toml",
            "--replicates",
            "1000",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 of 3 configs ran"))
        .stderr(
            predicate::str::contains(format!(
                "failed {WILLIAMS}: name = \"williams2018\" is also the name of my_copy.toml"
            ))
            .and(predicate::str::contains(format!(
                "failed my_copy.toml: name = \"williams2018\" is also the name of {WILLIAMS}"
            ))),
        );
    assert!(!dir.path().join("results/williams2018").exists());
    assert!(dir
        .path()
        .join("results/williams2018_null/summary.json")
        .exists());
    let csv = read(&dir.path().join("results/batch-summary.csv"));
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains(",williams2018,failed,"))
            .count(),
        2,
        "{csv}"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Every output records what reproduces it
// ---------------------------------------------------------------------------------------------

const SETS: [&str; 4] = [
    "--set",
    "population.correlation=0.5",
    "--set",
    "sequential.looks=[0.5, 1]",
];

/// The reproduce line used to drop the overrides (a different design). Every output of a run
/// records the config path, each override, seed and replicates and the command; running that
/// command writes the same files byte for byte, apart from timing.
#[test]
fn a_run_records_its_overrides_and_its_command_reproduces_it() {
    let dir = scratch();
    cmd_in(dir.path())
        .args(["run", WILLIAMS, "--replicates", "3000", "--seed", "7"])
        .args(SETS)
        .args(["--quiet", "--threads", "2", "--out", "first"])
        .assert()
        .success();
    let first = dir.path().join("first/williams2018");
    let summary = json(&first.join("summary.json"));
    let command = summary["command"].as_str().unwrap().to_string();
    assert_eq!(
        command,
        "crossover-sim run configs/williams2018.toml --set population.correlation=0.5 --set 'sequential.looks=[0.5, 1]' --seed 7 --replicates 3000"
    );
    assert_eq!(summary["config_file"], WILLIAMS);
    assert_eq!(
        summary["overrides"],
        serde_json::json!(["population.correlation=0.5", "sequential.looks=[0.5, 1]"])
    );
    // Every row of summary.csv ends with the provenance columns.
    let mut reader = csv::Reader::from_path(first.join("summary.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(rows.len() > 10);
    for row in &rows {
        assert_eq!(&row[column("config_file")], WILLIAMS);
        assert_eq!(
            &row[column("overrides")],
            r#"["population.correlation=0.5","sequential.looks=[0.5, 1]"]"#
        );
        assert_eq!(&row[column("seed")], "7");
        assert_eq!(&row[column("replicates")], "3000");
        assert_eq!(&row[column("command")], command);
    }
    let md = read(&first.join("summary.md"));
    assert!(md.contains(&format!("`{command}`")), "{md}");
    assert!(
        md.contains("with `--set population.correlation=0.5`"),
        "{md}"
    );

    rerun(
        dir.path(),
        &command,
        &["--quiet", "--threads", "1", "--out", "second"],
    );
    let second = dir.path().join("second/williams2018");
    assert_eq!(
        figures(&first.join("summary.json")),
        figures(&second.join("summary.json"))
    );
    assert_eq!(
        read(&first.join("summary.csv")),
        read(&second.join("summary.csv"))
    );
    assert_eq!(
        without_timing_line(&md),
        without_timing_line(&read(&second.join("summary.md")))
    );
}

/// Sweep JSON/CSV used to record no config path, no resolved config and no overrides, and a
/// sweep of the same key under other overrides overwrote the first. Now each records them and
/// its command (which reproduces it byte for byte), and different overrides get different
/// files.
#[test]
fn sweeps_record_their_overrides_reproduce_and_never_overwrite_each_other() {
    let dir = scratch();
    let sweep = |correlation: &str, out: &str| {
        cmd_in(dir.path())
            .args([
                "sweep",
                WILLIAMS,
                "--param",
                "design.enrolled",
                "--values",
                "20:40:10",
                "--replicates",
                "1000",
                "--set",
                &format!("population.correlation={correlation}"),
                "--quiet",
                "--out",
                out,
            ])
            .assert()
            .success();
    };
    sweep("0.2", "first");
    sweep("0.6", "first");
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path().join("first/williams2018"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let mut seen = Vec::new();
    for f in &files {
        let j = json(f);
        assert_eq!(j["config_file"], WILLIAMS);
        assert_eq!(j["config"]["name"], "williams2018");
        let correlation = j["config"]["population"]["correlation"].as_f64().unwrap();
        assert_eq!(
            j["overrides"],
            serde_json::json!([format!("population.correlation={correlation}")])
        );
        let command = j["command"].as_str().unwrap();
        assert!(
            command.contains("--param design.enrolled --values 20:40:10"),
            "{command}"
        );
        assert!(command.contains(&format!("--set population.correlation={correlation}")));
        let csv = read(&f.with_extension("csv"));
        assert!(csv
            .lines()
            .next()
            .unwrap()
            .ends_with(",name,config_file,overrides,seed,replicates,version,command"));
        assert!(csv.lines().skip(1).all(|l| l.contains(command)), "{csv}");
        seen.push(correlation);
        // The recorded command writes the same files again.
        rerun(dir.path(), command, &["--quiet", "--out", "second"]);
        let name = f.file_name().unwrap();
        let again = dir.path().join("second/williams2018").join(name);
        assert_eq!(read(f), read(&again));
        assert_eq!(
            read(&f.with_extension("csv")),
            read(&again.with_extension("csv"))
        );
    }
    seen.sort_by(f64::total_cmp);
    assert_eq!(seen, vec![0.2, 0.6]);
}

/// The batch summary records each config's command (which reproduces its files) and the
/// batch's own command (which reproduces the summary).
#[test]
fn batch_summaries_record_the_commands_that_reproduce_them() {
    let dir = scratch();
    cmd_in(dir.path())
        .args([
            "batch",
            "configs/validation",
            "--replicates",
            "1000",
            "--set",
            "population.correlation=0.4",
            "--quiet",
            "--out",
            "first",
        ])
        .assert()
        .success();
    let md = read(&dir.path().join("first/batch-summary.md"));
    let batch_command =
        "crossover-sim batch configs/validation --set population.correlation=0.4 --replicates 1000";
    assert!(md.contains(&format!("`{batch_command}`")), "{md}");
    let mut reader = csv::Reader::from_path(dir.path().join("first/batch-summary.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    // One power row per config (the file has a row per config and quantity).
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[column("quantity")] == "power")
        .collect();
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(
            &row[column("overrides")],
            "[\"population.correlation=0.4\"]"
        );
        let command = &row[column("command")];
        assert!(
            command.starts_with(&format!(
                "crossover-sim run {} --set population.correlation=0.4 --seed ",
                &row[column("config_file")]
            )),
            "{command}"
        );
    }
    // One config's command reproduces its summary; the batch command reproduces the summary.
    let first = &rows[0];
    let name = &first[column("name")];
    rerun(
        dir.path(),
        &first[column("command")],
        &["--quiet", "--out", "second"],
    );
    assert_eq!(
        figures(&dir.path().join("first").join(name).join("summary.json")),
        figures(&dir.path().join("second").join(name).join("summary.json"))
    );
    rerun(dir.path(), batch_command, &["--quiet", "--out", "third"]);
    assert_eq!(
        read(&dir.path().join("first/batch-summary.csv")),
        read(&dir.path().join("third/batch-summary.csv"))
    );
}

/// A merge records the config, the overrides and the command of the single run it equals; the
/// shard files record theirs.
#[test]
fn merged_shards_record_the_single_runs_command() {
    let dir = scratch();
    let mut shards = Vec::new();
    for k in 1..=2 {
        cmd_in(dir.path())
            .args(["run", WILLIAMS, "--replicates", "3000", "--quiet"])
            .args(SETS)
            .args(["--shard", &format!("{k}/2")])
            .assert()
            .success();
        let shard_dir = dir.path().join("results/williams2018/shards");
        let file = std::fs::read_dir(&shard_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let n = p.file_name().unwrap().to_string_lossy().into_owned();
                n.starts_with(&format!("shard-{k}-of-2-set-"))
            })
            .expect("shard file named with the overrides' hash");
        let shard = json(&file);
        assert_eq!(shard["overrides"][1], "sequential.looks=[0.5, 1]");
        assert!(shard["command"]
            .as_str()
            .unwrap()
            .ends_with(&format!("--shard {k}/2")));
        shards.push(file);
    }
    cmd_in(dir.path())
        .arg("merge")
        .args(&shards)
        .args(["--quiet", "--out", "merged"])
        .assert()
        .success();
    cmd_in(dir.path())
        .args(["run", WILLIAMS, "--replicates", "3000", "--quiet"])
        .args(SETS)
        .args(["--out", "single"])
        .assert()
        .success();
    let merged = figures(&dir.path().join("merged/williams2018/summary.json"));
    let single = figures(&dir.path().join("single/williams2018/summary.json"));
    assert_eq!(merged["command"], single["command"]);
    assert_eq!(merged, single);
}

/// claim.md names the command, with its overrides, and that command reproduces it.
#[test]
fn the_claim_report_records_its_command() {
    let dir = scratch();
    cmd_in(dir.path())
        .args([
            "claim",
            WILLIAMS,
            "--replicates",
            "300",
            "--set",
            "population.correlation=0.4",
            "--quiet",
            "--out",
            "first",
        ])
        .assert()
        .success();
    let md = read(&dir.path().join("first/williams2018/claim.md"));
    let command = "crossover-sim claim configs/williams2018.toml --set population.correlation=0.4 --seed 20181205 --replicates 300";
    assert!(md.contains(&format!("Produced by `{command}`")), "{md}");
    assert!(md.contains("with `--set population.correlation=0.4`"));
    rerun(dir.path(), command, &["--quiet", "--out", "second"]);
    assert_eq!(md, read(&dir.path().join("second/williams2018/claim.md")));
}

// ---------------------------------------------------------------------------------------------
// 4. Error locations
// ---------------------------------------------------------------------------------------------

/// A typo used to be reported at line 37 (of the config re-serialized with the overrides) as soon
/// as --seed, --replicates or --set was given. It is reported at its line in the file, quoted.
#[test]
fn a_typo_is_reported_at_its_line_in_the_file_whatever_the_overrides() {
    let dir = scratch();
    let text = williams_text().replace("enrolled = 30", "enroled = 30");
    std::fs::write(dir.path().join("typo.toml"), &text).unwrap();
    let line = line_of(&text, "enroled = 30");
    let expected = format!(
        "typo.toml: line {line}, column 1: unknown key `enroled` in [design]; allowed: conditions, reference, preset, sequences, enrolled, randomization"
    );
    let quoted = format!("{line} | enroled = 30");
    for extra in [
        vec![],
        vec!["--seed", "3"],
        vec!["--replicates", "10"],
        vec!["--set", "population.correlation=0.4"],
        vec![
            "--set",
            "sequential.looks=[0.5, 1]",
            "--seed",
            "3",
            "--replicates",
            "10",
        ],
    ] {
        for command in ["validate", "run"] {
            let mut c = cmd_in(dir.path());
            c.args([command, "typo.toml"]).args(&extra);
            if command == "run" && !extra.contains(&"--replicates") {
                c.args(["--replicates", "10"]);
            }
            c.assert().code(2).stderr(
                predicate::str::contains(expected.as_str())
                    .and(predicate::str::contains(quoted.as_str()))
                    .and(predicate::str::contains("after applying").not()),
            );
        }
    }
    // A type error in the file, also with overrides, at its line.
    let text = williams_text().replace("correlation = 0.3", "correlation = \"high\"");
    std::fs::write(dir.path().join("type.toml"), &text).unwrap();
    let line = line_of(&text, "correlation = \"high\"");
    cmd_in(dir.path())
        .args([
            "validate",
            "type.toml",
            "--seed",
            "4",
            "--set",
            "design.enrolled=40",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "type.toml: line {line}, column 15: population.correlation = \"high\": must be a number"
        )));
}

/// A mistake in a --set argument used to be "a parse error at line 18" of a file the user never
/// wrote. It names the argument itself, never a line.
#[test]
fn a_mistake_in_a_set_argument_names_the_argument() {
    let dir = scratch();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--set", "design.enroled=40"],
            "error: --set design.enroled=40: unknown key `enroled` in [design]; allowed: conditions, reference, preset, sequences, enrolled, randomization (config configs/williams2018.toml)",
        ),
        (
            &["--set", "design.enrolled=thirty"],
            "error: --set design.enrolled=thirty: design.enrolled = \"thirty\": must be a whole number",
        ),
        (
            &["--set", "analysis.primary=t_test"],
            "error: --set analysis.primary=t_test: analysis.primary = \"t_test\": not a known name; allowed: responders_paired, completers_paired, period_adjusted, first_period, carryover, wilcoxon_paired, responder_mcnemar",
        ),
        (
            &["--set", "sequential.efficacy={spending=\"pocock\", gama=1}"],
            "error: --set sequential.efficacy={spending=\"pocock\", gama=1}: unknown key `gama` in [sequential.efficacy]",
        ),
        (
            &["--replicates", "0"],
            "simulation.replicates = 0: must be a whole number from 1 to 10000000000 (set by --replicates 0)",
        ),
        (
            &["--set", "design.enrolled=1"],
            "design.enrolled = 1: must be a whole number from 2 to 100000 (set by --set design.enrolled=1)",
        ),
    ];
    for (args, expected) in cases {
        cmd_in(dir.path())
            .args(["validate", WILLIAMS])
            .args(*args)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(*expected)
                    .and(predicate::str::contains(", column").not())
                    .and(predicate::str::contains("invalid type").not()),
            );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Looks as counts follow an overridden enrollment
// ---------------------------------------------------------------------------------------------

/// The README's `validate configs/williams2018.toml --set design.enrolled=40` failed because the
/// looks were counts ending at 30. Count looks keep their fractions: [15, 30] of 30 is half and
/// all, so 40 gives [20, 40] and 45 gives [23, 45] (halves round up); the boundaries use the
/// fractions actually analysed (23/45).
#[test]
fn count_looks_follow_an_overridden_enrollment() {
    let dir = scratch();
    cmd_in(dir.path())
        .args(["validate", WILLIAMS, "--set", "design.enrolled=40"])
        .assert()
        .success()
        .stdout(predicate::str::contains("N = 40, 2 look(s) at [20, 40]"));
    cmd_in(dir.path())
        .args([
            "run",
            WILLIAMS,
            "--set",
            "design.enrolled=45",
            "--replicates",
            "500",
            "--quiet",
        ])
        .assert()
        .success();
    let j = json(&dir.path().join("results/williams2018/summary.json"));
    assert_eq!(j["looks"][0]["enrolled"], 23);
    assert_eq!(
        j["looks"][0]["information_rate"].as_f64(),
        Some(23.0 / 45.0)
    );
    assert_eq!(
        j["config"]["sequential"]["looks"],
        serde_json::json!([0.5, 1.0])
    );
    // A sweep of the enrollment of a config with count looks works without rewriting them.
    cmd_in(dir.path())
        .args([
            "sweep",
            WILLIAMS,
            "--param",
            "design.enrolled",
            "--values",
            "20:60:20",
            "--replicates",
            "300",
            "--quiet",
        ])
        .assert()
        .success();
    // Looks the user sets stay as written, and are checked against the new enrollment.
    cmd_in(dir.path())
        .args([
            "validate",
            WILLIAMS,
            "--set",
            "design.enrolled=40",
            "--set",
            "sequential.looks=[15, 30]",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the last look must be at design.enrolled = 40",
        ));
    // When the rescaled looks cannot work, the error says they were rescaled and from what.
    let text = williams_text().replace("looks = [15, 30]", "looks = [1, 30]");
    std::fs::write(dir.path().join("early.toml"), text).unwrap();
    cmd_in(dir.path())
        .args(["validate", "early.toml", "--set", "design.enrolled=10"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("sequential.looks[0]")
                .and(predicate::str::contains(
                    "were enrollment counts of design.enrolled = 30",
                ))
                .and(predicate::str::contains("--set design.enrolled=10")),
        );
}

/// Every command in a `sh` block of README.md runs as written (in a scratch copy of
/// `configs/`, with `crossover-sim` on the PATH). The `cargo` commands that build, test,
/// install or fuzz are listed and not run: the suite cannot run itself, and installing and
/// fuzzing need the network and minutes.
#[test]
fn every_command_in_the_readme_runs_as_written() {
    const NOT_RUN: [&str; 5] = [
        "cargo test --profile opt-test",
        "cargo build --release",
        "cargo install cargo-fuzz",
        "RUSTC_BOOTSTRAP=1 cargo fuzz run ",
        "cargo install --path .",
    ];
    let readme = read(&crate_path("README.md"));
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if let Some(info) = line.strip_prefix("```") {
            in_sh = !in_sh && info.trim() == "sh";
            continue;
        }
        if !in_sh || line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(start) => pending.push_str(start),
            None => {
                pending.push_str(line);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    let dir = scratch();
    let path_dir = dir.path().join(".bin");
    std::fs::create_dir_all(&path_dir).unwrap();
    std::os::unix::fs::symlink(bin(), path_dir.join("crossover-sim")).unwrap();
    let path = format!(
        "{}:{}",
        path_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for command in &commands {
        let command = command.trim();
        let command = match command.strip_prefix("cargo run --release -- ") {
            Some(rest) => format!("crossover-sim {rest}"),
            None => command.to_string(),
        };
        // The R and Python packages' set-up, build and test commands, which .ci/run runs.
        const BINDINGS: [&str; 3] = [
            "bindings/setup.sh",
            "R CMD INSTALL bindings/r && Rscript bindings/r/tests/run.R",
            "pip install \"./bindings/python[test]\" && pytest bindings/python",
        ];
        let bare = command.split(" #").next().unwrap_or_default().trim();
        if BINDINGS.contains(&bare) {
            continue;
        }
        if command.starts_with("cargo ") || command.contains(" cargo ") {
            assert!(
                NOT_RUN.iter().any(|c| command.starts_with(c)),
                "README command neither run nor listed as a development command: {command}"
            );
            continue;
        }
        let output = Command::new("sh")
            .args(["-c", &command])
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "README command failed: {command}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        ran += usize::from(command.contains("crossover-sim"));
    }
    assert!(
        ran >= 10,
        "only {ran} crossover-sim commands found in README.md"
    );
    // The sweep example writes the file the README names.
    assert!(dir
        .path()
        .join("results/williams2018/sweep-design.enrolled-set-1c07ea83.json")
        .exists());
}

// ---------------------------------------------------------------------------------------------
// 6. boundaries
// ---------------------------------------------------------------------------------------------

#[test]
fn boundaries_take_looks_and_parameters_as_written() {
    let dir = scratch();
    let boundaries = |args: &[&str]| {
        let mut c = cmd_in(dir.path());
        c.arg("boundaries").args(args);
        c.assert()
    };
    // 0.5,0.8 used to be rescaled silently to 0.625,1.
    boundaries(&["--looks", "0.5,0.8"])
        .code(2)
        .stderr(predicate::str::contains(
            "--looks 0.5,0.8: information fractions must end at 1",
        ));
    // `--gamma -4` was taken for an unknown option; it is the example the errors give.
    boundaries(&[
        "--looks",
        "0.5,1",
        "--spending",
        "hwang_shih_decani",
        "--gamma",
        "-4",
    ])
    .success()
    .stdout(predicate::str::contains("hwang_shih_decani"));
    // A parameter the family does not use was silently ignored.
    for (args, expected) in [
        (&["--spending", "pocock", "--gamma", "3"][..], "--gamma 3 applies only to --spending hwang_shih_decani; --spending pocock does not use it"),
        (&["--rho", "2"][..], "--rho 2 applies only to --spending kim_demets; --spending obrien_fleming does not use it"),
        (&["--spending", "kim_demets", "--rho", "3", "--gamma", "-4"][..], "--gamma -4 applies only to --spending hwang_shih_decani"),
        (&["--interim-z", "2.5"][..], "--interim-z 2.5 applies only to --spending haybittle_peto"),
    ] {
        boundaries(&[&["--looks", "0.5,1"][..], args].concat())
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
    let fractions = boundaries(&["--looks", "0.5,1", "--json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let counts = boundaries(&["--looks", "15,30", "--json"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(fractions, counts);
}

// ---------------------------------------------------------------------------------------------
// 7. Smaller defects
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_prints_each_error_once() {
    let dir = scratch();
    std::fs::write(
        dir.path().join("typo.toml"),
        williams_text().replace("enrolled = 30", "enroled = 30"),
    )
    .unwrap();
    let out = cmd_in(dir.path())
        .args(["validate", "typo.toml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("unknown key `enroled`").count(),
        1,
        "{stderr}"
    );
    let out = cmd_in(dir.path())
        .args(["validate", "typo.toml", WILLIAMS])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("unknown key `enroled`").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of 2 configs are invalid: typo.toml"),
        "{stderr}"
    );
}

/// `seed = -1` used to be stored as 18446744073709551615. Negative seeds are refused; seeds
/// above 2^63 - 1 are written as strings and load as themselves.
#[test]
fn seeds_are_whole_numbers_from_zero_to_the_largest_u64() {
    let dir = scratch();
    let text = williams_text().replace("seed = 20181205", "seed = -1");
    std::fs::write(dir.path().join("negative.toml"), &text).unwrap();
    let line = line_of(&text, "seed = -1");
    cmd_in(dir.path())
        .args(["validate", "negative.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "negative.toml: line {line}, column 8: simulation.seed = -1: must be a whole number from 0 to 18446744073709551615"
        )));
    cmd_in(dir.path())
        .args(["validate", WILLIAMS, "--set", "simulation.seed=-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--set simulation.seed=-1: simulation.seed = -1: must be a whole number from 0 to 18446744073709551615"));
    cmd_in(dir.path())
        .args(["run", WILLIAMS, "--seed", "-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'-1'").and(predicate::str::contains("--seed")));
    let text = williams_text().replace("seed = 20181205", "seed = \"18446744073709551615\"");
    std::fs::write(dir.path().join("largest.toml"), text).unwrap();
    cmd_in(dir.path())
        .args(["run", "largest.toml", "--replicates", "200", "--quiet"])
        .assert()
        .success();
    let j = json(&dir.path().join("results/williams2018/summary.json"));
    assert_eq!(j["seed"].as_u64(), Some(u64::MAX));
    assert_eq!(j["config"]["simulation"]["seed"], "18446744073709551615");
    cmd_in(dir.path())
        .args([
            "run",
            WILLIAMS,
            "--seed",
            "18446744073709551615",
            "--replicates",
            "200",
            "--quiet",
            "--out",
            "cli",
        ])
        .assert()
        .success();
    let k = json(&dir.path().join("cli/williams2018/summary.json"));
    assert_eq!(figures_of(&j), figures_of(&k));
}

/// The report's numbers, without provenance and timing.
fn figures_of(j: &Json) -> Json {
    let mut j = j.clone();
    for k in [
        "config_file",
        "overrides",
        "command",
        "elapsed_seconds",
        "replicates_per_second",
        "threads",
    ] {
        j.as_object_mut().unwrap().remove(k);
    }
    j
}

/// Type errors used serde's words ("invalid type: string \"thirty\", expected i64").
#[test]
fn type_errors_are_in_plain_words() {
    let dir = scratch();
    for (from, to, expected) in [
        (
            "enrolled = 30",
            "enrolled = \"thirty\"",
            "design.enrolled = \"thirty\": must be a whole number",
        ),
        (
            "enrolled = 30",
            "enrolled = 30.5",
            "design.enrolled = 30.5: must be a whole number",
        ),
        (
            "reduction = 0.5",
            "reduction = \"half\"",
            "response.reduction = \"half\": must be a number",
        ),
        (
            "integer = true",
            "integer = \"yes\"",
            "population.scale.integer = \"yes\": must be true or false",
        ),
        (
            "sequences = [\"AB\", \"BA\"]",
            "sequences = \"AB\"",
            "design.sequences = \"AB\": must be an array",
        ),
    ] {
        let text = williams_text().replacen(from, to, 1);
        std::fs::write(dir.path().join("t.toml"), text).unwrap();
        cmd_in(dir.path())
            .args(["validate", "t.toml"])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(expected)
                    .and(predicate::str::contains("invalid type").not())
                    .and(predicate::str::contains("i64").not())
                    .and(predicate::str::contains("f64").not()),
            );
    }
}

/// 1e308 used to be printed as a 309-digit integer.
#[test]
fn huge_numbers_are_printed_in_scientific_notation() {
    let dir = scratch();
    for (args, expected) in [
        (
            vec![
                "validate",
                WILLIAMS,
                "--set",
                "population.correlation=1e308",
            ],
            "population.correlation = 1e308: must be in (-1, 1]",
        ),
        (
            vec!["validate", WILLIAMS, "--set", "design.enrolled=1e300"],
            "design.enrolled = 1e300: must be a whole number",
        ),
        (
            vec![
                "sweep",
                WILLIAMS,
                "--param",
                "design.enrolled",
                "--values",
                "20",
                "--target-power",
                "1e300",
            ],
            "--target-power 1e300: must be a power in (0, 1)",
        ),
        (
            vec!["boundaries", "--looks", "0.5,1", "--alpha", "1e300"],
            "1e300",
        ),
    ] {
        let out = cmd_in(dir.path())
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        let longest_digits = stderr
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_digits <= 20, "{args:?}: {stderr}");
    }
}

/// A failed config of a batch used to be reported as "failed PATH: PATH: ...".
#[test]
fn a_batch_failure_names_its_path_once() {
    let dir = scratch();
    std::fs::write(
        dir.path().join("bad.toml"),
        read(&crate_path("configs/validation/paired_d05_n30.toml"))
            .replace("correlation = 0.5", "correlation = 2.5"),
    )
    .unwrap();
    let out = cmd_in(dir.path())
        .args([
            "batch",
            "bad.toml",
            "configs/validation/paired_d05_n15.toml",
            "--replicates",
            "500",
            "--set",
            "design.enroled=3",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("failed "))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    for l in lines {
        let path = l["failed ".len()..].split(':').next().unwrap();
        assert_eq!(l.matches(path).count(), 1, "{l}");
    }
    let out = cmd_in(dir.path())
        .args([
            "batch",
            "bad.toml",
            "configs/validation/paired_d05_n15.toml",
            "--replicates",
            "500",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("failed bad.toml: population.correlation = 2.5: must be in (-1, 1]"),
        "{stderr}"
    );
}

/// A futility rule with a rank-based primary analysis used to be reported as
/// `sequential.futility = wilcoxon_paired`, a value that key cannot have.
#[test]
fn futility_with_a_rank_based_primary_names_analysis_primary() {
    let dir = scratch();
    cmd_in(dir.path())
        .args([
            "validate",
            WILLIAMS,
            "--set",
            "analysis.primary=wilcoxon_paired",
            "--set",
            "analysis.secondary=[]",
            "--set",
            "sequential.futility={z=[0.5]}",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("analysis.primary = \"wilcoxon_paired\": a futility rule (sequential.futility) needs a t-based primary analysis")
                .and(predicate::str::contains("sequential.futility = wilcoxon_paired").not()),
        );
}

/// `--values 20-60` used to fail with "expected i64" on a grid point.
#[test]
fn values_errors_explain_the_values_syntax() {
    let dir = scratch();
    for (flag, values) in [
        ("--values", "20-60"),
        ("--values", "20:60"),
        ("--values", "a:b:c"),
        ("--values2", "0.2-0.8"),
    ] {
        let mut c = cmd_in(dir.path());
        c.args(["sweep", WILLIAMS, "--param", "design.enrolled", "--values"]);
        if flag == "--values" {
            c.arg(values);
        } else {
            c.args([
                "20,30",
                "--param2",
                "population.correlation",
                "--values2",
                values,
            ]);
        }
        c.assert().code(2).stderr(
            predicate::str::contains(format!("{flag} {values}:"))
                .and(predicate::str::contains("start:end:step (e.g. 20:60:10)"))
                .and(predicate::str::contains("i64").not()),
        );
    }
}

#[test]
fn a_sweep_refuses_the_same_key_twice() {
    let dir = scratch();
    for second in ["design.enrolled", "\"design\".enrolled"] {
        cmd_in(dir.path())
            .args([
                "sweep",
                WILLIAMS,
                "--param",
                "design.enrolled",
                "--values",
                "20,30",
                "--param2",
                second,
                "--values2",
                "30,40",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--param2 {second}: the same key as --param design.enrolled"
            )));
    }
}

/// `run` on a null twin labelled its rejection rate "power" where `batch` said "type I error".
#[test]
fn a_null_config_reports_type_one_error_everywhere() {
    let dir = scratch();
    cmd_in(dir.path())
        .args([
            "run",
            "configs/williams2018_null.toml",
            "--replicates",
            "1000",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("  type I error (responders_paired): ")
                .and(predicate::str::contains("  power (").not()),
        );
    let md = read(&dir.path().join("results/williams2018_null/summary.md"));
    assert!(md.contains("| type I error (reject at any look) |"), "{md}");
    cmd_in(dir.path())
        .args(["run", WILLIAMS, "--replicates", "1000"])
        .assert()
        .success()
        .stdout(predicate::str::contains("  power (responders_paired): "));
}

/// `merge` reported the shards' summed time as its wall time.
#[test]
fn a_merge_reports_the_shard_times_apart() {
    let dir = scratch();
    let mut times = Vec::new();
    let mut files = Vec::new();
    for k in 1..=3 {
        cmd_in(dir.path())
            .args([
                "run",
                WILLIAMS,
                "--replicates",
                "20000",
                "--quiet",
                "--shard",
                &format!("{k}/3"),
            ])
            .assert()
            .success();
        let f = dir
            .path()
            .join(format!("results/williams2018/shards/shard-{k}-of-3.json"));
        times.push(json(&f)["elapsed_seconds"].as_f64().unwrap());
        files.push(f);
    }
    let out = cmd_in(dir.path())
        .arg("merge")
        .args(&files)
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("merged from 3 shards: "), "{stdout}");
    let j = json(&dir.path().join("results/williams2018/summary.json"));
    let longest = times.iter().copied().fold(0.0, f64::max);
    let total: f64 = times.iter().sum();
    assert_eq!(j["elapsed_seconds"].as_f64(), Some(longest));
    assert_eq!(j["merged_shards"], 3);
    assert!((j["shard_seconds_total"].as_f64().unwrap() - total).abs() < 1e-9);
    let md = read(&dir.path().join("results/williams2018/summary.md"));
    assert!(md.contains("Timing: merged from 3 shards"), "{md}");
}

/// Configs without a responder endpoint used to get `response` defaults in their resolved
/// config and responder summaries in their reports.
#[test]
fn no_responder_figures_without_a_responder_endpoint() {
    let dir = scratch();
    // No baseline: the validation config.
    cmd_in(dir.path())
        .args([
            "run",
            "configs/validation/paired_d05_n15.toml",
            "--replicates",
            "500",
            "--quiet",
        ])
        .assert()
        .success();
    let j = json(&dir.path().join("results/paired_d05_n15/summary.json"));
    assert!(j["responders"].is_null());
    assert!(j["config"].get("response").is_none(), "{}", j["config"]);
    // Scores but neither [response] nor a responder analysis.
    let text = williams_text();
    let start = text.find("[response]").unwrap();
    let end = text.find("[analysis]").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..])
        .replace("primary = \"responders_paired\"", "primary = \"completers_paired\"")
        .replace(
            "secondary = [\"completers_paired\", \"period_adjusted\", \"first_period\", \"carryover\",\n             \"wilcoxon_paired\", \"responder_mcnemar\"]",
            "secondary = [\"period_adjusted\"]",
        )
        .replace("name = \"williams2018\"", "name = \"no_responders\"");
    std::fs::write(dir.path().join("no_responders.toml"), text).unwrap();
    let out = cmd_in(dir.path())
        .args(["run", "no_responders.toml", "--replicates", "500"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("responders under reference"));
    let j = json(&dir.path().join("results/no_responders/summary.json"));
    assert!(j["responders"].is_null());
    assert!(j["config"].get("response").is_none());
    let md = read(&dir.path().join("results/no_responders/summary.md"));
    assert!(
        !md.contains("Responders under the reference") && !md.contains("[response]"),
        "{md}"
    );
    // A responder analysis without [response] gets the defaults, recorded.
    cmd_in(dir.path())
        .args([
            "run",
            "no_responders.toml",
            "--replicates",
            "500",
            "--quiet",
            "--set",
            "analysis.secondary=[\"responder_mcnemar\"]",
        ])
        .assert()
        .success();
    let j = json(&dir.path().join("results/no_responders/summary.json"));
    assert_eq!(j["config"]["response"]["reduction"], 0.5);
    assert!(j["responders"].is_object());
}
