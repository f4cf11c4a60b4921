//! The analyses run on each simulated trial (SPEC section 4), one file per test family.
//!
//! Every analysis is a pure function of the look's data and a table of critical values. It
//! returns either a [`TestResult`] or [`AnalysisOutcome::NotAnalyzable`] with the reason;
//! it never panics and never produces NaN. Estimates are "test minus reference".

pub mod carryover;
pub mod critical;
pub mod look_data;
pub mod mcnemar;
pub mod paired_t;
pub mod period_adjusted;
pub mod two_sample;
pub mod welch;
pub mod wilcoxon;

pub use crate::config::AnalysisName;
pub use critical::CriticalValues;
pub use look_data::{LookData, Needs};

/// What a test reports on one simulated trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// Point estimate of the effect (test minus reference).
    pub estimate: f64,
    /// Standard error of the estimate.
    pub standard_error: f64,
    /// Test statistic (t, V, z or a count, depending on the test).
    pub statistic: f64,
    /// Degrees of freedom (fractional for Welch; the discordant count for McNemar).
    pub df: f64,
    /// Standardized effect size (d_z for paired analyses; see each test).
    pub effect_size: f64,
    /// Participants analysed.
    pub n: usize,
    /// Two-sided decision at the level of the critical values used.
    pub reject: bool,
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
    /// The test was computed.
    Analyzed(TestResult),
    /// The test could not be computed.
    NotAnalyzable(NotAnalyzable),
}

impl AnalysisOutcome {
    /// Whether the null was rejected (false when not analyzable).
    pub fn rejected(&self) -> bool {
        matches!(self, AnalysisOutcome::Analyzed(r) if r.reject)
    }

    /// The result, if computed.
    pub fn result(&self) -> Option<&TestResult> {
        match self {
            AnalysisOutcome::Analyzed(r) => Some(r),
            AnalysisOutcome::NotAnalyzable(_) => None,
        }
    }
}

/// Runs `name` on the look's data at the level of `critical`.
pub fn run(name: AnalysisName, data: &mut LookData, critical: &CriticalValues) -> AnalysisOutcome {
    match name {
        AnalysisName::RespondersPaired => paired_t::paired_t(&data.responder_differences, critical),
        AnalysisName::CompletersPaired => paired_t::paired_t(&data.differences, critical),
        AnalysisName::PeriodAdjusted => period_adjusted::period_adjusted(
            &data.half_period_differences[0],
            &data.half_period_differences[1],
            critical,
        ),
        AnalysisName::FirstPeriod => welch::welch(
            &data.first_period_change[1],
            &data.first_period_change[0],
            critical,
        ),
        AnalysisName::Carryover => carryover::carryover(
            &data.participant_sums[0],
            &data.participant_sums[1],
            critical,
        ),
        AnalysisName::WilcoxonPaired => {
            wilcoxon::signed_rank(&data.differences, &mut data.rank_scratch, critical)
        }
        AnalysisName::ResponderMcnemar => mcnemar::mcnemar(
            data.response_discordant.reference_only,
            data.response_discordant.test_only,
            data.completers(),
            critical,
        ),
    }
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
