//! The structure of a crossover design: conditions, periods, sequences and contrasts, as small
//! indexed types. Nothing here knows about outcomes, dropout or analyses; every layer above
//! (config, model, analysis) reads the design's shape from here instead of assuming two of
//! anything.

mod presets;

pub use presets::{preset, preset_names, preset_sequences, williams_sequences, Preset, PRESETS};

use std::fmt;

/// The most conditions a design may have (sequences are written with the letters A-Z).
pub const MAX_CONDITIONS: usize = 26;
/// The most periods a sequence may have.
pub const MAX_PERIODS: usize = 16;
/// The most sequences a design may have.
pub const MAX_SEQUENCES: usize = 128;

/// Index of a condition (treatment): 0 is the first listed, `A` in sequence strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Condition(pub u8);

/// Index of a period: 0 is the first period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Period(pub u8);

/// Index of a sequence in the design's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SequenceId(pub u8);

impl Condition {
    /// As an array index.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The letter that stands for this condition in sequence strings.
    pub fn letter(self) -> char {
        (b'A' + self.0) as char
    }
}

impl Period {
    /// As an array index.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SequenceId {
    /// As an array index.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why a design cannot be built; the config layer adds the key and file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesignError {
    /// Fewer than two or more than [`MAX_CONDITIONS`] conditions, or a repeated or empty name.
    #[error("{0}")]
    Conditions(String),
    /// A sequence that is not a string over the condition letters of the common length.
    #[error("{0}")]
    Sequence(String),
}

/// One sequence: the condition given in each period, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    label: String,
    conditions: Vec<Condition>,
}

impl Sequence {
    /// The letters as written in the config ("ABBA").
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The condition given in each period.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// The condition given in `period`.
    #[inline]
    pub fn condition_in(&self, period: usize) -> Condition {
        self.conditions[period]
    }

    /// The first period in which `condition` is given, if any.
    pub fn first_period_of(&self, condition: Condition) -> Option<usize> {
        self.conditions.iter().position(|&c| c == condition)
    }
}

/// A validated crossover design: k conditions, p periods, and the sequences participants are
/// randomized to. Built only through [`Crossover::new`], so every instance is consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossover {
    conditions: Vec<String>,
    reference: Condition,
    sequences: Vec<Sequence>,
    periods: usize,
}

impl Crossover {
    /// Builds a design from condition names, the reference's index and sequence strings over the
    /// letters A, B, ... (A = the first condition). Sequences must share one length p >= 2 and
    /// may repeat a condition or leave one out; the same sequence may not be listed twice.
    pub fn new(
        conditions: &[String],
        reference: usize,
        sequences: &[String],
    ) -> Result<Crossover, DesignError> {
        let k = conditions.len();
        if !(2..=MAX_CONDITIONS).contains(&k) {
            return Err(DesignError::Conditions(format!(
                "needs from 2 to {MAX_CONDITIONS} conditions, got {k}"
            )));
        }
        for (i, name) in conditions.iter().enumerate() {
            if name.is_empty() {
                return Err(DesignError::Conditions(format!(
                    "condition {i} has an empty name"
                )));
            }
            if conditions[..i].contains(name) {
                return Err(DesignError::Conditions(format!(
                    "condition name {name:?} is listed twice"
                )));
            }
        }
        if reference >= k {
            return Err(DesignError::Conditions(format!(
                "the reference index {reference} is not one of the {k} conditions"
            )));
        }
        if sequences.is_empty() || sequences.len() > MAX_SEQUENCES {
            return Err(DesignError::Sequence(format!(
                "needs from 1 to {MAX_SEQUENCES} sequences, got {}",
                sequences.len()
            )));
        }
        let last_letter = (b'A' + (k - 1) as u8) as char;
        let periods = sequences[0].chars().count();
        let mut parsed: Vec<Sequence> = Vec::with_capacity(sequences.len());
        for (i, label) in sequences.iter().enumerate() {
            let mut conds = Vec::with_capacity(label.len());
            for ch in label.chars() {
                let c = ch.to_ascii_uppercase();
                if !c.is_ascii_uppercase() || (c as u8 - b'A') as usize >= k {
                    return Err(DesignError::Sequence(format!(
                        "sequence {i} ({label:?}) has the letter {ch:?}; with {k} conditions the letters are A-{last_letter}"
                    )));
                }
                conds.push(Condition(c as u8 - b'A'));
            }
            if !(2..=MAX_PERIODS).contains(&conds.len()) {
                return Err(DesignError::Sequence(format!(
                    "sequence {i} ({label:?}) has {} periods; a crossover needs from 2 to {MAX_PERIODS}",
                    conds.len()
                )));
            }
            if conds.len() != periods {
                return Err(DesignError::Sequence(format!(
                    "sequence {i} ({label:?}) has {} periods but sequence 0 ({:?}) has {periods}; all sequences need the same length",
                    conds.len(),
                    sequences[0]
                )));
            }
            if parsed.iter().any(|s| s.conditions == conds) {
                return Err(DesignError::Sequence(format!(
                    "sequence {i} ({label:?}) is listed twice"
                )));
            }
            parsed.push(Sequence {
                label: conds.iter().map(|c| c.letter()).collect(),
                conditions: conds,
            });
        }
        for (c, name) in conditions.iter().enumerate() {
            let condition = Condition(c as u8);
            if !parsed.iter().any(|s| s.conditions.contains(&condition)) {
                return Err(DesignError::Sequence(format!(
                    "no sequence gives condition {} ({name:?}); every condition must appear in some sequence",
                    condition.letter(),
                )));
            }
        }
        Ok(Crossover {
            conditions: conditions.to_vec(),
            reference: Condition(reference as u8),
            sequences: parsed,
            periods,
        })
    }

