//! The reusable buffer holding one simulated trial: participants x periods arrays in enrollment
//! order (struct of arrays), allocated once per worker and refilled for every replicate.

use crate::design::{Condition, SequenceId};

/// One simulated trial at its planned enrollment; looks analyse prefixes of it.
///
/// Per-participant arrays have one entry per participant; per-observation arrays have
/// `periods` entries per participant, participant-major (`i * periods + j`). Entries for periods
/// a participant did not complete hold stale values and must be ignored: read
/// `periods_completed` first.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    periods: usize,
    /// Latent class of each participant.
    pub class: Vec<u16>,
    /// Sequence of each participant.
    pub sequence: Vec<SequenceId>,
    /// Periods completed (0 = withdrawn before any treatment, `periods` = completed all).
    pub periods_completed: Vec<u8>,
    /// Condition received in each period.
    pub condition: Vec<Condition>,
    /// Pre-treatment score of each period (0 when no baseline is modelled).
    pub baseline: Vec<f64>,
    /// Analysed change (post-treatment score minus the period baseline) in each period.
    pub change: Vec<f64>,
    /// Response in each period.
    pub responded: Vec<bool>,
    /// Remission in each period.
    pub remitted: Vec<bool>,
    /// The adverse event of interest in each period.
    pub adverse_event: Vec<bool>,
    /// With several PK metrics: the analysed log value of metrics 1, 2, ... in each period
    /// (metric 0's is `change`).
    pub metric_change: Vec<Vec<f64>>,
    /// With a time course: the change from the period's day 0 on each day after the primary
    /// day, `later_days` entries per cell (`cell * later_days + day`); NaN where the score is
    /// missing.
    pub day_change: Vec<f64>,
    /// With a relapse-gated crossover: the day after period 1 on which each participant starts
    /// period 2, or 0 when they have not relapsed by the last visit (drawn for every
    /// participant, whether or not they finished period 1; empty without a gate).
    pub interval: Vec<u16>,
    /// The days after the primary day that `day_change` holds per cell (0 without a time course).
    later_days: usize,
    /// Whether `interval` is kept.
    gated: bool,
}

impl Cohort {
    /// A cohort buffer for `enrolled` participants and `periods` periods.
    pub fn new(enrolled: usize, periods: usize) -> Cohort {
        let mut c = Cohort::default();
        c.resize(enrolled, periods);
        c
    }

    /// Resizes the buffers (a no-op once warmed up).
    pub fn resize(&mut self, enrolled: usize, periods: usize) {
        self.periods = periods;
        let cells = enrolled * periods;
        self.class.resize(enrolled, 0);
        self.sequence.resize(enrolled, SequenceId::default());
        self.periods_completed.resize(enrolled, 0);
        self.condition.resize(cells, Condition::default());
        self.baseline.resize(cells, 0.0);
        self.change.resize(cells, 0.0);
        self.responded.resize(cells, false);
        self.remitted.resize(cells, false);
        self.adverse_event.resize(cells, false);
        for m in &mut self.metric_change {
            m.resize(cells, 0.0);
        }
        self.day_change.resize(cells * self.later_days, f64::NAN);
        self.interval
            .resize(if self.gated { enrolled } else { 0 }, 0);
    }

    /// Keeps each participant's interval between the periods (sized by the next `resize`).
    pub fn set_gated(&mut self, gated: bool) {
        self.gated = gated;
    }

    /// Keeps `later_days` changes per cell after the primary day (sized by the next `resize`).
    pub fn set_later_days(&mut self, later_days: usize) {
        self.later_days = later_days;
    }

    /// The days after the primary day held per cell.
    pub fn later_days(&self) -> usize {
        self.later_days
    }

    /// The change on later day `day` (0-based after the primary day) of cell `cell`; NaN when
    /// missing.
    #[inline]
    pub fn day_change_of(&self, cell: usize, day: usize) -> f64 {
        self.day_change[cell * self.later_days + day]
    }

    /// Keeps buffers for `count` PK metrics beyond the first (sized by the next `resize`).
    pub fn set_further_metrics(&mut self, count: usize) {
        self.metric_change.resize_with(count, Vec::new);
    }

    /// Exchanges `change` with further metric `q`'s values (1-based: metric q of the trial),
    /// so that analyses read metric q; calling it again restores metric 0.
    pub fn swap_metric(&mut self, q: usize) {
        std::mem::swap(&mut self.change, &mut self.metric_change[q - 1]);
    }

    /// Participants in the buffer.
    pub fn len(&self) -> usize {
        self.class.len()
    }

    /// Whether the buffer holds no participant.
    pub fn is_empty(&self) -> bool {
        self.class.is_empty()
    }

    /// Periods per participant.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Index of participant `i`'s observation in period `j`.
    #[inline]
    pub fn cell(&self, i: usize, j: usize) -> usize {
        i * self.periods + j
    }

    /// The observed periods of participant `i` (those completed), as cell indices.
    #[inline]
    pub fn observed_cells(&self, i: usize) -> std::ops::Range<usize> {
        let start = i * self.periods;
        start..start + self.periods_completed[i] as usize
    }

    /// The first observed period in which participant `i` received `c`, as a cell index.
    #[inline]
    pub fn first_cell_of(&self, i: usize, c: Condition) -> Option<usize> {
        self.observed_cells(i)
            .find(|&cell| self.condition[cell] == c)
    }
}
