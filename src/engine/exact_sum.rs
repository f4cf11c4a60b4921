//! An order-independent sum of floating-point values.
//!
//! Each value is rounded once to a multiple of 2^-32 and added as an `i128`. Integer addition
//! is associative, so the total is bit-identical however replicates are split across threads,
//! blocks or shards, which plain `f64` sums are not. The rounding (2.3e-10 per value) is far
//! below any Monte Carlo error. Magnitudes are bounded by validation (means and SDs up to 1e6),
//! which keeps 10^10 squared values within the i128 range; additions saturate rather than wrap.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const SCALE: f64 = 4_294_967_296.0; // 2^32

/// A sum of f64 values held exactly in fixed point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSum(i128);

impl ExactSum {
    /// Adds one value (non-finite values are ignored; callers never pass them).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let scaled = x * SCALE;
        if scaled.abs() < 2_251_799_813_685_248.0 {
            // |scaled| < 2^51: round on the FPU (ties to even) and convert through i64, avoiding
            // the libm round and the slow f64 -> i128 conversion of the general path.
            let rounded = crate::model::round_to_integer(scaled);
            self.0 = self.0.saturating_add(i128::from(rounded as i64));
        } else if scaled.is_finite() {
            self.0 = self.0.saturating_add(scaled.round() as i128);
        }
    }

    /// Adds another sum.
    #[inline]
    pub fn merge(&mut self, other: ExactSum) {
        self.0 = self.0.saturating_add(other.0);
    }

    /// The sum as f64.
    pub fn value(self) -> f64 {
        self.0 as f64 / SCALE
    }
}

impl Serialize for ExactSum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<i128>()
            .map(ExactSum)
            .map_err(|_| serde::de::Error::custom(format!("not an exact sum: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_does_not_matter() {
        let values = [1e-3, 123.456, -7.25, 1e5, 0.1, -0.3, 2.0f64.sqrt()];
        let mut forward = ExactSum::default();
        values.iter().for_each(|&v| forward.add(v));
        let mut split = [ExactSum::default(), ExactSum::default()];
        for (i, &v) in values.iter().rev().enumerate() {
            split[i % 2].add(v);
        }
        let mut merged = split[1];
        merged.merge(split[0]);
        assert_eq!(forward, merged);
        let plain: f64 = values.iter().sum();
        assert!((forward.value() - plain).abs() < 1e-8);
    }
}
