//! The data one look analyses, gathered from a cohort prefix into reusable buffers.
//!
//! Looks analyse growing prefixes of the same cohort, so a look's data is the previous look's
//! plus the participants enrolled since: [`LookData::extend`] appends them and never revisits
//! earlier participants. Paired quantities compare the primary contrast's test condition T
//! with its reference R on the participants who received both (the first administration of
//! each); the 2x2-only buffers are filled only for the AB/BA design.

use super::anova::{AnovaModel, ColumnSums, Observation};
use super::replicate::{ReplicateModel, ReplicateNeeds, ReplicateStatistics};
use super::AnalysisOutcome;
use crate::design::{Condition, Contrast, Crossover};
use crate::model::Cohort;

/// Discordant response pairs among participants who received both T and R.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiscordantPairs {
    /// Responded under the reference only.
    pub reference_only: usize,
    /// Responded under the test only.
    pub test_only: usize,
}

/// Which buffers a run needs (the union over its analyses); the others stay empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// Paired differences T - R.
    pub differences: bool,
    /// Paired differences of participants who responded under R.
    pub responder_differences: bool,
    /// Half period differences by first condition (2x2 only).
    pub half_period_differences: bool,
    /// Period-1 changes by condition.
    pub first_period_change: bool,
    /// Participant sums by first condition (2x2 only).
    pub participant_sums: bool,
    /// Every observed period, for the linear model.
    pub observations: bool,
    /// The replicate-design statistics (within-condition ANOVAs, intra-participant contrasts).
    pub replicate: bool,
}

impl Needs {
    /// Nothing.
    pub const NONE: Needs = Needs {
        differences: false,
        responder_differences: false,
        half_period_differences: false,
        first_period_change: false,
        participant_sums: false,
        observations: false,
        replicate: false,
    };

    /// The replicate-design statistics only (what a bioequivalence rule reads).
    pub const REPLICATE: Needs = Needs {
        replicate: true,
        ..Needs::NONE
    };

    /// Everything (for tests and one-off analyses).
    pub const ALL: Needs = Needs {
        differences: true,
        responder_differences: true,
        half_period_differences: true,
        first_period_change: true,
        participant_sums: true,
        observations: true,
        replicate: true,
    };

    /// The union of two sets of needs.
    pub const fn union(self, o: Needs) -> Needs {
        Needs {
            differences: self.differences || o.differences,
            responder_differences: self.responder_differences || o.responder_differences,
            half_period_differences: self.half_period_differences || o.half_period_differences,
            first_period_change: self.first_period_change || o.first_period_change,
            participant_sums: self.participant_sums || o.participant_sums,
            observations: self.observations || o.observations,
            replicate: self.replicate || o.replicate,
        }
    }

    /// The buffers the given analyses read.
    pub fn of(analyses: impl IntoIterator<Item = super::AnalysisName>) -> Needs {
        analyses
            .into_iter()
            .fold(Needs::NONE, |n, a| n.union(a.spec().needs))
    }
}

/// What one participant of each (sequence, periods completed) pattern adds to the counts that
/// do not depend on outcomes: treated periods by condition, and whether T and R were both
/// received (observed).
#[derive(Debug, Clone, Default)]
struct PatternCounts {
    /// Pattern-major, one entry per condition.
    treated: Vec<usize>,
    paired: Vec<bool>,
}

