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
    scratch.clear();
    scratch.extend(
        differences
            .iter()
            .filter(|d| **d != 0.0)
            .map(|&d| (d.abs(), d > 0.0)),
    );
    let zeros = scratch.len() < differences.len();
    let n = scratch.len();
    if differences.is_empty() {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
    }
    if n == 0 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::AllDifferencesZero);
    }
    // Average ranks of tied groups; V and the tie term sum(t^3 - t). Each group adds
    // rank x positives and t^3 - t, exact in f64 (half-integers and integers far below 2^53),
    // so neither the order of the groups' additions nor the order within a group matters.
    let mut v = 0.0f64;
    let mut tie_term = 0.0f64;
    if n <= SMALL && scratch.iter().all(|x| !x.0.is_nan()) {
        // The common case: sort integer keys, |d|'s bits (non-negative, so ordered as the
        // values) with the sign in the low bit; the standard library sorts small arrays of
        // integers without branching on the data. Equal |d| are equal keys after `>> 1`.
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
