//! The linear-model analysis (`anova`, `anova_carryover`) against R on fixed small data sets
//! of several designs, one with dropouts, and against the Hills-Armitage analysis on a complete
//! 2x2.
//!
//! Reference values: R 4.2.2, for each data set below (subject, period, treatment, y as in the
//! arrays; `prev` the previous period's treatment, "none" in period 1):
//!
//! ```r
//! d$treatment <- factor(d$treatment)
//! for (x in setdiff(levels(d$treatment), "A")) d[[paste0("c", x)]] <- as.numeric(d$prev == x)
//! m <- lm(y ~ factor(subject) + factor(period) + treatment, data = d)            # anova
//! m <- lm(y ~ factor(subject) + factor(period) + treatment + cB + cC + cD, d)    # anova_carryover
//! est <- sum(w * coef(m)[nm]); se <- sqrt(t(w) %*% vcov(m)[nm, nm] %*% w); m$df.residual
//! ```
//!
//! with `nm` the treatment coefficients of the contrast weights `w`, printed with `%.15g`.

use crossover_sim::analysis::{self, AnalysisName, AnalysisOutcome, LookData, Needs};
use crossover_sim::design::{Condition, Contrast, Crossover, SequenceId};
use crossover_sim::model::Cohort;

/// (sequence index, periods completed, y per period).
type Subject = (usize, usize, &'static [f64]);

fn design(k: usize, sequences: &[&str]) -> Crossover {
    let names: Vec<String> = (0..k)
        .map(|i| ((b'A' + i as u8) as char).to_string())
        .collect();
    let seqs: Vec<String> = sequences.iter().map(|s| s.to_string()).collect();
    Crossover::new(&names, 0, &seqs).unwrap()
}

fn cohort(design: &Crossover, subjects: &[Subject]) -> Cohort {
    let p = design.period_count();
    let mut c = Cohort::new(subjects.len(), p);
    for (i, &(s, m, ys)) in subjects.iter().enumerate() {
        c.sequence[i] = SequenceId(s as u8);
        c.periods_completed[i] = m as u8;
        #[allow(clippy::needless_range_loop)] // j indexes periods of the cohort, not ys
        for j in 0..p {
            let cell = c.cell(i, j);
            c.condition[cell] = design.sequences()[s].condition_in(j);
            c.change[cell] = ys.get(j).copied().filter(|_| j < m).unwrap_or(f64::NAN);
        }
    }
    c
}

/// Fits `name` for the contrast `weights` and checks estimate, SE and df against R.
fn check(
    design: &Crossover,
    subjects: &[Subject],
    weights: &[f64],
    name: AnalysisName,
    want: (f64, f64, f64),
) {
    let cohort = cohort(design, subjects);
    let contrast = Contrast::weighted("contrast", weights.to_vec());
    let mut data = LookData::new(
        subjects.len(),
        design,
        Condition(1),
        Condition(0),
        Needs {
            observations: true,
            ..Needs::NONE
        },
    );
    data.set_anova_contrast(design, &contrast);
    data.collect(&cohort, subjects.len());
    let AnalysisOutcome::Analyzed(e) = analysis::run(name, &mut data) else {
        panic!("not analyzable")
    };
    let (est, se, df) = want;
    assert!(
        (e.estimate - est).abs() < 1e-10,
        "estimate {} vs R {est}",
        e.estimate
    );
    assert!(
        (e.standard_error - se).abs() < 1e-10,
        "SE {} vs R {se}",
        e.standard_error
    );
    assert_eq!(e.df, df);
    assert!((e.statistic - est / se).abs() < 1e-8);
}

const LATIN3: [Subject; 6] = [
    (0, 3, &[10.1, 12.3, 11.0]),
    (0, 3, &[9.4, 11.8, 10.2]),
    (1, 3, &[12.9, 11.1, 9.8]),
    (1, 3, &[13.5, 10.4, 10.9]),
    (2, 3, &[11.7, 9.9, 12.6]),
    (2, 3, &[10.8, 9.1, 13.0]),
];

#[test]
fn latin_square_matches_r() {
    let d = design(3, &["ABC", "BCA", "CAB"]);
    // R: est 2.81666666666667 se 0.247019267504619 df 8 (B - A); est 1 se ... (C - A)
    check(
        &d,
        &LATIN3,
        &[-1.0, 1.0, 0.0],
        AnalysisName::ANOVA,
        (2.81666666666667, 0.247019267504619, 8.0),
    );
    check(
        &d,
        &LATIN3,
        &[-1.0, 0.0, 1.0],
        AnalysisName::ANOVA,
        (1.0, 0.247019267504619, 8.0),
    );
    // with carryover dummies cB, cC: est 2.81666666666667 se 0.625832778517287 df 6
    check(
        &d,
        &LATIN3,
        &[-1.0, 1.0, 0.0],
        AnalysisName::ANOVA_CARRYOVER,
        (2.81666666666667, 0.625832778517287, 6.0),
    );
}

/// A 4-period Williams design with dropouts: participant 5 completed 2 periods, 6 completed 3,
/// 8 only the first (its single observation is fitted by its own effect, as in R).
const WILLIAMS4: [Subject; 10] = [
    (0, 4, &[5.1, 6.0, 7.2, 6.6]),
    (1, 4, &[6.3, 7.9, 5.0, 6.8]),
    (2, 4, &[7.0, 4.8, 8.1, 6.2]),
    (3, 4, &[8.4, 7.1, 6.0, 5.2]),
    (0, 2, &[4.9, 6.4]),
    (1, 3, &[6.0, 8.3, 5.5]),
    (2, 4, &[6.6, 5.3, 7.7, 6.9]),
    (3, 1, &[7.9]),
    (0, 4, &[5.6, 5.9, 7.9, 7.0]),
    (3, 4, &[8.8, 6.5, 6.4, 4.7]),
];

#[test]
fn williams_design_with_dropouts_matches_r() {
    let d = design(4, &["ABCD", "BDAC", "CADB", "DCBA"]);
    // R: D - A: est 2.734375 se 0.261409842227538 df 18
    check(
        &d,
        &WILLIAMS4,
        &[-1.0, 0.0, 0.0, 1.0],
        AnalysisName::ANOVA,
        (2.734375, 0.261409842227538, 18.0),
    );
    // R: the 2x2 factorial interaction (D - B) - (C - A), w = (B = -1, C = -1, D = 1):
    //    est -0.271527777777777 se 0.375437509127155 df 18
    check(
        &d,
        &WILLIAMS4,
        &[1.0, -1.0, -1.0, 1.0],
        AnalysisName::ANOVA,
        (-0.271527777777777, 0.375437509127155, 18.0),
    );
    // R with carryover dummies: B - A: est 1.24269176136364 se 0.249771024233419 df 15
    check(
        &d,
        &WILLIAMS4,
        &[-1.0, 1.0, 0.0, 0.0],
        AnalysisName::ANOVA_CARRYOVER,
        (1.24269176136364, 0.249771024233419, 15.0),
    );
}

#[test]
fn replicate_design_with_a_dropout_matches_r() {
    let d = design(2, &["ABAB", "BABA"]);
    let subjects: [Subject; 6] = [
        (0, 4, &[1.2, 1.9, 1.0, 2.3]),
        (0, 4, &[0.8, 1.5, 1.1, 1.6]),
        (1, 4, &[2.1, 1.4, 2.4, 0.9]),
        (1, 4, &[1.7, 0.6, 1.8, 1.2]),
        (0, 3, &[1.4, 2.2, 0.7]),
        (1, 4, &[2.5, 1.3, 2.0, 1.5]),
    ];
    // R: est 0.917857142857143 se 0.117194831228904 df 13; with cB: est 0.792857142857143
    //    se 0.275244686030827 df 12
    check(
        &d,
        &subjects,
        &[-1.0, 1.0],
        AnalysisName::ANOVA,
        (0.917857142857143, 0.117194831228904, 13.0),
    );
    check(
        &d,
        &subjects,
        &[-1.0, 1.0],
        AnalysisName::ANOVA_CARRYOVER,
        (0.792857142857143, 0.275244686030827, 12.0),
    );
}

#[test]
fn complete_two_by_two_equals_hills_armitage() {
    let d = design(2, &["AB", "BA"]);
    let subjects: [Subject; 7] = [
        (0, 2, &[-20.0, -5.0]),
        (0, 2, &[-18.0, -2.0]),
        (0, 2, &[-25.0, -7.0]),
        (1, 2, &[-4.0, -21.0]),
        (1, 2, &[-6.0, -15.0]),
        (1, 2, &[-1.0, -19.0]),
        (0, 2, &[-12.0, -9.0]),
    ];
    // R: est 13.8333333333333 se 2.33333333333333 df 5
    check(
        &d,
        &subjects,
        &[-1.0, 1.0],
        AnalysisName::ANOVA,
        (13.8333333333333, 2.33333333333333, 5.0),
    );
    let cohort = cohort(&d, &subjects);
    let mut data = LookData::new(7, &d, Condition(1), Condition(0), Needs::ALL);
    data.collect(&cohort, 7);
    let anova = *analysis::run(AnalysisName::ANOVA, &mut data)
        .result()
        .unwrap();
    let hills = *analysis::run(AnalysisName::PERIOD_ADJUSTED, &mut data)
        .result()
        .unwrap();
    assert!((anova.estimate - hills.estimate).abs() < 1e-12);
    assert!((anova.standard_error - hills.standard_error).abs() < 1e-12);
    assert!((anova.statistic - hills.statistic).abs() < 1e-10);
    assert_eq!(anova.df, hills.df);
}
