//! The aggregation state of a run: integer counts, exact sums and histograms.
//!
//! Everything in a [`Summary`] adds associatively and exactly, so summaries of any split of the
//! replicates (threads, blocks, shards) merge into bit-identical totals. Memory does not grow
//! with the replicate count.

use super::exact_sum::ExactSum;
use crate::adaptive::TwoStageTally;
use crate::analysis::{AnalysisName, AnalysisOutcome};
use crate::inference::{Decision, Direction};
pub use crate::sequential::StopReason;
use serde::{Deserialize, Serialize};

/// Running totals of one analysis over replicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisTally {
    /// Trials on which it was computed.
    pub analyzed: u64,
    /// Trials on which it rejected.
    pub rejected: u64,
    /// Trials on which it rejected with the statistic favouring the test condition (the rest
    /// of `rejected` favoured the reference).
    #[serde(default)]
    pub rejected_favouring_test: u64,
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
    /// Trials with a confidence interval (t-based analyses).
    #[serde(default)]
    pub intervals: u64,
    /// Sum of the lower confidence limits (at the level matching the test).
    #[serde(default)]
    pub sum_interval_lower: ExactSum,
    /// Sum of the upper confidence limits.
    #[serde(default)]
    pub sum_interval_upper: ExactSum,
}

impl AnalysisTally {
    /// Records one outcome and its decision.
    #[inline]
    pub fn record(
        &mut self,
        outcome: &AnalysisOutcome,
        decision: Decision,
        interval: Option<(f64, f64)>,
    ) {
        if let Some((lower, upper)) = interval {
            self.intervals += 1;
            self.sum_interval_lower.add(lower);
            self.sum_interval_upper.add(upper);
        }
        match outcome {
            AnalysisOutcome::Analyzed(r) => {
                self.analyzed += 1;
                self.rejected += u64::from(decision.rejected());
                self.rejected_favouring_test +=
                    u64::from(decision == Decision::Rejected(Direction::Positive));
                self.sum_estimate.add(r.estimate);
                self.sum_estimate_squared.add(r.estimate * r.estimate);
                self.sum_standard_error.add(r.standard_error);
                self.sum_effect_size.add(r.effect_size);
            }
            AnalysisOutcome::NotAnalyzable(reason) => {
                self.not_analyzable[reason.index()] += 1;
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
        self.rejected_favouring_test += o.rejected_favouring_test;
        for (a, b) in self.not_analyzable.iter_mut().zip(o.not_analyzable) {
            *a += b;
        }
        self.sum_estimate.merge(o.sum_estimate);
        self.sum_estimate_squared.merge(o.sum_estimate_squared);
        self.sum_standard_error.merge(o.sum_standard_error);
        self.sum_effect_size.merge(o.sum_effect_size);
        self.intervals += o.intervals;
        self.sum_interval_lower.merge(o.sum_interval_lower);
        self.sum_interval_upper.merge(o.sum_interval_upper);
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
    /// One entry per analysis in registry order (analyses not run stay empty).
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
    /// Treated periods of each condition (summed over replicates).
    pub treated: Vec<u64>,
    /// Adverse events under each condition.
    pub adverse_events: Vec<u64>,
    /// The paths of a two-stage design (empty otherwise).
    #[serde(default)]
    pub two_stage: TwoStageTally,
    /// With several primary contrasts: each contrast's outcome and its decision after the
    /// multiplicity adjustment, in the order listed (empty with one contrast).
    #[serde(default)]
    pub contrasts: Vec<AnalysisTally>,
    /// With several primary contrasts: how many were rejected together.
    #[serde(default)]
    pub family: FamilyTally,
    /// A bioequivalence rule's decisions and their components (empty without a rule).
    #[serde(default)]
    pub bioequivalence: BioequivalenceTally,
    /// With several PK metrics: each metric's own outcome and decision, metric 0 first (the
    /// primary's decision is then that every metric passed). Empty with one metric.
    #[serde(default)]
    pub metrics: Vec<MetricTally>,
    /// With a time course: each day after the primary day, tested unconditionally, and how
    /// often it was rejected within the fixed sequence (empty without one).
    #[serde(default)]
    pub days: Vec<DayTally>,
    /// With a time course: the scores of every assessment day under each condition,
    /// day-major (`day * conditions + condition`), over every observed period (empty without
    /// one).
    #[serde(default)]
    pub trajectory: Vec<ScoreTally>,
    /// With a relapse-gated crossover: who entered period 2 and when, and the completers'
    /// estimate beside every participant's (absent without a gate).
    #[serde(default)]
    pub relapse: Option<RelapseTally>,
}

/// A relapse-gated crossover over the replicates, among each trial's planned enrollment
/// (whether or not it stopped early).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelapseTally {
    /// Participants treated in period 1.
    pub treated_first: u64,
    /// Of them, those who entered period 2.
    pub entered: u64,
    /// Those who entered period 2, by the visit they entered on (the gate's eligible visits).
    pub interval_histogram: Vec<u64>,
    /// The sum of their intervals between the periods (days).
    pub interval_sum: u64,
    /// The sum of the squares of their intervals.
    pub interval_squared_sum: u64,
    /// Trials with at least one participant who completed both periods.
    pub completed_trials: u64,
    /// Over those trials, the sum of each trial's shortest interval.
    pub shortest_sum: u64,
    /// Over those trials, the sum of each trial's longest interval.
    pub longest_sum: u64,
    /// Over those trials, the sum of the completers' mean test-minus-reference change.
    pub completers_sum: ExactSum,
    /// Over those trials, the sum of every participant's mean test-minus-reference change
    /// (both periods as drawn, whether observed or not).
    pub everyone_sum: ExactSum,
    /// Over those trials, the sum of the completers' mean less every participant's.
    pub difference_sum: ExactSum,
    /// The sum of the squares of those differences.
    pub difference_squared_sum: ExactSum,
}

impl RelapseTally {
    /// An empty tally for a gate with `visits` eligible visits.
    pub fn new(visits: usize) -> RelapseTally {
        RelapseTally {
            interval_histogram: vec![0; visits],
            ..RelapseTally::default()
        }
    }

    fn merge(&mut self, o: &RelapseTally) {
        self.treated_first += o.treated_first;
        self.entered += o.entered;
        for (a, b) in self
            .interval_histogram
            .iter_mut()
            .zip(&o.interval_histogram)
        {
            *a += b;
        }
        self.interval_sum += o.interval_sum;
        self.interval_squared_sum += o.interval_squared_sum;
        self.completed_trials += o.completed_trials;
        self.shortest_sum += o.shortest_sum;
        self.longest_sum += o.longest_sum;
        self.completers_sum.merge(o.completers_sum);
        self.everyone_sum.merge(o.everyone_sum);
        self.difference_sum.merge(o.difference_sum);
        self.difference_squared_sum.merge(o.difference_squared_sum);
    }
}

/// One later day of a time course over the replicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayTally {
    /// The day's paired t, decided whatever happened on earlier days.
    pub analysis: AnalysisTally,
    /// Trials that rejected this day and every earlier one, the primary day included.
    pub rejected_in_hierarchy: u64,
}

/// Scores of one day under one condition, pooled over participants and replicates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreTally {
    /// Scores observed.
    pub count: u64,
    /// Their sum.
    pub sum: ExactSum,
    /// The sum of their squares.
    pub sum_squared: ExactSum,
}

