//! Exact McNemar test on paired response status among completers: the two-sided binomial test
//! of the discordant pairs against 1/2 (R's `binom.test(b, b + c)`, whose two-sided p-value is
//! min(1, 2 P(X <= min(b, c))) at p = 1/2). No discordant pair: not analyzable.

use super::{
    AnalysisOutcome, AnalysisSpec, Estimand, Estimate, LookData, Needs, NotAnalyzable, Scope,
    TestStatistic,
};

/// `responder_mcnemar`: exact McNemar on paired response status.
pub static SPEC: AnalysisSpec = AnalysisSpec {
    name: "responder_mcnemar",
    title: "exact McNemar test on paired response status",
    needs: Needs {
        differences: true,
        ..Needs::NONE
    },
    scope: Scope::PairedContrast,
    needs_response: true,
    t_based: false,
    diagnostic: false,
    estimand: Estimand::NoClosedForm,
    estimate: |data: &mut LookData| {
        mcnemar(
            data.response_discordant.reference_only,
            data.response_discordant.test_only,
            data.completers(),
        )
    },
};

/// `reference_only` (b) responded under R only, `test_only` (c) under T only, among
/// `completers` pairs. Estimate (c - b) / completers, the difference in response proportions
/// T - R, with the SE of a mean of the paired differences in response indicators; statistic c;
/// df the number of discordant pairs b + c. No completer: too few participants.
pub fn mcnemar(reference_only: usize, test_only: usize, completers: usize) -> AnalysisOutcome {
    let discordant = reference_only + test_only;
    if completers == 0 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants);
    }
    if discordant == 0 {
        return AnalysisOutcome::NotAnalyzable(NotAnalyzable::NoDiscordantPairs);
    }
    let n = completers as f64;
    let estimate = (test_only as f64 - reference_only as f64) / n;
    // Per-pair differences in {-1, 0, 1}: sum of squares = discordant.
    let ss = discordant as f64 - n * estimate * estimate;
    let (standard_error, effect_size) = if completers > 1 && ss > 0.0 {
        let sd = (ss / (n - 1.0)).sqrt();
        (sd / n.sqrt(), estimate / sd)
    } else {
        (0.0, 0.0)
    };
    AnalysisOutcome::Analyzed(Estimate {
        estimate,
        standard_error,
        statistic: test_only as f64,
        df: discordant as f64,
        effect_size,
        n: completers,
        test: TestStatistic::DiscordantPairs {
            reference_only,
            test_only,
        },
    })
}
