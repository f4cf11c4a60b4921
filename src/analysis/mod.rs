//! The analyses run on each simulated trial, one file per test family, and the registry that
//! lists them.
//!
//! An analysis is estimation only: a pure function of the look's data returning an
//! [`Estimate`] (estimate, standard error, df and the statistic its test is decided on) or
//! [`AnalysisOutcome::NotAnalyzable`] with the reason; it never panics and never produces NaN.
//! Whether an estimate rejects a hypothesis is decided by `inference`. Estimates are "test minus
//! reference" for the primary contrast.
//!
//! Adding an analysis: a file with its estimator and an [`AnalysisSpec`], plus one line in
//! [`REGISTRY`] (and its name in [`AnalysisName`]).

pub mod anova;
pub mod carryover;
pub mod first_period;
pub mod look_data;
pub mod mcnemar;
pub mod paired_t;
pub mod period_adjusted;
pub mod replicate;
pub mod responders;
pub mod time_course;
pub mod two_sample;
pub mod welch;
pub mod wilcoxon;

pub use look_data::{LookData, Needs};

use crate::design::Crossover;
use serde::{Deserialize, Serialize};

/// How an estimate's test is decided (the statistic and its null distribution).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TestStatistic {
    /// t = estimate / SE on an integer number of degrees of freedom.
    StudentT {
        /// The t statistic.
        t: f64,
        /// Degrees of freedom.
        df: usize,
    },
    /// t with fractional (Welch-Satterthwaite) degrees of freedom.
    WelchT {
        /// The t statistic.
        t: f64,
        /// Degrees of freedom.
        df: f64,
    },
    /// Wilcoxon signed-rank V with its exact null distribution (n < 50, no ties, no zeros).
    SignedRankExact {
        /// Sum of the ranks of the positive differences.
        v: f64,
        /// Number of differences.
        n: usize,
    },
    /// Wilcoxon signed-rank by the normal approximation with tie correction; the continuity
    /// correction depends on the alternative and is applied by the decision.
    SignedRankNormal {
        /// V - n(n+1)/4.
        deviation: f64,
        /// SD of V under H0 (tie-corrected).
        sigma: f64,
    },
    /// Exact binomial test of discordant pairs against 1/2.
    DiscordantPairs {
        /// Pairs favouring the reference (b).
        reference_only: usize,
        /// Pairs favouring the test (c).
        test_only: usize,
    },
}

/// What an analysis estimates on one simulated trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Point estimate of the effect (test minus reference).
    pub estimate: f64,
    /// Standard error of the estimate.
    pub standard_error: f64,
    /// Reported statistic (t, V or a count, depending on the test).
    pub statistic: f64,
    /// Reported degrees of freedom (fractional for Welch; non-zero differences for Wilcoxon;
    /// the discordant count for McNemar).
    pub df: f64,
    /// Standardized effect size (d_z for paired analyses; see each test).
    pub effect_size: f64,
    /// Participants analysed.
    pub n: usize,
    /// The statistic its test is decided on.
    pub test: TestStatistic,
}

/// Why an analysis could not be computed on a simulated trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAnalyzable {
    /// Fewer participants than the test needs.
    TooFewParticipants,
    /// All observations equal: the standard error is zero.
    ZeroVariance,
    /// McNemar with no discordant pair.
    NoDiscordantPairs,
    /// Signed-rank test with every difference zero.
    AllDifferencesZero,
}

impl NotAnalyzable {
    /// Every reason, in report order.
    pub const ALL: [NotAnalyzable; 4] = [
        NotAnalyzable::TooFewParticipants,
        NotAnalyzable::ZeroVariance,
        NotAnalyzable::NoDiscordantPairs,
        NotAnalyzable::AllDifferencesZero,
    ];

    /// Position in [`NotAnalyzable::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// A short description for reports.
    pub fn text(self) -> &'static str {
        match self {
            NotAnalyzable::TooFewParticipants => "too few participants",
            NotAnalyzable::ZeroVariance => "zero variance",
            NotAnalyzable::NoDiscordantPairs => "no discordant pairs",
            NotAnalyzable::AllDifferencesZero => "all differences zero",
        }
    }
}

