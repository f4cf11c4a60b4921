//! Hypotheses other than two-sided superiority, and ratio endpoints on the log scale.
//!
//! Reference values, each with where it comes from:
//! - Power of TOST (average bioequivalence, alpha 0.05, limits 0.80-1.25) for balanced,
//!   complete designs: PowerTOST 1.5-7 `power.TOST(CV, theta0, n, design, method = "exact")`,
//!   as published in its ABE vignette and README, and the same function at n = 24 for the size
//!   at theta0 = 1.25. These are Owen's Q values: exact for the ANOVA of the log data, so the
//!   simulation must agree within Monte Carlo error.
//! - The size of a one-sided t test at its boundary (non-inferiority at the margin,
//!   superiority at 0) is exactly alpha.
//! - Back-transformed confidence intervals: R 4.2.2,
//!   `exp(confint(lm(log(y) ~ factor(subject) + factor(period) + factor(treatment)), "factor(treatment)B", level = 0.90))`
//!   on the two data sets written out below.
//!
//! Monte Carlo tolerances are 3 standard errors of the reference proportion at the stated
//! number of replicates.

use crate::common::*;
use crossover_sim::analysis::{self, AnalysisName, AnalysisOutcome, LookData, Needs};
use crossover_sim::design::{Condition, Contrast, Crossover, SequenceId};
use crossover_sim::engine::NoProgress;
use crossover_sim::inference::{CriticalValues, Hypothesis};
use crossover_sim::model::Cohort;

const REPLICATES: u64 = 40_000;

/// The primary analysis's rejection rate and its two directions, simulated.
fn rates(config: &str, sets: &[&str], replicates: u64) -> (f64, f64, f64) {
    let reps = format!("simulation.replicates={replicates}");
    let mut all = vec![reps.as_str()];
    all.extend_from_slice(sets);
    let loaded = load(config, &all);
    let s = crossover_sim::run::simulator(&loaded)
        .unwrap()
        .simulate(0..replicates, &NoProgress);
    let t = &s.analyses[loaded.design.analysis().primary().index()];
    let r = replicates as f64;
    (
        t.rejected as f64 / r,
        t.rejected_favouring_test as f64 / r,
        (t.rejected - t.rejected_favouring_test) as f64 / r,
    )
}

fn within_3_se(simulated: f64, exact: f64, replicates: u64, what: &str) {
    let se = binomial_se(exact, replicates as f64);
    assert!(
        (simulated - exact).abs() <= 3.0 * se,
        "{what}: simulated {simulated:.5} vs exact {exact:.7}, 3 MC SE = {:.5}",
        3.0 * se
    );
    println!("{what}: simulated {simulated:.5} exact {exact:.7} (MC SE {se:.5})");
}

/// TOST power of the named designs against PowerTOST's published exact values. The 3- and
/// 4-condition designs compare B with A (the others' GMR 1); every design is balanced,
/// complete and without dropout, the case PowerTOST computes.
#[test]
fn tost_power_of_the_named_designs_matches_powertost() {
    // (preset, CV, n, PowerTOST power.TOST at theta0 = 0.95)
    let cases = [
        ("2x2", 0.30, 40, 0.8158453),
        ("2x2x3", 0.30, 30, 0.8204004),
        ("2x3x3", 0.30, 30, 0.8204004),
        ("2x2x4", 0.30, 20, 0.8202398),
        ("3x6x3", 0.20, 18, 0.8089486),
        ("4x4", 0.20, 20, 0.8527970),
        // computed with power.TOST at n = 24 (REFERENCES): 3x3 0.5760724
        ("3x3", 0.30, 24, 0.5760724),
    ];
    for (preset, cv, n, exact) in cases {
        let k = match preset {
            "3x3" | "3x6x3" => 3,
            "4x4" => 4,
            _ => 2,
        };
        let names: Vec<String> = (0..k)
            .map(|i| format!("\"{}\"", (b'A' + i as u8) as char))
            .collect();
        let sets = [
            format!("design.conditions=[{}]", names.join(", ")),
            format!("design.preset=\"{preset}\""),
            format!("design.enrolled={n}"),
            "log_normal.gmr={ B = 0.95 }".to_string(),
            format!("log_normal.cv_within={cv}"),
        ];
        let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
        let (power, _, _) = rates("configs/bioequivalence/abe_2x2.toml", &sets, REPLICATES);
        within_3_se(
            power,
            exact,
            REPLICATES,
            &format!("TOST power {preset} CV {cv} n {n}"),
        );
    }
}

