//! The later days of a time course: the within-participant differences on one day after the
//! primary day, on the participants with both conditions' scores that day, for the paired t
//! the primary day was analysed with.

use crate::design::Condition;
use crate::model::Cohort;

/// Fills `out` with `change under test - change under reference` on later day `day` (0-based
/// after the primary day) for the first `n` participants who received both conditions (their
/// first administration of each) and have both scores that day; with `responders_only`, only
/// those who responded to the reference on the primary day (the paper's responder population,
/// selected once, on the primary day).
pub fn day_differences(
    cohort: &Cohort,
    n: usize,
    day: usize,
    (test, reference): (Condition, Condition),
    responders_only: bool,
    out: &mut Vec<f64>,
) {
    out.clear();
    for i in 0..n {
        let (Some(t), Some(r)) = (
            cohort.first_cell_of(i, test),
            cohort.first_cell_of(i, reference),
        ) else {
            continue;
        };
        if responders_only && !cohort.responded[r] {
            continue;
        }
        let d = cohort.day_change_of(t, day) - cohort.day_change_of(r, day);
        // A missing score is NaN, and so is any difference it enters.
        if !d.is_nan() {
            out.push(d);
        }
    }
}

/// The condition-by-time F of the paper's repeated-measures ANOVA on two conditions and two
/// days (R's `aov(y ~ cond * time + Error(id / (cond * time)))`), from each participant's
/// scores `[reference day 0, reference day 1, test day 0, test day 1]`: the interaction
/// stratum's sum of squares over its residual mean square, on 1 and n - 1 df. Its interaction
/// contrast per participant is the difference of the two changes, so F is the square of the
/// paired t on the changes; returns (F, 1, n - 1), or None with fewer than 2 participants or
/// no residual variation.
pub fn condition_by_time_f(scores: &[[f64; 4]]) -> Option<(f64, usize, usize)> {
    let n = scores.len();
    if n < 2 {
        return None;
    }
    // Each participant's interaction contrast, scaled by 1/2 so that its square sums to the
    // stratum's sum of squares (the 2 x 2 cell effects have squared norm c^2 / 4 per cell
    // times 4 cells divided by 4).
    let contrast = |y: &[f64; 4]| ((y[3] - y[2]) - (y[1] - y[0])) / 2.0;
    let mean = scores.iter().map(contrast).sum::<f64>() / n as f64;
    let interaction = n as f64 * mean * mean;
    let residual: f64 = scores.iter().map(|y| (contrast(y) - mean).powi(2)).sum();
    if residual <= 0.0 {
        return None;
    }
    Some((interaction / (residual / (n - 1) as f64), 1, n - 1))
}

#[cfg(test)]
mod tests {
    use super::condition_by_time_f;
    use crate::analysis::paired_t::paired_t;

    /// R 4.2: x <- rbind(c(27,5,28,22), c(24,20,26,21), c(30,8,29,25), c(22,19,25,20),
    /// c(31,10,30,27), c(26,23,27,24)); d <- data.frame(id = factor(rep(1:6, 4)),
    /// cond = factor(rep(c("R","R","T","T"), each = 6)), time = factor(rep(c(0,1,0,1), each = 6)),
    /// y = c(x)); summary(aov(y ~ cond * time + Error(id / (cond * time)), data = d)):
    /// cond:time Sum Sq 100.041666667 on 1 df, Residuals 127.208333333 on 5 df, F 3.9322
    /// (100.0416666667 / 25.4416666667 = 3.93219783...); t.test(changes)$statistic^2 =
    /// 3.9321978382.
    #[test]
    fn condition_by_time_f_is_the_squared_paired_t_as_aov() {
        let scores = [
            [27.0, 5.0, 28.0, 22.0],
            [24.0, 20.0, 26.0, 21.0],
            [30.0, 8.0, 29.0, 25.0],
            [22.0, 19.0, 25.0, 20.0],
            [31.0, 10.0, 30.0, 27.0],
            [26.0, 23.0, 27.0, 24.0],
        ];
        let (f, df1, df2) = condition_by_time_f(&scores).unwrap();
        assert!((f - 100.0416666667 / 25.4416666667).abs() < 1e-9, "{f}");
        assert!((f - 3.9321978382).abs() < 1e-9, "{f}");
        assert_eq!((df1, df2), (1, 5));
        let changes: Vec<f64> = scores
            .iter()
            .map(|y| (y[3] - y[2]) - (y[1] - y[0]))
            .collect();
        let t = paired_t(&changes).result().unwrap().statistic;
        assert!((t * t - f).abs() < 1e-9 * f);
    }
}
