//! Runs replicates: seeding, the per-replicate pipeline (draw → looks → analyses), parallelism
//! and aggregation. The only module that names rayon (callers get a pool through
//! [`thread_pool`] and run on it with `ThreadPool::install`); it prints nothing and writes no
//! file.

pub mod exact_sum;
pub mod seed;
pub mod summary;

pub use summary::{AnalysisTally, StopReason, Summary};

use crate::adaptive::scaled::{estimate_of, ScaledInterim, StagedReplicate};
use crate::adaptive::{joint_stage_one, PreparedTwoStage, StageOne, StageStatistics, TwoStagePlan};
use crate::analysis::replicate::ReplicateNeeds;
use crate::analysis::{self, AnalysisName, LookData};
use crate::config::TrialDesign;
use crate::design::Condition;
use crate::inference::scaled::{Estimation, PreparedRule, RuleInputs};
use crate::inference::{CriticalValues, Decision, Direction, FamilyTest, Hypothesis};
use crate::model::{Allocation, Cohort, CohortModel};
use crate::sequential::boundaries::BoundaryError;
use crate::sequential::StoppingRules;
use rayon::prelude::*;

/// A pool of worker threads that simulations run on (`ThreadPool::install`).
pub use rayon::ThreadPool;
use std::ops::Range;

/// Replicates per work unit: the granularity of parallel work and progress reports.
pub const BLOCK: u64 = 1024;

/// Receives progress reports from the engine and can ask it to stop; the defaults do nothing.
pub trait Progress: Sync {
    /// `n` more replicates are done.
    fn replicates_done(&self, _n: u64) {}

    /// Whether the run should stop (e.g. the user pressed Ctrl-C). Checked before each block;
    /// a stopped run's summary covers fewer replicates than asked and must not be reported.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A progress sink that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Progress that another thread watches and can stop: the R and Python packages simulate on
/// worker threads while their own thread, the only one that may call into R or Python, counts
/// the replicates done and relays Ctrl-C by [`Watch::cancel`].
#[derive(Debug, Default)]
pub struct Watch {
    done: std::sync::atomic::AtomicU64,
    cancelled: std::sync::atomic::AtomicBool,
}

impl Watch {
    /// A watch of nothing done and not cancelled.
    pub fn new() -> Watch {
        Watch::default()
    }