/// Buffers for one look; refilled without allocating once warmed up.
#[derive(Debug, Clone, Default)]
pub struct LookData {
    /// Which buffers are filled.
    pub needs: Needs,
    test: Condition,
    reference: Condition,
    two_by_two: bool,
    /// Participants seen so far (the look's enrollment count).
    pub enrolled: usize,
    /// Participants who received both T and R (for the 2x2: completers).
    pub paired_count: usize,
    /// D_i = change under T - change under R, paired participants, enrollment order.
    pub differences: Vec<f64>,
    /// D_i for paired participants who responded under R.
    pub responder_differences: Vec<f64>,
    /// (period 1 change - period 2 change) / 2, 2x2 completers, by condition of period 1
    /// (index 0: the reference first, 1: the test first).
    pub half_period_differences: [Vec<f64>; 2],
    /// Period-1 change of everyone with period-1 data, by condition of period 1.
    pub first_period_change: Vec<Vec<f64>>,
    /// Sum of the two period changes, 2x2 completers, by condition of period 1
    /// (index 0: the reference first, 1: the test first).
    pub participant_sums: [Vec<f64>; 2],
    /// Response discordance among paired participants.
    pub response_discordant: DiscordantPairs,
    /// Paired participants who responded under the reference condition.
    pub reference_responders: usize,
    /// Treated periods of each condition.
    pub treated: Vec<usize>,
    /// Adverse events under each condition (per treated period).
    pub adverse_events: Vec<usize>,
    /// Adverse events under T and under R among paired participants, `[reference, test]`.
    pub paired_adverse_events: [usize; 2],
    /// Scratch space for signed ranks.
    pub rank_scratch: Vec<(f64, bool)>,
    /// Observations of participants with at least two observed periods, centred per
    /// participant, in enrollment order (the linear model's data).
    pub observations: Vec<Observation>,
    /// Their sums by period, condition and previous condition (the linear model's X'y).
    pub column_sums: ColumnSums,
    /// Participants with at least one observed period.
    pub observed_participants: usize,
    /// Observed periods in total.
    pub observed_periods: usize,
    /// Participants with at least one observed period per (sequence, periods completed)
    /// pattern (filled for the linear model and when counting by pattern).
    pub pattern_counts: Vec<u32>,
    /// When set, the per-participant counts are taken from the pattern counts
    /// ([`LookData::set_no_outcomes`]).
    by_pattern: Option<PatternCounts>,
    /// The linear models (without, with carryover), when an analysis needs them.
    anova: [Option<AnovaModel>; 2],
    /// The replicate-design estimators, when an analysis or a bioequivalence rule needs them.
    replicate_model: Option<ReplicateModel>,
    /// Their statistics on the look's participants.
    pub replicate: ReplicateStatistics,
}

impl LookData {
    /// Buffers for up to `enrolled` participants of `design`, pairing `test` with `reference`.
    pub fn new(
        enrolled: usize,
        design: &Crossover,
        test: Condition,
        reference: Condition,
        needs: Needs,
    ) -> LookData {
        let v = || Vec::with_capacity(enrolled);
        let k = design.condition_count();
        let p = design.period_count();
        let contrast = Contrast::difference(design, test, reference);
        let anova = if needs.observations {
            [
                Some(AnovaModel::new(design, &contrast, false)),
                Some(AnovaModel::new(design, &contrast, true)),
            ]
        } else {
            [None, None]
        };
        LookData {
            needs,
            test,
            reference,
            two_by_two: design.is_two_by_two(),
            differences: v(),
            responder_differences: v(),
            half_period_differences: [v(), v()],
            first_period_change: (0..k).map(|_| v()).collect(),
            participant_sums: [v(), v()],
            treated: vec![0; k],
            adverse_events: vec![0; k],
            rank_scratch: Vec::with_capacity(enrolled),
            observations: Vec::with_capacity(if needs.observations { enrolled * p } else { 0 }),
            pattern_counts: vec![0; design.sequence_count() * (p + 1)],
            anova,
            replicate_model: needs.replicate.then(|| {
                ReplicateModel::new(
                    design,
                    test,
                    reference,
                    ReplicateNeeds {
                        anova: true,
                        isc: true,
                        test_variance: design.repeats(test),
                    },
                )
            }),
            ..LookData::default()
        }
    }

