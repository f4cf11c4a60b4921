//! Two test formulations (T1, T2) against one reference in a two-stage design decided by a
//! `[bioequivalence]` rule (issue 29, item 2): each comparison runs Potvin's method B on the
//! data of its two conditions at alpha' (adaptive.alpha / m under Bonferroni), stage 2 enrolls
//! the largest N a continuing comparison asks for, and the pooled analysis decides only the
//! continuing comparisons.
//!
//! Reference (R 4.2.2, PowerTOST 1.5-7): the stage-1 pass probability of one comparison on the
//! 3x6x3 Williams design (n1 = 24, CV 0.25) analysed on its two conditions is the exact TOST
//! power of that analysis: SE² = 2 ln(1 + CV²) / 24 (each participant gives T and R once, and
//! the six sequences put each ordered pair of periods equally often, so the period effects are
//! orthogonal to the formulation) with df 2 n - n - (3 - 1) - 1 = 21:
//!
//! ```r
//! library(PowerTOST); mse <- log(1 + 0.25^2)
//! PowerTOST:::.calc.power(alpha = 0.0147, ltheta1 = log(0.8), ltheta2 = log(1.25),
//!   diffm = log(g), sem = sqrt(2 * mse / 24), df = 21, method = "exact")
//! ```
//!
//! g = 0.95: 0.46978264; g = 0.90: 0.25529842; g = 1.25: 0.01461399.
//!
//! Monte Carlo tolerance: 4 binomial SE of our estimate (the references are exact).

use crate::common::*;
use crossover_sim::engine::Summary;

const CONFIG: &str = "configs/two_stage/two_formulations.toml";
const NULL: &str = "configs/two_stage/two_formulations_null.toml";

/// The stage-1 pass rate of each comparison is the exact TOST power of its pairwise analysis
/// at Bonferroni's alpha 0.0294 / 2 (T1 at GMR 0.95, T2 at 0.90); under the global null both
/// are the TOST size at the limit 1.25.
#[test]
fn stage_one_success_is_the_tost_power_of_the_pairwise_analysis() {
    let replicates = 40_000u64;
    let power = simulate_summary(CONFIG, &[], replicates);
    let null = simulate_summary(NULL, &[], replicates);
    for (s, i, reference, what) in [
        (&power, 0, 0.46978264, "T1 - R at GMR 0.95"),
        (&power, 1, 0.25529842, "T2 - R at GMR 0.90"),
        (&null, 0, 0.01461399, "T1 - R at 1.25"),
        (&null, 1, 0.01461399, "T2 - R at 1.25"),
    ] {
        let p = rate(s.two_stage.comparisons[i].stage1_pass, s);
        let se = binomial_se(p, replicates as f64);
        assert_within(p, reference, se, 4.0, what);
    }
}

/// The paths add up: each comparison is closed at stage 1 or goes on; the trial goes on when
/// any comparison does; a comparison that went on is decided once more; "at least one" and
/// "all" follow from the comparisons' successes, and the trial-level pass count is "at least
/// one" while the primary analysis is the first comparison.
#[test]
fn paths_of_each_comparison_add_up() {
    let replicates = 20_000u64;
    let s = simulate_summary(CONFIG, &[], replicates);
    let t = &s.two_stage;
    assert_eq!(t.comparisons.len(), 2);
    for c in &t.comparisons {
        assert_eq!(
            c.stage1_pass + c.stage1_fail + c.futile + c.stage2,
            replicates
        );
        assert!(c.stage2_pass <= c.stage2 && c.stage2 <= t.stage2);
    }
    assert!(t.stage2 >= t.comparisons[0].stage2.max(t.comparisons[1].stage2));
    assert_eq!(t.stage1_pass + t.stage2_pass, t.at_least_one);
    let success = |i: usize| t.comparisons[i].stage1_pass + t.comparisons[i].stage2_pass;
    assert!(t.at_least_one >= success(0).max(success(1)));
    assert_eq!(t.at_least_one + t.all, success(0) + success(1));
    assert_eq!(s.contrasts[0].rejected, success(0));
    assert_eq!(s.contrasts[1].rejected, success(1));
    let primary = s.analyses.iter().map(|a| a.rejected).sum::<u64>();
    assert_eq!(primary, success(0));
    assert_eq!(s.family.rejections[0], replicates - t.at_least_one);
    assert_eq!(s.family.rejections[2], t.all);
}