impl ScoreTally {
    /// Counts one score.
    #[inline]
    pub fn record(&mut self, score: f64) {
        self.count += 1;
        self.sum.add(score);
        self.sum_squared.add(score * score);
    }

    fn merge(&mut self, o: &ScoreTally) {
        self.count += o.count;
        self.sum.merge(o.sum);
        self.sum_squared.merge(o.sum_squared);
    }
}

/// One PK metric's outcomes over the replicates of a trial that measures several.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricTally {
    /// The metric's estimate and its decision (by its rule or the hypothesis).
    pub analysis: AnalysisTally,
    /// Its rule's components, if a rule decides it.
    pub bioequivalence: BioequivalenceTally,
    /// Trials on which both this metric and metric 0 were estimated, with the sums that give
    /// the correlation of the two estimates.
    pub jointly_analyzed: u64,
    /// Sum of metric 0's estimate over those trials.
    pub sum_first: ExactSum,
    /// Sum of metric 0's squared estimate.
    pub sum_first_squared: ExactSum,
    /// Sum of this metric's estimate.
    pub sum_this: ExactSum,
    /// Sum of this metric's squared estimate.
    pub sum_this_squared: ExactSum,
    /// Sum of the products of the two estimates.
    pub sum_product: ExactSum,
}

impl MetricTally {
    /// An empty tally, with the rule's histograms if a rule decides the metric.
    pub fn new(ruled: bool) -> MetricTally {
        MetricTally {
            bioequivalence: if ruled {
                BioequivalenceTally::new()
            } else {
                BioequivalenceTally::default()
            },
            ..MetricTally::default()
        }
    }

    /// Adds the pair (metric 0's estimate, this metric's) of one trial.
    #[inline]
    pub fn record_pair(&mut self, first: f64, this: f64) {
        self.jointly_analyzed += 1;
        self.sum_first.add(first);
        self.sum_first_squared.add(first * first);
        self.sum_this.add(this);
        self.sum_this_squared.add(this * this);
        self.sum_product.add(first * this);
    }

