//! The analyses' estimates decided at the levels where R's p-values put them: each case is a
//! fixed small data set whose R 4.2.2 p-value is given, rejected just above that level and not
//! just below it. They live here, above `analysis`, because deciding is this layer's job.

mod welch {
    use crate::analysis::welch::*;
    use crate::analysis::{AnalysisOutcome, NotAnalyzable};
    use crate::inference::{CriticalValues, TwoSidedDecision};

    #[test]
    fn matches_r_welch_t_test() {
        // R 4.2.2: tt <- c(-5, -9, 1, -12, -3, -6); rr <- c(-22, -14, -25, -18, -30)
        //   t.test(tt, rr): t = 4.845818475, df = 7.242155856, p-value = 0.001695000425
        //   mean of x - mean of y = -5.666667 - (-21.8) = 16.13333
        let tt = [-5.0, -9.0, 1.0, -12.0, -3.0, -6.0];
        let rr = [-22.0, -14.0, -25.0, -18.0, -30.0];
        let r = *welch(&tt, &rr).result().unwrap();
        assert!((r.estimate - 16.133333).abs() < 1e-5);
        assert!((r.statistic - 4.845818475).abs() < 1e-8, "{}", r.statistic);
        assert!((r.df - 7.242155856).abs() < 1e-8, "{}", r.df);
        assert!(r.rejects_two_sided(&CriticalValues::new(0.05, 20)));
        // p = 0.001695: rejected at 0.0017, not at 0.0016 (the fractional-df path decides)
        assert!(r.rejects_two_sided(&CriticalValues::new(0.0017, 20)));
        assert!(!r.rejects_two_sided(&CriticalValues::new(0.0016, 20)));
    }

    #[test]
    fn one_constant_group_is_still_analyzable() {
        let r = welch(&[1.0, 2.0, 3.0], &[0.0, 0.0]);
        let r = r.result().unwrap();
        assert!(r.df.is_finite() && (r.df - 2.0).abs() < 1e-12);
        assert!(matches!(
            welch(&[1.0, 1.0], &[1.0, 1.0]),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance)
        ));
    }
}

mod mcnemar {
    use crate::analysis::mcnemar::*;
    use crate::analysis::{AnalysisOutcome, NotAnalyzable};
    use crate::inference::{CriticalValues, TwoSidedDecision};

    #[test]
    fn matches_r_binom_test() {
        // R 4.2.2: binom.test(1, 9): p-value = 0.03906 (two-sided) -> rejected at 0.05
        //          binom.test(2, 9): p-value = 0.1797 -> not rejected
        //          binom.test(0, 5): p-value = 0.0625 -> not rejected
        let cv = CriticalValues::new(0.05, 30);
        assert!(mcnemar(8, 1, 12).rejects_two_sided(&cv));
        assert!(mcnemar(1, 8, 12).rejects_two_sided(&cv));
        assert!(!mcnemar(7, 2, 12).rejects_two_sided(&cv));
        assert!(!mcnemar(5, 0, 12).rejects_two_sided(&cv));
        assert!(mcnemar(8, 1, 12).rejects_two_sided(&CriticalValues::new(0.0391, 30)));
        assert!(!mcnemar(8, 1, 12).rejects_two_sided(&CriticalValues::new(0.0390, 30)));
        let r = *mcnemar(7, 0, 12).result().unwrap();
        assert!((r.estimate - (-7.0 / 12.0)).abs() < 1e-12);
    }

    #[test]
    fn no_discordant_pairs_is_not_analyzable() {
        assert_eq!(
            mcnemar(0, 0, 12),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::NoDiscordantPairs)
        );
    }
}

mod wilcoxon {
    use crate::analysis::wilcoxon::*;
    use crate::analysis::{AnalysisOutcome, NotAnalyzable};
    use crate::inference::{CriticalValues, TwoSidedDecision};

    struct Run {
        statistic: f64,
        df: f64,
        reject: bool,
    }

