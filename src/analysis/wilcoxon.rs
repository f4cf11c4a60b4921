//! Wilcoxon signed-rank test on the paired differences with the conventions of R's
//! `wilcox.test(d)` (R 4.x `wilcox.test.default`): zero differences are dropped; the exact null
//! distribution is used when n < 50 and there are neither ties nor zeros; otherwise the normal
//! approximation with the tie correction of the variance and a continuity correction of 0.5.

use super::{
    is_zero_variance, mean_and_variance, AnalysisOutcome, AnalysisSpec, Estimand, Estimate,
    LookData, Needs, NotAnalyzable, Scope, TestStatistic,
};

/// Largest n for the exact signed-rank distribution (R's `wilcox.test` uses it when n < 50).
pub const WILCOXON_EXACT_MAX_N: usize = 49;

/// `wilcoxon_paired`: the signed-rank test on the paired differences.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "wilcoxon_paired",
    title: "Wilcoxon signed-rank test on the paired differences",
    needs: Needs {
        differences: true,
        ..Needs::NONE
    },
    scope: Scope::PairedContrast,
    needs_response: false,
    t_based: false,
    diagnostic: false,
    estimand: Estimand::ContrastEffect,
    estimate: |data: &mut LookData| signed_rank(&data.differences, &mut data.rank_scratch),
};

/// Differences up to this many are ranked in a stack buffer of integer keys.
const SMALL: usize = 64;

/// Signed-rank test. `statistic` is V (sum of ranks of positive differences, as R reports it);
/// `df` is the number of non-zero differences; the estimate, SE and effect size are those of the
/// mean difference (mean(D), sd(D)/sqrt(n), d_z) over all differences, zeros included.
pub fn signed_rank(differences: &[f64], scratch: &mut Vec<(f64, bool)>) -> AnalysisOutcome {
    if differences.is_empty() {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
    }
    // V and the tie term sum(t^3 - t): each group of tied |d| adds its average rank x its
    // positives and t^3 - t, exact in f64 (half-integers and integers far below 2^53), so
    // neither the order of the groups' additions nor the order within a group matters, and
    // the three ways of forming the groups below give identical sums.
    let (n, zeros, v, tie_term) = match ranks_by_counting(differences) {
        Some(counted) => counted,
        None => ranks_by_sorting(differences, scratch),
    };
    if n == 0 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::AllDifferencesZero);
    }
    let ties = tie_term > 0.0;
    let nf = n as f64;
    let centre = nf * (nf + 1.0) / 4.0;
    let test = if n <= WILCOXON_EXACT_MAX_N && !ties && !zeros {
        TestStatistic::SignedRankExact { v, n }
    } else {
        let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0).sqrt();
        TestStatistic::SignedRankNormal {
            deviation: v - centre,
            sigma,
        }
    };
    let (mean, variance) = mean_and_variance(differences);
    let count = differences.len() as f64;
    let sd = variance.sqrt();
    // Same zero-variance rule as the paired t: equal differences leave a rounding residue in
    // the variance that must not become an effect size of 1e16.
    let (standard_error, effect_size) = if !is_zero_variance(variance, mean) {
        (sd / count.sqrt(), mean / sd)
    } else {
        (0.0, 0.0)
    };
    AnalysisOutcome::Analyzed(Estimate {
        estimate: mean,
        standard_error,
        statistic: v,
        df: nf,
        effect_size,
        n: differences.len(),
        test,
    })
}

/// Integer |d| below this are ranked by counting (scores on an integer scale give integer
/// differences, e.g. HAM-D changes between -52 and 52).
const COUNTED_MAX: usize = 128;

