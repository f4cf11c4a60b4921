//! `[sequential]`: the looks, the efficacy boundary, futility and harm.

use super::*;

pub(super) fn sequential(
    s: &SequentialSection,
    enrolled: usize,
    periods: usize,
    has_ae: bool,
    primary: AnalysisName,
) -> Result<SequentialPlan> {
    if s.looks.is_empty() {
        return Err(invalid("sequential.looks", "[]", "needs at least one look"));
    }
    let fractions = s.looks.iter().all(|&x| x > 0.0 && x <= 1.0);
    let mut looks = Vec::with_capacity(s.looks.len());
    for (i, &x) in s.looks.iter().enumerate() {
        let key = format!("sequential.looks[{i}]");
        let n = if fractions {
            (x * enrolled as f64).round()
        } else if x.is_finite() && x >= 1.0 && x.fract() == 0.0 {
            x
        } else {
            return Err(invalid(
                key,
                x,
                "looks are either all fractions of design.enrolled in (0, 1] or all whole enrollment counts >= 1",
            ));
        };
        if n < 1.0 {
            return Err(invalid(key, x, "the look would analyse no participant"));
        }
        let n = n as usize;
        if looks.last().is_some_and(|&prev| n <= prev) {
            return Err(invalid(
                key,
                x,
                "looks must be strictly increasing enrollment counts",
            ));
        }
        looks.push(n);
    }
    let last = *looks.last().expect("non-empty");
    if last != enrolled {
        return Err(invalid(
            format!("sequential.looks[{}]", looks.len() - 1),
            s.looks[looks.len() - 1],
            format!("the last look must be at design.enrolled = {enrolled} (or the fraction 1)"),
        ));
    }
    let e = &s.efficacy;
    let chosen = [e.spending.is_some(), e.classical.is_some(), e.z.is_some()]
        .iter()
        .filter(|&&b| b)
        .count();
    if chosen > 1 {
        return Err(invalid(
            "sequential.efficacy",
            "several of spending, classical, z",
            "give exactly one of `spending`, `classical` or `z`",
        ));
    }
    let check_unused = |key: &str, used: bool, v: Option<f64>| -> Result<()> {
        match v {
            Some(v) if !used => Err(invalid(
                format!("sequential.efficacy.{key}"),
                v,
                "does not apply to the chosen boundary",
            )),
            _ => Ok(()),
        }
    };
    let efficacy = match (e.spending, e.classical, &e.z) {
        (None, None, Some(z)) => {
            if z.len() != looks.len() {
                return Err(invalid(
                    "sequential.efficacy.z",
                    format!("{z:?}"),
                    format!("needs one z value per look ({})", looks.len()),
                ));
            }
            for (i, &v) in z.iter().enumerate() {
                positive(&format!("sequential.efficacy.z[{i}]"), v)?;
            }
            for (key, v) in [
                ("gamma", e.gamma),
                ("rho", e.rho),
                ("interim_z", e.interim_z),
            ] {
                check_unused(key, false, v)?;
            }
            BoundaryKind::User(z.clone())
        }
        (spending, classical, _) => {
            let family = match (spending, classical) {
                (Some(s), _) => s,
                (None, Some(c)) => c,
                (None, None) => BoundaryFamily::ObrienFleming,
            };
            let uses = family.parameter();
            check_unused("gamma", uses == Some(BoundaryParameter::Gamma), e.gamma)?;
            check_unused("rho", uses == Some(BoundaryParameter::Rho), e.rho)?;
            check_unused(
                "interim_z",
                uses == Some(BoundaryParameter::InterimZ),
                e.interim_z,
            )?;
            let value = match uses {
                Some(BoundaryParameter::Gamma) => {
                    let gamma = e.gamma.ok_or_else(|| invalid(
                        "sequential.efficacy.gamma",
                        "(missing)",
                        "hwang_shih_decani needs gamma (e.g. -4 for O'Brien-Fleming-like, 1 for Pocock-like)",
                    ))?;
                    Some(finite("sequential.efficacy.gamma", gamma)?)
                }
                Some(BoundaryParameter::Rho) => {
                    let rho = e.rho.ok_or_else(|| invalid(
                        "sequential.efficacy.rho",
                        "(missing)",
                        "kim_demets needs rho > 0 (e.g. 3 for O'Brien-Fleming-like, 1 for Pocock-like)",
                    ))?;
                    Some(positive("sequential.efficacy.rho", rho)?)
                }
                Some(BoundaryParameter::InterimZ) => Some(positive(
                    "sequential.efficacy.interim_z",
                    e.interim_z.unwrap_or(HAYBITTLE_PETO_DEFAULT_Z),
                )?),
                None => None,
            };
            family
                .with(value)
                .expect("the family's required parameter was checked above")
        }
    };
    let (mut futility_z, mut futility_conditional_power) = (None, None);
    if let Some(f) = &s.futility {
        if !primary.spec().t_based && (f.z.is_some() || f.conditional_power.is_some()) {
            return Err(invalid(
                "analysis.primary",
                format!("{:?}", primary.as_str()),
                "a futility rule (sequential.futility) needs a t-based primary analysis: responders_paired, completers_paired, period_adjusted, first_period, anova or anova_carryover",
            ));
        }
        if let Some(z) = &f.z {
            if z.len() != looks.len() - 1 {
                return Err(invalid(
                    "sequential.futility.z",
                    format!("{z:?}"),
                    format!(
                        "needs one z value per interim look ({}); the final look has none",
                        looks.len() - 1
                    ),
                ));
            }
            for (i, &v) in z.iter().enumerate() {
                let v = finite(&format!("sequential.futility.z[{i}]"), v)?;
                if v < 0.0 {
                    return Err(invalid(
                        format!("sequential.futility.z[{i}]"),
                        v,
                        "must be >= 0: the trial stops for futility when |z| falls below it",
                    ));
                }
            }
            futility_z = Some(z.clone());
        }
        if let Some(cp) = f.conditional_power {
            if !(cp.is_finite() && cp > 0.0 && cp < 1.0) {
                return Err(invalid(
                    "sequential.futility.conditional_power",
                    cp,
                    "must be a probability in (0, 1)",
                ));
            }
            futility_conditional_power = Some(cp);
        }
    }
    let harm_max_difference = match &s.harm {
        None => None,
        Some(h) => {
            if !has_ae {
                return Err(invalid(
                    "sequential.harm.max_difference",
                    h.max_difference,
                    "a harm rule needs an [adverse_events] section",
                ));
            }
            if !(h.max_difference.is_finite() && h.max_difference > 0.0 && h.max_difference <= 1.0)
            {
                return Err(invalid(
                    "sequential.harm.max_difference",
                    h.max_difference,
                    "must be a difference of proportions in (0, 1]",
                ));
            }
            Some(h.max_difference)
        }
    };
    Ok(SequentialPlan {
        looks,
        periods,
        efficacy,
        futility_z,
        futility_conditional_power,
        harm_max_difference,
    })
}