    /// Asks the run to stop before its next block of replicates.
    pub fn cancel(&self) {
        self.cancelled
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Replicates done so far (across every grid point of a sweep).
    pub fn done(&self) -> u64 {
        self.done.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Progress for Watch {
    fn replicates_done(&self, n: u64) {
        self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    fn cancelled(&self) -> bool {
        self.cancelled.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A design prepared for simulation: sampler, stopping rules and critical values.
#[derive(Debug, Clone)]
pub struct Simulator {
    design: TrialDesign,
    model: CohortModel,
    rules: StoppingRules,
    /// The hypothesis every analysis tests.
    hypothesis: Hypothesis,
    /// Each secondary analysis with its hypothesis and the critical values at its level.
    secondary: Vec<(AnalysisName, Hypothesis, CriticalValues)>,
    /// A two-stage design's thresholds, computed once.
    two_stage: Option<PreparedTwoStage>,
    /// A two-stage design decided by a bioequivalence rule at each stage: the interim
    /// thresholds of each comparison (test, reference), filled on first use and shared by
    /// every worker (empty otherwise).
    scaled_two_stage: Vec<(std::sync::Arc<ScaledInterim>, (Condition, Condition))>,
    /// Several primary contrasts tested together, if the design has them.
    family: Option<PreparedFamily>,
    /// The bioequivalence rule with its quantile tables, if the design has one.
    rule: Option<PreparedRule>,
    /// With several PK metrics: the rule of each further metric (None: the hypothesis decides).
    metric_rules: Vec<Option<PreparedRule>>,
}

/// A family of primary contrasts prepared for simulation.
#[derive(Debug, Clone)]
struct PreparedFamily {
    test: FamilyTest,
    /// Whether the primary is the linear model with carryover terms.
    carryover: bool,
    /// Whether each contrast's true value lies in its H0 (its rejection is a familywise error).
    true_null: Vec<bool>,
}

/// Per-thread buffers, reused across replicates so the hot loop allocates nothing.
#[derive(Debug, Clone)]
pub struct Workspace {
    cohort: Cohort,
    look: LookData,
    /// A two-stage trial's per-participant counts (responders, treated periods, adverse
    /// events) over both stages; fills no analysis buffer.
    counts: LookData,
    /// With several primary contrasts: their outcomes, decisions and Holm's ordering.
    family_outcomes: Vec<analysis::AnalysisOutcome>,
    family_decisions: Vec<Decision>,
    family_order: Vec<usize>,
    /// The worker's copy of the bioequivalence rule (its F quantiles fill in on first use).
    rule: Option<PreparedRule>,
    /// With several PK metrics: the look of the further metric being decided, and the
    /// worker's copies of their rules.
    metric_look: Option<LookData>,
    metric_rules: Vec<Option<PreparedRule>>,
    /// With a time course: one later day's paired differences.
    day_differences: Vec<f64>,
    /// A two-stage design with a bioequivalence rule: the estimators with a stage term, one
    /// per comparison.
    staged: Vec<StagedReplicate>,
    /// Scratch: each comparison's stage-1 decision.
    stage_one: Vec<StageOne>,
}

impl Workspace {
    /// Buffers for trials of `design`, filling only what `needs` lists.
    pub fn new(design: &TrialDesign, needs: analysis::Needs) -> Workspace {
        let (test, reference) = design.contrast().as_pair().unwrap_or((
            design.crossover().reference(),
            design.crossover().reference(),
        ));
        let mut look = LookData::new(
            design.enrolled(),
            design.crossover(),
            test,
            reference,
            needs,
        );
        look.set_anova_contrasts(design.crossover(), design.contrasts());
        let cohort = design.cohort();
        if !cohort.records_responses() && !cohort.records_adverse_events() {
            look.set_no_outcomes(design.crossover());
        }
        let m = design.contrasts().len();
        let counts = LookData::new(0, design.crossover(), test, reference, Default::default());
        Workspace {
            cohort: Cohort::new(design.enrolled(), design.crossover().period_count()),
            look,
            counts,
            family_outcomes: vec![
                analysis::AnalysisOutcome::NotAnalyzable(
                    analysis::NotAnalyzable::TooFewParticipants
                );
                m
            ],
            family_decisions: vec![Decision::NotAnalyzable; m],
            family_order: (0..m).collect(),
            rule: None,
            metric_look: None,
            metric_rules: Vec::new(),
            day_differences: Vec::with_capacity(design.enrolled()),
            staged: Vec::new(),
            stage_one: Vec::new(),
        }
    }
}

impl Simulator {
    /// Precomputes everything for `design`.
    pub fn new(design: &TrialDesign) -> Result<Simulator, BoundaryError> {
        let plan = &design.analysis();
        let rules = StoppingRules::new(design.sequential(), plan.alpha(), plan.hypothesis())?;
        let max_df = design.enrolled() * design.crossover().period_count();
        let secondary = plan
            .secondary()
            .iter()
            .map(|&name| {
                let hypothesis = plan.hypothesis_of(name);
                let level = hypothesis.table_level(plan.level_of(name));
                (name, hypothesis, CriticalValues::new(level, max_df))
            })
            .collect();
        Ok(Simulator {
            design: design.clone(),
            model: CohortModel::new(design.cohort()),
            rules,
            hypothesis: plan.hypothesis(),
            secondary,
            two_stage: design
                .two_stage()
                .as_ref()
                .map(|ts| PreparedTwoStage::new(ts, design.enrolled(), plan.hypothesis())),
            family: (design.contrasts().len() > 1).then(|| PreparedFamily {
                test: FamilyTest::new(
                    plan.multiplicity(),
                    plan.hypothesis(),
                    plan.alpha(),
                    design.contrasts().len(),
                    max_df,
                ),
                carryover: plan.primary() == AnalysisName::ANOVA_CARRYOVER,
                true_null: design
                    .contrasts()
                    .iter()
                    .map(|c| {
                        plan.hypothesis().is_null(crate::numerics::tidy_decimal(
                            design.population().average_effect(c),
                        ))
                    })
                    .collect(),
            }),
            scaled_two_stage: match (
                design.two_stage(),
                design.bioequivalence(),
                plan.hypothesis(),
            ) {
                (Some(ts), Some(rule), Hypothesis::Equivalence { lower, upper }) => {
                    // Each comparison is decided, and its interim powered, at the rule's
                    // alpha: the adjusted alpha, divided among several comparisons by
                    // Bonferroni.
                    let plan = TwoStagePlan {
                        alpha: rule.alpha(),
                        ..ts.clone()
                    };
                    let pairs = design
                        .contrasts()
                        .iter()
                        .map(|c| c.as_pair().expect("validation: comparisons are pairs"));
                    pairs
                        .map(|pair| {
                            let interim = ScaledInterim::for_pair(
                                &plan,
                                design.enrolled(),
                                design.crossover(),
                                pair,
                                rule,
                                (lower, upper),
                            );
                            (std::sync::Arc::new(interim), pair)
                        })
                        .collect()
                }
                _ => Vec::new(),
            },
            // A two-stage design's pooled analysis has the df of every participant it may
            // enrol.
            rule: design.bioequivalence().map(|r| {
                let most = design
                    .two_stage()
                    .map_or(design.enrolled(), |ts| ts.max_total());
                PreparedRule::new(*r, max_df.max(most * design.crossover().period_count()))
            }),
            metric_rules: design
                .metric_rules()
                .iter()
                .map(|r| r.map(|r| PreparedRule::new(r, max_df)))
                .collect(),
        })
    }

    /// The design simulated.
    pub fn design(&self) -> &TrialDesign {
        &self.design
    }

    /// The precomputed stopping rules.
    pub fn rules(&self) -> &StoppingRules {
        &self.rules
    }

    /// Buffers for one worker, filling only what this design's analyses read.
    pub fn workspace(&self) -> Workspace {
        let mut needs = analysis::Needs::of(self.design.analysis().all());
        if self.rule.is_some() {
            needs = needs.union(analysis::Needs::REPLICATE);
        }
        let mut ws = Workspace::new(&self.design, needs);
        if let Some(rule) = &self.rule {
            let r = rule.rule();
            // What the rule reads, plus the ISC if an analysis of the run reports it.
            let isc = self.design.analysis().all().any(|a| a == AnalysisName::ISC);
            ws.look.set_replicate_needs(ReplicateNeeds {
                anova: r.spec().estimation == Estimation::Anova,
                isc: isc || r.spec().estimation == Estimation::Isc,
                test_variance: r.needs_test_variance(),
            });
            ws.rule = Some(rule.clone());
            ws.staged = self
                .scaled_two_stage
                .iter()
                .map(|&(_, (test, reference))| {
                    StagedReplicate::new(self.design.crossover(), test, reference, r)
                })
                .collect();
        }
        if self.design.metrics().is_some() {
            let mut look = ws.look.clone();
            if let Some(r) = self.metric_rules.iter().flatten().next() {
                look.set_replicate_needs(ReplicateNeeds {
                    anova: r.rule().spec().estimation == Estimation::Anova,
                    isc: r.rule().spec().estimation == Estimation::Isc,
                    test_variance: self
                        .metric_rules
                        .iter()
                        .flatten()
                        .any(|r| r.rule().needs_test_variance()),
                });
            }
            ws.metric_look = Some(look);
            ws.metric_rules = self.metric_rules.clone();
        }
        ws
    }

    /// The bioequivalence rule prepared for simulation, if the design has one.
    pub fn rule(&self) -> Option<&PreparedRule> {
        self.rule.as_ref()
    }

    /// An empty summary of the right shape.
    pub fn empty_summary(&self) -> Summary {
        let mut s = Summary::new(
            self.rules.looks.len(),
            self.design.enrolled(),
            self.design.crossover().condition_count(),
        );
        if let Some(ts) = &self.two_stage {
            s.two_stage.total_histogram = vec![0; ts.plan.max_total() + 1];
            // Responders are counted over both stages.
            s.responders_histogram = vec![0; ts.plan.max_total() + 1];
        }
        if let Some(f) = &self.family {
            s.contrasts = vec![AnalysisTally::default(); f.true_null.len()];
            s.family = summary::FamilyTally::new(f.true_null.len());
            if self.scaled_two_stage.len() > 1 {
                s.two_stage.comparisons =
                    vec![crate::adaptive::ComparisonPaths::default(); f.true_null.len()];
            }
        }
        if self.rule.is_some() {
            s.bioequivalence = summary::BioequivalenceTally::new();
        }
        if self.design.metrics().is_some() {
            s.metrics = std::iter::once(self.rule.is_some())
                .chain(self.metric_rules.iter().map(Option::is_some))
                .map(summary::MetricTally::new)
                .collect();
        }
        if let Some(tc) = self.design.cohort().time_course() {
            s.days = vec![summary::DayTally::default(); tc.later_days()];
            s.trajectory = vec![
                summary::ScoreTally::default();
                tc.days.len() * self.design.crossover().condition_count()
            ];
            s.relapse = tc
                .relapse
                .as_ref()
                .map(|r| summary::RelapseTally::new(r.visit_days().len()));
        }
        s
    }

    /// The two-stage plan prepared for simulation, if the design has one.
    pub fn two_stage(&self) -> Option<&PreparedTwoStage> {
        self.two_stage.as_ref()
    }

    /// Simulates replicates `range` (indices into the run's replicate sequence) on the current
    /// rayon pool. The result depends only on the design, the seed and `range`.
    pub fn simulate(&self, range: Range<u64>, progress: &dyn Progress) -> Summary {
        let start = range.start;
        let end = range.end.max(start);
        let first_block = start / BLOCK;
        let last_block = end.div_ceil(BLOCK);
        (first_block..last_block)
            .into_par_iter()
            .map_init(
                || self.workspace(),
                |ws, block| {
                    // A cancelled run skips its remaining blocks without building an empty
                    // summary for each: a run of 10^9 replicates has a million blocks.
                    if progress.cancelled() {
                        return None;
                    }
                    let lo = (block * BLOCK).max(start);
                    let hi = ((block + 1) * BLOCK).min(end);
                    let mut summary = self.empty_summary();
                    for j in lo..hi {
                        self.replicate(j, ws, &mut summary);
                    }
                    progress.replicates_done(hi - lo);
                    Some(summary)
                },
            )
            .flatten()
            .reduce(
                || self.empty_summary(),
                |mut a, b| {
                    a.merge(&b);
                    a
                },
            )
    }

    /// The estimates a bioequivalence rule decides on, for replicates `range` in order (None
    /// where the trial was not analysable), so that a rule can be decided at many levels on
    /// the same simulated trials (common random numbers). Empty without a rule.
    pub fn rule_inputs(&self, range: Range<u64>) -> Vec<Option<RuleInputs>> {
        let Some(rule) = &self.rule else {
            return Vec::new();
        };
        let estimation = rule.rule().spec().estimation;
        let start = range.start;
        let end = range.end.max(start);
        let blocks: Vec<Vec<Option<RuleInputs>>> = (start / BLOCK..end.div_ceil(BLOCK))
            .into_par_iter()
            .map_init(
                || self.workspace(),
                |ws, block| {
                    let lo = (block * BLOCK).max(start);
                    let hi = ((block + 1) * BLOCK).min(end);
                    (lo..hi)
                        .map(|j| {
                            let mut rng = seed::replicate_rng(self.design.seed(), j);
                            self.model.draw(&mut rng, &mut ws.cohort);
                            ws.look.collect(&ws.cohort, self.design.enrolled());
                            let outcome =
                                analysis::run(self.design.analysis().primary(), &mut ws.look);
                            rule_inputs_of(estimation, &outcome, &ws.look)
                        })
                        .collect()
                },
            )
            .collect();
        blocks.into_iter().flatten().collect()
    }

    /// Simulates replicate `j` into `summary` (public for benchmarks and tests).
    pub fn replicate(&self, j: u64, ws: &mut Workspace, summary: &mut Summary) {
        if let Some(ts) = &self.two_stage {
            return self.replicate_two_stage(j, ts, ws, summary);
        }
        let mut rng = seed::replicate_rng(self.design.seed(), j);
        self.model.draw(&mut rng, &mut ws.cohort);
        let primary = self.design.analysis().primary();
        let last = self.rules.looks.len() - 1;
        let mut stop_look = last;
        let mut reason = StopReason::Completed;
        let mut primary_outcome =
            analysis::AnalysisOutcome::NotAnalyzable(analysis::NotAnalyzable::TooFewParticipants);
        let mut primary_decision = crate::inference::Decision::NotAnalyzable;
        ws.look.reset();
        for (k, &n_k) in self.rules.looks.iter().enumerate() {
            // Each look sees the previous look's participants plus those enrolled since.
            ws.look.extend(&ws.cohort, n_k);
            primary_outcome = analysis::run(primary, &mut ws.look);
            primary_decision = self
                .hypothesis
                .decide(&primary_outcome, self.rules.efficacy_critical(k));
            if let Some(r) = self
                .rules
                .decide(k, &primary_outcome, primary_decision, &ws.look)
            {
                stop_look = k;
                reason = r;
                break;
            }
        }
        // ws.look now holds the data of the stopping look.
        summary.replicates += 1;
        let mut interval_critical = self.rules.efficacy_critical(stop_look);
        if let Some(rule) = &mut ws.rule {
            // Fixed designs only (validation): the single look's estimates decide.
            let ruled = decide_by_rule(rule, &primary_outcome, &ws.look);
            primary_decision = ruled.0;
            if let Some(o) = &ruled.1 {
                summary.bioequivalence.record(o);
                if let Some(first) = summary.metrics.first_mut() {
                    first.bioequivalence.record(o);
                }
            }
            reason = if primary_decision.rejected() {
                StopReason::Efficacy
            } else {
                StopReason::Completed
            };
        }
        if !summary.metrics.is_empty() {
            // Fixed designs only (validation): the trial passes when every metric passes.
            primary_decision = self.decide_metrics(&primary_outcome, primary_decision, ws, summary);
            reason = if primary_decision.rejected() {
                StopReason::Efficacy
            } else {
                StopReason::Completed
            };
        }
        if let Some(f) = &self.family {
            // Fixed designs only: the single look's fit gives every contrast.
            self.decide_family(f, primary_outcome, ws, summary);
            primary_decision = ws.family_decisions[0];
            interval_critical = f.test.interval_critical();
            // The single look's efficacy is the first contrast's adjusted decision.
            if matches!(reason, StopReason::Efficacy | StopReason::Completed) {
                reason = if primary_decision.rejected() {
                    StopReason::Efficacy
                } else {
                    StopReason::Completed
                };
            }
        }
        let look = &mut summary.looks[stop_look];
        look.stops[reason.index()] += 1;
        let interval = primary_outcome
            .result()
            .and_then(|e| self.hypothesis.interval(e, interval_critical));
        look.primary_at_stop
            .record(&primary_outcome, primary_decision, interval);
        summary.analyses[primary.index()].record(&primary_outcome, primary_decision, interval);
        if stop_look < last {
            summary
                .primary_early_stopped
                .record(&primary_outcome, primary_decision, interval);
        }
        for (name, hypothesis, critical) in &self.secondary {
            let outcome = analysis::run(*name, &mut ws.look);
            let decision = hypothesis.decide(&outcome, critical);
            let interval = outcome
                .result()
                .and_then(|e| hypothesis.interval(e, critical));
            summary.analyses[name.index()].record(&outcome, decision, interval);
        }
        if !summary.days.is_empty() {
            self.decide_later_days(stop_look, primary_decision, ws, summary);
        }
        if let Some(tally) = &mut summary.relapse {
            // Over the planned enrollment, not the stopping look's: which look a trial stops
            // at depends on its completers' estimate, and that selection would mix the
            // stopping rule's bias into the gate's.
            self.record_relapse(self.design.enrolled(), &ws.cohort, tally);
        }
        let enrolled = self.rules.looks[stop_look] as u64;
        let completers = ws.look.completers() as u64;
        summary.enrolled_sum += enrolled;
        summary.enrolled_squared_sum += u128::from(enrolled * enrolled);
        summary.completers_sum += completers;
        summary.completers_squared_sum += u128::from(completers * completers);
        summary.responders_histogram[ws.look.reference_responders] += 1;
        for (total, &n) in summary.treated.iter_mut().zip(&ws.look.treated) {
            *total += n as u64;
        }
        for (total, &n) in summary
            .adverse_events
            .iter_mut()
            .zip(&ws.look.adverse_events)
        {
            *total += n as u64;
        }
    }

    /// Decides each further PK metric of the trial in `ws.cohort` on its own look (metric 0's
    /// outcome and decision are given), records every metric, and returns the trial's
    /// decision: metric 0's direction when every metric passed.
    fn decide_metrics(
        &self,
        first: &analysis::AnalysisOutcome,
        first_decision: Decision,
        ws: &mut Workspace,
        summary: &mut Summary,
    ) -> Decision {
        let critical = self.rules.efficacy_critical(0);
        let interval = first
            .result()
            .and_then(|e| self.hypothesis.interval(e, critical));
        summary.metrics[0]
            .analysis
            .record(first, first_decision, interval);
        let mut all_pass = first_decision.rejected();
        let primary = self.design.analysis().primary();
        let look = ws
            .metric_look
            .as_mut()
            .expect("a workspace for several metrics");
        for q in 1..summary.metrics.len() {
            ws.cohort.swap_metric(q);
            look.collect(&ws.cohort, self.design.enrolled());
            ws.cohort.swap_metric(q);
            let outcome = analysis::run(primary, look);
            let decision = match &mut ws.metric_rules[q - 1] {
                Some(rule) => {
                    let (decision, o) = decide_by_rule(rule, &outcome, look);
                    if let Some(o) = &o {
                        summary.metrics[q].bioequivalence.record(o);
                    }
                    decision
                }
                None => self.hypothesis.decide(&outcome, critical),
            };
            let interval = outcome
                .result()
                .and_then(|e| self.hypothesis.interval(e, critical));
            let tally = &mut summary.metrics[q];
            tally.analysis.record(&outcome, decision, interval);
            if let (Some(a), Some(b)) = (first.result(), outcome.result()) {
                tally.record_pair(a.estimate, b.estimate);
            }
            all_pass &= decision.rejected();
        }
        match (first_decision, all_pass) {
            (Decision::NotAnalyzable, _) => Decision::NotAnalyzable,
            (d, true) => d,
            (_, false) => Decision::NotRejected,
        }
    }

    /// Tests each day after the primary day on the stopping look's participants, in order, and
    /// counts it within the fixed sequence only if the primary and every earlier day were
    /// rejected; also tallies every day's scores for the trajectories. Each day is decided at
    /// the primary's critical value of that look: testing a hierarchy after a group-sequential
    /// primary at the primary's own boundary keeps the familywise error at alpha (Glimm, Maurer
    /// and Bretz 2010), where the full alpha at an interim would not.
    fn decide_later_days(
        &self,
        stop_look: usize,
        primary_decision: Decision,
        ws: &mut Workspace,
        summary: &mut Summary,
    ) {
        let n = self.rules.looks[stop_look];
        let critical = self.rules.efficacy_critical(stop_look);
        let pair = self
            .design
            .contrast()
            .as_pair()
            .expect("validation: a time course compares one pair");
        let responders_only = self.design.analysis().primary() == AnalysisName::RESPONDERS_PAIRED;
        let mut in_sequence = primary_decision.rejected();
        for (day, tally) in summary.days.iter_mut().enumerate() {
            analysis::time_course::day_differences(
                &ws.cohort,
                n,
                day,
                pair,
                responders_only,
                &mut ws.day_differences,
            );
            let outcome = analysis::paired_t::paired_t(&ws.day_differences);
            let decision = self.hypothesis.decide(&outcome, critical);
            let interval = outcome
                .result()
                .and_then(|e| self.hypothesis.interval(e, critical));
            tally.analysis.record(&outcome, decision, interval);
            in_sequence &= decision.rejected();
            tally.rejected_in_hierarchy += u64::from(in_sequence);
        }
        let cohort = &ws.cohort;
        let k = self.design.crossover().condition_count();
        let later = cohort.later_days();
        for i in 0..n {
            for cell in cohort.observed_cells(i) {
                let c = cohort.condition[cell].index();
                let start = cohort.baseline[cell];
                summary.trajectory[c].record(start);
                summary.trajectory[k + c].record(start + cohort.change[cell]);
                for day in 0..later {
                    let change = cohort.day_change_of(cell, day);
                    if !change.is_nan() {
                        summary.trajectory[(day + 2) * k + c].record(start + change);
                    }
                }
            }
        }
    }

    /// Records who of the first `n` participants entered period 2 and when, and the completers'
    /// mean test-minus-reference change beside every participant's: the model draws both
    /// periods' changes for everyone, so the two differ only by who the gate (and dropout) let
    /// into period 2, which is the bias of analysing completers.
    fn record_relapse(&self, n: usize, cohort: &Cohort, tally: &mut summary::RelapseTally) {
        let gate = self
            .design
            .cohort()
            .time_course()
            .and_then(|t| t.relapse.as_ref())
            .expect("a relapse tally only with a gate");
        let (test, reference) = self
            .design
            .contrast()
            .as_pair()
            .expect("validation: a time course compares one pair");
        let (mut shortest, mut longest) = (u64::MAX, 0u64);
        let (mut completers, mut completers_total, mut everyone_total) = (0usize, 0.0, 0.0);
        for i in 0..n {
            let completed = cohort.periods_completed[i];
            let interval = u64::from(cohort.interval[i]);
            tally.treated_first += u64::from(completed >= 1);
            // Both cells exist for everyone (two periods); their changes are drawn either way.
            let cell = |c| {
                (0..2)
                    .map(|j| cohort.cell(i, j))
                    .find(|&cell| cohort.condition[cell] == c)
                    .expect("a two-period gate gives each participant both conditions")
            };
            let difference = cohort.change[cell(test)] - cohort.change[cell(reference)];
            everyone_total += difference;
            if completed >= 2 {
                tally.entered += 1;
                tally.interval_histogram[gate.visit_index(interval as u32)] += 1;
                tally.interval_sum += interval;
                tally.interval_squared_sum += interval * interval;
                shortest = shortest.min(interval);
                longest = longest.max(interval);
                completers += 1;
                completers_total += difference;
            }
        }
        if completers > 0 {
            tally.completed_trials += 1;
            tally.shortest_sum += shortest;
            tally.longest_sum += longest;
            let c = completers_total / completers as f64;
            let e = everyone_total / n as f64;
            tally.completers_sum.add(c);
            tally.everyone_sum.add(e);
            tally.difference_sum.add(c - e);
            tally.difference_squared_sum.add((c - e) * (c - e));
        }
    }

    /// Estimates and decides every primary contrast from the look's fit of the primary linear
    /// model (whose first contrast is `primary`) and records them.
    fn decide_family(
        &self,
        f: &PreparedFamily,
        primary: analysis::AnalysisOutcome,
        ws: &mut Workspace,
        summary: &mut Summary,
    ) {
        ws.family_outcomes[0] = primary;
        for i in 1..ws.family_outcomes.len() {
            ws.family_outcomes[i] = ws.look.anova_contrast(f.carryover, i);
        }
        f.test.decide(
            &ws.family_outcomes,
            &mut ws.family_order,
            &mut ws.family_decisions,
        );
        let critical = f.test.interval_critical();
        let mut rejections = 0;
        let mut familywise_error = false;
        for (i, (outcome, &decision)) in ws
            .family_outcomes
            .iter()
            .zip(&ws.family_decisions)
            .enumerate()
        {
            let interval = outcome
                .result()
                .and_then(|e| self.hypothesis.interval(e, critical));
            summary.contrasts[i].record(outcome, decision, interval);
            rejections += usize::from(decision.rejected());
            familywise_error |= decision.rejected() && f.true_null[i];
        }
        summary.family.rejections[rejections] += 1;
        summary.family.familywise_errors += u64::from(familywise_error);
    }

    /// One two-stage trial: stage 1, the interim decision, stage 2 drawn from the same
    /// stream (the next participants), and the pooled final analysis.
    fn replicate_two_stage(
        &self,
        j: u64,
        ts: &PreparedTwoStage,
        ws: &mut Workspace,
        summary: &mut Summary,
    ) {
        let mut rng = seed::replicate_rng(self.design.seed(), j);
        let periods = self.design.crossover().period_count();
        ws.cohort.resize(ts.plan.max_total(), periods);
        let mut allocation = Allocation::default();
        let n1 = ts.n1;
        self.model
            .draw_participants(&mut rng, &mut ws.cohort, 0..n1, &mut allocation);
        let mut went_on = false;
        let (total, outcome, passed) = if !self.scaled_two_stage.is_empty() {
            self.scaled_stages(&mut rng, &mut allocation, ws, summary, &mut went_on)
        } else {
            let tally = &mut summary.two_stage;
            let stage1 = self.stage_statistics(&ws.cohort, 0..n1);
            match tally.count_stage_one(ts.stage_one(&stage1)) {
                Ok((e, passed)) => (n1, e, passed),
                Err(total) => {
                    went_on = true;
                    self.model.draw_participants(
                        &mut rng,
                        &mut ws.cohort,
                        n1..total,
                        &mut allocation,
                    );
                    let stage2 = self.stage_statistics(&ws.cohort, n1..total);
                    let (e, passed) = ts.final_decision(&stage1, &stage2);
                    tally.stage2_pass += u64::from(passed);
                    if let Some(mue) = ts.median_unbiased(&stage1, &stage2) {
                        tally.final_median_unbiased.record(mue);
                    }
                    (total, e, passed)
                }
            }
        };
        let tally = &mut summary.two_stage;
        if let Some(e) = &outcome {
            tally.final_naive.record(e.estimate);
            // A trial stopped at stage 1 has the stage-1 estimate as its median-unbiased one
            // (Power2Stage's final.tsd.in applies only after stage 2).
            if !went_on && ts.plan.combination().is_some() {
                tally.final_median_unbiased.record(e.estimate);
            }
        }
        if let Some(slot) = tally.total_histogram.get_mut(total) {
            *slot += 1;
        }
        let outcome = match outcome {
            Some(e) => analysis::AnalysisOutcome::Analyzed(e),
            None => analysis::AnalysisOutcome::NotAnalyzable(
                analysis::NotAnalyzable::TooFewParticipants,
            ),
        };
        let decision = decision_of(&outcome, passed);
        summary.replicates += 1;
        let look = &mut summary.looks[0];
        look.stops[StopReason::Completed.index()] += 1;
        look.primary_at_stop.record(&outcome, decision, None);
        summary.analyses[self.design.analysis().primary().index()].record(&outcome, decision, None);
        if !went_on {
            // Stopped after stage 1 (passing, failing or futile): the trial's early stop.
            summary
                .primary_early_stopped
                .record(&outcome, decision, None);
        }
        // Every per-participant summary covers the participants of both stages.
        ws.counts.collect(&ws.cohort, total);
        if let Some(slot) = summary
            .responders_histogram
            .get_mut(ws.counts.reference_responders)
        {
            *slot += 1;
        }
        for (sum, &n) in summary.treated.iter_mut().zip(&ws.counts.treated) {
            *sum += n as u64;
        }
        for (sum, &n) in summary
            .adverse_events
            .iter_mut()
            .zip(&ws.counts.adverse_events)
        {
            *sum += n as u64;
        }
        let completers = (0..total)
            .filter(|&i| usize::from(ws.cohort.periods_completed[i]) == periods)
            .count() as u64;
        let enrolled = total as u64;
        summary.enrolled_sum += enrolled;
        summary.enrolled_squared_sum += u128::from(enrolled * enrolled);
        summary.completers_sum += completers;
        summary.completers_squared_sum += u128::from(completers * completers);
    }

    /// The stages of a two-stage trial decided by a bioequivalence rule (stage 1 drawn into
    /// `ws.cohort`): each comparison's stage 1 and interim decision (Potvin's method B at the
    /// rule's alpha), stage 2 sized by the largest total any continuing comparison requires,
    /// and the pooled analysis of the continuing comparisons only. Counts the paths (the
    /// trial's and, with several comparisons, each comparison's) and gives the trial's total
    /// N with the first comparison's deciding estimate and success.
    fn scaled_stages(
        &self,
        rng: &mut seed::ReplicateRng,
        allocation: &mut Allocation,
        ws: &mut Workspace,
        summary: &mut Summary,
        went_on: &mut bool,
    ) -> (usize, Option<analysis::Estimate>, bool) {
        let n1 = self.design.enrolled();
        let rule = ws
            .rule
            .as_mut()
            .expect("a scaled two-stage design has a rule");
        let several = ws.staged.len() > 1;
        ws.stage_one.clear();
        // Each comparison's deciding estimate and success (so far).
        let mut first: (Option<analysis::Estimate>, bool) = (None, false);
        let (mut successes, mut familywise_error) = (0, false);
        for (i, (staged, (interim, _))) in
            ws.staged.iter_mut().zip(&self.scaled_two_stage).enumerate()
        {
            staged.reset();
            staged.add_participants(&ws.cohort, 0..n1, 0);
            let inputs = staged.inputs();
            let ruled = inputs.as_ref().and_then(|x| rule.decide(x));
            let decision =
                interim.stage_one(inputs.as_ref(), ruled.as_ref(), staged.participants());
            let closed = !matches!(decision, StageOne::Continue { .. });
            if closed {
                let passed = matches!(decision, StageOne::Pass(_));
                let e = inputs.map(|x| estimate_of(&x, staged.participants()));
                if i == 0 {
                    if let Some(o) = &ruled {
                        summary.bioequivalence.record(o);
                    }
                    first = (e, passed);
                }
                if several {
                    summary.two_stage.comparisons[i].count_stage_one(&decision);
                    familywise_error |= self.record_comparison(i, e, passed, summary);
                    successes += usize::from(passed);
                }
            } else if several {
                summary.two_stage.comparisons[i].count_stage_one(&decision);
            }
            ws.stage_one.push(decision);
        }
        let trial = joint_stage_one(&ws.stage_one);
        let tally = &mut summary.two_stage;
        let total = match tally.count_stage_one(trial) {
            Ok(_) => {
                if several {
                    self.record_family(successes, familywise_error, summary);
                }
                return (n1, first.0, first.1);
            }
            Err(total) => total,
        };
        *went_on = true;
        self.model
            .draw_participants(rng, &mut ws.cohort, n1..total, allocation);
        for (i, staged) in ws.staged.iter_mut().enumerate() {
            if !matches!(ws.stage_one[i], StageOne::Continue { .. }) {
                // Closed at stage 1: never re-tested.
                continue;
            }
            staged.add_participants(&ws.cohort, n1..total, 1);
            let inputs = staged.inputs();
            let ruled = inputs.as_ref().and_then(|x| rule.decide(x));
            let passed = ruled.as_ref().is_some_and(|o| o.bioequivalent);
            let e = inputs.map(|x| estimate_of(&x, staged.participants()));
            if i == 0 {
                if let Some(o) = &ruled {
                    summary.bioequivalence.record(o);
                }
                first = (e, passed);
            }
            if several {
                summary.two_stage.comparisons[i].stage2_pass += u64::from(passed);
                familywise_error |= self.record_comparison(i, e, passed, summary);
                successes += usize::from(passed);
            }
        }
        let trial_passed = if several { successes > 0 } else { first.1 };
        summary.two_stage.stage2_pass += u64::from(trial_passed);
        if several {
            self.record_family(successes, familywise_error, summary);
        }
        (total, first.0, first.1)
    }

    /// Records comparison `i` of a two-stage design with several (its deciding estimate and
    /// success) as the family's contrast `i`; `true` when it is a familywise error (a success
    /// of a comparison whose true value lies in H0).
    fn record_comparison(
        &self,
        i: usize,
        e: Option<analysis::Estimate>,
        passed: bool,
        summary: &mut Summary,
    ) -> bool {
        let outcome = match e {
            Some(e) => analysis::AnalysisOutcome::Analyzed(e),
            None => analysis::AnalysisOutcome::NotAnalyzable(
                analysis::NotAnalyzable::TooFewParticipants,
            ),
        };
        let decision = decision_of(&outcome, passed);
        summary.contrasts[i].record(&outcome, decision, None);
        passed && self.family.as_ref().is_some_and(|f| f.true_null[i])
    }

    /// Records a trial of a two-stage design with several comparisons: `successes` of them
    /// passed, `familywise_error` whether a true-null one did.
    fn record_family(&self, successes: usize, familywise_error: bool, summary: &mut Summary) {
        let m = summary.two_stage.comparisons.len();
        summary.family.rejections[successes] += 1;
        summary.family.familywise_errors += u64::from(familywise_error);
        summary.two_stage.at_least_one += u64::from(successes > 0);
        summary.two_stage.all += u64::from(successes == m);
    }

    /// The period differences of the completers among `participants`, by sequence group
    /// (group 0: the test condition in period 2).
    fn stage_statistics(
        &self,
        cohort: &Cohort,
        participants: std::ops::Range<usize>,
    ) -> StageStatistics {
        let test = self.design.test();
        let mut s = StageStatistics::default();
        for i in participants {
            if cohort.periods_completed[i] < 2 {
                continue;
            }
            let (first, second) = (cohort.cell(i, 0), cohort.cell(i, 1));
            let group = usize::from(cohort.condition[second] != test);
            s.add(group, 0.5 * (cohort.change[second] - cohort.change[first]));
        }
        s
    }
}

/// A two-stage trial's decision from its outcome and whether it passed.
fn decision_of(outcome: &analysis::AnalysisOutcome, passed: bool) -> Decision {
    match (outcome, passed) {
        (analysis::AnalysisOutcome::NotAnalyzable(_), _) => Decision::NotAnalyzable,
        (analysis::AnalysisOutcome::Analyzed(e), true) => {
            Decision::Rejected(if e.estimate >= 0.0 {
                Direction::Positive
            } else {
                Direction::Negative
            })
        }
        (_, false) => Decision::NotRejected,
    }
}

/// What a bioequivalence rule estimating by `estimation` reads from a trial: the primary
/// estimate (the linear model's or the ISC's) and the look's replicate statistics.
fn rule_inputs_of(
    estimation: Estimation,
    primary: &analysis::AnalysisOutcome,
    look: &LookData,
) -> Option<RuleInputs> {
    let e = primary.result()?;
    let r = &look.replicate;
    let (reference, test) = match estimation {
        Estimation::Anova => (r.reference_anova, r.test_anova),
        Estimation::Isc => (r.isc_reference, r.isc_test),
    };
    Some(RuleInputs {
        estimate: e.estimate,
        se: e.standard_error,
        df: e.df as usize,
        s2_reference: reference.variance,
        df_reference: reference.df,
        s2_test: test.variance,
        df_test: test.df,
    })
}

/// Decides a fixed trial by its bioequivalence rule: the decision and, where the rule could
/// decide, its components (which the caller counts).
fn decide_by_rule(
    rule: &mut PreparedRule,
    primary: &analysis::AnalysisOutcome,
    look: &LookData,
) -> (Decision, Option<crate::inference::scaled::RuleOutcome>) {
    let Some(inputs) = rule_inputs_of(rule.rule().spec().estimation, primary, look) else {
        return (Decision::NotAnalyzable, None);
    };
    let e = primary.result().expect("inputs imply an estimate");
    match rule.decide(&inputs) {
        None => (Decision::NotAnalyzable, None),
        Some(o) => {
            let decision = if o.bioequivalent {
                Decision::Rejected(if e.estimate >= 0.0 {
                    Direction::Positive
                } else {
                    Direction::Negative
                })
            } else {
                Decision::NotRejected
            };
            (decision, Some(o))
        }
    }
}

/// A pool of `threads` worker threads (`None`: one per available core, rayon's default).
pub fn thread_pool(threads: Option<usize>) -> Result<ThreadPool, String> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| e.to_string())
}

/// The number of worker threads of the pool the caller runs on.
pub fn threads_in_use() -> usize {
    rayon::current_num_threads()
}