    /// Number of conditions k.
    #[inline]
    pub fn condition_count(&self) -> usize {
        self.conditions.len()
    }

    /// Number of periods p.
    #[inline]
    pub fn period_count(&self) -> usize {
        self.periods
    }

    /// Number of sequences.
    #[inline]
    pub fn sequence_count(&self) -> usize {
        self.sequences.len()
    }

    /// Condition names in index order.
    pub fn condition_names(&self) -> &[String] {
        &self.conditions
    }

    /// The name of `c`.
    pub fn condition_name(&self, c: Condition) -> &str {
        &self.conditions[c.index()]
    }

    /// The condition called `name`.
    pub fn condition_named(&self, name: &str) -> Option<Condition> {
        self.conditions
            .iter()
            .position(|n| n == name)
            .map(|i| Condition(i as u8))
    }

    /// Every condition, in index order.
    pub fn conditions(&self) -> impl Iterator<Item = Condition> + '_ {
        (0..self.conditions.len()).map(|i| Condition(i as u8))
    }

    /// The reference condition (the first unless the config names another).
    #[inline]
    pub fn reference(&self) -> Condition {
        self.reference
    }

    /// The sequences.
    pub fn sequences(&self) -> &[Sequence] {
        &self.sequences
    }

    /// The sequence `s`.
    #[inline]
    pub fn sequence(&self, s: SequenceId) -> &Sequence {
        &self.sequences[s.index()]
    }

    /// The sequences' labels ("AB", "BA").
    pub fn sequence_labels(&self) -> Vec<String> {
        self.sequences.iter().map(|s| s.label.clone()).collect()
    }

    /// Whether this is the two-condition, two-period design AB/BA in which the 2x2-only
    /// analyses (period-adjusted, first-period, carryover) are defined.
    pub fn is_two_by_two(&self) -> bool {
        self.condition_count() == 2
            && self.periods == 2
            && self.sequences.len() == 2
            && self
                .sequences
                .iter()
                .all(|s| s.conditions[0] != s.conditions[1])
    }

    /// Whether some sequence gives `c` in more than one period.
    pub fn repeats(&self, c: Condition) -> bool {
        self.sequences
            .iter()
            .any(|s| s.conditions.iter().filter(|&&x| x == c).count() > 1)
    }

    /// Whether some sequence gives both `a` and `b` (so a within-participant contrast exists).
    pub fn compares(&self, a: Condition, b: Condition) -> bool {
        self.sequences
            .iter()
            .any(|s| s.conditions.contains(&a) && s.conditions.contains(&b))
    }
}

