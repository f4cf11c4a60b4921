//! The entry points of the R and Python packages (`crossover_sim::bindings`): the files they
//! return are the command line's at the same seed, errors carry the command line's text, and a
//! cancelled run stops with the interrupted error instead of a partial result.

use crate::common::{crate_path, crossover_sim};
use crossover_sim::bindings::{self, RunArgs, SweepArgs};
use crossover_sim::Error;
use serde_json::Value as Json;

fn args(replicates: u64, seed: u64) -> RunArgs {
    RunArgs {
        replicates: Some(replicates),
        seed: Some(seed),
        threads: Some(2),
        ..RunArgs::default()
    }
}

fn never(_: u64, _: u64) -> bool {
    false
}

/// A JSON file without the fields that differ between two runs of the same replicates: the
/// wall-clock time, the rate and the thread count.
fn without_timing(text: &str) -> Json {
    let mut v: Json = serde_json::from_str(text).unwrap();
    for key in ["elapsed_seconds", "replicates_per_second", "threads"] {
        v.as_object_mut().unwrap().remove(key);
    }
    v
}

#[test]
fn a_run_returns_the_command_lines_files_at_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate_path("configs/williams2018.toml");
    let config = config.to_str().unwrap();
    crossover_sim()
        .args(["run", config, "--replicates", "3000", "--seed", "11"])
        .args(["--set", "design.enrolled=24", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let mut a = args(3000, 11);
    a.set = vec!["design.enrolled=24".into()];
    let files = bindings::run(config, &a, &mut never).unwrap();
    let cli_csv = std::fs::read_to_string(dir.path().join("williams2018/summary.csv")).unwrap();
    assert_eq!(files.csv, cli_csv);
    let cli_json = std::fs::read_to_string(dir.path().join("williams2018/summary.json")).unwrap();
    assert_eq!(without_timing(&files.json), without_timing(&cli_json));
    assert!(
        files.csv.contains("--set design.enrolled=24"),
        "{}",
        files.csv
    );
}

#[test]
fn config_text_simulates_as_its_file_does() {
    let path = crate_path("configs/designs/design_2x2x4.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let from_file = bindings::run(path.to_str().unwrap(), &args(2048, 3), &mut never).unwrap();
    let from_text = bindings::run(&text, &args(2048, 3), &mut never).unwrap();
    let power =
        |json: &str| serde_json::from_str::<Json>(json).unwrap()["primary"]["power"].clone();
    assert_eq!(power(&from_file.json), power(&from_text.json));
    let from_text: Json = serde_json::from_str(&from_text.json).unwrap();
    assert_eq!(from_text["config_file"], bindings::CONFIG_TEXT_ORIGIN);
}

#[test]
fn errors_carry_the_command_lines_text() {
    let config = crate_path("configs/williams2018.toml");
    let config = config.to_str().unwrap();
    let out = crossover_sim()
        .args(["validate", config, "--set", "design.enrolled=-3"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let cli = String::from_utf8(out).unwrap();
    let cli = cli.trim_end().strip_prefix("error: ").unwrap();
    let a = RunArgs {
        set: vec!["design.enrolled=-3".into()],
        ..RunArgs::default()
    };
    let e = bindings::validate(config, &a).unwrap_err();
    // The override is named by the package's argument, `set`, where the command line says
    // `--set`; the rest is the same text.
    assert_eq!(
        bindings::message(&e).replace("set design", "--set design"),
        cli
    );
    let e = bindings::run("no/such/file.toml", &RunArgs::default(), &mut never).unwrap_err();
    assert!(
        bindings::message(&e).starts_with("cannot read config no/such/file.toml"),
        "{e}"
    );
    let e = bindings::validate("[design]\nenrolled = \"many\"\n", &RunArgs::default()).unwrap_err();
    assert!(
        bindings::message(&e).starts_with(bindings::CONFIG_TEXT_ORIGIN),
        "{e}"
    );
}

#[test]
fn a_cancelled_run_stops_with_the_interrupted_error() {
    let config = crate_path("configs/williams2018.toml");
    let config = config.to_str().unwrap();
    // Cancelled at the first poll: no block after it runs, and no partial report is returned.
    let mut polls = 0;
    let mut stop_at_once = |_: u64, _: u64| {
        polls += 1;
        true
    };
    let started = std::time::Instant::now();
    let e = bindings::run(config, &args(5_000_000, 1), &mut stop_at_once).unwrap_err();
    assert!(matches!(e, Error::Interrupted), "{e}");
    assert!(bindings::message(&e).starts_with("interrupted"), "{e}");
    assert!(polls >= 1);
    // 5 million replicates take minutes; a cancelled run ends within a few blocks.
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    // Cancelled while running, after some progress was seen: a sweep stops too.
    let mut seen = Vec::new();
    let mut stop_after_progress = |done: u64, total: u64| {
        seen.push((done, total));
        done > 0
    };
    let grid = SweepArgs {
        param: "design.enrolled".into(),
        values: "20,30".into(),
        ..SweepArgs::default()
    };
    let e =
        bindings::sweep(config, &args(2_000_000, 1), &grid, &mut stop_after_progress).unwrap_err();
    assert!(matches!(e, Error::Interrupted), "{e}");
    assert!(
        seen.iter().all(|&(_, total)| total == 4_000_000),
        "{seen:?}"
    );
    assert!(seen.iter().any(|&(done, _)| done > 0), "{seen:?}");
}

#[test]
fn a_sweep_returns_the_command_lines_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate_path("configs/williams2018.toml");
    let config = config.to_str().unwrap();
    crossover_sim()
        .args([
            "sweep",
            config,
            "--param",
            "design.enrolled",
            "--values",
            "20,30",
        ])
        .args(["--replicates", "2000", "--seed", "5", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let grid = SweepArgs {
        param: "design.enrolled".into(),
        values: "20,30".into(),
        ..SweepArgs::default()
    };
    let files = bindings::sweep(config, &args(2000, 5), &grid, &mut never).unwrap();
    let cli_csv =
        std::fs::read_to_string(dir.path().join("williams2018/sweep-design.enrolled.csv")).unwrap();
    assert_eq!(files.csv, cli_csv);
}

#[test]
fn boundaries_samplesize_and_init_match_the_command_line() {
    let out = crossover_sim()
        .args([
            "boundaries",
            "--looks",
            "15,30",
            "--spending",
            "obrien_fleming",
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let cli: Json = serde_json::from_slice(&out).unwrap();
    let lib: Json = serde_json::from_str(
        &bindings::boundaries(&[15.0, 30.0], "obrien_fleming", 0.05, 2, None, None, None).unwrap(),
    )
    .unwrap();
    assert_eq!(lib, cli);
    let e = bindings::boundaries(&[0.5, 0.8], "pocock", 0.05, 2, None, None, None).unwrap_err();
    assert!(
        bindings::message(&e).starts_with("boundaries: looks 0.5,0.8: information fractions"),
        "{e}"
    );
    let e = bindings::boundaries(&[1.0], "nonesuch", 0.05, 2, None, None, None).unwrap_err();
    assert!(
        bindings::message(&e).starts_with("spending nonesuch: "),
        "{e}"
    );

    let dir = tempfile::tempdir().unwrap();
    let config = crate_path("configs/designs/design_2x2.toml");
    crossover_sim()
        .arg("samplesize")
        .arg(&config)
        .args([
            "--target-power",
            "0.8",
            "--replicates",
            "2000",
            "--seed",
            "4",
            "--quiet",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let name = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let cli: Json =
        serde_json::from_slice(&std::fs::read(name.path().join("samplesize.json")).unwrap())
            .unwrap();
    let lib = bindings::samplesize(
        config.to_str().unwrap(),
        &args(2000, 4),
        0.8,
        false,
        &mut never,
    )
    .unwrap();
    assert_eq!(serde_json::from_str::<Json>(&lib).unwrap(), cli);

    let file = dir.path().join("my_trial.toml");
    let text = bindings::init("2x2x4", None, "log_normal", Some(&file)).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    assert!(text.contains("name = \"my_trial\""), "{text}");
    let e = bindings::init("2x2x4", None, "log_normal", Some(&file)).unwrap_err();
    assert!(bindings::message(&e).contains("already exists"), "{e}");
    let checked = bindings::validate(file.to_str().unwrap(), &RunArgs::default()).unwrap();
    assert_eq!(checked.name, "my_trial");
}

#[test]
fn a_watch_cancelled_before_the_run_simulates_nothing() {
    use crossover_sim::engine::{Progress, Watch};
    let loaded = crate::common::load("configs/williams2018.toml", &["simulation.replicates=5000"]);
    let watch = Watch::new();
    watch.cancel();
    assert!(watch.cancelled());
    let e = crossover_sim::run::simulate(&loaded, &watch).unwrap_err();
    assert!(matches!(e, Error::Interrupted), "{e}");
    assert_eq!(watch.done(), 0);
    // Not cancelled, the same watch counts every replicate.
    let watch = Watch::new();
    let report = crossover_sim::run::simulate(&loaded, &watch).unwrap();
    assert_eq!(watch.done(), 5000);
    assert_eq!(report.replicates, 5000);
}
