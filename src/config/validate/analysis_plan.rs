//! `[analysis]`: the analyses, their level and the hypothesis they test.

use super::*;

/// The smallest significance level accepted.
pub(super) const MIN_ALPHA: f64 = 1e-9;

/// `[analysis]` as a validated plan. The analyses and levels are checked before the
/// hypothesis, so a config wrong in both is told about its analyses first.
pub(super) fn analysis(
    a: &AnalysisSection,
    has_baseline: bool,
    crossover: &Crossover,
    endpoint: Endpoint,
) -> Result<AnalysisPlan> {
    // Below 1e-9 the critical values run beyond what the t and normal quantiles resolve in
    // double precision; no trial plans at such a level.
    for (key, level) in [
        ("analysis.alpha", a.alpha),
        ("analysis.carryover_alpha", a.carryover_alpha),
    ] {
        if !(level.is_finite() && (MIN_ALPHA..1.0).contains(&level)) {
            return Err(invalid(key, level, "must be in [1e-9, 1)"));
        }
    }
    let mut secondary: Vec<AnalysisName> = Vec::new();
    for (i, &s) in a.secondary.iter().enumerate() {
        if s == a.primary {
            return Err(invalid(
                format!("analysis.secondary[{i}]"),
                s.as_str(),
                "is already the primary analysis; list it only once",
            ));
        }
        if secondary.contains(&s) {
            return Err(invalid(
                format!("analysis.secondary[{i}]"),
                s.as_str(),
                "is listed twice",
            ));
        }
        secondary.push(s);
    }
    let all: Vec<AnalysisName> = std::iter::once(a.primary)
        .chain(secondary.iter().copied())
        .collect();
    if !has_baseline {
        if let Some(&n) = all.iter().find(|n| n.needs_response()) {
            return Err(invalid(
                if n == a.primary {
                    "analysis.primary"
                } else {
                    "analysis.secondary"
                },
                n.as_str(),
                "needs response status, which needs baseline scores: add population.baseline",
            ));
        }
    }
    for (i, &n) in all.iter().enumerate() {
        if let Err(why) = crate::analysis::applies_to(n, crossover) {
            let key = if i == 0 {
                "analysis.primary".to_string()
            } else {
                format!(
                    "analysis.secondary[{}]",
                    a.secondary.iter().position(|&s| s == n).unwrap_or(0)
                )
            };
            return Err(invalid(key, n.as_str(), why));
        }
    }
    Ok(AnalysisPlan {
        primary: a.primary,
        secondary,
        alpha: a.alpha,
        carryover_alpha: a.carryover_alpha,
        hypothesis: hypothesis(a, endpoint)?,
        multiplicity: a.multiplicity.unwrap_or_default(),
    })
}

/// `analysis.hypothesis` and its parameters, margins converted to the analysis scale.
fn hypothesis(a: &AnalysisSection, endpoint: Endpoint) -> Result<Hypothesis> {
    let ratio = endpoint.is_ratio();
    let null = if ratio { "1" } else { "0" };
    let kind = a.hypothesis.as_str();
    let unused = |key: &str, given: bool| -> Result<()> {
        if given {
            Err(invalid(
                format!("analysis.{key}"),
                "(given)",
                format!("does not apply to analysis.hypothesis = {kind:?}"),
            ))
        } else {
            Ok(())
        }
    };
    let better = || -> Result<Better> {
        match a.better {
            Some(better) => Ok(better),
            None => Err(invalid(
                "analysis.better",
                "(missing)",
                format!("analysis.hypothesis = {kind:?} needs the good direction of the contrast: \"higher\" or \"lower\""),
            )),
        }
    };
    // A margin as given, on the analysis scale.
    let scale = |key: &str, m: f64| -> Result<f64> {
        if ratio {
            if m.is_finite() && m > 0.0 {
                Ok(m.ln())
            } else {
                Err(invalid(
                    key,
                    m,
                    "must be a ratio > 0 (the endpoint is log-normal)",
                ))
            }
        } else {
            finite(key, m)
        }
    };
    let h = match a.hypothesis {
        HypothesisKind::TwoSided => {
            unused("better", a.better.is_some())?;
            unused("margin", a.margin.is_some())?;
            unused("margins", a.margins.is_some())?;
            Hypothesis::TwoSided
        }
        HypothesisKind::Superiority => {
            unused("margin", a.margin.is_some())?;
            unused("margins", a.margins.is_some())?;
            Hypothesis::Superiority { better: better()? }
        }
        HypothesisKind::NonInferiority => {
            unused("margins", a.margins.is_some())?;
            let better = better()?;
            let Some(given) = a.margin else {
                return Err(invalid(
                    "analysis.margin",
                    "(missing)",
                    format!(
                        "analysis.hypothesis = \"non_inferiority\" needs a margin (e.g. {})",
                        if ratio { "0.80" } else { "-2" }
                    ),
                ));
            };
            let margin = scale("analysis.margin", given)?;
            let bad_side = match better {
                Better::Higher => margin < 0.0,
                Better::Lower => margin > 0.0,
            };
            if !bad_side {
                return Err(invalid(
                    "analysis.margin",
                    given,
                    format!(
                        "with better = {:?} the margin must lie {} {null} (how much worse the test condition may be)",
                        better.as_str(),
                        if better == Better::Higher { "below" } else { "above" }
                    ),
                ));
            }
            Hypothesis::NonInferiority { margin, better }
        }
        HypothesisKind::Equivalence => {
            unused("better", a.better.is_some())?;
            unused("margin", a.margin.is_some())?;
            let given = match &a.margins {
                Some(m) if m.len() == 2 => m.clone(),
                Some(m) => {
                    return Err(invalid(
                        "analysis.margins",
                        format!("{m:?}"),
                        "must be two numbers [lower, upper]",
                    ))
                }
                None => {
                    return Err(invalid(
                        "analysis.margins",
                        "(missing)",
                        format!("analysis.hypothesis = \"equivalence\" needs margins [lower, upper] (e.g. {})", if ratio { "[0.80, 1.25]" } else { "[-2, 2]" }),
                    ))
                }
            };
            let lower = scale("analysis.margins[0]", given[0])?;
            let upper = scale("analysis.margins[1]", given[1])?;
            if lower >= upper {
                return Err(invalid(
                    "analysis.margins",
                    format!("{given:?}"),
                    "the lower margin must be below the upper one",
                ));
            }
            Hypothesis::Equivalence { lower, upper }
        }
    };
    if h.has_margins() && !a.primary.spec().t_based {
        return Err(invalid(
            "analysis.primary",
            format!("{:?}", a.primary.as_str()),
            format!("analysis.hypothesis = {kind:?} needs an estimate with a standard error: choose a t-based primary analysis (completers_paired, period_adjusted, first_period, anova or anova_carryover)"),
        ));
    }
    Ok(h)
}