/// A contrast: weights over the conditions summing to zero, e.g. `B - A`.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    name: String,
    weights: Vec<f64>,
}

impl Contrast {
    /// `test - reference`, named `"T - R"` with the conditions' names.
    pub fn difference(design: &Crossover, test: Condition, reference: Condition) -> Contrast {
        let mut weights = vec![0.0; design.condition_count()];
        weights[test.index()] = 1.0;
        weights[reference.index()] = -1.0;
        Contrast {
            name: format!(
                "{} - {}",
                design.condition_name(test),
                design.condition_name(reference)
            ),
            weights,
        }
    }

    /// A named contrast from explicit weights (validated to sum to zero by the caller).
    pub fn weighted(name: impl Into<String>, weights: Vec<f64>) -> Contrast {
        Contrast {
            name: name.into(),
            weights,
        }
    }

    /// The contrast's name as reports show it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The weight of each condition.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// When the contrast is `test - reference` of two conditions, those two.
    pub fn as_pair(&self) -> Option<(Condition, Condition)> {
        let nonzero: Vec<usize> = (0..self.weights.len())
            .filter(|&i| self.weights[i] != 0.0)
            .collect();
        match nonzero[..] {
            [a, b] if self.weights[a] == -self.weights[b] && self.weights[a].abs() == 1.0 => {
                if self.weights[a] > 0.0 {
                    Some((Condition(a as u8), Condition(b as u8)))
                } else {
                    Some((Condition(b as u8), Condition(a as u8)))
                }
            }
            _ => None,
        }
    }

    /// The contrast's value for per-condition means.
    pub fn apply(&self, means: &[f64]) -> f64 {
        self.weights.iter().zip(means).map(|(w, m)| w * m).sum()
    }
}

impl fmt::Display for Contrast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|i| format!("c{i}")).collect()
    }

    fn seqs(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn two_by_two_is_recognized() {
        let d = Crossover::new(&names(2), 0, &seqs(&["AB", "BA"])).unwrap();
        assert!(d.is_two_by_two());
        assert_eq!(d.period_count(), 2);
        let d = Crossover::new(&names(2), 0, &seqs(&["ABAB", "BABA"])).unwrap();
        assert!(!d.is_two_by_two());
        assert!(d.repeats(Condition(0)));
        let d = Crossover::new(&names(2), 0, &seqs(&["AB", "BA", "AA", "BB"])).unwrap();
        assert!(!d.is_two_by_two());
    }

    #[test]
    fn bad_sequences_are_rejected_with_the_reason() {
        let e = Crossover::new(&names(2), 0, &seqs(&["AB", "BC"])).unwrap_err();
        assert!(e.to_string().contains("letters are A-B"), "{e}");
        let e = Crossover::new(&names(3), 0, &seqs(&["ABC", "BA"])).unwrap_err();
        assert!(e.to_string().contains("same length"), "{e}");
        let e = Crossover::new(&names(2), 0, &seqs(&["AB", "AB"])).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        let e = Crossover::new(&names(2), 0, &seqs(&["A", "B"])).unwrap_err();
        assert!(e.to_string().contains("from 2"), "{e}");
        assert!(Crossover::new(&names(1), 0, &seqs(&["AA"])).is_err());
        assert!(Crossover::new(&names(2), 2, &seqs(&["AB", "BA"])).is_err());
    }

    #[test]
    fn contrasts_know_their_pair() {
        let d = Crossover::new(&names(3), 0, &seqs(&["ABC", "BCA", "CAB"])).unwrap();
        let c = Contrast::difference(&d, Condition(2), Condition(0));
        assert_eq!(c.name(), "c2 - c0");
        assert_eq!(c.as_pair(), Some((Condition(2), Condition(0))));
        assert_eq!(c.apply(&[1.0, 5.0, 4.0]), 3.0);
        let i = Contrast::weighted("i", vec![1.0, -1.0, 0.5]);
        assert_eq!(i.as_pair(), None);
    }
}
