//! The aggregation state of a run: integer counts, exact sums and histograms.
//!
//! Everything in a [`Summary`] adds associatively and exactly, so summaries of any split of the
//! replicates (threads, blocks, shards) merge into bit-identical totals. Memory does not grow
//! with the replicate count.

use super::exact_sum::ExactSum;
use crate::analysis::{AnalysisOutcome, NotAnalyzable};
use crate::config::AnalysisName;
use serde::{Deserialize, Serialize};

/// Why a simulated trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The primary analysis crossed the efficacy boundary.
    Efficacy,
    /// A futility rule fired at an interim look.
    Futility,
    /// The harm rule fired at an interim look.
    Harm,
    /// Ran to the final look without rejecting.
    Completed,
}

impl StopReason {
    /// All reasons, in report order.
    pub const ALL: [StopReason; 4] = [
        StopReason::Efficacy,
        StopReason::Futility,
        StopReason::Harm,
        StopReason::Completed,
    ];

    /// Position in [`StopReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Plain-words name.
    pub fn text(self) -> &'static str {
        match self {
            StopReason::Efficacy => "efficacy",
            StopReason::Futility => "futility",
            StopReason::Harm => "harm",
            StopReason::Completed => "ran to the end",
        }
    }
}

/// Running totals of one analysis over replicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisTally {
    /// Trials on which it was computed.
    pub analyzed: u64,
    /// Trials on which it rejected.
    pub rejected: u64,
    /// Not analyzable, by reason: too few, zero variance, no discordant pairs, all zero.
    pub not_analyzable: [u64; 4],
    /// Sum of estimates over analysed trials.
    pub sum_estimate: ExactSum,
    /// Sum of squared estimates.
    pub sum_estimate_squared: ExactSum,
    /// Sum of standard errors.
    pub sum_standard_error: ExactSum,
    /// Sum of effect sizes.
    pub sum_effect_size: ExactSum,
}

impl AnalysisTally {
    /// Records one outcome.
    #[inline]
    pub fn record(&mut self, outcome: &AnalysisOutcome) {
        match outcome {
            AnalysisOutcome::Analyzed(r) => {
                self.analyzed += 1;
                self.rejected += u64::from(r.reject);
                self.sum_estimate.add(r.estimate);
                self.sum_estimate_squared.add(r.estimate * r.estimate);
                self.sum_standard_error.add(r.standard_error);
                self.sum_effect_size.add(r.effect_size);
            }
            AnalysisOutcome::NotAnalyzable(reason) => {
                let i = match reason {
                    NotAnalyzable::TooFewParticipants => 0,
                    NotAnalyzable::ZeroVariance => 1,
                    NotAnalyzable::NoDiscordantPairs => 2,
                    NotAnalyzable::AllDifferencesZero => 3,
                };
                self.not_analyzable[i] += 1;
            }
        }
    }

    /// Total not analyzable.
    pub fn not_analyzable_total(&self) -> u64 {
        self.not_analyzable.iter().sum()
    }

    fn merge(&mut self, o: &AnalysisTally) {
        self.analyzed += o.analyzed;
        self.rejected += o.rejected;
        for (a, b) in self.not_analyzable.iter_mut().zip(o.not_analyzable) {
            *a += b;
        }
        self.sum_estimate.merge(o.sum_estimate);
        self.sum_estimate_squared.merge(o.sum_estimate_squared);
        self.sum_standard_error.merge(o.sum_standard_error);
        self.sum_effect_size.merge(o.sum_effect_size);
    }
}

/// Per-look totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LookTally {
    /// Trials that stopped at this look, by [`StopReason`] index.
    pub stops: [u64; 4],
    /// The primary analysis at this look among trials that stopped here.
    pub primary_at_stop: AnalysisTally,
}

/// The complete aggregation state of a run or of any part of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Replicates aggregated.
    pub replicates: u64,
    /// One entry per look.
    pub looks: Vec<LookTally>,
    /// One entry per analysis in [`AnalysisName::ALL`] order (analyses not run stay empty).
    /// For the primary analysis: its outcome at the stop.
    pub analyses: Vec<AnalysisTally>,
    /// The primary analysis at the stop among trials that stopped before the last look.
    pub primary_early_stopped: AnalysisTally,
    /// Sum of participants enrolled at the stop.
    pub enrolled_sum: u64,
    /// Sum of squared enrolled counts.
    pub enrolled_squared_sum: u128,
    /// Sum of completers at the stop.
    pub completers_sum: u64,
    /// Sum of squared completer counts.
    pub completers_squared_sum: u128,
    /// Histogram of completers who responded under the reference condition (index = count).
    pub responders_histogram: Vec<u64>,
    /// Participants treated with each condition (summed over replicates).
    pub treated: [u64; 2],
    /// Adverse events under each condition.
    pub adverse_events: [u64; 2],
}

impl Summary {
    /// An empty summary for `looks` looks and up to `enrolled` participants.
    pub fn new(looks: usize, enrolled: usize) -> Summary {
        Summary {
            replicates: 0,
            looks: vec![LookTally::default(); looks],
            analyses: vec![AnalysisTally::default(); AnalysisName::ALL.len()],
            primary_early_stopped: AnalysisTally::default(),
            enrolled_sum: 0,
            enrolled_squared_sum: 0,
            completers_sum: 0,
            completers_squared_sum: 0,
            responders_histogram: vec![0; enrolled + 1],
            treated: [0; 2],
            adverse_events: [0; 2],
        }
    }

    /// Whether `other` has the same shape (looks, enrollment) and so can be merged.
    pub fn compatible(&self, other: &Summary) -> bool {
        self.looks.len() == other.looks.len()
            && self.analyses.len() == other.analyses.len()
            && self.responders_histogram.len() == other.responders_histogram.len()
    }

    /// Adds `other` into `self`. Panics only on a shape mismatch, which callers check with
    /// [`Summary::compatible`] first.
    pub fn merge(&mut self, other: &Summary) {
        assert!(
            self.compatible(other),
            "merging summaries of different shapes"
        );
        self.replicates += other.replicates;
        for (a, b) in self.looks.iter_mut().zip(&other.looks) {
            for (x, y) in a.stops.iter_mut().zip(b.stops) {
                *x += y;
            }
            a.primary_at_stop.merge(&b.primary_at_stop);
        }
        for (a, b) in self.analyses.iter_mut().zip(&other.analyses) {
            a.merge(b);
        }
        self.primary_early_stopped
            .merge(&other.primary_early_stopped);
        self.enrolled_sum += other.enrolled_sum;
        self.enrolled_squared_sum += other.enrolled_squared_sum;
        self.completers_sum += other.completers_sum;
        self.completers_squared_sum += other.completers_squared_sum;
        for (a, b) in self
            .responders_histogram
            .iter_mut()
            .zip(&other.responders_histogram)
        {
            *a += b;
        }
        for c in 0..2 {
            self.treated[c] += other.treated[c];
            self.adverse_events[c] += other.adverse_events[c];
        }
    }
}