/// At either margin TOST is a test of size at most alpha, and its exact size is PowerTOST's
/// power.TOST at theta0 = 1.25 (n = 24, CV 0.30): 2x2 0.0497220, 3x3 0.0497988,
/// 4x4 0.0498192, 2x2x4 0.0500000. By the symmetry of the margins on the log scale the size at
/// 0.80 is the same.
#[test]
fn tost_size_at_each_margin_is_the_exact_value() {
    let replicates = 100_000;
    for (preset, k, exact) in [
        ("2x2", 2, 0.0497220),
        ("3x3", 3, 0.0497988),
        ("4x4", 4, 0.0498192),
        ("2x2x4", 2, 0.0500000),
    ] {
        for margin in [1.25, 0.80] {
            let names: Vec<String> = (0..k)
                .map(|i| format!("\"{}\"", (b'A' + i as u8) as char))
                .collect();
            let sets = [
                format!("design.conditions=[{}]", names.join(", ")),
                format!("design.preset=\"{preset}\""),
                "design.enrolled=24".to_string(),
                format!("log_normal.gmr={{ B = {margin} }}"),
            ];
            let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
            let (size, _, _) = rates("configs/bioequivalence/abe_2x2.toml", &sets, replicates);
            within_3_se(
                size,
                exact,
                replicates,
                &format!("TOST size {preset} at GMR {margin}"),
            );
        }
    }
}

