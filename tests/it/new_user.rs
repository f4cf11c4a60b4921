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