    /// Tells the look that the cohort records no responses (no baseline, hence no responder
    /// definition) and no adverse events, as for a ratio endpoint: the counts of responders,
    /// discordant pairs and adverse events are then 0 for everyone. If no analysis reads a
    /// per-participant difference either, what is left to count (treated periods, participants
    /// with T and R) depends on each participant's pattern only, so it is computed from the
    /// pattern counts after the participants are added rather than participant by
    /// participant: the same integers, without a chain of increments through memory for every
    /// period of every participant.
    pub fn set_no_outcomes(&mut self, design: &Crossover) {
        let n = self.needs;
        if n.differences
            || n.responder_differences
            || n.half_period_differences
            || n.participant_sums
        {
            return;
        }
        let (k, p) = (design.condition_count(), design.period_count());
        let mut counts = PatternCounts::default();
        for sequence in design.sequences() {
            for completed in 0..=p {
                let received: Vec<Condition> =
                    (0..completed).map(|j| sequence.condition_in(j)).collect();
                counts
                    .treated
                    .extend((0..k).map(|c| received.iter().filter(|r| r.index() == c).count()));
                counts
                    .paired
                    .push(received.contains(&self.test) && received.contains(&self.reference));
            }
        }
        self.by_pattern = Some(counts);
    }

    /// Estimates `contrast` by the linear models instead of the pair's difference (for
    /// contrasts that are not a difference of two conditions).
    pub fn set_anova_contrast(&mut self, design: &Crossover, contrast: &Contrast) {
        self.set_anova_contrasts(design, std::slice::from_ref(contrast));
    }

    /// Estimates several contrasts from each fit of the linear models: the first is the one
    /// [`LookData::fit_anova`] returns, the others come from [`LookData::anova_contrast`].
    pub fn set_anova_contrasts(&mut self, design: &Crossover, contrasts: &[Contrast]) {
        if self.needs.observations {
            self.anova = [
                Some(AnovaModel::with_contrasts(design, contrasts, false)),
                Some(AnovaModel::with_contrasts(design, contrasts, true)),
            ];
        }
    }

    /// Computes only the replicate statistics `needs` lists (a bioequivalence rule reads
    /// either the within-condition ANOVAs or the intra-participant contrasts).
    pub fn set_replicate_needs(&mut self, needs: ReplicateNeeds) {
        if let Some(model) = &mut self.replicate_model {
            model.set_needs(needs);
        }
    }

    /// Contrast `i` from the last [`LookData::fit_anova`] of the same model.
    pub fn anova_contrast(&mut self, carryover: bool, i: usize) -> AnalysisOutcome {
        match &mut self.anova[usize::from(carryover)] {
            Some(model) => model.contrast_estimate(i),
            None => AnalysisOutcome::NotAnalyzable(super::NotAnalyzable::TooFewParticipants),
        }
    }

    /// Fits the linear model (with first-order carryover terms when `carryover`).
    pub fn fit_anova(&mut self, carryover: bool) -> AnalysisOutcome {
        match &mut self.anova[usize::from(carryover)] {
            Some(model) => model.fit(
                &self.observations,
                &self.column_sums,
                &self.pattern_counts,
                self.observed_participants,
                self.observed_periods,
            ),
            None => AnalysisOutcome::NotAnalyzable(super::NotAnalyzable::TooFewParticipants),
        }
    }

    /// Participants who received both T and R.
    pub fn completers(&self) -> usize {
        self.paired_count
    }

    /// The test condition T of the paired quantities.
    pub fn test(&self) -> Condition {
        self.test
    }

    /// The reference condition R of the paired quantities.
    pub fn reference(&self) -> Condition {
        self.reference
    }

