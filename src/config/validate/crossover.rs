//! `[design]`: the crossover (conditions, sequences, presets), its contrasts and the
//! randomization.

use super::*;

pub(super) fn crossover(d: &DesignSection) -> Result<Crossover> {
    let names = &d.conditions;
    let reference = match &d.reference {
        None => 0,
        Some(r) => names.iter().position(|n| n == r).ok_or_else(|| {
            invalid(
                "design.reference",
                format!("{r:?}"),
                format!("must be one of design.conditions {names:?}"),
            )
        })?,
    };
    let labels: Vec<String> = match (&d.preset, d.sequences.is_empty()) {
        (None, true) if names.len() == 2 => vec!["AB".to_string(), "BA".to_string()],
        (None, true) => {
            return Err(invalid(
                "design.sequences",
                "(missing)",
                format!(
                    "with {} conditions give the sequences (e.g. [\"ABC\", \"BCA\", \"CAB\"]) or a design.preset ({})",
                    names.len(),
                    crate::design::preset_names().join(", ")
                ),
            ))
        }
        (None, false) => d.sequences.clone(),
        (Some(p), _) => {
            let expanded = crate::design::preset_sequences(p, names.len())
                .map_err(|why| invalid("design.preset", format!("{p:?}"), why))?;
            if !d.sequences.is_empty() && d.sequences != expanded {
                return Err(invalid(
                    "design.sequences",
                    format!("{:?}", d.sequences),
                    format!("design.preset = {p:?} already sets the sequences {expanded:?}; give one or the other"),
                ));
            }
            expanded
        }
    };
    Crossover::new(names, reference, &labels).map_err(|e| match e {
        crate::design::DesignError::Conditions(why) => {
            invalid("design.conditions", format!("{names:?}"), why)
        }
        crate::design::DesignError::Sequence(why) => {
            invalid("design.sequences", format!("{labels:?}"), why)
        }
    })
}

/// The primary contrast: the first condition other than the reference, minus the reference.
pub(super) fn primary_contrast(crossover: &Crossover) -> Contrast {
    let reference = crossover.reference();
    let test = crossover
        .conditions()
        .find(|&c| c != reference)
        .expect("a crossover has at least two conditions");
    Contrast::difference(crossover, test, reference)
}

pub(super) fn condition_by_letter_or_name(crossover: &Crossover, text: &str) -> Option<Condition> {
    let t = text.trim();
    crossover.condition_named(t).or_else(|| {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => {
                crossover.conditions().find(|x| x.letter() == c)
            }
            _ => None,
        }
    })
}

pub(super) fn contrast(key: &str, spec: &ContrastSpec, crossover: &Crossover) -> Result<Contrast> {
    let names = crossover.condition_names();
    match spec {
        ContrastSpec::Difference(text) => {
            let parts: Vec<&str> = text.splitn(2, " - ").collect();
            let pair = match parts[..] {
                [t, r] => condition_by_letter_or_name(crossover, t)
                    .zip(condition_by_letter_or_name(crossover, r)),
                _ => None,
            };
            match pair {
                Some((t, r)) if t != r && crossover.compares(t, r) => {
                    Ok(Contrast::difference(crossover, t, r))
                }
                Some((t, r)) if t != r => Err(invalid(
                    key,
                    format!("{text:?}"),
                    format!("no sequence gives both {} and {}, so they cannot be compared within participants", crossover.condition_name(t), crossover.condition_name(r)),
                )),
                _ => Err(invalid(
                    key,
                    format!("{text:?}"),
                    format!("write \"T - R\" with two different conditions, by letter (A, B, ...) or by name {names:?}"),
                )),
            }
        }
        ContrastSpec::Weights { name, weights } => {
            let mut w = vec![0.0; names.len()];
            for (condition, &value) in weights {
                let Some(c) = crossover.condition_named(condition) else {
                    return Err(invalid(
                        format!("{key}.weights.\"{condition}\""),
                        format!("{condition:?}"),
                        format!("is not a condition; the conditions are {names:?}"),
                    ));
                };
                w[c.index()] = finite(&format!("{key}.weights.\"{condition}\""), value)?;
            }
            let sum: f64 = w.iter().sum();
            let scale: f64 = w.iter().map(|x| x.abs()).sum();
            if scale == 0.0 || sum.abs() > 1e-9 * scale {
                return Err(invalid(
                    format!("{key}.weights"),
                    format!("{weights:?}"),
                    format!(
                        "a contrast's weights must sum to 0 and not all be 0 (they sum to {sum})"
                    ),
                ));
            }
            Ok(Contrast::weighted(name.clone(), w))
        }
    }
}

/// What kind of design the primary contrasts are tested in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContrastScope {
    /// A fixed design: several contrasts from one linear-model fit.
    Fixed,
    /// A two-stage design decided by a bioequivalence rule: several test formulations, each
    /// against the reference, each analysed on the data of its two conditions.
    RuledTwoStage,
    /// Interim looks or a two-stage design without a rule: one contrast.
    One,
}