    fn run(d: &[f64], level: f64) -> Run {
        let mut scratch = Vec::new();
        let r = *signed_rank(d, &mut scratch).result().unwrap();
        Run {
            statistic: r.statistic,
            df: r.df,
            reject: r.rejects_two_sided(&CriticalValues::new(level, 60)),
        }
    }

    #[test]
    fn exact_case_matches_r() {
        // R 4.2.2: d <- c(1.5, -0.3, 2.2, 3.1, 0.8, 4.4, -1.1, 2.9, 3.7, 1.9)
        //   wilcox.test(d): V = 51, p-value = 0.013671875 (exact: no ties, no zeros, n < 50)
        let d = [1.5, -0.3, 2.2, 3.1, 0.8, 4.4, -1.1, 2.9, 3.7, 1.9];
        let r = run(&d, 0.05);
        assert_eq!(r.statistic, 51.0);
        assert!(r.reject);
        assert!(run(&d, 0.0137).reject);
        assert!(!run(&d, 0.0136).reject);
    }

    #[test]
    fn ties_and_zeros_use_the_corrected_normal_approximation_like_r() {
        // R 4.2.2: d <- c(2, 2, -1, 3, 0, 4, 2, -1, 5, 3, 0, 1)
        //   wilcox.test(d): V = 51, p-value = 0.01836383216 (normal approximation with ties/zeroes)
        let d = [2.0, 2.0, -1.0, 3.0, 0.0, 4.0, 2.0, -1.0, 5.0, 3.0, 0.0, 1.0];
        let r = run(&d, 0.05);
        assert_eq!(r.statistic, 51.0);
        assert_eq!(r.df, 10.0);
        assert!(r.reject);
        assert!(run(&d, 0.0184).reject);
        assert!(!run(&d, 0.0183).reject);
    }

    #[test]
    fn integer_differences_match_r_on_both_sides_of_the_counting_limit() {
        // Integer |d| below 128 are ranked by counting, others by sorting. R 4.2.2:
        //   wilcox.test(c(-3, 7, 12, 5, 1, 9, -2, 15, 4, 11, 127, -126)):
        //     V = 62, p-value = 0.0771484375 (exact)
        //   wilcox.test(c(-3, 7, 12, 5, 1, 9, -2, 15, 4, 11, 0, 7, -7, 128)):
        //     V = 79, p-value = 0.0209409336737 (normal approximation: ties and a zero)
        let counted = [
            -3.0, 7.0, 12.0, 5.0, 1.0, 9.0, -2.0, 15.0, 4.0, 11.0, 127.0, -126.0,
        ];
        let r = run(&counted, 0.05);
        assert_eq!((r.statistic, r.df), (62.0, 12.0));
        assert!(run(&counted, 0.078).reject);
        assert!(!run(&counted, 0.077).reject);
        let sorted = [
            -3.0, 7.0, 12.0, 5.0, 1.0, 9.0, -2.0, 15.0, 4.0, 11.0, 0.0, 7.0, -7.0, 128.0,
        ];
        let r = run(&sorted, 0.05);
        assert_eq!((r.statistic, r.df), (79.0, 13.0));
        assert!(run(&sorted, 0.0210).reject);
        assert!(!run(&sorted, 0.0209).reject);
    }

    #[test]
    fn all_zero_differences_are_not_analyzable() {
        let mut scratch = Vec::new();
        assert_eq!(
            signed_rank(&[0.0, 0.0], &mut scratch),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::AllDifferencesZero)
        );
    }
}

mod two_sample {
    use crate::analysis::two_sample::*;
    use crate::analysis::{AnalysisOutcome, NotAnalyzable};
    use crate::inference::{CriticalValues, TwoSidedDecision};