    /// The sample correlation of this metric's estimate with metric 0's over the trials that
    /// estimated both (None with fewer than 3 or without spread).
    pub fn correlation_with_first(&self) -> Option<f64> {
        let n = self.jointly_analyzed as f64;
        if self.jointly_analyzed < 3 {
            return None;
        }
        let (sx, sy) = (self.sum_first.value(), self.sum_this.value());
        let sxx = self.sum_first_squared.value() - sx * sx / n;
        let syy = self.sum_this_squared.value() - sy * sy / n;
        let sxy = self.sum_product.value() - sx * sy / n;
        (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
    }

    fn merge(&mut self, o: &MetricTally) {
        self.analysis.merge(&o.analysis);
        self.bioequivalence.merge(&o.bioequivalence);
        self.jointly_analyzed += o.jointly_analyzed;
        self.sum_first.merge(o.sum_first);
        self.sum_first_squared.merge(o.sum_first_squared);
        self.sum_this.merge(o.sum_this);
        self.sum_this_squared.merge(o.sum_this_squared);
        self.sum_product.merge(o.sum_product);
    }
}

/// Width of a bin of the estimated-CVwR histogram.
pub const CV_BIN: f64 = 0.005;
/// Bins of the CVwR histogram (0 to 3; the last bin holds everything above).
pub const CV_BINS: usize = 600;
/// Width of a bin of the applied upper limit's histogram, from 1.
pub const LIMIT_BIN: f64 = 0.001;
/// Bins of the upper limit's histogram (1 to 3; the last bin holds everything above).
pub const LIMIT_BINS: usize = 2000;

/// A bioequivalence rule's decisions over the replicates, with their components.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BioequivalenceTally {
    /// Replicates the rule could decide.
    pub decided: u64,
    /// Bioequivalent under the whole rule.
    pub bioequivalent: u64,
    /// The rule's criterion alone (widened limits or the scaled criterion where it scaled,
    /// average bioequivalence where it did not).
    pub criterion: u64,
    /// The point estimate within the average-bioequivalence limits.
    pub point_estimate: u64,
    /// Average bioequivalence alone.
    pub average: u64,
    /// The variability ratio within its bound.
    pub variability_ratio: u64,
    /// The rule scaled.
    pub scaled: u64,
    /// Sums of the estimated CVwR and of its square.
    pub cv_sum: ExactSum,
    /// Sum of squared estimated CVwR.
    pub cv_squared_sum: ExactSum,
    /// The estimated CVwR by bins of [`CV_BIN`].
    pub cv_histogram: Vec<u64>,
    /// Sums of the applied upper limit and of its square.
    pub limit_sum: ExactSum,
    /// Sum of squared applied upper limits.
    pub limit_squared_sum: ExactSum,
    /// The applied upper limit by bins of [`LIMIT_BIN`] from 1.
    pub limit_histogram: Vec<u64>,
}

impl BioequivalenceTally {
    /// An empty tally with its histograms.
    pub fn new() -> BioequivalenceTally {
        BioequivalenceTally {
            cv_histogram: vec![0; CV_BINS],
            limit_histogram: vec![0; LIMIT_BINS],
            ..BioequivalenceTally::default()
        }
    }

    /// Counts one decided replicate.
    pub fn record(&mut self, o: &crate::inference::scaled::RuleOutcome) {
        self.decided += 1;
        self.bioequivalent += u64::from(o.bioequivalent);
        self.criterion += u64::from(o.criterion);
        self.point_estimate += u64::from(o.point_estimate);
        self.average += u64::from(o.average);
        self.variability_ratio += u64::from(o.variability_ratio);
        self.scaled += u64::from(o.scaled);
        if o.cv_reference.is_finite() {
            self.cv_sum.add(o.cv_reference);
            self.cv_squared_sum.add(o.cv_reference * o.cv_reference);
            let bin = ((o.cv_reference / CV_BIN) as usize).min(CV_BINS - 1);
            self.cv_histogram[bin] += 1;
        }
        if o.upper_limit.is_finite() {
            self.limit_sum.add(o.upper_limit);
            self.limit_squared_sum.add(o.upper_limit * o.upper_limit);
            let bin = (((o.upper_limit - 1.0).max(0.0) / LIMIT_BIN) as usize).min(LIMIT_BINS - 1);
            self.limit_histogram[bin] += 1;
        }
    }