/// The outcome of one analysis on one simulated trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnalysisOutcome {
    /// The estimate was computed.
    Analyzed(Estimate),
    /// The analysis could not be computed.
    NotAnalyzable(NotAnalyzable),
}

impl AnalysisOutcome {
    /// The estimate, if computed.
    pub fn result(&self) -> Option<&Estimate> {
        match self {
            AnalysisOutcome::Analyzed(r) => Some(r),
            AnalysisOutcome::NotAnalyzable(_) => None,
        }
    }
}

/// Which designs an analysis is defined for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any design (the linear model).
    AnyDesign,
    /// Any design in which some participants receive both conditions of the primary contrast.
    PairedContrast,
    /// Only the two-condition, two-period AB/BA design.
    TwoByTwoOnly,
}

/// What an analysis's estimate targets, for the "true value" column of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimand {
    /// The population average of the primary contrast.
    ContrastEffect,
    /// The difference in carryover lambda_T - lambda_R.
    CarryoverDifference,
    /// No closed form (a subgroup selected on its own outcome, a difference in response
    /// probabilities).
    NoClosedForm,
}

/// Everything the rest of the crate needs to know about one analysis.
#[derive(Debug)]
pub struct AnalysisSpec {
    /// The snake_case name used in configs and reports.
    pub name: &'static str,
    /// One line in words for reports.
    pub title: &'static str,
    /// The look-data buffers it reads.
    pub needs: Needs,
    /// The designs it is defined for.
    pub scope: Scope,
    /// Whether it needs response status (and therefore baseline scores).
    pub needs_response: bool,
    /// Whether its statistic is a t (futility bounds and conditional power need one).
    pub t_based: bool,
    /// Whether it is a diagnostic tested at `analysis.carryover_alpha`.
    pub diagnostic: bool,
    /// What the estimate targets.
    pub estimand: Estimand,
    /// The estimator.
    pub estimate: fn(&mut LookData) -> AnalysisOutcome,
}

/// Every analysis, in report order; `AnalysisName(i)` is `REGISTRY[i]`.
pub static REGISTRY: [&AnalysisSpec; 10] = [
    &responders::SPEC,
    &paired_t::SPEC,
    &period_adjusted::SPEC,
    &first_period::SPEC,
    &carryover::SPEC,
    &wilcoxon::SPEC,
    &mcnemar::SPEC,
    &anova::SPEC,
    &anova::SPEC_CARRYOVER,
    &replicate::SPEC_ISC,
];

/// Runs `name` on the look's data.
#[inline]
pub fn run(name: AnalysisName, data: &mut LookData) -> AnalysisOutcome {
    (name.spec().estimate)(data)
}

/// Whether `name` is defined for `design`; the error says why not and what to use instead.
pub fn applies_to(name: AnalysisName, design: &Crossover) -> Result<(), String> {
    match name.spec().scope {
        Scope::TwoByTwoOnly if !design.is_two_by_two() => Err(format!(
            "is defined only for the two-condition two-period AB/BA design; this design has {} conditions, {} periods and the sequences {:?}: use anova (the linear model for any crossover design), or completers_paired, wilcoxon_paired or responder_mcnemar for a paired contrast",
            design.condition_count(),
            design.period_count(),
            design.sequence_labels()
        )),
        _ if name == AnalysisName::ANOVA_CARRYOVER && !carryover_estimable(design) => {
            Err(if design.is_two_by_two() {
                "cannot be fitted on the AB/BA 2x2: its first-order carryover difference is aliased with the treatment (carryover occurs only in period 2, where it cannot be told apart from the treatment-by-period interaction, i.e. the sequence effect), so every trial would be not analyzable; use anova or period_adjusted (with carryover as a secondary analysis), or a design that separates carryover from the treatment, such as 2x4x2 (Balaam) or a replicate design".to_string()
            } else {
                format!(
                    "cannot be fitted on this design (sequences {:?}): its first-order carryover terms are aliased with the treatment or period effects, so every trial would be not analyzable; use anova, or sequences that separate carryover from the treatment (a Williams design)",
                    design.sequence_labels()
                )
            })
        }
        _ => Ok(()),
    }
}