/// The alpha of each comparison: its stage-1 decision uses only stage-1 data, so under
/// Bonferroni (alpha 0.0294 over two) comparison T1's stage-1 counts equal, trial for trial,
/// those of T1 alone at adaptive.alpha 0.0147; under `none` they equal T1 alone at 0.0294.
#[test]
fn multiplicity_sets_the_alpha_of_each_comparison() {
    let replicates = 10_000u64;
    let alone = |alpha: &str| {
        simulate_summary(
            CONFIG,
            &[
                "analysis.contrasts=[\"T1 - R\"]",
                "analysis.multiplicity=\"none\"",
                &format!("adaptive.alpha={alpha}"),
            ],
            replicates,
        )
    };
    let stage_one = |s: &Summary, i: Option<usize>| match i {
        Some(i) => {
            let c = &s.two_stage.comparisons[i];
            (c.stage1_pass, c.stage1_fail, c.futile)
        }
        None => (
            s.two_stage.stage1_pass,
            s.two_stage.stage1_fail,
            s.two_stage.futile,
        ),
    };
    let bonferroni = simulate_summary(CONFIG, &[], replicates);
    let none = simulate_summary(CONFIG, &["analysis.multiplicity=\"none\""], replicates);
    let half = alone("0.0147");
    let full = alone("0.0294");
    assert!(half.two_stage.comparisons.is_empty());
    assert_eq!(stage_one(&bonferroni, Some(0)), stage_one(&half, None));
    assert_eq!(stage_one(&none, Some(0)), stage_one(&full, None));
    assert!(stage_one(&none, Some(0)).0 > stage_one(&bonferroni, Some(0)).0);
    // The report states the alpha each comparison is decided at.
    let r = run(&load(CONFIG, &["simulation.replicates=1000"]));
    let ts = r.two_stage.unwrap();
    assert_eq!(ts.comparison_alpha, Some(0.0147));
    assert_eq!(ts.comparisons.len(), 2);
    assert!(ts.steps.contains("Bonferroni's alpha 0.0294 / 2 = 0.0147"));
}

/// Under the global null (both formulations at 1.25) each comparison's pass rate is its type
/// I error, and the familywise error ("at least one") lies between the larger of them and
/// their sum (it is their union); the report's familywise error is the same count.
#[test]
fn familywise_error_under_the_global_null() {
    let replicates = 100_000u64;
    let r = run(&load(
        NULL,
        &[&format!("simulation.replicates={replicates}")],
    ));
    let ts = r.two_stage.as_ref().unwrap();
    let (a, b) = (ts.comparisons[0].success, ts.comparisons[1].success);
    let fwe = ts.at_least_one.unwrap();
    println!(
        "type I errors {:.5} ({:.5}), {:.5} ({:.5}); familywise {:.5} ({:.5})",
        a.estimate, a.se, b.estimate, b.se, fwe.estimate, fwe.se
    );
    assert!(fwe.estimate >= a.estimate.max(b.estimate));
    assert!(fwe.estimate <= a.estimate + b.estimate);
    // The two comparisons are exchangeable under the global null: equal within 4 SE of the
    // difference.
    assert_within(
        a.estimate,
        b.estimate,
        (a.se * a.se + b.se * b.se).sqrt(),
        4.0,
        "type I errors of T1 and T2",
    );
    let family = r.family.as_ref().unwrap();
    assert_eq!(family.familywise_error, Some(fwe));
    assert_eq!(family.true_nulls, ["T1 - R", "T2 - R"]);
    assert!(r.under_null && r.rate_label() == "type I error");
}

