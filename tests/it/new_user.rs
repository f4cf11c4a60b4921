//! Issue 23, the defects a new user hit on the command line: each test runs the command of
//! the issue and checks the new behaviour (messages that name the argument, refusals before
//! anything is simulated, files that record how to reproduce them).

use crate::common::*;
use predicates::prelude::*;

fn stdout_of(args: &[&str]) -> String {
    let out = crossover_sim()
        .args(args)
        .current_dir(crate_path(""))
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

/// Defect 7: the convention line describes the family asked for; only the spending functions
/// spend alpha/2 per side with the one-sided function.
#[test]
fn boundaries_describe_the_family_they_print() {
    let convention = |spending: &str| {
        stdout_of(&["boundaries", "--looks", "0.5,1", "--spending", spending])
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    for spending in ["obrien_fleming", "pocock"] {
        let line = convention(spending);
        assert!(
            line.contains("alpha/2 is spent per side"),
            "{spending}: {line}"
        );
    }
    for (spending, says) in [
        ("classical_obrien_fleming", "c_k = C / sqrt(t_k)"),
        ("classical_pocock", "c_k = C at every look"),
        ("haybittle_peto", "c_k = 3 at every interim look"),
        ("obrien_fleming_total_alpha", "total alpha"),
    ] {
        let line = convention(spending);
        assert!(line.contains(says), "{spending}: {line}");
        assert!(
            !line.contains("alpha/2 is spent per side"),
            "{spending}: {line}"
        );
        assert!(
            !line.contains("alpha/2 per side with"),
            "{spending}: {line}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "boundaries",
        "--looks",
        "0.5,1",
        "--spending",
        "haybittle_peto",
        "--json",
    ]))
    .unwrap();
    let text = json["convention"].as_str().unwrap();
    assert!(
        text.contains("Haybittle-Peto") && !text.contains("alpha/2"),
        "{text}"
    );
}

/// Defect 8: an alpha out of range names the flag and the allowed range, not an enum.
#[test]
fn boundaries_alpha_out_of_range_names_the_flag_not_an_enum() {
    for (sided, allowed) in [
        ("2", "(0, 1) with --sided 2"),
        ("1", "(0, 0.5) with --sided 1"),
    ] {
        crossover_sim()
            .args([
                "boundaries",
                "--looks",
                "0.5,1",
                "--alpha",
                "1.5",
                "--sided",
                sided,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--alpha 1.5"))
            .stderr(predicate::str::contains(allowed))
            .stderr(predicate::str::contains("(Two)").not())
            .stderr(predicate::str::contains("(One)").not());
    }
}

/// Defect 9: the class probabilities' sum is shown as the user would add them, and the error
/// names the `--set` arguments that set them.
#[test]
fn class_probability_sum_names_the_set_argument() {
    assert_refused(
        "configs/williams2018.toml",
        &[
            (
                &["population.classes[0].probability=0.7"],
                "(set by --set population.classes[0].probability=0.7)",
            ),
            (&["population.classes[0].probability=0.7"], "= 1.12: class probabilities must sum to 1"),
            (
                &[
                    "population.classes[0].probability=0.7",
                    "population.classes[1].probability=0.4",
                ],
                "(set by --set population.classes[0].probability=0.7, --set population.classes[1].probability=0.4)",
            ),
        ],
    );
    crossover_sim()
        .args(["validate", "configs/williams2018.toml", "--set"])
        .arg("population.classes[0].probability=0.7")
        .current_dir(crate_path(""))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("1.1199999").not());
}

const WILLIAMS: &str = "configs/williams2018.toml";

fn williams_text() -> String {
    std::fs::read_to_string(crate_path(WILLIAMS)).unwrap()
}

/// A scratch folder holding `good.toml` (williams2018 renamed `good`) and the other files.
fn scratch_with(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn good_text() -> String {
    williams_text().replace("name = \"williams2018\"", "name = \"good\"")
}

fn in_dir(dir: &std::path::Path) -> assert_cmd::Command {
    let mut c = crossover_sim();
    c.current_dir(dir)
        .timeout(std::time::Duration::from_secs(120));
    c
}

/// Defect 10: `run good.toml typo.toml` validates both before simulating either: it exits 2
/// at once with the typo's error, and writes nothing for the good one.
#[test]
fn run_validates_every_config_before_simulating_any() {
    let typo = good_text()
        .replace("name = \"good\"", "name = \"typo\"")
        .replace("enrolled = 30", "enrolled = -3");
    let dir = scratch_with(&[("good.toml", good_text()), ("typo.toml", typo)]);
    let started = std::time::Instant::now();
    in_dir(dir.path())
        .args([
            "run",
            "good.toml",
            "typo.toml",
            "--replicates",
            "2000000000",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo.toml"))
        .stderr(predicate::str::contains("design.enrolled"))
        .stderr(predicate::str::contains(
            "nothing was run: 1 of 2 configs are invalid: typo.toml",
        ));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        !dir.path().join("results").exists(),
        "a results folder was written"
    );
}

/// Defect 11: `validate` refuses two configs with the same name, as `run` does.
#[test]
fn validate_refuses_configs_that_run_refuses_together() {
    let dir = scratch_with(&[
        ("a.toml", good_text()),
        (
            "b.toml",
            good_text().replace("correlation = 0.3", "correlation = 0.4"),
        ),
    ]);
    in_dir(dir.path())
        .args(["validate", "a.toml", "b.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a.toml: name = \"good\" is also the name of b.toml",
        ))
        .stderr(predicate::str::contains("2 of 2 configs are invalid"));
    in_dir(dir.path())
        .args(["run", "a.toml", "b.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is also the name of"));
}

/// Sends SIGINT to a running command after `after` and waits for it to exit with 130.
fn interrupt_after(dir: &std::path::Path, args: &[&str], after: std::time::Duration) {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("crossover-sim"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    assert!(std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{args:?}: {stderr}");
}

/// Defect 13: an interrupted `claim` or `batch` leaves no empty results folder behind (the
/// folder is checked as writable before simulating and created when files are written).
#[test]
fn interrupted_claim_and_batch_leave_no_empty_folders() {
    let dir = scratch_with(&[("good.toml", good_text())]);
    std::fs::create_dir(dir.path().join("configs")).unwrap();
    std::fs::write(dir.path().join("configs/good.toml"), good_text()).unwrap();
    let wait = std::time::Duration::from_millis(1500);
    interrupt_after(
        dir.path(),
        &[
            "claim",
            "good.toml",
            "--replicates",
            "100000000",
            "--out",
            "out",
        ],
        wait,
    );
    assert!(!dir.path().join("out").exists(), "claim left out/");
    interrupt_after(
        dir.path(),
        &[
            "batch",
            "configs",
            "--replicates",
            "100000000",
            "--out",
            "out",
        ],
        wait,
    );
    assert!(!dir.path().join("out").exists(), "batch left out/");
    // An existing results folder stays, and so does what is in it.
    std::fs::create_dir_all(dir.path().join("out/kept")).unwrap();
    interrupt_after(
        dir.path(),
        &[
            "batch",
            "configs",
            "--replicates",
            "100000000",
            "--out",
            "out",
        ],
        wait,
    );
    assert!(dir.path().join("out/kept").is_dir());
    assert!(!dir.path().join("out/good").exists(), "batch left out/good");
}

/// Defect 17: `--out` naming a file is refused at once, naming the flag, not "File exists".
#[test]
fn out_naming_a_file_is_refused_with_the_flag() {
    let dir = scratch_with(&[("good.toml", good_text()), ("a_file", "x".into())]);
    for command in ["batch", "run"] {
        in_dir(dir.path())
            .args([command, "good.toml", "--out", "a_file"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "--out a_file: a_file is a file, not a folder",
            ))
            .stderr(predicate::str::contains("os error").not());
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a_file")).unwrap(),
        "x"
    );
}

/// Defect 12: a `--set` of the swept key is refused (it would be replaced at every point), and
/// so is a value listed twice (it would be simulated twice).
#[test]
fn sweep_refuses_a_set_of_the_swept_key_and_repeated_values() {
    let dir = scratch_with(&[("good.toml", good_text())]);
    let sweep = |extra: &[&str]| {
        let mut c = in_dir(dir.path());
        c.args(["sweep", "good.toml", "--replicates", "200", "--out", "out"])
            .args(extra);
        c
    };
    sweep(&[
        "--param",
        "design.enrolled",
        "--values",
        "20,30",
        "--set",
        "design.enrolled=50",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "--param design.enrolled: is also set by --set design.enrolled=50",
    ));
    sweep(&[
        "--param",
        "population.correlation",
        "--values",
        "0.2,0.4",
        "--param2",
        "design.enrolled",
        "--values2",
        "20,30",
        "--set",
        "design.enrolled=50",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "--param2 design.enrolled: is also set by --set",
    ));
    sweep(&["--param", "design.enrolled", "--values", "10,10,20"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--values 10,10,20: lists 10 more than once",
        ));
    sweep(&[
        "--param",
        "population.correlation",
        "--values",
        "0.2,0.4",
        "--param2",
        "design.enrolled",
        "--values2",
        "20,20.0",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "--values2 20,20.0: lists 20.0 more than once",
    ));
    sweep(&[
        "--param",
        "design.enrolled",
        "--values",
        "20,30",
        "--set",
        "design.enrolled=50",
        "--shard",
        "1/2",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "--param design.enrolled: is also set by --set design.enrolled=50",
    ));
    assert!(!dir.path().join("out").exists());
    // The claim sweeps enrollment on purpose: a --set of it is the claim's design, not refused.
    in_dir(dir.path())
        .args([
            "claim",
            "good.toml",
            "--set",
            "design.enrolled=40",
            "--replicates",
            "200",
            "--quiet",
            "--out",
            "out",
        ])
        .assert()
        .success();
    // A --set of another key is kept.
    sweep(&[
        "--param",
        "design.enrolled",
        "--values",
        "20,30",
        "--set",
        "population.correlation=0.5",
        "--quiet",
    ])
    .assert()
    .success();
}

/// Defect 17: a run whose primary analysis could not be computed in any trial (or in most)
/// says so on stderr instead of a silent power of 0.
#[test]
fn a_run_with_no_analysable_trial_warns() {
    let out = tempfile::tempdir().unwrap();
    crossover_sim()
        .args(["run", "configs/designs/design_2x2.toml", "--set", "design.enrolled=2"])
        .args(["--replicates", "500", "--quiet", "--out"])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: design_2x2: the primary analysis anova could not be computed in any of the 500 trials",
        ))
        .stderr(predicate::str::contains("not that the test has no power"));
    // Most trials not analysable: said with the count.
    crossover_sim()
        .args(["run", WILLIAMS, "--set", "design.enrolled=2"])
        .args(["--replicates", "1000", "--quiet", "--out"])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: williams2018: the primary analysis responders_paired could not be computed in 807 of the 1000 trials",
        ))
        .stderr(predicate::str::contains("they count as not rejected"));
    // An analysable run has no such warning.
    crossover_sim()
        .args([
            "run",
            "configs/designs/design_2x2.toml",
            "--replicates",
            "500",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

/// Defect 17: a shard that holds no replicates says so instead of "replicates 0..0".
#[test]
fn an_empty_shard_says_it_holds_no_replicates() {
    let out = tempfile::tempdir().unwrap();
    let stdout = crossover_sim()
        .args([
            "run",
            WILLIAMS,
            "--shard",
            "2/3",
            "--replicates",
            "1000",
            "--out",
        ])
        .arg(out.path())
        .current_dir(crate_path(""))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(stdout).unwrap();
    assert!(
        stdout.contains("shard 2/3 holds no replicates (1000 replicates make 1 block(s) of 1024"),
        "{stdout}"
    );
    assert!(!stdout.contains("0..0"), "{stdout}");
}

/// Defect 17: ratio-endpoint CVs, GMRs and margins that look like percentages get a hint
/// naming the file, key and value, and what was probably meant; fractions get none.
#[test]
fn percentage_like_ratio_values_get_a_hint() {
    let config = "configs/bioequivalence/abe_2x2.toml";
    let validate = |sets: &[&str]| {
        let mut c = crossover_sim();
        c.args(["validate", config]).current_dir(crate_path(""));
        for s in sets {
            c.args(["--set", s]);
        }
        String::from_utf8(c.assert().success().get_output().stderr.clone()).unwrap()
    };
    assert_eq!(validate(&[]), "");
    let stderr = validate(&[
        "log_normal.cv_within=30",
        "log_normal.gmr.T=95",
        "analysis.margins=[80, 125]",
    ]);
    for expected in [
        "hint: configs/bioequivalence/abe_2x2.toml: log_normal.cv_within = 30 is read as a CV of 30 (3000%); if you meant 30%, write 0.3",
        "log_normal.gmr.\"T\" = 95 is read as a ratio of 95 (9500%); if you meant 95%, write 0.95",
        "analysis.margins[0] = 80 is read as a ratio of 80 (8000%); if you meant 80%, write 0.8",
        "analysis.margins[1] = 125 is read as a ratio of 125 (12500%); if you meant 125%, write 1.25",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}

/// Defect 16: the bioequivalence template has no difference tests next to TOST, and its
/// futility comment describes TOST's statistic, not |z|; with its sequential section switched
/// on it still validates.
#[test]
fn init_bioequivalence_template_fits_tost() {
    let dir = tempfile::tempdir().unwrap();
    for design in ["2x2x4", "2x2"] {
        let file = format!("be_{design}.toml");
        in_dir(dir.path())
            .args([
                "init",
                "--design",
                design,
                "--endpoint",
                "log_normal",
                "--out",
                &file,
            ])
            .assert()
            .success();
        let text = std::fs::read_to_string(dir.path().join(&file)).unwrap();
        assert!(!text.contains("\nsecondary ="), "{design}:\n{text}");
        assert!(text.contains("hypothesis = \"equivalence\""), "{text}");
        assert!(!text.contains("|z|"), "{design}:\n{text}");
        assert!(
            text.contains("the smaller of TOST's two one-sided statistics"),
            "{text}"
        );
        let switched_on = text
            .replace("#[sequential]", "[sequential]")
            .replace("#looks =", "looks =")
            .replace("#efficacy =", "efficacy =")
            .replace("#futility =", "futility =");
        std::fs::write(dir.path().join("on.toml"), switched_on).unwrap();
        in_dir(dir.path())
            .args(["validate", "on.toml"])
            .assert()
            .success();
    }
    // The normal endpoint keeps its two-sided secondaries and |z|.
    in_dir(dir.path())
        .args(["init", "--design", "2x2x4", "--out", "n.toml"])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("n.toml")).unwrap();
    assert!(
        text.contains("secondary = [\"completers_paired\", \"wilcoxon_paired\"]"),
        "{text}"
    );
    assert!(text.contains("|z| < 0.5"), "{text}");
}

fn git(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Defect 20: the README's first command leaves a fresh clone clean: nothing under results/
/// is committed (the committed examples live in docs/examples/, where the README links them)
/// and results/ is ignored. Checked in a scratch repository holding the repository's
/// .gitignore, configs/ and docs/examples/, committed, then running the README's first
/// command as written (with the built binary for `cargo run --release --`).
#[test]
fn the_readmes_first_command_leaves_a_fresh_clone_clean() {
    let readme = std::fs::read_to_string(crate_path("README.md")).unwrap();
    let first = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|block| block.lines().next())
        .unwrap();
    let command = first.split('#').next().unwrap().trim();
    assert_eq!(
        command,
        "cargo run --release -- run configs/williams2018.toml"
    );
    let args: Vec<&str> = command
        .strip_prefix("cargo run --release -- ")
        .unwrap()
        .split_whitespace()
        .collect();
    for link in [
        "docs/examples/williams2018/report.html",
        "docs/examples/williams2018/claim.md",
        "docs/examples/williams2018/sweep-design.enrolled-set-1c07ea83.html",
    ] {
        assert!(
            readme.contains(&format!("]({link})")),
            "README does not link {link}"
        );
        assert!(crate_path(link).is_file(), "{link} is missing");
    }
    assert!(
        !readme.contains("](results/"),
        "README links a file under results/"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(crate_path(".gitignore"), dir.path().join(".gitignore")).unwrap();
    copy_tree(&crate_path("configs"), &dir.path().join("configs"));
    copy_tree(
        &crate_path("docs/examples"),
        &dir.path().join("docs/examples"),
    );
    assert!(git(dir.path(), &["init", "-q"]).status.success());
    assert!(git(dir.path(), &["add", "-A"]).status.success());
    assert!(git(dir.path(), &["commit", "-qm", "clone"])
        .status
        .success());
    in_dir(dir.path())
        .args(&args)
        .args(["--replicates", "2000", "--quiet"])
        .assert()
        .success();
    assert!(dir
        .path()
        .join("results/williams2018/summary.json")
        .is_file());
    let status = git(
        dir.path(),
        &["status", "--porcelain", "--untracked-files=all"],
    );
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "",
        "the clone became dirty"
    );

    // In the repository itself nothing under results/ is tracked (when it is a git checkout).
    let tracked = git(&crate_path(""), &["ls-files", "results"]);
    if tracked.status.success() {
        assert_eq!(
            String::from_utf8_lossy(&tracked.stdout),
            "",
            "files under results/ are committed"
        );
    }
}

/// Defect 19: `samplesize` writes, besides samplesize.json, a Markdown report and an HTML page;
/// all record the version and the command that reproduces them, and that command, run again,
/// writes the same JSON.
#[test]
fn samplesize_records_version_and_command_and_writes_a_report() {
    let out = tempfile::tempdir().unwrap();
    let args = [
        "samplesize",
        "configs/bioequivalence/abe_2x2.toml",
        "--set",
        "log_normal.cv_within=0.25",
        "--replicates",
        "400",
        "--target-power",
        "0.9",
    ];
    crossover_sim()
        .args(args)
        .arg("--out")
        .arg(out.path())
        .arg("--quiet")
        .current_dir(crate_path(""))
        .assert()
        .success();
    let dir = out.path().join("abe_2x2");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("samplesize.json")).unwrap()).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(json["tool"]["version"], version);
    assert_eq!(json["tool"]["name"], "crossover-sim");
    let command = json["command"].as_str().unwrap();
    assert_eq!(
        command,
        "crossover-sim samplesize configs/bioequivalence/abe_2x2.toml --set log_normal.cv_within=0.25 --seed 20240601 --replicates 400 --target-power 0.9"
            .replace("20240601", &json["seed"].to_string())
    );
    let n = json["sample_size"].as_u64().unwrap();
    let md = std::fs::read_to_string(dir.join("samplesize.md")).unwrap();
    let html = std::fs::read_to_string(dir.join("samplesize.html")).unwrap();
    for page in [&md, &html] {
        assert!(page.contains(&format!("N = {n}")), "{page}");
        assert!(page.contains(command), "{page}");
        assert!(page.contains(version), "{page}");
    }
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<table"),
        "{html}"
    );
    // The recorded command reproduces the file.
    let again = tempfile::tempdir().unwrap();
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    crossover_sim()
        .args(&words)
        .arg("--out")
        .arg(again.path())
        .arg("--quiet")
        .current_dir(crate_path(""))
        .assert()
        .success();
    assert_eq!(
        std::fs::read(again.path().join("abe_2x2/samplesize.json")).unwrap(),
        std::fs::read(dir.join("samplesize.json")).unwrap()
    );
}

/// Defect 18: on the AB/BA 2x2, `anova_carryover` is refused at validation with the real
/// reason (carryover aliased with the treatment), as primary and as secondary.
#[test]
fn anova_carryover_on_a_two_by_two_is_refused_with_the_aliasing_reason() {
    assert_refused(
        "configs/designs/design_2x2.toml",
        &[
            (
                &["analysis.primary=anova_carryover"],
                "analysis.primary = anova_carryover: cannot be fitted on the AB/BA 2x2: its first-order carryover difference is aliased with the treatment",
            ),
            (
                &["analysis.secondary=[\"anova_carryover\"]"],
                "analysis.secondary[0] = anova_carryover: cannot be fitted on the AB/BA 2x2",
            ),
        ],
    );
    // Designs that separate carryover from the treatment keep it.
    for config in [
        "configs/designs/design_2x4x2.toml",
        "configs/designs/design_2x2x4.toml",
        "configs/designs/design_4x4.toml",
    ] {
        crossover_sim()
            .args([
                "validate",
                config,
                "--set",
                "analysis.primary=anova_carryover",
            ])
            .current_dir(crate_path(""))
            .assert()
            .success();
    }
}

/// Defect 18: `anova_carryover` on a balanced, complete design has an exact power, with the
/// variance factor and df of the model with carryover terms. Balaam's design (AB, BA, AA, BB),
/// N = 60, within SD 1, B - A = 0.6, carryover of the test 0.4, period effects.
///
/// Outside value, from the model's design matrix built from scratch in Python (participant,
/// period, treatment and first-order carryover dummies; Var(beta_B) = (X'X)^-1, df = N p -
/// rank X = 57) and SciPy 1.17.1's noncentral t (`stats.nct.sf(t, 57, 0.6 / se) +
/// stats.nct.cdf(-t, 57, 0.6 / se)` with `t = stats.t.ppf(0.975, 57)`):
/// se 0.3651483716701107, power 0.365421959077807.
#[test]
fn anova_carryover_has_exact_power_against_scipy_and_simulation() {
    let loaded = load(
        "configs/designs/design_2x4x2.toml",
        &[
            "analysis.primary=anova_carryover",
            "effects.carryover={ reference = 0.0, test = 0.4 }",
            "design.enrolled=60",
            "simulation.replicates=40000",
        ],
    );
    let r = run(&loaded);
    let exact = r
        .closed_form
        .power
        .expect("anova_carryover has an exact power here");
    assert!(
        (exact - 0.365421959077807).abs() < 1e-9,
        "exact power {exact}"
    );
    assert!((r.closed_form.standard_error.unwrap() - 0.3651483716701107).abs() < 1e-12);
    assert_eq!(r.closed_form.df, Some(57.0));
    let c = &r.contrasts[0];
    assert_eq!(c.df, Some(57.0));
    assert!(
        (c.variance_factor.unwrap() - 8.0).abs() < 1e-9,
        "{:?}",
        c.variance_factor
    );
    assert_eq!(c.exact_power, Some(exact));
    assert_within(
        r.primary.power.estimate,
        exact,
        r.primary.power.se,
        4.0,
        "simulated power",
    );
    // Unbiased for the direct effect despite the carryover.
    let mean = r.primary.mean_estimate_at_stop.unwrap();
    let se = r.primary.mean_estimate_at_stop_se.unwrap();
    assert_within(mean, 0.6, se, 4.0, "mean estimate");
}