/// Whether the linear model with first-order carryover terms can be fitted on a complete trial
/// of `design` (one participant per sequence and every period observed): its normal matrix is
/// positive definite.
pub fn carryover_estimable(design: &Crossover) -> bool {
    let reference = design.reference();
    let Some(test) = design.conditions().find(|&c| c != reference) else {
        return false;
    };
    let contrast = crate::design::Contrast::difference(design, test, reference);
    anova::AnovaModel::new(design, &contrast, true)
        .balanced_variance_factor(design.sequence_count())
        .is_some()
}

/// Mean and sample variance (n - 1 denominator) by two passes; (0, 0) for n < 2 variance.
pub(crate) fn mean_and_variance(x: &[f64]) -> (f64, f64) {
    let n = x.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, ss / (n - 1) as f64)
}

/// Relative tolerance below which a variance counts as zero (guards against rounding residue
/// in sums of identical values).
pub(crate) fn is_zero_variance(variance: f64, mean: f64) -> bool {
    // NaN counts as zero variance: never analyse a NaN.
    variance.is_nan() || variance <= 1e-24 * (1.0 + mean * mean)
}

/// An analysis, by its position in the registry (`REGISTRY`); written in
/// configs and reports by its snake_case name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(try_from = "String", into = "String")]
pub struct AnalysisName(u8);

impl AnalysisName {
    /// Paired t on participants who responded under the reference condition.
    pub const RESPONDERS_PAIRED: AnalysisName = AnalysisName(0);
    /// Paired t on everyone who received both conditions.
    pub const COMPLETERS_PAIRED: AnalysisName = AnalysisName(1);
    /// Hills-Armitage two-sample t on half period differences (2x2 only).
    pub const PERIOD_ADJUSTED: AnalysisName = AnalysisName(2);
    /// Welch t on period-1 changes (2x2 only).
    pub const FIRST_PERIOD: AnalysisName = AnalysisName(3);
    /// Grizzle two-sample t on participant sums (2x2 only).
    pub const CARRYOVER: AnalysisName = AnalysisName(4);
    /// Wilcoxon signed-rank on the paired differences.
    pub const WILCOXON_PAIRED: AnalysisName = AnalysisName(5);
    /// Exact McNemar on paired response status.
    pub const RESPONDER_MCNEMAR: AnalysisName = AnalysisName(6);
    /// The linear model with participant, period and condition effects.
    pub const ANOVA: AnalysisName = AnalysisName(7);
    /// The linear model with first-order carryover terms.
    pub const ANOVA_CARRYOVER: AnalysisName = AnalysisName(8);
    /// The FDA's intra-participant contrasts of a replicate design.
    pub const ISC: AnalysisName = AnalysisName(9);

    /// Every analysis, in report order.
    pub fn all() -> impl Iterator<Item = AnalysisName> {
        (0..REGISTRY.len()).map(|i| AnalysisName(i as u8))
    }

    /// Number of analyses in the registry.
    pub fn count() -> usize {
        REGISTRY.len()
    }

    /// The analysis's registry entry.
    #[inline]
    pub fn spec(self) -> &'static AnalysisSpec {
        REGISTRY[self.0 as usize]
    }

    /// The snake_case name used in configs and reports.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// Position in the registry.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Whether the analysis needs response status (and therefore a baseline).
    pub fn needs_response(self) -> bool {
        self.spec().needs_response
    }

    /// The analysis called `name`.
    pub fn from_name(name: &str) -> Option<AnalysisName> {
        AnalysisName::all().find(|a| a.as_str() == name)
    }
}

impl TryFrom<String> for AnalysisName {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        AnalysisName::from_name(&name).ok_or_else(|| {
            let names: Vec<String> = AnalysisName::all()
                .map(|a| format!("`{}`", a.as_str()))
                .collect();
            // The wording of serde's own message for an enum, which users already know.
            format!(
                "unknown variant `{name}`, expected one of {}",
                names.join(", ")
            )
        })
    }
}

impl From<AnalysisName> for String {
    fn from(a: AnalysisName) -> String {
        a.as_str().to_string()
    }
}

impl std::fmt::Display for AnalysisName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
