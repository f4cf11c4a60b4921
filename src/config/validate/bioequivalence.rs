//! `[bioequivalence]`: the decision rule of the rule table with its constants, checked against
//! the design (a repeated reference for the scaled rules), the analysis (the rule's estimation
//! method) and the hypothesis (equivalence; its margins are the average-bioequivalence limits).

use super::{invalid, Result};
use crate::analysis::AnalysisName;
use crate::config::schema::{BioequivalenceSection, ConfigFile, TrueRatio};
use crate::design::{Condition, Crossover};
use crate::inference::scaled::{BioequivalenceRule, Criterion, Estimation, RuleConstants, Switch};
use crate::inference::Hypothesis;
use crate::model::{Endpoint, Population};

/// The validated rule of `b` for a trial with this design, endpoint, primary analysis and
/// hypothesis at level `alpha`; `tests` are the test conditions of the primary contrasts (each
/// checked where the rule needs a repeated test).
#[allow(clippy::too_many_arguments)]
pub(super) fn bioequivalence(
    b: &BioequivalenceSection,
    file: &ConfigFile,
    crossover: &Crossover,
    endpoint: Endpoint,
    primary: AnalysisName,
    hypothesis: Hypothesis,
    alpha: f64,
    tests: &[Condition],
) -> Result<BioequivalenceRule> {
    let spec = b.rule.spec();
    let rule_key = "bioequivalence.rule";
    if endpoint != Endpoint::LogNormal {
        return Err(invalid(
            rule_key,
            spec.name,
            "a bioequivalence rule decides a ratio endpoint: give [log_normal] (AUC, Cmax), not [population]",
        ));
    }
    let Hypothesis::Equivalence { lower, upper } = hypothesis else {
        return Err(invalid(
            "analysis.hypothesis",
            "(not equivalence)",
            format!(
                "rule {:?} tests bioequivalence: set analysis.hypothesis = \"equivalence\" with analysis.margins (the average-bioequivalence limits, e.g. [0.80, 1.25])",
                spec.name
            ),
        ));
    };
    if file.sequential.is_some() {
        return Err(invalid(
            rule_key,
            spec.name,
            "a bioequivalence rule decides a fixed design or a two-stage design ([adaptive]): remove [sequential]",
        ));
    }
    let wanted = match spec.estimation {
        Estimation::Anova => AnalysisName::ANOVA,
        Estimation::Isc => AnalysisName::ISC,
    };
    if primary != wanted {
        return Err(invalid(
            "analysis.primary",
            primary.as_str(),
            format!(
                "rule {:?} estimates by {} ({}): set analysis.primary = {:?}",
                spec.name,
                match spec.estimation {
                    Estimation::Anova => "the all-fixed linear model of all data, EMA's method A",
                    Estimation::Isc => "the FDA's intra-participant contrasts",
                },
                spec.estimation.as_str(),
                wanted.as_str()
            ),
        ));
    }
    let reference = crossover.reference();
    let scaled = !matches!(spec.criterion, Criterion::Average);
    if scaled && !crossover.repeats(reference) {
        return Err(invalid(
            rule_key,
            spec.name,
            format!(
                "rule {:?} estimates the reference's within-participant variability, so some sequence must give the reference ({}) twice: use a replicate design such as 2x2x4 (RTRT/TRTR), 2x2x3 (RTR/TRT) or 2x3x3 (RRT/RTR/TRR); sequences here: {:?}",
                spec.name,
                crossover.condition_name(reference),
                crossover.sequence_labels()
            ),
        ));
    }
    let mut c: RuleConstants = spec.defaults;
    c.limits = (lower.exp(), upper.exp());
    let positive = |key: &str, x: f64| -> Result<f64> {
        if x.is_finite() && x > 0.0 && x <= 100.0 {
            Ok(x)
        } else {
            Err(invalid(key, x, "must be a number in (0, 100]"))
        }
    };
    let is_user = spec.name == "user";
    match (b.switch_cv, b.switch_swr) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "bioequivalence.switch_swr",
                "(given with bioequivalence.switch_cv)",
                "give the switch as a CV (scale when CVwR > switch_cv) or as an SD (scale when swR >= switch_swr), not both",
            ))
        }
        (Some(cv), None) => c.switch = Switch::AboveCv(positive("bioequivalence.switch_cv", cv)?),
        (None, Some(s)) => {
            c.switch = Switch::AtLeastSwr(positive("bioequivalence.switch_swr", s)?)
        }
        (None, None) if is_user => {
            return Err(invalid(
                "bioequivalence.switch_cv",
                "(missing)",
                "rule \"user\" needs switch_cv (or switch_swr), cap_cv and k",
            ))
        }
        (None, None) => {}
    }
    match b.cap_cv {
        Some(cap) if cap == f64::INFINITY => c.cap_cv = None,
        Some(cap) => c.cap_cv = Some(positive("bioequivalence.cap_cv", cap)?),
        None if is_user => {
            return Err(invalid(
                "bioequivalence.cap_cv",
                "(missing)",
                "rule \"user\" needs switch_cv (or switch_swr), cap_cv (inf: no cap) and k",
            ))
        }
        None => {}
    }
    match b.k {
        Some(k) => c.k = positive("bioequivalence.k", k)?,
        None if is_user => {
            return Err(invalid(
                "bioequivalence.k",
                "(missing)",
                "rule \"user\" needs switch_cv (or switch_swr), cap_cv and k",
            ))
        }
        None => {}
    }
    if let Some(pe) = b.pe_constraint {
        c.pe_constraint = pe;
    }
    if let Some(r) = b.ratio_limit {
        if c.ratio_limit.is_none() {
            return Err(invalid(
                "bioequivalence.ratio_limit",
                r,
                format!(
                    "rule {:?} has no variability-ratio criterion (fda_ntid and hv_ntid have)",
                    spec.name
                ),
            ));
        }
        c.ratio_limit = Some(positive("bioequivalence.ratio_limit", r)?);
    }
    if let (Switch::AboveCv(s), Some(cap)) = (c.switch, c.cap_cv) {
        if cap < s {
            return Err(invalid(
                "bioequivalence.cap_cv",
                cap,
                format!("must be at least the switch (switch_cv = {s})"),
            ));
        }
    }
    // Each comparison's test (the primary contrasts' tests; the first condition other than
    // the reference by default).
    let first_other = crossover
        .conditions()
        .find(|&x| x != reference)
        .expect("a crossover has two conditions");
    let not_repeated = tests
        .iter()
        .copied()
        .chain(tests.is_empty().then_some(first_other))
        .find(|&t| !crossover.repeats(t));
    if let (true, Some(test)) = (c.ratio_limit.is_some(), not_repeated) {
        return Err(invalid(
            rule_key,
            spec.name,
            format!(
                "rule {:?} compares the test's within-participant variability with the reference's, so some sequence must give the test ({}) twice as well: use a full replicate such as 2x2x4 (RTRT/TRTR)",
                spec.name,
                crossover.condition_name(test)
            ),
        ));
    }
    Ok(BioequivalenceRule::new(b.rule, c, alpha))
}