/// `bioequivalence.true_ratio = "expanded_limit"` puts every test formulation at the limit the
/// rule implies (1.25 for average bioequivalence): the global null; the least favourable null
/// the calibration simulates is the same design.
#[test]
fn null_twin_puts_every_test_at_the_limit() {
    let d = load(NULL, &[]).design;
    for c in d.contrasts() {
        let effect = d.population().average_effect(c);
        assert!(
            (effect - 1.25f64.ln()).abs() < 1e-12,
            "{}: {effect}",
            c.name()
        );
    }
    let power = load(CONFIG, &[]).design;
    let least_favourable = power.at_least_favourable_null().unwrap();
    for c in least_favourable.contrasts() {
        let effect = least_favourable.population().average_effect(c);
        assert!(
            (effect - 1.25f64.ln()).abs() < 1e-12,
            "{}: {effect}",
            c.name()
        );
    }
}

/// What a two-stage design with several formulations refuses, each naming the key, the value
/// and what is allowed.
#[test]
fn refusals_name_the_key_and_what_is_allowed() {
    assert_refused(
        CONFIG,
        &[
            (
                &["analysis.multiplicity=\"holm\""],
                "analysis.multiplicity = \"holm\": a two-stage design decides each comparison by Potvin's method B on its own at one alpha: choose \"bonferroni\"",
            ),
            (
                &["analysis.multiplicity=\"hierarchical\""],
                "holm and hierarchical are not available for two-stage designs",
            ),
            (
                &["analysis.contrasts=[\"T1 - R\", { name = \"mean T\", weights = { T1 = 0.5, T2 = 0.5, R = -1.0 } }]"],
                "analysis.contrasts[1] = \"mean T\": a two-stage design with a bioequivalence rule compares each test formulation with the reference: give differences",
            ),
            (
                &["analysis.contrasts=[\"T1 - R\", \"T1 - T2\"]"],
                "analysis.contrasts[1] = \"T1 - T2\": a two-stage design with a bioequivalence rule compares each test formulation with the common reference (design.reference = \"R\")",
            ),
            // A scaled rule estimates s²wR: some sequence must give R twice, which the 3x6x3
            // does not.
            (
                &["bioequivalence.rule=\"ema\""],
                "some sequence must give the reference (R) twice",
            ),
        ],
    );
    // adjust-alpha searches one comparison's single-stage rule: it points to calibrate.
    let out = tempfile::tempdir().unwrap();
    cli_with_out(&["adjust-alpha", CONFIG], out.path())
        .code(2)
        .stderr(predicates::str::contains(
        "this two-stage design compares several test formulations: calibrate its familywise error",
    ));
    // Without [bioequivalence] the two-stage design stays Potvin's 2x2 with one contrast.
    assert_refused(
        "configs/two_stage/potvin_b.toml",
        &[(
            &["analysis.contrasts=[\"B - A\", \"A - B\"]"],
            "interim looks and two-stage designs test one primary contrast",
        )],
    );
}

/// `calibrate` on a design with several comparisons controls the familywise rate: its type I
/// error at a point is the rate of at least one success at the global null (the null twin's
/// `two_stage.at_least_one`, trial for trial: same seed, same replicates), not the first
/// comparison's rate, and its power is the rate of at least one success at the config's GMRs.
#[test]
fn calibration_controls_the_familywise_rate() {
    use crossover_sim::calibration::{calibrate, CalibrationRequest};
    use crossover_sim::engine::NoProgress;
    use crossover_sim::sweep::{parse_values, SweepSpec};
    let replicates = 4000;
    let sets = [format!("simulation.replicates={replicates}")];
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let mut request = CalibrationRequest::new(SweepSpec::new(
        "log_normal.cv_within",
        parse_values("0.25").unwrap(),
    ));
    request.range = Some((0.02, 0.04));
    request.tolerance = 0.005;
    request.check_alpha = Some(0.0294);
    let c = calibrate(&load(CONFIG, &sets), &request, &|_| {}, &NoProgress).unwrap();
    let checked = &c.checked.as_ref().unwrap().points[0];
    let null = run(&load(NULL, &sets));
    let power = run(&load(CONFIG, &sets));
    let familywise = null.two_stage.as_ref().unwrap().at_least_one.unwrap();
    assert_eq!(checked.type_one_error, familywise);
    assert!(familywise.estimate > null.primary.power.estimate);
    assert_eq!(
        checked.power,
        power.two_stage.as_ref().unwrap().at_least_one
    );
}