    /// Empties every buffer (before the first look).
    pub fn reset(&mut self) {
        self.enrolled = 0;
        self.paired_count = 0;
        self.differences.clear();
        self.responder_differences.clear();
        for v in self
            .half_period_differences
            .iter_mut()
            .chain(self.participant_sums.iter_mut())
            .chain(self.first_period_change.iter_mut())
        {
            v.clear();
        }
        self.response_discordant = DiscordantPairs::default();
        self.reference_responders = 0;
        self.treated.fill(0);
        self.adverse_events.fill(0);
        self.paired_adverse_events = [0; 2];
        self.observations.clear();
        self.column_sums = ColumnSums::default();
        self.observed_participants = 0;
        self.observed_periods = 0;
        self.pattern_counts.fill(0);
        if let Some(model) = &mut self.replicate_model {
            model.reset();
        }
        self.replicate = ReplicateStatistics::default();
    }

    /// Refills the buffers from the first `n` participants of `cohort`.
    pub fn collect(&mut self, cohort: &Cohort, n: usize) {
        self.reset();
        self.extend(cohort, n);
    }

    /// Adds participants `self.enrolled..n` of `cohort` (the next look's new enrollees).
    ///
    /// Whether a participant was observed at all and whether they received both T and R are
    /// random, so the paired quantities are computed for everyone and kept with `push_if`
    /// and masked counts rather than behind branches that would mispredict.
    pub fn extend(&mut self, cohort: &Cohort, n: usize) {
        // As in the model's draw, the common row lengths get their own copy of the loop
        // (unrolled, fewer bounds checks); the arithmetic is the same in every copy.
        match cohort.periods() {
            0 => self.enrolled = self.enrolled.max(n),
            2 => self.extend_shaped::<2>(cohort, n),
            3 => self.extend_shaped::<3>(cohort, n),
            4 => self.extend_shaped::<4>(cohort, n),
            _ => self.extend_shaped::<0>(cohort, n),
        }
        // The replicate statistics' sums were extended participant by participant above (in
        // enrollment order, so a later look continues them exactly as a recomputation over all
        // its participants would add them); their normal matrices are pattern counts, cheaper
        // to rebuild than to update.
        if let Some(model) = &mut self.replicate_model {
            self.replicate = model.finish();
        }
    }

