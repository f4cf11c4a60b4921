//! The data one look analyses, extracted from a cohort prefix into reusable buffers.

use crate::config::{REFERENCE, TEST};
use crate::model::{Completion, Participant};

/// Discordant response pairs among completers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiscordantPairs {
    /// Responded under the reference only.
    pub reference_only: usize,
    /// Responded under the test only.
    pub test_only: usize,
}

/// Which buffers a run needs (the union over its analyses); the others stay empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// Completers' differences (completers_paired, wilcoxon_paired, responder_mcnemar's n).
    pub differences: bool,
    /// Responders' differences (responders_paired).
    pub responder_differences: bool,
    /// Half period differences (period_adjusted).
    pub half_period_differences: bool,
    /// Period-1 changes (first_period).
    pub first_period_change: bool,
    /// Participant sums (carryover).
    pub participant_sums: bool,
}

impl Needs {
    /// Everything (for tests and one-off analyses).
    pub const ALL: Needs = Needs {
        differences: true,
        responder_differences: true,
        half_period_differences: true,
        first_period_change: true,
        participant_sums: true,
    };

    /// The buffers the given analyses read.
    pub fn of(analyses: impl IntoIterator<Item = crate::config::AnalysisName>) -> Needs {
        use crate::config::AnalysisName::*;
        let mut n = Needs {
            differences: false,
            responder_differences: false,
            half_period_differences: false,
            first_period_change: false,
            participant_sums: false,
        };
        for a in analyses {
            match a {
                RespondersPaired => n.responder_differences = true,
                CompletersPaired | WilcoxonPaired | ResponderMcnemar => n.differences = true,
                PeriodAdjusted => n.half_period_differences = true,
                FirstPeriod => n.first_period_change = true,
                Carryover => n.participant_sums = true,
            }
        }
        n
    }
}

impl Default for Needs {
    fn default() -> Self {
        Needs::ALL
    }
}

/// Buffers for one look; `collect` refills them without allocating once warmed up.
#[derive(Debug, Clone, Default)]
pub struct LookData {
    /// Which buffers `collect` fills.
    pub needs: Needs,
    /// Completers in the look.
    pub completer_count: usize,
    /// D_i = change under T - change under R, completers, enrollment order.
    pub differences: Vec<f64>,
    /// D_i for completers who responded under R.
    pub responder_differences: Vec<f64>,
    /// (period 1 change - period 2 change) / 2, completers, by condition of period 1
    /// (index 0: reference first, i.e. sequence AB).
    pub half_period_differences: [Vec<f64>; 2],
    /// Period-1 change of everyone with period-1 data, by condition of period 1.
    pub first_period_change: [Vec<f64>; 2],
    /// Sum of the two period changes, completers, by condition of period 1
    /// (index 0: reference first, i.e. sequence AB).
    pub participant_sums: [Vec<f64>; 2],
    /// Response discordance among completers.
    pub response_discordant: DiscordantPairs,
    /// Completers who responded under the reference condition.
    pub reference_responders: usize,
    /// Participants treated with each condition, and those with the adverse event.
    pub treated: [usize; 2],
    /// Adverse events under each condition.
    pub adverse_events: [usize; 2],
    /// Adverse events under each condition among completers.
    pub completer_adverse_events: [usize; 2],
    /// Scratch space for signed ranks.
    pub rank_scratch: Vec<(f64, bool)>,
}

impl LookData {
    /// Buffers sized for `enrolled` participants.
    pub fn with_capacity(enrolled: usize) -> LookData {
        let v = || Vec::with_capacity(enrolled);
        LookData {
            differences: v(),
            responder_differences: v(),
            half_period_differences: [v(), v()],
            first_period_change: [v(), v()],
            participant_sums: [v(), v()],
            rank_scratch: Vec::with_capacity(enrolled),
            ..LookData::default()
        }
    }

    /// Completers in this look.
    pub fn completers(&self) -> usize {
        self.completer_count
    }

    /// Refills the buffers from the participants a look sees.
    pub fn collect(&mut self, participants: &[Participant]) {
        self.differences.clear();
        self.responder_differences.clear();
        for v in self
            .half_period_differences
            .iter_mut()
            .chain(self.first_period_change.iter_mut())
            .chain(self.participant_sums.iter_mut())
        {
            v.clear();
        }
        self.response_discordant = DiscordantPairs::default();
        self.completer_count = 0;
        let needs = self.needs;
        self.reference_responders = 0;
        self.treated = [0; 2];
        self.adverse_events = [0; 2];
        self.completer_adverse_events = [0; 2];
        for p in participants {
            if p.completion == Completion::Withdrawn {
                continue;
            }
            let first = p.condition_in_period[0] as usize;
            if needs.first_period_change {
                self.first_period_change[first].push(p.change_in_period[0]);
            }
            for c in [REFERENCE, TEST] {
                if p.treated_with(c) {
                    self.treated[c] += 1;
                    self.adverse_events[c] += usize::from(p.adverse_event[c]);
                }
            }
            if p.completion != Completion::Completed {
                continue;
            }
            self.completer_count += 1;
            let d = p.change[TEST] - p.change[REFERENCE];
            if needs.differences {
                self.differences.push(d);
            }
            if p.responded[REFERENCE] {
                self.reference_responders += 1;
                if needs.responder_differences {
                    self.responder_differences.push(d);
                }
            }
            match (p.responded[REFERENCE], p.responded[TEST]) {
                (true, false) => self.response_discordant.reference_only += 1,
                (false, true) => self.response_discordant.test_only += 1,
                _ => {}
            }
            if needs.half_period_differences {
                self.half_period_differences[first]
                    .push((p.change_in_period[0] - p.change_in_period[1]) / 2.0);
            }
            if needs.participant_sums {
                self.participant_sums[first].push(p.change_in_period[0] + p.change_in_period[1]);
            }
            for c in [REFERENCE, TEST] {
                self.completer_adverse_events[c] += usize::from(p.adverse_event[c]);
            }
        }
    }
}
