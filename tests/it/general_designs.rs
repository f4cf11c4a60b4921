//! General designs end to end: carryover in a Williams design, and the validation errors for
//! designs that cannot be simulated as written.

use crate::common::*;
use crossover_sim::analysis::{self, AnalysisName, AnalysisOutcome, LookData, Needs};
use crossover_sim::design::{Condition, Contrast, Crossover, SequenceId};
use crossover_sim::engine::NoProgress;
use crossover_sim::model::Cohort;
use predicates::prelude::*;

/// Carryover lambda = (0, 0.4, -0.3, 0.2) by condition in the 4x4 Williams config, the
/// estimate of B - A by the model without a carryover term is biased by the amount the design
/// implies: the fit of the noiseless expected values (period, condition and carryover effects
/// only) of one participant per sequence. With the carryover term it is unbiased. Both checked
/// against the mean of 40,000 simulated estimates within 3 Monte Carlo SE.
#[test]
fn carryover_bias_is_what_the_williams_design_implies() {
    let lambda = [0.0, 0.4, -0.3, 0.2];
    let config = "configs/designs/design_4x4.toml";
    let carry =
        "effects.carryover={ reference = 0.0, test = 0.4, second_test = -0.3, third_test = 0.2 }";
    // Implied bias: fit the expected values of a balanced complete cohort.
    let d = load(config, &[carry]).design;
    let design: &Crossover = d.crossover();
    let n = design.sequence_count();
    let mut cohort = Cohort::new(n, 4);
    for (i, s) in design.sequences().iter().enumerate() {
        cohort.sequence[i] = SequenceId(i as u8);
        cohort.periods_completed[i] = 4;
        for j in 0..4 {
            let cell = cohort.cell(i, j);
            let c = s.condition_in(j);
            cohort.condition[cell] = c;
            let mut y = d.population().classes[0].change_mean[c.index()] + d.period_effect()[j];
            if j > 0 {
                y += lambda[s.condition_in(j - 1).index()];
            }
            cohort.change[cell] = y;
        }
    }
    let mut data = LookData::new(n, design, Condition(1), Condition(0), Needs::ALL);
    data.set_anova_contrast(
        design,
        &Contrast::difference(design, Condition(1), Condition(0)),
    );
    data.collect(&cohort, n);
    let AnalysisOutcome::Analyzed(noiseless) = analysis::run(AnalysisName::ANOVA, &mut data) else {
        panic!("expected values not fitted")
    };
    let truth = 0.6;
    let implied_bias = noiseless.estimate - truth;
    // The bias must be clearly non-zero for the test to mean something.
    assert!(implied_bias.abs() > 0.05, "implied bias {implied_bias}");

    let loaded = load(
        config,
        &[
            carry,
            "analysis.secondary=[\"anova_carryover\"]",
            "simulation.replicates=40000",
        ],
    );
    let s = crossover_sim::run::simulator(&loaded)
        .unwrap()
        .simulate(0..40_000, &NoProgress);
    for (name, expected) in [
        (AnalysisName::ANOVA, truth + implied_bias),
        (AnalysisName::ANOVA_CARRYOVER, truth),
    ] {
        let t = &s.analyses[name.index()];
        let m = t.analyzed as f64;
        let mean = t.sum_estimate.value() / m;
        let var = (t.sum_estimate_squared.value() - m * mean * mean) / (m - 1.0);
        let se = (var / m).sqrt();
        assert!(
            (mean - expected).abs() <= 3.0 * se,
            "{}: mean estimate {mean} vs {expected} (SE {se})",
            name.as_str()
        );
    }
}

#[test]
fn designs_that_cannot_be_simulated_are_rejected_with_the_key() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "configs/designs/design_2x2.toml",
            &["design.preset=\"2x2\"", "design.sequences=[\"AB\", \"BC\"]"],
            "design.preset = \"2x2\" already sets the sequences",
        ),
        (
            "configs/williams2018.toml",
            &["design.sequences=[\"AB\", \"BC\"]"],
            "design.sequences = [\"AB\", \"BC\"]: sequence 1 (\"BC\") has the letter 'C'; with 2 conditions the letters are A-B",
        ),
        (
            "configs/williams2018.toml",
            &["design.sequences=[\"AB\", \"BAA\"]"],
            "all sequences need the same length",
        ),
        (
            "configs/designs/design_3x3.toml",
            &["design.randomization.block_size=4"],
            "design.randomization.block_size = 4: must be a positive multiple of the number of sequences (3)",
        ),
        (
            "configs/designs/design_2x2x4.toml",
            &["population.within_sd.test=0"],
            "population.within_sd.\"test\" = 0: design.sequences give \"test\" more than once",
        ),
        (
            "configs/designs/design_3x3.toml",
            &["population.correlation=[[1, 0.9, 0.0], [0.9, 1, 0.9], [0.0, 0.9, 1]]"],
            "is not positive semidefinite",
        ),
        (
            "configs/designs/design_3x3.toml",
            &["population.correlation=-0.6"],
            "must exceed -1/(k - 1) = -0.5000",
        ),
        (
            "configs/designs/design_3x3.toml",
            &["analysis.primary=\"period_adjusted\""],
            "analysis.primary = period_adjusted: is defined only for the two-condition two-period AB/BA design",
        ),
        (
            "configs/designs/design_3x3.toml",
            &["design.preset=\"4x4\""],
            "design.preset = \"4x4\": is a design for 4 conditions, but design.conditions lists 3",
        ),
        (
            "configs/designs/design_3x3.toml",
            &["effects.period=[0, 1]"],
            "effects.period = [0.0, 1.0]: must give one period effect per period (3 values",
        ),
        (
            "configs/critique_factorial.toml",
            &["analysis.secondary=[\"completers_paired\"]"],
            "completers_paired compares two conditions; a weighted contrast needs anova",
        ),
    ];
    for (config, sets, expected) in cases {
        let mut args = vec!["validate".to_string(), config.to_string()];
        for s in *sets {
            args.push("--set".into());
            args.push(s.to_string());
        }
        crossover_sim()
            .args(&args)
            .current_dir(crate_path(""))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expected).and(predicate::str::contains(*config)));
    }
}

#[test]
fn every_shipped_design_config_validates() {
    let mut configs: Vec<String> = std::fs::read_dir(crate_path("configs/designs"))
        .unwrap()
        .map(|e| {
            format!(
                "configs/designs/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    configs.push("configs/critique_factorial.toml".into());
    for c in configs {
        crossover_sim()
            .args(["validate", &c])
            .current_dir(crate_path(""))
            .assert()
            .success();
    }
}