/// A 2x2 on the log scale (CV 0.30, N = 40) testing `analysis` (the lines of `[analysis]`
/// after `primary`), written to a scratch file.
fn scratch_config(dir: &tempfile::TempDir, gmr: f64, analysis: &str) -> String {
    let text = format!(
        "name = \"scratch\"\n[design]\nconditions = [\"R\", \"T\"]\npreset = \"2x2\"\nenrolled = 40\n\
         [log_normal]\ngmr = {{ T = {gmr} }}\ncv_within = 0.30\n\
         [analysis]\nprimary = \"anova\"\n{analysis}\n"
    );
    let path = dir.path().join("scratch.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A one-sided t test at its boundary rejects with probability exactly alpha: non-inferiority
/// at the margin (the shipped null twin) and one-sided superiority at a true ratio of 1.
#[test]
fn one_sided_tests_have_size_alpha_at_their_boundary() {
    let replicates = 100_000;
    let (size, _, _) = rates(
        "configs/bioequivalence/noninferiority_null.toml",
        &[],
        replicates,
    );
    within_3_se(size, 0.05, replicates, "non-inferiority at the margin 0.80");
    let dir = tempfile::tempdir().unwrap();
    for better in ["higher", "lower"] {
        let config = scratch_config(
            &dir,
            1.0,
            &format!("hypothesis = \"superiority\"\nbetter = \"{better}\""),
        );
        let (size, up, down) = rates(&config, &[], replicates);
        within_3_se(
            size,
            0.05,
            replicates,
            &format!("superiority ({better}) at GMR 1"),
        );
        // Every rejection points the good way.
        if better == "higher" {
            assert_eq!(down, 0.0);
        } else {
            assert_eq!(up, 0.0);
        }
    }
}

/// Two-sided power is the sum of the two directions. At GMR 0.95, CV 0.30, N = 40 each
/// direction is a one-sided test at alpha / 2 = 0.025 with noncentrality
/// ln(0.95) / (sigma_w sqrt(2 / 40)) = -0.7814085 on 38 df, sigma_w = sqrt(ln(1.09)); R 4.2.2:
/// `pt(qt(0.975, 38), 38, ncp, lower.tail = FALSE)` = 0.00324396941 (favouring T) and
/// `pt(-qt(0.975, 38), 38, ncp)` = 0.1154308551 (favouring R).
#[test]
fn two_sided_power_splits_into_its_directions() {
    let dir = tempfile::tempdir().unwrap();
    let config = scratch_config(&dir, 0.95, "");
    let replicates = 100_000;
    let (power, favouring_test, favouring_reference) = rates(&config, &[], replicates);
    assert_eq!(power, favouring_test + favouring_reference);
    within_3_se(
        favouring_test,
        0.00324396941,
        replicates,
        "two-sided, favouring T",
    );
    within_3_se(
        favouring_reference,
        0.1154308551,
        replicates,
        "two-sided, favouring R",
    );
}

/// (sequence index, periods completed, y per period).
type Subject = (usize, usize, &'static [f64]);

fn interval(sequences: &[&str], subjects: &[Subject]) -> (f64, f64, f64) {
    let names = vec!["A".to_string(), "B".to_string()];
    let seqs: Vec<String> = sequences.iter().map(|s| s.to_string()).collect();
    let design = Crossover::new(&names, 0, &seqs).unwrap();
    let p = design.period_count();
    let mut c = Cohort::new(subjects.len(), p);
    for (i, &(s, m, ys)) in subjects.iter().enumerate() {
        c.sequence[i] = SequenceId(s as u8);
        c.periods_completed[i] = m as u8;
        #[allow(clippy::needless_range_loop)] // j indexes periods of the cohort, not ys
        for j in 0..p {
            let cell = c.cell(i, j);
            c.condition[cell] = design.sequences()[s].condition_in(j);
            c.change[cell] = if j < m { ys[j].ln() } else { f64::NAN };
        }
    }
    let contrast = Contrast::difference(&design, Condition(1), Condition(0));
    let mut data = LookData::new(
        subjects.len(),
        &design,
        Condition(1),
        Condition(0),
        Needs {
            observations: true,
            ..Needs::NONE
        },
    );
    data.set_anova_contrast(&design, &contrast);
    data.collect(&c, subjects.len());
    let AnalysisOutcome::Analyzed(e) = analysis::run(AnalysisName::ANOVA, &mut data) else {
        panic!("not analyzable")
    };
    let h = Hypothesis::Equivalence {
        lower: 0.8f64.ln(),
        upper: 1.25f64.ln(),
    };
    let critical = CriticalValues::new(h.table_level(0.05), 64);
    let (lo, hi) = h.interval(&e, &critical).unwrap();
    (e.estimate.exp(), lo.exp(), hi.exp())
}

/// The back-transformed 90% interval of T/R against R on a 2x2 and on a partial replicate
/// with a dropout (data and R call in the module docs; R printed `%.15g`).
#[test]
fn back_transformed_intervals_match_r() {
    // d1: AB/BA, six subjects, y per period.
    let twobytwo: [Subject; 6] = [
        (0, 2, &[100.2, 93.1]),
        (1, 2, &[88.4, 97.5]),
        (0, 2, &[120.7, 111.3]),
        (1, 2, &[79.9, 85.6]),
        (0, 2, &[102.5, 99.0]),
        (1, 2, &[91.3, 95.8]),
    ];
    // R: pe 0.934834042788896 lower 0.914752432255833 upper 0.955356506024157 df 4
    let want = (0.934834042788896, 0.914752432255833, 0.955356506024157);
    let got = interval(&["AB", "BA"], &twobytwo);
    for (g, w) in [(got.0, want.0), (got.1, want.1), (got.2, want.2)] {
        assert!((g - w).abs() < 1e-10, "2x2: {got:?} vs R {want:?}");
    }
    // d2: ABB/BAB/BBA, subject 6 drops out after period 2.
    let partial: [Subject; 6] = [
        (0, 3, &[55.1, 49.8, 52.3]),
        (1, 3, &[61.0, 66.4, 58.2]),
        (2, 3, &[47.7, 50.9, 53.5]),
        (0, 3, &[70.2, 64.8, 61.9]),
        (1, 3, &[58.8, 60.3, 57.0]),
        (2, 2, &[44.6, 42.1]),
    ];
    // R: pe 0.923255184948098 lower 0.892073602177078 upper 0.955526690234182 df 8
    let want = (0.923255184948098, 0.892073602177078, 0.955526690234182);
    let got = interval(&["ABB", "BAB", "BBA"], &partial);
    for (g, w) in [(got.0, want.0), (got.1, want.1), (got.2, want.2)] {
        assert!((g - w).abs() < 1e-10, "2x3x3: {got:?} vs R {want:?}");
    }
}

/// The report says which hypothesis was tested, in words, on the ratio scale; a config at the
/// margin reports a type I error.
#[test]
fn reports_name_the_hypothesis_and_the_null() {
    let loaded = load(
        "configs/bioequivalence/abe_2x2_null.toml",
        &["simulation.replicates=2000"],
    );
    let report = run(&loaded);
    assert_eq!(
        report.primary.hypothesis,
        "equivalence: 90% CI of T/R within 0.80-1.25 (two one-sided tests at 0.05 each)"
    );
    assert!(report.is_null());
    assert_eq!(report.rate_label(), "type I error");
    let ratio = report.primary.ratio.unwrap();
    assert!((ratio.true_ratio - 1.25).abs() < 1e-12);
    let loaded = load(
        "configs/bioequivalence/abe_2x2.toml",
        &["simulation.replicates=2000"],
    );
    let report = run(&loaded);
    assert!(!report.is_null());
    assert_eq!(report.rate_label(), "power");
    let i = report.primary.ratio.unwrap().interval.unwrap();
    assert!((i.level - 0.90).abs() < 1e-12);
    assert!(i.lower < 0.95 && 0.95 < i.upper, "{i:?}");
}

/// Margins that cannot be tested are refused with the key and what is allowed.
#[test]
fn impossible_hypotheses_are_refused_with_the_key() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["analysis.margins=[1.25, 0.8]"],
            "analysis.margins = [1.25, 0.8]: the lower margin must be below the upper one",
        ),
        (
            &["analysis.margins=[0, 1.25]"],
            "analysis.margins[0] = 0: must be a ratio > 0",
        ),
        (
            &["analysis.hypothesis=\"non_inferiority\"", "analysis.margins=[]"],
            "does not apply to analysis.hypothesis",
        ),
        (
            &["analysis.primary=\"wilcoxon_paired\""],
            "needs an estimate with a standard error",
        ),
        (
            &["log_normal.gmr={ R = 1.1, T = 0.95 }"],
            "is the reference: its ratio to itself is 1",
        ),
        (
            &["log_normal.cv_within=0"],
            "log_normal.cv_within = 0: must be a coefficient of variation in (0, 100]",
        ),
        (
            &["population={ correlation = 0.5, classes = [] }"],
            "give [population] for a normal endpoint or [log_normal] for a ratio endpoint, not both",
        ),
    ];
    assert_refused("configs/bioequivalence/abe_2x2.toml", cases);
    let mut cmd = crossover_sim();
    cmd.args([
        "validate",
        "configs/bioequivalence/noninferiority.toml",
        "--set",
        "analysis.margin=1.1",
    ])
    .current_dir(crate_path(""))
    .assert()
    .code(2)
    .stderr(predicates::str::contains(
        "analysis.margin = 1.1: with better = \"higher\" the margin must lie below 1",
    ));
}