/// The primary contrasts: `analysis.contrasts`, or `analysis.contrast`, or the default (each
/// condition against the reference in a fixed design analysed by the linear model or in a
/// two-stage design decided by a rule, else the first condition other than the reference
/// against it).
pub(super) fn contrasts(
    a: &AnalysisSection,
    crossover: &Crossover,
    primary: AnalysisName,
    scope: ContrastScope,
) -> Result<Vec<Contrast>> {
    let fixed = scope == ContrastScope::Fixed;
    let ruled = scope == ContrastScope::RuledTwoStage;
    let linear_model = primary == AnalysisName::ANOVA || primary == AnalysisName::ANOVA_CARRYOVER;
    let family = match (&a.contrast, &a.contrasts) {
        (Some(_), Some(list)) => {
            return Err(invalid(
                "analysis.contrasts",
                format!("{} contrasts", list.len()),
                "give analysis.contrast (one primary contrast) or analysis.contrasts (several), not both",
            ))
        }
        (Some(spec), None) => vec![contrast("analysis.contrast", spec, crossover)?],
        (None, Some(list)) => {
            if list.is_empty() {
                return Err(invalid(
                    "analysis.contrasts",
                    "[]",
                    "must list at least one contrast, e.g. [\"B - A\", \"C - A\"]",
                ));
            }
            let mut family: Vec<Contrast> = Vec::with_capacity(list.len());
            for (i, spec) in list.iter().enumerate() {
                let key = format!("analysis.contrasts[{i}]");
                let c = contrast(&key, spec, crossover)?;
                if let Some(j) = family.iter().position(|f| f.name() == c.name()) {
                    return Err(invalid(
                        key,
                        format!("{:?}", c.name()),
                        format!("repeats analysis.contrasts[{j}]; each contrast is listed once"),
                    ));
                }
                family.push(c);
            }
            family
        }
        (None, None) if (fixed && linear_model || ruled) && crossover.condition_count() > 2 => {
            let reference = crossover.reference();
            crossover
                .conditions()
                .filter(|&c| c != reference && crossover.compares(c, reference))
                .map(|c| Contrast::difference(crossover, c, reference))
                .collect()
        }
        (None, None) => vec![primary_contrast(crossover)],
    };
    if ruled && (family.len() > 1 || crossover.condition_count() > 2) {
        ruled_comparisons(a, &family, crossover)?;
    }
    if family.len() > 1 && !ruled {
        if !fixed {
            return Err(invalid(
                "analysis.contrasts",
                format!("{} contrasts", family.len()),
                "interim looks and two-stage designs test one primary contrast; give one (analysis.contrast) or remove [sequential]/[adaptive]",
            ));
        }
        if !linear_model {
            return Err(invalid(
                "analysis.contrasts",
                format!("{} contrasts", family.len()),
                format!("several primary contrasts are estimated from one linear-model fit: analysis.primary must be anova or anova_carryover, not {}", primary.as_str()),
            ));
        }
    }
    if let Some(m) = a.multiplicity {
        use crate::inference::Multiplicity;
        if ruled && family.len() > 1 && !matches!(m, Multiplicity::None | Multiplicity::Bonferroni)
        {
            return Err(invalid(
                "analysis.multiplicity",
                format!("{:?}", m.as_str()),
                "a two-stage design decides each comparison by Potvin's method B on its own at one alpha: choose \"bonferroni\" (adaptive.alpha / m for each of the m comparisons) or \"none\" (adaptive.alpha for each); holm and hierarchical are not available for two-stage designs",
            ));
        }
        if family.len() < 2 && m != crate::inference::Multiplicity::None {
            return Err(invalid(
                "analysis.multiplicity",
                format!("{:?}", m.as_str()),
                "adjusts for several primary contrasts; this config tests one (list them in analysis.contrasts)",
            ));
        }
    }
    Ok(family)
}

/// A two-stage design decided by a rule compares test formulations with the common reference
/// (`design.reference`), each contrast a difference of two conditions.
fn ruled_comparisons(
    a: &AnalysisSection,
    family: &[Contrast],
    crossover: &Crossover,
) -> Result<()> {
    let reference = crossover.reference();
    for (i, c) in family.iter().enumerate() {
        let key = if a.contrasts.is_some() {
            format!("analysis.contrasts[{i}]")
        } else {
            "analysis.contrast".to_string()
        };
        match c.as_pair() {
            None => {
                return Err(invalid(
                    key,
                    format!("{:?}", c.name()),
                    "a two-stage design with a bioequivalence rule compares each test formulation with the reference: give differences \"T - R\", not weighted contrasts",
                ))
            }
            Some((_, r)) if r != reference => {
                return Err(invalid(
                    key,
                    format!("{:?}", c.name()),
                    format!(
                        "a two-stage design with a bioequivalence rule compares each test formulation with the common reference (design.reference = {:?}): write \"<test> - {}\"",
                        crossover.condition_name(reference),
                        crossover.condition_name(reference)
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The smallest multiple of the number of sequences that is at least 4 (4 for the 2x2, as
/// before designs had more sequences).
pub(super) fn default_block_size(n_sequences: usize) -> usize {
    n_sequences * 4usize.div_ceil(n_sequences.max(1))
}

pub(super) fn randomization(r: &RandomizationSection, n_sequences: usize) -> Result<Randomization> {
    match (r.kind, r.block_size) {
        (RandomizationKind::Simple, None) => Ok(Randomization::Simple),
        (RandomizationKind::Simple, Some(b)) => Err(invalid(
            "design.randomization.block_size",
            b,
            "applies only to kind = \"permuted_blocks\"; remove it for simple randomization",
        )),
        (RandomizationKind::PermutedBlocks, None) => Ok(Randomization::PermutedBlocks {
            block_size: default_block_size(n_sequences),
        }),
        (RandomizationKind::PermutedBlocks, Some(b)) => {
            if b < n_sequences as i64 || b % n_sequences as i64 != 0 || b > 10_000 {
                Err(invalid(
                    "design.randomization.block_size",
                    b,
                    format!("must be a positive multiple of the number of sequences ({n_sequences}), at most 10000"),
                ))
            } else {
                Ok(Randomization::PermutedBlocks {
                    block_size: b as usize,
                })
            }
        }
    }
}