/// EMA ABEL on four periods where every sequence gives R twice (ABAC, BACA, ACAB, CABA):
/// each comparison's data are T once and R twice, as in the 2x3x3, and its stage-1 pass rate
/// agrees with PowerTOST 1.5-7's subject-data simulation of the rule on the 2x3x3 at alpha
/// 0.0147 and n 24 (`power.scABEL.sdsims(alpha = 0.0147, CV = 0.35, n = 24, design =
/// "2x3x3", theta0 = g, nsims = N)`: 0.49557 at g = 0.95 (N = 1e5), 0.015973 at g =
/// scABEL(0.35)[2] = 1.2948 (N = 1e6)); the designs differ in their periods only (df 44
/// against 45), within 4 SE of the difference. The null twin puts both tests at 1.2948.
#[test]
fn ema_on_four_periods_agrees_with_the_partial_replicate() {
    let replicates = 60_000u64;
    let power = simulate_summary(
        "configs/two_stage/two_formulations_ema.toml",
        &[],
        replicates,
    );
    let null = simulate_summary(
        "configs/two_stage/two_formulations_ema_null.toml",
        &[],
        replicates,
    );
    for (s, i, reference, theirs, what) in [
        (&power, 0, 0.49557, 1e5, "T1 - R at 0.95"),
        (&null, 0, 0.015973, 1e6, "T1 - R at 1.2948"),
        (&null, 1, 0.015973, 1e6, "T2 - R at 1.2948"),
    ] {
        let p = rate(s.two_stage.comparisons[i].stage1_pass, s);
        let se = (binomial_se(p, replicates as f64).powi(2)
            + binomial_se(reference, theirs).powi(2))
        .sqrt();
        assert_within(p, reference, se, 4.0, what);
    }
    let d = load("configs/two_stage/two_formulations_ema_null.toml", &[]).design;
    let limit = crossover_sim::inference::scaled::cv_to_sw(0.35) * 0.76;
    for c in d.contrasts() {
        let effect = d.population().average_effect(c);
        assert!((effect - limit).abs() < 1e-12, "{}: {effect}", c.name());
    }
}

/// The reports carry the comparisons: the markdown (and so the HTML) table, summary.csv's
/// per-comparison quantities by contrast, the hypothesis at alpha' (97.06% CI, 0.0147 each);
/// and split runs merge to the whole run's per-comparison counts (shards).
#[test]
fn reports_and_merged_runs_carry_the_comparisons() {
    let loaded = load(CONFIG, &["simulation.replicates=2000"]);
    let r = run(&loaded);
    let md = crossover_sim::report::markdown::render(&r);
    assert!(
        md.contains("| comparison | success (SE) | pass at stage 1 |"),
        "{md}"
    );
    assert!(md.contains("| at least one |") && md.contains("| all |"));
    assert!(md.contains("97.06% CI of T1/R within 0.80-1.25 (two one-sided tests at 0.0147 each)"));
    let csv = String::from_utf8(crossover_sim::report::csv_export::render(&r).unwrap()).unwrap();
    for needle in [
        "comparison_success,anova,T1 - R",
        "comparison_success_stage2,anova,T2 - R",
        "p_at_least_one,,,",
        "p_all,,,",
        "p_success,,,",
    ] {
        assert!(
            csv.lines().any(|l| l.contains(needle)),
            "{needle} missing from summary.csv"
        );
    }
    let sim = crossover_sim::engine::Simulator::new(&loaded.design).unwrap();
    let whole = sim.simulate(0..2000, &crossover_sim::engine::NoProgress);
    let mut parts = sim.simulate(0..700, &crossover_sim::engine::NoProgress);
    parts.merge(&sim.simulate(700..2000, &crossover_sim::engine::NoProgress));
    assert_eq!(parts.two_stage.comparisons, whole.two_stage.comparisons);
    assert_eq!(
        (parts.two_stage.at_least_one, parts.two_stage.all),
        (whole.two_stage.at_least_one, whole.two_stage.all)
    );
}