    #[test]
    fn matches_r_pooled_t_test() {
        // R 4.2.2: a <- c(3.1, 4.5, 2.2, 5.0, 3.3); b <- c(6.0, 5.5, 7.2, 4.9)
        //   t.test(b, a, var.equal = TRUE): t = 3.1937122888, df = 7, p-value = 0.01519801579
        //   mean of b - mean of a = 5.9 - 3.62 = 2.28
        let a = [3.1, 4.5, 2.2, 5.0, 3.3];
        let b = [6.0, 5.5, 7.2, 4.9];
        let AnalysisOutcome::Analyzed(r) = pooled_t(&a, &b, 1.0) else {
            panic!()
        };
        assert!((r.estimate - 2.28).abs() < 1e-12);
        assert!((r.statistic - 3.1937122888).abs() < 1e-9, "{}", r.statistic);
        assert_eq!(r.df, 7.0);
        assert!(r.rejects_two_sided(&CriticalValues::new(0.05, 10)));
        assert!(!pooled_t(&a, &b, 1.0).rejects_two_sided(&CriticalValues::new(0.0151, 10)));
        assert!(pooled_t(&a, &b, 1.0).rejects_two_sided(&CriticalValues::new(0.0153, 10)));
    }

    #[test]
    fn needs_one_per_group_and_a_degree_of_freedom() {
        assert!(matches!(
            pooled_t(&[], &[1.0, 2.0], 1.0),
            AnalysisOutcome::NotAnalyzable(_)
        ));
        assert!(matches!(
            pooled_t(&[1.0], &[2.0], 1.0),
            AnalysisOutcome::NotAnalyzable(_)
        ));
        assert!(matches!(
            pooled_t(&[1.0, 1.0], &[2.0, 2.0], 1.0),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance)
        ));
    }
}

mod paired_t {
    use crate::analysis::paired_t::*;
    use crate::analysis::{AnalysisOutcome, NotAnalyzable};
    use crate::inference::{CriticalValues, Hypothesis};

    fn rejects(o: &AnalysisOutcome, cv: &CriticalValues) -> bool {
        Hypothesis::TwoSided.decide(o, cv).rejected()
    }

    #[test]
    fn matches_r_paired_t_test() {
        // R 4.2.2:
        //   x <- c(-22, -25, -18, -20, -24, -19, -28); y <- c(-4, -9, 2, -11, -6, -3, -8)
        //   t.test(y, x, paired = TRUE)
        //   t = 11.71954889, df = 6, p-value = 2.328454685e-05, mean difference 16.71428571
        //   sd(y - x) = 3.773340064; se = 1.426188489
        let reference = [-22.0, -25.0, -18.0, -20.0, -24.0, -19.0, -28.0];
        let test = [-4.0, -9.0, 2.0, -11.0, -6.0, -3.0, -8.0];
        let d: Vec<f64> = test.iter().zip(&reference).map(|(t, r)| t - r).collect();
        let cv = CriticalValues::new(0.05, 10);
        let outcome = paired_t(&d);
        let AnalysisOutcome::Analyzed(r) = outcome else {
            panic!("not analyzed")
        };
        assert!((r.estimate - 16.71428571).abs() < 1e-8);
        assert!((r.standard_error - 1.426188489).abs() < 1e-8);
        assert!((r.statistic - 11.71954889).abs() < 1e-7);
        assert_eq!(r.df, 6.0);
        assert!((r.effect_size - 16.71428571 / 3.773340064).abs() < 1e-8);
        assert!(rejects(&outcome, &cv));
        // p = 2.328e-05: not rejected at 2.3e-5, rejected at 2.4e-5
        assert!(!rejects(&outcome, &CriticalValues::new(2.3e-5, 10)));
        assert!(rejects(&outcome, &CriticalValues::new(2.4e-5, 10)));
    }

    #[test]
    fn degenerate_inputs_are_not_analyzable() {
        assert_eq!(
            paired_t(&[1.0]),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants)
        );
        assert_eq!(
            paired_t(&[2.0, 2.0, 2.0]),
            AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance)
        );
    }
}