/// The analytic fast path on shipped configs equals PowerTOST's exact values (power.TOST,
/// method "exact"; REFERENCES in the module docs) to 1e-6, and names what rules it out.
#[test]
fn the_analytic_fast_path_equals_the_exact_references() {
    use crossover_sim::power::design::{closed_form, ClosedForm};
    let cases: &[(&str, &[&str], f64)] = &[
        ("abe_2x2", &[], 0.8158453),
        ("abe_2x2", &["design.enrolled=39"], f64::NAN), // 39 is not a multiple of the block
        ("abe_2x2", &["design.enrolled=24"], 0.5576574),
        ("abe_2x2_null", &["design.enrolled=24"], 0.0497220),
        ("abe_2x2x4", &[], 0.8818840),
        ("abe_2x2x4", &["design.enrolled=20"], 0.8202398),
        ("abe_2x2x4_null", &[], 0.0500000),
        ("abe_2x3x3", &["design.enrolled=30"], 0.8204004),
    ];
    for (name, sets, want) in cases {
        let loaded = load(&format!("configs/bioequivalence/{name}.toml"), sets);
        match closed_form(&loaded.design) {
            ClosedForm::Exact(e) => assert!(
                (e.power - want).abs() < 1e-6,
                "{name} {sets:?}: {} vs PowerTOST {want}",
                e.power
            ),
            ClosedForm::Unavailable(why) => {
                assert!(want.is_nan(), "{name} {sets:?}: {why}");
                assert!(why.contains("not a multiple of the block size"), "{why}");
            }
        }
    }
    let loaded = load(
        "configs/bioequivalence/abe_2x2.toml",
        &["dropout.after_period=[0.1]"],
    );
    assert_eq!(
        closed_form(&loaded.design),
        ClosedForm::Unavailable("participants drop out".to_string())
    );
}

