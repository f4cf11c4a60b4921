//! `crossover-sim init` (issue 15): for every named design and both endpoints the written
//! config validates and runs as written, and with every optional section switched on; custom
//! condition names are honoured; an existing file is never overwritten; bad arguments are
//! refused with the flag, the value and what is allowed.

use crate::common::*;
use crossover_sim::config::{self, template::Template};
use crossover_sim::design::preset_names;
use predicates::prelude::*;

const ENDPOINTS: [&str; 2] = ["normal", "log_normal"];

/// The template with its optional sections switched on: every line starting with `#` directly
/// followed by something other than a space loses its `#`.
fn switched_on(text: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix('#') {
            Some(rest) if !rest.starts_with([' ', '#']) && !rest.is_empty() => rest,
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn checks(text: &str, origin: &str) {
    let loaded =
        config::parse(text, origin, &[]).unwrap_or_else(|e| panic!("{origin}: {e}\n{text}"));
    crossover_sim::run::simulator(&loaded).unwrap_or_else(|e| panic!("{origin}: {e}"));
}

#[test]
fn every_template_validates_as_written_and_with_every_optional_section() {
    for design in preset_names() {
        for endpoint in ENDPOINTS {
            let t = Template::new(design, None, endpoint, "t").unwrap();
            let text = t.render();
            checks(&text, &format!("{design} {endpoint}"));
            let on = switched_on(&text);
            assert!(
                on.contains("[sequential]") && on.contains("[dropout]"),
                "{on}"
            );
            checks(&on, &format!("{design} {endpoint}, optional sections on"));
            // The preset gives the sequences; the file names them for the reader.
            assert!(text.contains(&format!("preset = \"{design}\"")));
            assert!(text.contains(&t.sequences().join(", ")));
        }
    }
}

#[test]
fn init_writes_a_config_that_validates_and_runs_for_every_design_and_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    for design in preset_names() {
        for endpoint in ENDPOINTS {
            let file = format!("{design}_{endpoint}.toml");
            crossover_sim()
                .args([
                    "init",
                    "--design",
                    design,
                    "--endpoint",
                    endpoint,
                    "--out",
                    &file,
                ])
                .current_dir(dir.path())
                .assert()
                .success()
                .stdout(predicate::str::contains(format!("wrote {file}")));
            crossover_sim()
                .args(["validate", &file])
                .current_dir(dir.path())
                .assert()
                .success();
            crossover_sim()
                .args([
                    "run",
                    &file,
                    "--replicates",
                    "200",
                    "--quiet",
                    "--out",
                    "results",
                ])
                .current_dir(dir.path())
                .assert()
                .success();
            // The config's name is the file's stem, so its results land beside each other.
            let name = format!("{design}_{endpoint}");
            assert!(
                dir.path()
                    .join("results")
                    .join(&name)
                    .join("summary.json")
                    .exists(),
                "{name}"
            );
        }
    }
}

#[test]
fn init_defaults_to_a_file_named_after_the_design_and_takes_condition_names() {
    let dir = tempfile::tempdir().unwrap();
    crossover_sim()
        .args(["init", "--design", "2x2"])
        .current_dir(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("trial_2x2.toml")).unwrap();
    assert!(text.contains("name = \"trial_2x2\""), "{text}");
    assert!(text.contains("conditions = [\"R\", \"T\"]"), "{text}");
    // Names that TOML keys must quote, as in the seed trial.
    crossover_sim()
        .args([
            "init",
            "--design",
            "2x2",
            "--conditions",
            "ketamine+placebo,ketamine+naltrexone",
            "--out",
            "ketamine.toml",
        ])
        .current_dir(dir.path())
        .assert()
        .success();
    let loaded = config::load(&dir.path().join("ketamine.toml"), &[]).unwrap();
    assert_eq!(
        loaded.design.condition_names(),
        ["ketamine+placebo", "ketamine+naltrexone"]
    );
    assert_eq!(loaded.design.name(), "ketamine");
    // A Williams design takes any number of conditions.
    crossover_sim()
        .args([
            "init",
            "--design",
            "williams",
            "--conditions",
            "placebo,low,medium,high",
            "--out",
            "dose.toml",
        ])
        .current_dir(dir.path())
        .assert()
        .success();
    let loaded = config::load(&dir.path().join("dose.toml"), &[]).unwrap();
    assert_eq!(loaded.design.crossover().sequence_count(), 4);
    assert_eq!(loaded.design.crossover().period_count(), 4);
}

#[test]
fn init_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, "my own config\n").unwrap();
    crossover_sim()
        .args(["init", "--design", "3x3", "--out", "mine.toml"])
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--out mine.toml: the file already exists and is left as it is",
        ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my own config\n");
}

#[test]
fn init_refuses_bad_arguments_naming_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            &["--design", "5x5"][..],
            "--design 5x5: not a named design; choose one of 2x2, 3x3, 3x6x3, 4x4, williams",
        ),
        (
            &["--design", "3x3", "--conditions", "A,B"],
            "--conditions A,B: the 3x3 design has 3 conditions; give 3 names, the reference first",
        ),
        (
            &["--design", "2x2", "--conditions", "A,A"],
            "--conditions A,A: \"A\" is given twice",
        ),
        (
            &["--design", "2x2", "--endpoint", "binary"],
            "--endpoint binary: choose normal (a score on its own scale) or log_normal",
        ),
        (
            &["--design", "williams", "--conditions", "A"],
            "--conditions A: a Williams design here takes from 2 to 16 conditions",
        ),
    ] {
        crossover_sim()
            .arg("init")
            .args(args)
            .current_dir(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
    // Nothing was written.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