/// Ranks by a counting sort when every |d| is an integer below [`COUNTED_MAX`]: one bucket per
/// value, walked upwards, so no comparison sort. Returns (non-zero count, any zeros, V, tie
/// term), or `None` for other data (fractional, NaN, large, or more than 65,535 differences).
fn ranks_by_counting(differences: &[f64]) -> Option<(usize, bool, f64, f64)> {
    if differences.len() > usize::from(u16::MAX) {
        return None;
    }
    let mut largest = 0usize;
    for &d in differences {
        let a = d.abs();
        let bucket = a as usize; // saturating: NaN gives 0, which then fails the test below
        if bucket >= COUNTED_MAX || bucket as f64 != a {
            return None;
        }
        largest = largest.max(bucket);
    }
    let mut total = [0u16; COUNTED_MAX];
    let mut positive = [0u16; COUNTED_MAX];
    for &d in differences {
        let bucket = d.abs() as usize;
        total[bucket] += 1;
        positive[bucket] += u16::from(d > 0.0);
    }
    let zero_count = usize::from(total[0]);
    let mut below = 0usize;
    let (mut v, mut tie_term) = (0.0f64, 0.0f64);
    for (&t, &positives) in total[1..=largest].iter().zip(&positive[1..=largest]) {
        let t = usize::from(t);
        // the group's ranks are below + 1 ..= below + t; an empty group adds 0 to each sum
        let rank = (2 * below + t + 1) as f64 / 2.0;
        v += rank * f64::from(positives);
        let tf = t as f64;
        tie_term += tf * tf * tf - tf;
        below += t;
    }
    Some((differences.len() - zero_count, zero_count > 0, v, tie_term))
}

/// Ranks by sorting: the non-zero |d| with their signs, tied groups by equality.
fn ranks_by_sorting(
    differences: &[f64],
    scratch: &mut Vec<(f64, bool)>,
) -> (usize, bool, f64, f64) {
    scratch.clear();
    scratch.extend(
        differences
            .iter()
            .filter(|d| **d != 0.0)
            .map(|&d| (d.abs(), d > 0.0)),
    );
    let zeros = scratch.len() < differences.len();
    let n = scratch.len();
    let mut v = 0.0f64;
    let mut tie_term = 0.0f64;
    if n <= SMALL && scratch.iter().all(|x| !x.0.is_nan()) {
        // Sort integer keys, |d|'s bits (non-negative, so ordered as the values) with the sign
        // in the low bit; the standard library sorts small arrays of integers without
        // branching on the data. Equal |d| are equal keys after `>> 1`.
        let mut keys = [0u64; SMALL];
        let keys = &mut keys[..n];
        for (key, &(a, positive)) in keys.iter_mut().zip(scratch.iter()) {
            *key = (a.to_bits() << 1) | u64::from(positive);
        }
        keys.sort_unstable();
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            let mut positives = keys[i] & 1;
            while j < n && keys[j] >> 1 == keys[i] >> 1 {
                positives += keys[j] & 1;
                j += 1;
            }
            let t = (j - i) as f64;
            let rank = (i + 1 + j) as f64 / 2.0;
            v += rank * positives as f64;
            if j - i > 1 {
                tie_term += t * t * t - t;
            }
            i = j;
        }
    } else {
        scratch.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && scratch[j].0 == scratch[i].0 {
                j += 1;
            }
            let t = (j - i) as f64;
            let rank = (i + 1 + j) as f64 / 2.0;
            let positives = scratch[i..j].iter().filter(|x| x.1).count();
            v += rank * positives as f64;
            if j - i > 1 {
                tie_term += t * t * t - t;
            }
            i = j;
        }
    }
    (n, zeros, v, tie_term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_and_sorting_form_the_same_sums() {
        // Random integer differences with many ties and zeros (|d| <= 20) and a few large
        // ones: both rankings give bit-identical (n, zeros, V, tie term).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut scratch = Vec::new();
        for trial in 0..2000 {
            let len = 1 + (next() % 70) as usize;
            let spread = if trial % 3 == 0 { 5 } else { 41 };
            let d: Vec<f64> = (0..len)
                .map(|_| (next() % spread) as f64 - (spread / 2) as f64)
                .collect();
            let counted = ranks_by_counting(&d).expect("integer |d| < 128");
            assert_eq!(counted, ranks_by_sorting(&d, &mut scratch), "{d:?}");
        }
        // Not integer, too large, NaN: left to the sort.
        assert_eq!(ranks_by_counting(&[1.0, 2.5]), None);
        assert_eq!(ranks_by_counting(&[1.0, -128.0]), None);
        assert_eq!(ranks_by_counting(&[1.0, f64::NAN]), None);
        assert_eq!(
            ranks_by_counting(&[0.0, -0.0, 3.0]),
            Some((1, true, 1.0, 0.0))
        );
    }
}