/// Puts the test's true GMR at the upper limit that the true CVwR implies for `rule`
/// (`bioequivalence.true_ratio = "expanded_limit"`).
pub(super) fn place_at_expanded_limit(
    b: &BioequivalenceSection,
    file: &ConfigFile,
    rule: &BioequivalenceRule,
    crossover: &Crossover,
    population: &mut Population,
) -> Result<()> {
    let Some(TrueRatio::ExpandedLimit) = b.true_ratio else {
        return Ok(());
    };
    let reference = crossover.reference();
    let log_normal = file.log_normal.as_ref();
    let reference_name = crossover.condition_name(reference);
    let sets_test_ratio = |l: &crate::config::schema::LogNormalSection| {
        !l.geometric_mean.is_empty() || l.gmr.keys().any(|name| name != reference_name)
    };
    if log_normal.is_some_and(sets_test_ratio) {
        return Err(invalid(
            "bioequivalence.true_ratio",
            "expanded_limit",
            "sets the test's true GMR itself: leave log_normal.gmr and log_normal.geometric_mean out",
        ));
    }
    crate::config::design::place_at_limit(rule, crossover, population);
    Ok(())
}

/// The rule deciding further PK metric `q` (`log_normal.metrics[q - 1].rule`): the section's
/// rule when it names none or the same, otherwise the named rule with the regulator's
/// constants, checked as `[bioequivalence]` is (errors name the metric's key).
#[allow(clippy::too_many_arguments)]
pub(super) fn metric_rule(
    name: Option<crate::inference::scaled::RuleName>,
    key: &str,
    section: Option<(&BioequivalenceSection, &BioequivalenceRule)>,
    file: &ConfigFile,
    crossover: &Crossover,
    primary: AnalysisName,
    hypothesis: Hypothesis,
    alpha: f64,
    tests: &[Condition],
) -> Result<Option<BioequivalenceRule>> {
    let Some(name) = name else {
        return Ok(section.map(|(_, r)| *r));
    };
    let Some((_, rule)) = section else {
        return Err(invalid(
            key,
            name.spec().name,
            "a metric's own rule needs a [bioequivalence] section (the rule of the other metrics)",
        ));
    };
    if rule.spec().name == name.spec().name {
        return Ok(Some(*rule));
    }
    let own = BioequivalenceSection {
        rule: name,
        switch_cv: None,
        switch_swr: None,
        cap_cv: None,
        k: None,
        pe_constraint: None,
        ratio_limit: None,
        true_ratio: None,
    };
    if name.spec().name == "user" {
        return Err(invalid(
            key,
            "user",
            "a metric's own rule takes the regulator's constants; give the user-defined rule in [bioequivalence] instead",
        ));
    }
    bioequivalence(
        &own,
        file,
        crossover,
        Endpoint::LogNormal,
        primary,
        hypothesis,
        alpha,
        tests,
    )
    .map(Some)
    .map_err(|e| match e {
        crate::config::ConfigError::Invalid {
            file,
            key: k,
            value,
            allowed,
        } if k == "bioequivalence.rule" => crate::config::ConfigError::Invalid {
            file,
            key: key.to_string(),
            value,
            allowed,
        },
        other => other,
    })
}