/// (CV, n, achieved power) of one sampleN.TOST call.
type SampleN = (f64, usize, f64);

/// The analytic sample size equals PowerTOST's sampleN.TOST(CV, theta0 = 0.95,
/// targetpower = 0.8, design) for every design and CV of its published table.
#[test]
fn the_sample_size_matches_powertost_sample_n() {
    use crossover_sim::power::design::PowerModel;
    // (preset, conditions, [(CV, n, achieved power)])
    let table: &[(&str, usize, [SampleN; 3])] = &[
        (
            "2x2",
            2,
            [
                (0.2, 20, 0.834680),
                (0.3, 40, 0.815845),
                (0.4, 66, 0.805252),
            ],
        ),
        (
            "3x3",
            3,
            [
                (0.2, 18, 0.808949),
                (0.3, 39, 0.813047),
                (0.4, 66, 0.809372),
            ],
        ),
        (
            "3x6x3",
            3,
            [
                (0.2, 18, 0.808949),
                (0.3, 42, 0.840318),
                (0.4, 66, 0.809372),
            ],
        ),
        (
            "4x4",
            4,
            [
                (0.2, 20, 0.852797),
                (0.3, 40, 0.824834),
                (0.4, 68, 0.821942),
            ],
        ),
        (
            "2x2x3",
            2,
            [
                (0.2, 14, 0.817926),
                (0.3, 30, 0.820400),
                (0.4, 50, 0.811886),
            ],
        ),
        (
            "2x2x4",
            2,
            [
                (0.2, 10, 0.843312),
                (0.3, 20, 0.820240),
                (0.4, 34, 0.819344),
            ],
        ),
        (
            "2x3x3",
            2,
            [
                (0.2, 15, 0.844011),
                (0.3, 30, 0.820400),
                (0.4, 51, 0.819396),
            ],
        ),
    ];
    for (preset, k, rows) in table {
        for (cv, n, power) in rows {
            let names: Vec<String> = (0..*k)
                .map(|i| format!("\"{}\"", (b'A' + i as u8) as char))
                .collect();
            let sets = [
                format!("design.conditions=[{}]", names.join(", ")),
                format!("design.preset=\"{preset}\""),
                "log_normal.gmr={ B = 0.95 }".to_string(),
                format!("log_normal.cv_within={cv}"),
            ];
            let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
            let loaded = load("configs/bioequivalence/abe_2x2.toml", &sets);
            let model = PowerModel::of(&loaded.design).unwrap();
            let (found, achieved) = model.sample_size(0.8).unwrap();
            assert_eq!(found, *n, "{preset} CV {cv}");
            assert!(
                (achieved - power).abs() < 1e-6,
                "{preset} CV {cv}: {achieved}"
            );
        }
    }
}