    /// [`LookData::extend`] for rows of `P` periods (0: the cohort's, not known at compile
    /// time; never 0 periods).
    fn extend_shaped<const P: usize>(&mut self, cohort: &Cohort, n: usize) {
        let needs = self.needs;
        let (test, reference) = (self.test, self.reference);
        let k = self.treated.len();
        let periods = if P == 0 { cohort.periods() } else { P };
        // The counters are kept in locals and added back after the loop: as fields they would
        // be loaded and stored for every participant (the vectors pushed to might, for all the
        // compiler knows, overlap them), a chain through memory.
        let mut paired_count = 0;
        let mut reference_responders = 0;
        let mut discordant = DiscordantPairs::default();
        let mut paired_adverse_events = [0; 2];
        // The same for the linear model's data: its sums in a local copy, and its counters.
        let mut column_sums = self.column_sums;
        let (mut observed_participants, mut observed_periods) = (0, 0);
        let by_pattern = self.by_pattern.is_some();
        for i in self.enrolled..n {
            let completed = usize::from(cohort.periods_completed[i]);
            // Participant i's row of cells, as slices (one bounds check each); only the first
            // `completed` cells are observed, the others hold stale values.
            let first = cohort.cell(i, 0);
            let row = first..first + periods;
            let conditions = &cohort.condition[row.clone()];
            let changes = &cohort.change[row.clone()];
            let events = &cohort.adverse_event[row.clone()];
            let responded = &cohort.responded[row];
            if (needs.observations || needs.first_period_change || by_pattern) && completed > 0 {
                let pattern = cohort.sequence[i].index() * (periods + 1) + completed;
                if needs.observations || by_pattern {
                    self.pattern_counts[pattern] += 1;
                }
                if needs.observations {
                    observed_participants += 1;
                    observed_periods += completed;
                    // One observation is fitted exactly by its participant effect.
                    if completed >= 2 {
                        column_sums.add_participant(
                            &mut self.observations,
                            pattern,
                            periods,
                            &conditions[..completed],
                            &changes[..completed],
                        );
                    }
                }
                if needs.first_period_change {
                    self.first_period_change[conditions[0].index()].push(changes[0]);
                }
            }
            if let Some(model) = &mut self.replicate_model {
                model.add(cohort.sequence[i].index(), completed, changes);
            }
            if by_pattern {
                // Counted from the patterns after the loop.
                continue;
            }
            let (treated, adverse_events) = (&mut self.treated[..k], &mut self.adverse_events[..k]);
            // Loops run over the whole row (a fixed count) with the unobserved cells masked.
            for (j, (c, &event)) in conditions.iter().zip(events).enumerate() {
                let observed = j < completed;
                treated[c.index()] += usize::from(observed);
                adverse_events[c.index()] += usize::from(observed & event);
            }
            // The first period of T and of R in the row (scanning backwards with selects: the
            // positions are random, so a search that stops early mispredicts); they are
            // observed if they come before `completed`.
            let (mut t, mut r) = (periods, periods);
            for (j, &c) in conditions.iter().enumerate().rev() {
                if c == test {
                    t = j;
                }
                if c == reference {
                    r = j;
                }
            }
            let paired = (t < completed) & (r < completed);
            // Unpaired participants read some cell of their own row; what they give is dropped.
            let (t, r) = (t.min(periods - 1), r.min(periods - 1));
            paired_count += usize::from(paired);
            let d = changes[t] - changes[r];
            if needs.differences {
                push_if(&mut self.differences, d, paired);
            }
            let (responded_r, responded_t) = (paired & responded[r], paired & responded[t]);
            reference_responders += usize::from(responded_r);
            if needs.responder_differences {
                push_if(&mut self.responder_differences, d, responded_r);
            }
            discordant.reference_only += usize::from(responded_r & !responded_t);
            discordant.test_only += usize::from(!responded_r & responded_t);
            paired_adverse_events[0] += usize::from(paired & events[r]);
            paired_adverse_events[1] += usize::from(paired & events[t]);
            if self.two_by_two {
                let order = usize::from(conditions[0] != reference);
                let (p1, p2) = (changes[0], changes[1]);
                if needs.half_period_differences {
                    push_if(
                        &mut self.half_period_differences[order],
                        (p1 - p2) / 2.0,
                        paired,
                    );
                }
                if needs.participant_sums {
                    push_if(&mut self.participant_sums[order], p1 + p2, paired);
                }
            }
        }
        self.paired_count += paired_count;
        self.reference_responders += reference_responders;
        self.response_discordant.reference_only += discordant.reference_only;
        self.response_discordant.test_only += discordant.test_only;
        self.paired_adverse_events[0] += paired_adverse_events[0];
        self.paired_adverse_events[1] += paired_adverse_events[1];
        self.column_sums = column_sums;
        self.observed_participants += observed_participants;
        self.observed_periods += observed_periods;
        self.enrolled = self.enrolled.max(n);
        if let Some(by_pattern) = &self.by_pattern {
            // Over every participant of the look so far (the pattern counts are cumulative).
            self.treated.fill(0);
            self.paired_count = 0;
            for (pattern, &count) in self.pattern_counts.iter().enumerate() {
                let count = count as usize;
                for (t, &per) in self
                    .treated
                    .iter_mut()
                    .zip(&by_pattern.treated[pattern * k..])
                {
                    *t += count * per;
                }
                self.paired_count += count * usize::from(by_pattern.paired[pattern]);
            }
        }
    }
}

/// Appends `x` to `v` if `keep`, without branching on `keep` (it is random, so a branch
/// mispredicts about half the time): `x` is always written and the length then set back.
#[inline(always)]
fn push_if(v: &mut Vec<f64>, x: f64, keep: bool) {
    let len = v.len();
    v.push(x);
    v.truncate(len + usize::from(keep));
}
