//! The reusable buffer holding one simulated trial's participants, in enrollment order.

/// How far a participant got through the two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Completion {
    /// Withdrawn before the first period: no data.
    #[default]
    Withdrawn,
    /// Discontinued after period 1: period-1 data only.
    FirstPeriodOnly,
    /// Completed both periods.
    Completed,
}

/// One participant's simulated data. Arrays indexed `[period]` follow the order in which the
/// conditions were given; arrays indexed `[condition]` use 0 = reference, 1 = test.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Participant {
    /// Latent class index.
    pub class: u16,
    /// Sequence index into `TrialDesign::sequences`.
    pub sequence: u8,
    /// How many periods were completed.
    pub completion: Completion,
    /// Condition given in each period.
    pub condition_in_period: [u8; 2],
    /// Pre-treatment score of each period (0 when no baseline is modelled).
    pub period_baseline: [f64; 2],
    /// Analysed change (day-1 score minus the period baseline) in each period.
    pub change_in_period: [f64; 2],
    /// Analysed change under each condition (valid for the periods actually completed).
    pub change: [f64; 2],
    /// Response under each condition.
    pub responded: [bool; 2],
    /// Remission under each condition.
    pub remitted: [bool; 2],
    /// Adverse event under each condition.
    pub adverse_event: [bool; 2],
}

impl Participant {
    /// Whether the participant received `condition`.
    pub fn treated_with(&self, condition: usize) -> bool {
        match self.completion {
            Completion::Withdrawn => false,
            Completion::FirstPeriodOnly => self.condition_in_period[0] as usize == condition,
            Completion::Completed => true,
        }
    }

    /// Whether both periods were completed.
    pub fn completed(&self) -> bool {
        self.completion == Completion::Completed
    }
}

/// A whole simulated trial at its planned enrollment; looks analyse prefixes of it.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    /// Participants in enrollment order.
    pub participants: Vec<Participant>,
}

impl Cohort {
    /// A cohort buffer for `enrolled` participants.
    pub fn with_capacity(enrolled: usize) -> Cohort {
        Cohort {
            participants: vec![Participant::default(); enrolled],
        }
    }
}