    fn merge(&mut self, o: &BioequivalenceTally) {
        self.decided += o.decided;
        self.bioequivalent += o.bioequivalent;
        self.criterion += o.criterion;
        self.point_estimate += o.point_estimate;
        self.average += o.average;
        self.variability_ratio += o.variability_ratio;
        self.scaled += o.scaled;
        self.cv_sum.merge(o.cv_sum);
        self.cv_squared_sum.merge(o.cv_squared_sum);
        self.limit_sum.merge(o.limit_sum);
        self.limit_squared_sum.merge(o.limit_squared_sum);
        if self.cv_histogram.len() < o.cv_histogram.len() {
            self.cv_histogram.resize(o.cv_histogram.len(), 0);
        }
        for (a, b) in self.cv_histogram.iter_mut().zip(&o.cv_histogram) {
            *a += b;
        }
        if self.limit_histogram.len() < o.limit_histogram.len() {
            self.limit_histogram.resize(o.limit_histogram.len(), 0);
        }
        for (a, b) in self.limit_histogram.iter_mut().zip(&o.limit_histogram) {
            *a += b;
        }
    }
}

/// Joint decisions on a family of primary contrasts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilyTally {
    /// Trials by the number of contrasts rejected (index 0..=m).
    pub rejections: Vec<u64>,
    /// Trials that rejected at least one contrast whose true value lies in its H0.
    pub familywise_errors: u64,
}

impl FamilyTally {
    /// An empty tally for a family of `contrasts`.
    pub fn new(contrasts: usize) -> FamilyTally {
        FamilyTally {
            rejections: vec![0; contrasts + 1],
            familywise_errors: 0,
        }
    }

    fn merge(&mut self, o: &FamilyTally) {
        for (a, b) in self.rejections.iter_mut().zip(&o.rejections) {
            *a += b;
        }
        self.familywise_errors += o.familywise_errors;
    }
}

impl Summary {
    /// An empty summary for `looks` looks, up to `enrolled` participants and `conditions`
    /// conditions.
    pub fn new(looks: usize, enrolled: usize, conditions: usize) -> Summary {
        Summary {
            replicates: 0,
            looks: vec![LookTally::default(); looks],
            analyses: vec![AnalysisTally::default(); AnalysisName::count()],
            primary_early_stopped: AnalysisTally::default(),
            enrolled_sum: 0,
            enrolled_squared_sum: 0,
            completers_sum: 0,
            completers_squared_sum: 0,
            responders_histogram: vec![0; enrolled + 1],
            treated: vec![0; conditions],
            adverse_events: vec![0; conditions],
            two_stage: TwoStageTally::default(),
            contrasts: Vec::new(),
            family: FamilyTally::default(),
            bioequivalence: BioequivalenceTally::default(),
            metrics: Vec::new(),
            days: Vec::new(),
            trajectory: Vec::new(),
            relapse: None,
        }
    }

    /// Whether `other` has the same shape (looks, enrollment) and so can be merged.
    pub fn compatible(&self, other: &Summary) -> bool {
        self.looks.len() == other.looks.len()
            && self.analyses.len() == other.analyses.len()
            && self.responders_histogram.len() == other.responders_histogram.len()
            && self.treated.len() == other.treated.len()
            && self.contrasts.len() == other.contrasts.len()
            && self.family.rejections.len() == other.family.rejections.len()
            && self.metrics.len() == other.metrics.len()
            && self.days.len() == other.days.len()
            && self.trajectory.len() == other.trajectory.len()
            && self.relapse.as_ref().map(|r| r.interval_histogram.len())
                == other.relapse.as_ref().map(|r| r.interval_histogram.len())
    }

    /// Trials whose primary rejected (with several PK metrics: every metric passed).
    pub fn analyses_primary_rejected(&self) -> u64 {
        self.looks.iter().map(|l| l.primary_at_stop.rejected).sum()
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
        for (a, b) in self.treated.iter_mut().zip(&other.treated) {
            *a += b;
        }
        for (a, b) in self.adverse_events.iter_mut().zip(&other.adverse_events) {
            *a += b;
        }
        self.two_stage.merge(&other.two_stage);
        for (a, b) in self.contrasts.iter_mut().zip(&other.contrasts) {
            a.merge(b);
        }
        self.family.merge(&other.family);
        self.bioequivalence.merge(&other.bioequivalence);
        for (a, b) in self.metrics.iter_mut().zip(&other.metrics) {
            a.merge(b);
        }
        for (a, b) in self.days.iter_mut().zip(&other.days) {
            a.analysis.merge(&b.analysis);
            a.rejected_in_hierarchy += b.rejected_in_hierarchy;
        }
        for (a, b) in self.trajectory.iter_mut().zip(&other.trajectory) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.relapse, &other.relapse) {
            a.merge(b);
        }
    }
}
