//! `[adaptive]`: the two-stage plan, checked against the design and the analysis.

use super::*;

/// `a, b and c` (or `a, b or c`): names listed in a sentence.
pub(super) fn in_words(names: &[&str], conjunction: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// `[adaptive]` as a two-stage plan, checked against the design and the analysis.
pub(super) fn two_stage(
    a: &AdaptiveSection,
    file: &ConfigFile,
    crossover: &Crossover,
    endpoint: Endpoint,
    plan: &AnalysisPlan,
    enrolled: usize,
) -> Result<TwoStagePlan> {
    use crate::adaptive::{InterimRule, MethodScope};
    let method = a.method;
    let name = method.as_str();
    // With a bioequivalence rule each stage is decided by the rule on any design it accepts
    // (a replicate design for the scaled rules; `adaptive::scaled`).
    let ruled = file.bioequivalence.is_some();
    if ruled {
        scaled_two_stage(a, crossover, enrolled)?;
    } else if !crossover.is_two_by_two() {
        return Err(invalid(
            "adaptive.method",
            format!("{name:?}"),
            "two-stage designs are simulated on the 2x2 (two conditions, sequences AB and BA)",
        ));
    }
    if file.sequential.is_some() {
        return Err(invalid(
            "sequential",
            "(given with [adaptive])",
            "a two-stage design has its own interim analysis: remove [sequential]",
        ));
    }
    // A rule's own primary (anova or isc) is checked by `[bioequivalence]`.
    let primary_ok =
        plan.primary == AnalysisName::ANOVA || plan.primary == AnalysisName::PERIOD_ADJUSTED;
    if !(ruled || primary_ok) {
        return Err(invalid(
            "analysis.primary",
            format!("{:?}", plan.primary.as_str()),
            "a two-stage design is analysed by the linear model with a stage term: choose anova (or period_adjusted, the same on a 2x2)",
        ));
    }
    if !plan.secondary.is_empty() {
        return Err(invalid(
            "analysis.secondary",
            format!("{:?}", plan.secondary.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            "a two-stage design reports its pooled primary analysis only: remove analysis.secondary",
        ));
    }
    let equivalence = matches!(plan.hypothesis, Hypothesis::Equivalence { .. });
    match (method.spec().scope, equivalence) {
        (MethodScope::OneOrTwoSided, true) => {
            return Err(invalid(
                "adaptive.method",
                format!("{name:?}"),
                format!(
                    "for equivalence choose {}",
                    in_words(
                        &crate::adaptive::Method::names_with_scope(MethodScope::Equivalence),
                        "or"
                    )
                ),
            ))
        }
        (MethodScope::Equivalence, false) => {
            return Err(invalid(
                "analysis.hypothesis",
                format!("{:?}", file.analysis.hypothesis.as_str()),
                format!("adaptive.method = {name:?} is a bioequivalence method: set analysis.hypothesis = \"equivalence\" with margins"),
            ))
        }
        _ => {}
    }
    let level = |key: &str, x: f64| -> Result<f64> {
        if x.is_finite() && x > 0.0 && x < 0.5 {
            Ok(x)
        } else {
            Err(invalid(key, x, "must be a level in (0, 0.5)"))
        }
    };
    let alpha = match a.alpha {
        Some(x) => level("adaptive.alpha", x)?,
        None => method.default_alpha().unwrap_or(plan.alpha),
    };
    let powered_method = method.spec().interim == InterimRule::PowerCheckThenTest;
    let alpha_powered = match (a.alpha_powered, powered_method) {
        (Some(x), true) => level("adaptive.alpha_powered", x)?,
        (None, _) => plan.alpha,
        (Some(x), false) => {
            return Err(invalid(
                "adaptive.alpha_powered",
                x,
                format!(
                    "applies to {} only, not {name:?}",
                    in_words(
                        &crate::adaptive::Method::all()
                            .filter(|m| m.spec().interim == InterimRule::PowerCheckThenTest)
                            .map(|m| m.as_str())
                            .collect::<Vec<_>>(),
                        "and"
                    )
                ),
            ))
        }
    };
    let assumed_effect = match (endpoint, a.assumed_gmr, a.assumed_effect) {
        (Endpoint::LogNormal, Some(g), None) => {
            if g.is_finite() && g > 0.0 {
                g.ln()
            } else {
                return Err(invalid("adaptive.assumed_gmr", g, "must be a ratio > 0"));
            }
        }
        (Endpoint::LogNormal, None, None) => match method.default_gmr() {
            Some(g) => g.ln(),
            None => {
                return Err(invalid(
                    "adaptive.assumed_gmr",
                    "(missing)",
                    "re-estimation needs the GMR to power the trial for",
                ))
            }
        },
        (Endpoint::Normal, None, Some(e)) => finite("adaptive.assumed_effect", e)?,
        (Endpoint::Normal, _, None) => {
            return Err(invalid(
                "adaptive.assumed_effect",
                "(missing)",
                "a normal endpoint needs the effect (contrast) to power the trial for",
            ))
        }
        (Endpoint::LogNormal, _, Some(e)) => {
            return Err(invalid(
                "adaptive.assumed_effect",
                e,
                "a ratio endpoint takes adaptive.assumed_gmr instead",
            ))
        }
        (Endpoint::Normal, Some(g), Some(_)) => {
            return Err(invalid(
                "adaptive.assumed_gmr",
                g,
                "a normal endpoint takes adaptive.assumed_effect only",
            ))
        }
    };
    if !(a.target_power > 0.0 && a.target_power < 1.0) {
        return Err(invalid(
            "adaptive.target_power",
            a.target_power,
            "must be a power in (0, 1), e.g. 0.8",
        ));
    }
    let max_total = a.max_total;
    if max_total < enrolled as i64 + 2 || max_total > 100_000 {
        return Err(invalid(
            "adaptive.max_total",
            max_total,
            format!(
                "must be a whole number from n1 + 2 = {} (design.enrolled is n1) to 100000",
                enrolled + 2
            ),
        ));
    }
    let max_stage2 = match a.max_stage2 {
        None => None,
        Some(m) if (2..=100_000).contains(&m) => Some(m as usize),
        Some(m) => {
            return Err(invalid(
                "adaptive.max_stage2",
                m,
                "must be a whole number from 2 to 100000",
            ))
        }
    };
    let combination_method = method.spec().interim == InterimRule::Combination;
    let only_combination = |key: &str, value: String| -> Result<()> {
        Err(invalid(
            key,
            value,
            format!(
                "applies to the inverse-normal method (adaptive.method = \"inverse_normal\") only, not {name:?}"
            ),
        ))
    };
    if !combination_method {
        if let Some(w) = &a.weights {
            only_combination("adaptive.weights", format!("{w:?}"))?;
        }
        if let Some(x) = a.futility_power {
            only_combination("adaptive.futility_power", x.to_string())?;
        }
        if let Some(x) = a.futility_max_total {
            only_combination("adaptive.futility_max_total", x.to_string())?;
        }
        if let Some(x) = a.sizing {
            only_combination("adaptive.sizing", format!("{:?}", x.as_str()))?;
        }
        if a.use_estimate {
            only_combination("adaptive.use_estimate", "true".to_string())?;
        }
    }
    let equivalence_margins = match plan.hypothesis {
        Hypothesis::Equivalence { lower, upper } => Some((lower, upper)),
        _ => None,
    };
    let estimate_futility = estimate_futility(a, method, equivalence_margins)?;
    let min_stage2 = match a.min_stage2 {
        None => method.spec().default_min_stage2,
        Some(m) if combination_method && (4..=100_000).contains(&m) && m % 2 == 0 => m as usize,
        Some(m) if !combination_method && (0..=100_000).contains(&m) && m % 2 == 0 => m as usize,
        Some(m) => {
            return Err(invalid(
                "adaptive.min_stage2",
                m,
                if combination_method {
                    "must be an even whole number from 4 to 100000 (the inverse-normal method analyses stage 2 on its own, df n2 - 2)"
                } else {
                    "must be an even whole number from 0 (none) to 100000"
                },
            ))
        }
    };
    if max_total < (enrolled + min_stage2) as i64 {
        return Err(invalid(
            "adaptive.max_total",
            max_total,
            format!(
                "must be at least n1 + adaptive.min_stage2 = {}",
                enrolled + min_stage2
            ),
        ));
    }
    let fixed_stages = method.spec().interim == InterimRule::FixedStages;
    let fixed_stage2 = match (a.stage2, fixed_stages) {
        (Some(n2), true) if (2..=100_000).contains(&n2) => {
            if max_total < enrolled as i64 + n2 {
                return Err(invalid(
                    "adaptive.max_total",
                    max_total,
                    format!(
                        "must be at least n1 + adaptive.stage2 = {}",
                        enrolled as i64 + n2
                    ),
                ));
            }
            Some(n2 as usize)
        }
        (Some(n2), true) => {
            return Err(invalid(
                "adaptive.stage2",
                n2,
                "must be a whole number from 2 to 100000 (the planned stage-2 size)",
            ))
        }
        (None, true) => {
            return Err(invalid(
                "adaptive.stage2",
                "(missing)",
                format!("{name:?} needs the planned stage-2 size, e.g. adaptive.stage2 = 12"),
            ))
        }
        (Some(n2), false) => {
            return Err(invalid(
                "adaptive.stage2",
                n2,
                format!("applies to group_sequential only; {name:?} sizes stage 2 at the interim"),
            ))
        }
        (None, false) => None,
    };
    if fixed_stages {
        if let Some(m) = a.max_stage2 {
            return Err(invalid(
                "adaptive.max_stage2",
                m,
                "group_sequential has a planned stage 2 (adaptive.stage2): remove adaptive.max_stage2",
            ));
        }
    }
    let re_estimation = method.spec().interim == InterimRule::NoTest;
    if a.blinded && !re_estimation {
        return Err(invalid(
            "adaptive.blinded",
            "true",
            format!(
                "applies to re-estimation without an interim test (ssr, reestimate) only, not {name:?}"
            ),
        ));
    }
    let power_method = a.power_method.unwrap_or(method.spec().default_power_method);
    if power_method == crate::adaptive::PowerMethod::LargeSample && !(re_estimation && equivalence)
    {
        return Err(invalid(
            "adaptive.power_method",
            "\"large_sample\"",
            format!(
                "the large-sample total N applies to adaptive.method = \"ssr\" only, not {name:?}; choose shifted, nct or exact"
            ),
        ));
    }
    if let (true, Some((lower, upper))) = (re_estimation, equivalence_margins) {
        if !(assumed_effect > lower && assumed_effect < upper) {
            return Err(invalid(
                "adaptive.assumed_gmr",
                assumed_effect.exp(),
                "must lie strictly within analysis.margins: no N reaches the target power at a margin",
            ));
        }
    }
    let combination = if combination_method {
        Some(combination_plan(a, alpha, enrolled, min_stage2)?)
    } else {
        None
    };
    Ok(TwoStagePlan {
        method,
        alpha,
        alpha_powered,
        assumed_effect,
        target_power: a.target_power,
        power_method,
        max_total: max_total as usize,
        max_stage2,
        inflate_for_dropout: a.inflate_for_dropout,
        estimate_futility,
        min_stage2,
        combination,
        fixed_stage2,
        blinded: a.blinded,
    })
}

/// What a two-stage design decided by a `[bioequivalence]` rule at each stage accepts: method
/// B's logic (the interim of `adaptive::scaled`), stages balanced over the sequences, and no
/// option that the scaled interim does not implement.
fn scaled_two_stage(a: &AdaptiveSection, crossover: &Crossover, enrolled: usize) -> Result<()> {
    use crate::adaptive::{InterimRule, Method};
    let name = a.method.as_str();
    if a.method.spec().interim != InterimRule::TestThenPowerCheck {
        let allowed: Vec<&str> = Method::all()
            .filter(|m| m.spec().interim == InterimRule::TestThenPowerCheck)
            .map(Method::as_str)
            .collect();
        return Err(invalid(
            "adaptive.method",
            format!("{name:?}"),
            format!(
                "with a [bioequivalence] rule at each stage the two-stage method must decide stage 1 by the rule and then check power (method B logic): choose {}",
                in_words(&allowed, "or")
            ),
        ));
    }
    let s = crossover.sequence_count();
    if enrolled % s != 0 || enrolled < 2 * s {
        return Err(invalid(
            "design.enrolled",
            enrolled,
            format!(
                "stage 1 of a two-stage replicate design is balanced over its {s} sequences: give a multiple of {s}, at least {}",
                2 * s
            ),
        ));
    }
    let unsupported = [
        ("adaptive.futility", a.futility.is_some()),
        ("adaptive.futility_bounds", a.futility_bounds.is_some()),
        ("adaptive.inflate_for_dropout", a.inflate_for_dropout),
    ];
    if let Some((key, _)) = unsupported.iter().find(|u| u.1) {
        return Err(invalid(
            *key,
            "(given with [bioequivalence])",
            "is not available for two-stage designs decided by a bioequivalence rule: remove it",
        ));
    }
    Ok(())
}

/// `adaptive.futility` and `adaptive.futility_bounds` as the stage-1 estimate's futility rule.
fn estimate_futility(
    a: &AdaptiveSection,
    method: crate::adaptive::Method,
    margins: Option<(f64, f64)>,
) -> Result<Option<crate::adaptive::EstimateFutility>> {
    use crate::adaptive::EstimateFutility;
    use crate::config::schema::FutilityKind;
    let default_ci = method.spec().default_ci_futility;
    let kind = match a.futility {
        Some(k) => k,
        None if default_ci.is_some() => FutilityKind::Ci,
        None => FutilityKind::None,
    };
    if kind != FutilityKind::None && margins.is_none() {
        return Err(invalid(
            "adaptive.futility",
            format!("{kind:?}").to_lowercase(),
            "futility on the stage-1 estimate applies to bioequivalence (equivalence) methods only",
        ));
    }
    let bounds = match (kind, a.futility_bounds) {
        (FutilityKind::None, None) => return Ok(None),
        (FutilityKind::None, Some(b)) => {
            return Err(invalid(
                "adaptive.futility_bounds",
                format!("{b:?}"),
                "needs adaptive.futility = \"ci\" or \"pe\"",
            ))
        }
        (_, Some([lo, hi])) => {
            if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo < hi) {
                return Err(invalid(
                    "adaptive.futility_bounds",
                    format!("[{lo}, {hi}]"),
                    "must be two ratios 0 < lower < upper, e.g. [0.95, 1.0526]",
                ));
            }
            (lo.ln(), hi.ln())
        }
        // Power2Stage's defaults: CI 0.95-1/0.95 (power.tsd.in) or 0.925-1/0.925
        // (power.tsd.fC); PE the acceptance limits.
        (FutilityKind::Ci, None) => {
            let lo = default_ci.unwrap_or(0.925);
            (lo.ln(), -lo.ln())
        }
        (FutilityKind::Pe, None) => margins.expect("checked above"),
    };
    Ok(Some(match kind {
        FutilityKind::Ci => EstimateFutility::Interval {
            lower: bounds.0,
            upper: bounds.1,
        },
        _ => EstimateFutility::Estimate {
            lower: bounds.0,
            upper: bounds.1,
        },
    }))
}

/// The inverse-normal method's own settings: the combination at the overall `alpha`, the
/// futility on stage-1 power and on the total N, and how stage 2 is sized.
fn combination_plan(
    a: &AdaptiveSection,
    alpha: f64,
    enrolled: usize,
    min_stage2: usize,
) -> Result<crate::adaptive::CombinationPlan> {
    use crate::adaptive::inverse_normal::{Combination, ConditionalSizing};
    let weights = a.weights.clone().unwrap_or_else(|| vec![0.5, 0.25]);
    let shown = format!("{weights:?}");
    if weights.is_empty() || weights.len() > 2 || weights.iter().any(|&w| !(w > 0.0 && w < 1.0)) {
        return Err(invalid(
            "adaptive.weights",
            shown,
            "must be one weight (standard combination) or two (maximum combination test), each in (0, 1), e.g. [0.5, 0.25]",
        ));
    }
    let combination = Combination::new(alpha, &weights).ok_or_else(|| {
        invalid(
            "adaptive.weights",
            shown.clone(),
            format!("no critical value exists at alpha {alpha} for these weights"),
        )
    })?;
    let futility_power = a.futility_power.unwrap_or(a.target_power);
    if !(0.0..=1.0).contains(&futility_power) {
        return Err(invalid(
            "adaptive.futility_power",
            futility_power,
            "must be a power in [0, 1] (1 switches the stage-1 power futility off)",
        ));
    }
    let futility_total = match a.futility_max_total {
        None => None,
        Some(m) if m >= (enrolled + min_stage2) as i64 && m <= 100_000 => Some(m as usize),
        Some(m) => {
            return Err(invalid(
                "adaptive.futility_max_total",
                m,
                format!(
                    "must be a whole number from n1 + min_stage2 = {} to 100000",
                    enrolled + min_stage2
                ),
            ))
        }
    };
    Ok(crate::adaptive::CombinationPlan {
        combination,
        futility_power,
        futility_total,
        sizing: a.sizing.unwrap_or(ConditionalSizing::ErrorPower),
        use_estimate: a.use_estimate,
    })
}