/// `samplesize` prints the analytic N, confirms it by simulation and writes samplesize.json.
#[test]
fn the_samplesize_command_finds_and_confirms_n() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    crossover_sim()
        .args([
            "samplesize",
            "configs/bioequivalence/abe_2x2.toml",
            "--replicates",
            "4000",
            "--out",
            out,
        ])
        .current_dir(crate_path(""))
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "smallest balanced N with exact power >= 0.8: N = 40 (exact power 0.815845)",
        ));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("abe_2x2/samplesize.json")).unwrap(),
    )
    .unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        // 4000 replicates: the simulated power lies within 4 MC SE of the exact one.
        let exact = row["exact_power"].as_f64().unwrap();
        let simulated = row["simulated"]["estimate"].as_f64().unwrap();
        let se = binomial_se(exact, 4000.0);
        assert!((simulated - exact).abs() < 4.0 * se, "{row}");
    }
    // A design with dropout has no closed form: the error says so and what to use instead.
    crossover_sim()
        .args([
            "samplesize",
            "configs/bioequivalence/abe_2x2.toml",
            "--set",
            "dropout.after_period=[0.1]",
            "--out",
            out,
        ])
        .current_dir(crate_path(""))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "participants drop out; use `sweep --param design.enrolled --target-power 0.8`",
        ));
}

/// A one-sided hypothesis with interim looks uses one-sided boundaries: rpact's
/// getDesignGroupSequential(sided = 1, alpha = 0.025, informationRates = c(0.5, 1),
/// typeOfDesign = "asOF") gives critical z 2.9626, 1.9686 and nominal levels 0.001525,
/// 0.024500. At GMR 1 the simulated rejection rate is the overall one-sided alpha, 0.025
/// (200,000 replicates, 3 MC SE); futility on the directional t stops trials pointing the
/// wrong way more often than those pointing the right way.
#[test]
fn one_sided_group_sequential_designs_use_one_sided_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let config = scratch_config(
        &dir,
        1.0,
        "alpha = 0.025\nhypothesis = \"superiority\"\nbetter = \"higher\"\n\
         [sequential]\nlooks = [0.5, 1]\nefficacy = { spending = \"obrien_fleming\" }",
    );
    let loaded = load(&config, &["simulation.replicates=200000"]);
    let report = run(&loaded);
    let z: Vec<f64> = report.looks.iter().map(|l| l.critical_z).collect();
    let level: Vec<f64> = report.looks.iter().map(|l| l.nominal_level).collect();
    for (got, want) in z.iter().zip([2.9626, 1.9686]) {
        assert!((got - want).abs() < 1e-4, "critical z {z:?}");
    }
    for (got, want) in level.iter().zip([0.001525, 0.024500]) {
        assert!((got - want).abs() < 1e-6, "nominal levels {level:?}");
    }
    within_3_se(
        report.primary.power.estimate,
        0.025,
        200_000,
        "one-sided O'Brien-Fleming at GMR 1",
    );
    // Directional futility: with z < 0 at the interim (t pointing towards R) the trial stops.
    let futile = scratch_config(
        &dir,
        1.0,
        "alpha = 0.025\nhypothesis = \"superiority\"\nbetter = \"higher\"\n\
         [sequential]\nlooks = [0.5, 1]\nefficacy = { spending = \"obrien_fleming\" }\n\
         futility = { z = [0.0] }",
    );
    let loaded = load(&futile, &["simulation.replicates=40000"]);
    let report = run(&loaded);
    // Under H0 the directional t is below 0 half the time: P(stop for futility) = 0.5 up to the
    // t-vs-z difference at 19 df (exactly P(T_19 < 0) = 0.5).
    within_3_se(
        report.looks[0].p_stop_futility,
        0.5,
        40_000,
        "futility at z < 0",
    );
}
