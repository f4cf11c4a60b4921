//! The bioequivalence decision rules, one table: average bioequivalence and the
//! reference-scaled rules for highly variable and narrow-therapeutic-index drugs (EMA and
//! Health Canada's expanding limits, GCC, FDA RSABE, FDA NTID, HV-NTID, a user-defined rule).
//!
//! A rule decides from estimates (`analysis::replicate` and the linear model); it never
//! evaluates a distribution function per replicate: t, chi-square and F quantiles are tabulated
//! by df once per run ([`PreparedRule`]).
//!
//! Conventions (the FDA's SAS code for the progesterone guidance and PowerTOST 1.5-7):
//! - the switch compares the estimated s²wR with the switch's variance; EMA, HC, GCC and
//!   PowerTOST scale when CVwR > 30% (s²wR > ln(1 + 0.3²), i.e. swR > 0.29356); the FDA's text
//!   scales when swR >= 0.294, the FDA rules' default here (`switch_swr`); `switch_cv = 0.30`
//!   gives PowerTOST's;
//! - widened limits are exp(-/+ k swR), with swR taken at the cap above it;
//! - the Hyslop bound is (Em - Es) + sqrt((Cm - Em)² + (Cs - Es)²) with Em = PE² - SE² (the
//!   FDA's bias correction), Es = theta s²wR, Cm = (|PE| + t_{1-alpha, df} SE)²,
//!   Cs = Es dfRR / qchisq(1 - alpha, dfRR), where theta = k² (k = ln(1.25)/0.25 for RSABE,
//!   ln(1/0.9)/0.10 for NTID); bioequivalent when it is <= 0;
//! - the variability ratio's upper (1 - 2 alpha) limit is sqrt((s²wT/s²wR) / qf(alpha, dfT,
//!   dfR)), at most 2.5;
//! - the point-estimate constraint keeps the PE within the average-bioequivalence limits.

use crate::numerics::{chi_square_quantile, f_quantile, t_quantile};
use serde::{Deserialize, Serialize};

/// How a rule estimates the T/R contrast and s²wR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimation {
    /// EMA method A: the 90% CI from the all-fixed linear model of all data, s²wR from the
    /// ANOVA of the reference observations.
    Anova,
    /// Intra-participant contrasts (the FDA's SAS code).
    Isc,
}

impl Estimation {
    /// The name in configs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Estimation::Anova => "anova",
            Estimation::Isc => "isc",
        }
    }
}

/// What a rule tests when it scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Average bioequivalence: the CI within the limits.
    Average,
    /// Average bioequivalence with expanding limits: when scaling, the CI within
    /// exp(-/+ k swR) (swR capped).
    WidenedLimits,
    /// Reference-scaled average bioequivalence: when scaling, the Hyslop bound of
    /// (mu_T - mu_R)² - k² sigma²wR at most 0.
    Scaled,
    /// Narrow therapeutic index: the scaled criterion always (no switch), average
    /// bioequivalence and the variability ratio.
    NarrowTherapeuticIndex,
    /// Highly variable narrow therapeutic index: average bioequivalence and the variability
    /// ratio.
    HighlyVariableNarrowTherapeuticIndex,
}

/// When a rule scales: above a switch on the estimated within-reference variability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Switch {
    /// Scale when the estimated CVwR exceeds `cv` (s²wR > ln(1 + cv²)).
    AboveCv(f64),
    /// Scale when the estimated swR is at least `swr`.
    AtLeastSwr(f64),
    /// Always scale.
    Never,
}

/// A rule's constants; each is a config value with the regulator's default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleConstants {
    /// Average-bioequivalence limits on the ratio scale (0.80, 1.25).
    pub limits: (f64, f64),
    /// When scaling applies.
    pub switch: Switch,
    /// The CVwR above which the widened limits stop widening (None: no cap).
    pub cap_cv: Option<f64>,
    /// The regulatory constant: k of exp(k swR), or sqrt(theta) of the scaled criterion.
    pub k: f64,
    /// Whether the point estimate must lie within the average-bioequivalence limits.
    pub pe_constraint: bool,
    /// The largest upper confidence limit of sigma_wT / sigma_wR (NTID rules).
    pub ratio_limit: Option<f64>,
}

/// One entry of the rule table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleSpec {
    /// Name in configs and reports.
    pub name: &'static str,
    /// One-line description.
    pub title: &'static str,
    /// Where the rule is defined.
    pub source: &'static str,
    /// What it tests.
    pub criterion: Criterion,
    /// How it estimates.
    pub estimation: Estimation,
    /// The regulator's constants.
    pub defaults: RuleConstants,
}

const ABE_LIMITS: (f64, f64) = (0.80, 1.25);

/// The rule table. Adding a rule with an existing criterion is one entry.
pub static RULES: &[RuleSpec] = &[
    RuleSpec {
        name: "abe",
        title: "average bioequivalence (90% CI within 0.80-1.25)",
        source: "EMA CPMP/EWP/QWP/1401/98 Rev. 1; FDA guidance on statistical approaches (2001)",
        criterion: Criterion::Average,
        estimation: Estimation::Anova,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::Never,
            cap_cv: None,
            k: 0.0,
            pe_constraint: false,
            ratio_limit: None,
        },
    },
    RuleSpec {
        name: "ema",
        title: "EMA average bioequivalence with expanding limits (ABEL)",
        source: "EMA CPMP/EWP/QWP/1401/98 Rev. 1 (2010), section 4.1.10; method A (all fixed)",
        criterion: Criterion::WidenedLimits,
        estimation: Estimation::Anova,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::AboveCv(0.30),
            cap_cv: Some(0.50),
            k: 0.760,
            pe_constraint: true,
            ratio_limit: None,
        },
    },
    RuleSpec {
        name: "hc",
        title: "Health Canada average bioequivalence with expanding limits (cap 57.382%)",
        source: "Health Canada, Comparative bioavailability standards (2018); ISC as PowerTOST",
        criterion: Criterion::WidenedLimits,
        estimation: Estimation::Isc,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::AboveCv(0.30),
            cap_cv: Some(0.57382),
            k: 0.760,
            pe_constraint: true,
            ratio_limit: None,
        },
    },
    RuleSpec {
        name: "gcc",
        title: "GCC: 0.75-1.3333 when CVwR > 30%",
        source: "Gulf Cooperation Council bioequivalence guideline (2016)",
        criterion: Criterion::WidenedLimits,
        estimation: Estimation::Anova,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::AboveCv(0.30),
            cap_cv: Some(0.30),
            // exp(k sw(0.30)) = 1/0.75: the widened limits at the cap are 0.75-1.3333.
            k: GCC_K,
            pe_constraint: true,
            ratio_limit: None,
        },
    },
    RuleSpec {
        name: "fda_rsabe",
        title: "FDA reference-scaled average bioequivalence (RSABE)",
        source:
            "FDA draft guidance on progesterone (2008, rev. 2011): the Hyslop linearized criterion",
        criterion: Criterion::Scaled,
        estimation: Estimation::Isc,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::AtLeastSwr(0.294),
            cap_cv: None,
            // ln(1.25) / sigma_w0 with sigma_w0 = 0.25.
            k: FDA_RSABE_K,
            pe_constraint: true,
            ratio_limit: None,
        },
    },
    RuleSpec {
        name: "fda_ntid",
        title: "FDA narrow therapeutic index: scaled criterion, ABE and variability ratio",
        source: "FDA draft guidance on warfarin sodium (2012)",
        criterion: Criterion::NarrowTherapeuticIndex,
        estimation: Estimation::Isc,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::Never,
            cap_cv: None,
            // -ln(0.9) / sigma_w0 with sigma_w0 = 0.10.
            k: FDA_NTID_K,
            pe_constraint: false,
            ratio_limit: Some(2.5),
        },
    },
    RuleSpec {
        name: "hv_ntid",
        title: "FDA highly variable narrow therapeutic index: ABE and variability ratio",
        source: "FDA draft guidance on dabigatran etexilate (2012, rev. 2017)",
        criterion: Criterion::HighlyVariableNarrowTherapeuticIndex,
        estimation: Estimation::Isc,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::Never,
            cap_cv: None,
            k: 0.0,
            pe_constraint: false,
            ratio_limit: Some(2.5),
        },
    },
    RuleSpec {
        name: "user",
        title: "user-defined expanding limits (switch_cv, cap_cv and k given in the config)",
        source: "the config",
        criterion: Criterion::WidenedLimits,
        estimation: Estimation::Anova,
        defaults: RuleConstants {
            limits: ABE_LIMITS,
            switch: Switch::AboveCv(0.30),
            cap_cv: None,
            k: 0.760,
            pe_constraint: true,
            ratio_limit: None,
        },
    },
];

/// ln(1.25) / 0.25.
pub const FDA_RSABE_K: f64 = 0.892_574_205_256_839_1;
/// -ln(0.9) / 0.10.
pub const FDA_NTID_K: f64 = 1.053_605_156_578_262_7;
/// ln(1/0.75) / sqrt(ln(1 + 0.3²)).
pub const GCC_K: f64 = 0.979_975_816_993_451_8;

/// sigma_w from a within-participant CV: sqrt(ln(1 + CV²)).
pub fn cv_to_sw(cv: f64) -> f64 {
    cv.mul_add(cv, 1.0).ln().sqrt()
}

/// The within-participant CV of a log-scale SD: sqrt(exp(s²) - 1).
pub fn sw_to_cv(sw: f64) -> f64 {
    (sw * sw).exp_m1().sqrt()
}

/// A rule from the table: an index that spells itself by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RuleName(u8);

impl RuleName {
    /// Average bioequivalence.
    pub const ABE: RuleName = RuleName(0);
    /// EMA ABEL.
    pub const EMA: RuleName = RuleName(1);
    /// FDA RSABE.
    pub const FDA_RSABE: RuleName = RuleName(4);

    /// The rule's entry.
    pub fn spec(self) -> &'static RuleSpec {
        &RULES[usize::from(self.0)]
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The rule called `name`.
    pub fn from_name(name: &str) -> Option<RuleName> {
        RULES
            .iter()
            .position(|r| r.name == name)
            .map(|i| RuleName(i as u8))
    }

    /// Every rule name, for messages.
    pub fn names() -> Vec<&'static str> {
        RULES.iter().map(|r| r.name).collect()
    }
}

impl TryFrom<String> for RuleName {
    type Error = String;
    fn try_from(s: String) -> Result<RuleName, String> {
        RuleName::from_name(&s).ok_or_else(|| {
            format!(
                "unknown bioequivalence rule {s:?}; expected one of {}",
                RuleName::names().join(", ")
            )
        })
    }
}

impl From<RuleName> for String {
    fn from(r: RuleName) -> String {
        r.as_str().to_string()
    }
}

/// A validated rule: its entry, constants and level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BioequivalenceRule {
    name: RuleName,
    constants: RuleConstants,
    alpha: f64,
}

impl BioequivalenceRule {
    /// `name` with `constants` at level `alpha` (validated by `config`).
    pub fn new(name: RuleName, constants: RuleConstants, alpha: f64) -> BioequivalenceRule {
        BioequivalenceRule {
            name,
            constants,
            alpha,
        }
    }

    /// The rule's table entry.
    pub fn spec(&self) -> &'static RuleSpec {
        self.name.spec()
    }

    /// The rule's name.
    pub fn name(&self) -> RuleName {
        self.name
    }

    /// Its constants.
    pub fn constants(&self) -> &RuleConstants {
        &self.constants
    }

    /// The level of each one-sided test.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The same rule at another level (alpha adjustment).
    pub fn with_alpha(&self, alpha: f64) -> BioequivalenceRule {
        BioequivalenceRule { alpha, ..*self }
    }

    /// Whether the rule reads s²wT (the variability ratio).
    pub fn needs_test_variance(&self) -> bool {
        self.constants.ratio_limit.is_some()
    }

    /// Whether a true s²wR lies above the switch (the rule scales at the true value).
    pub fn scales_at(&self, s2: f64) -> bool {
        match self.spec().criterion {
            Criterion::Average | Criterion::HighlyVariableNarrowTherapeuticIndex => false,
            Criterion::NarrowTherapeuticIndex => true,
            Criterion::WidenedLimits | Criterion::Scaled => match self.constants.switch {
                Switch::AboveCv(cv) => s2 > cv_to_sw(cv).powi(2),
                Switch::AtLeastSwr(swr) => s2.sqrt() >= swr,
                Switch::Never => true,
            },
        }
    }

    /// The upper limit on the ratio scale that a within-reference SD `sw` implies: the widened
    /// limit (capped) or the implied limit exp(k sw) of a scaled criterion when the rule scales
    /// at `sw`; the average-bioequivalence limit otherwise (an NTID rule: the smaller of the
    /// two, as it tests both). The true ratio there is the rule's least favourable null.
    pub fn implied_upper_limit(&self, sw: f64) -> f64 {
        let upper = self.constants.limits.1;
        if !self.scales_at(sw * sw) {
            return upper;
        }
        let k = self.constants.k;
        match self.spec().criterion {
            Criterion::WidenedLimits => {
                let capped = match self.constants.cap_cv {
                    Some(cap) => sw.min(cv_to_sw(cap)),
                    None => sw,
                };
                (k * capped).exp()
            }
            Criterion::Scaled => (k * sw).exp(),
            Criterion::NarrowTherapeuticIndex => (k * sw).exp().min(upper),
            _ => upper,
        }
    }

    /// Whether a true log ratio `effect` lies in the rule's null given the true
    /// within-reference SD `sw`: at or beyond the implied limits (within 1e-9, the least
    /// favourable null counts as null), so that the pass rate there is a type I error.
    pub fn is_null(&self, effect: f64, sw: f64) -> bool {
        const ON: f64 = 1e-9;
        let upper = self.implied_upper_limit(sw).ln();
        let lower = self.implied_lower_limit(sw).ln();
        effect >= upper - ON || effect <= lower + ON
    }

    /// The lower limit implied by `sw` (the reciprocal of the upper for symmetric limits).
    pub fn implied_lower_limit(&self, sw: f64) -> f64 {
        let (lower, upper) = self.constants.limits;
        let u = self.implied_upper_limit(sw);
        if u == upper {
            lower
        } else {
            1.0 / u
        }
    }
}

/// What a rule reads from one replicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleInputs {
    /// Point estimate of mu_T - mu_R (log scale).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Its degrees of freedom.
    pub df: usize,
    /// s²wR and its df.
    pub s2_reference: f64,
    /// The df of s²wR.
    pub df_reference: usize,
    /// s²wT (NaN when not read).
    pub s2_test: f64,
    /// The df of s²wT.
    pub df_test: usize,
}

/// A rule's decision on one replicate with its components.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RuleOutcome {
    /// Bioequivalent under the whole rule.
    pub bioequivalent: bool,
    /// The rule's criterion alone: the widened-limit (EMA, HC, GCC, user) or scaled (FDA
    /// RSABE, NTID) criterion where the rule scales, average bioequivalence where it does not
    /// (PowerTOST's `p(BE-ABEL)`, `p(BE-sABEc)`).
    pub criterion: bool,
    /// The point estimate within the average-bioequivalence limits.
    pub point_estimate: bool,
    /// Average bioequivalence alone.
    pub average: bool,
    /// The variability ratio's upper limit within its bound (true for rules without one).
    pub variability_ratio: bool,
    /// The rule scaled (the estimated CVwR above its switch).
    pub scaled: bool,
    /// The estimated CVwR.
    pub cv_reference: f64,
    /// The upper limit applied on the ratio scale (widened, implied or 1.25).
    pub upper_limit: f64,
}

/// The 95% upper bound of (mu_T - mu_R)² - theta sigma²wR by Howe's linearization as the
/// FDA's SAS code and PowerTOST compute it: `(Em - Es) + sqrt((Cm - Em)² + (Cs - Es)²)` with
/// Em = PE² - SE², Cm = (|PE| + half_width)² (half_width = t_{1-alpha, df} SE),
/// Es = theta s²wR (`scaled_variance`) and Cs = Es dfRR / qchisq(1 - alpha, dfRR)
/// (`chi_ratio` = dfRR / qchisq). Bioequivalent when it is at most 0.
pub fn hyslop_bound(
    estimate: f64,
    se: f64,
    half_width: f64,
    scaled_variance: f64,
    chi_ratio: f64,
) -> f64 {
    let em = estimate * estimate - se * se;
    let es = scaled_variance;
    let cm = (estimate.abs() + half_width).powi(2);
    let cs = es * chi_ratio;
    (em - es) + ((cm - em).powi(2) + (cs - es).powi(2)).sqrt()
}

/// A rule with its quantiles tabulated by df, for the hot loop.
#[derive(Debug, Clone)]
pub struct PreparedRule {
    rule: BioequivalenceRule,
    /// ln of the average-bioequivalence limits.
    log_limits: (f64, f64),
    /// s²wR at the switch, and whether reaching it scales.
    switch_variance: f64,
    switch_inclusive: bool,
    always_scales: bool,
    /// swR at the cap (inf without one).
    cap_sw: f64,
    /// t_{1-alpha, df}, by df.
    t: Vec<f64>,
    /// qchisq(1 - alpha, df), by df.
    chi_square: Vec<f64>,
    /// qf(alpha, dfT, dfR), by (dfT, dfR) up to `max_df` each, computed on first use per
    /// worker (see `ratio_quantile`).
    f_table: Vec<f64>,
    max_df: usize,
}

impl PreparedRule {
    /// Tabulates the quantiles for degrees of freedom up to `max_df`.
    pub fn new(rule: BioequivalenceRule, max_df: usize) -> PreparedRule {
        let c = rule.constants;
        let alpha = rule.alpha;
        let max_df = max_df.max(2);
        let (switch_variance, switch_inclusive, never) = match c.switch {
            Switch::AboveCv(cv) => (cv_to_sw(cv).powi(2), false, false),
            Switch::AtLeastSwr(s) => (s * s, true, false),
            Switch::Never => (0.0, true, true),
        };
        let always_scales =
            never || matches!(rule.spec().criterion, Criterion::NarrowTherapeuticIndex);
        let t = (0..=max_df)
            .map(|df| {
                if df == 0 {
                    f64::INFINITY
                } else {
                    t_quantile(1.0 - alpha, df as f64)
                }
            })
            .collect();
        let chi_square = (0..=max_df)
            .map(|df| {
                if df == 0 {
                    f64::NAN
                } else {
                    chi_square_quantile(1.0 - alpha, df as f64)
                }
            })
            .collect();
        let f_table = if rule.needs_test_variance() {
            vec![f64::NAN; (max_df + 1) * (max_df + 1)]
        } else {
            Vec::new()
        };
        PreparedRule {
            rule,
            log_limits: (c.limits.0.ln(), c.limits.1.ln()),
            switch_variance,
            switch_inclusive,
            always_scales,
            cap_sw: c.cap_cv.map_or(f64::INFINITY, cv_to_sw),
            t,
            chi_square,
            f_table,
            max_df,
        }
    }

    /// The validated rule.
    pub fn rule(&self) -> &BioequivalenceRule {
        &self.rule
    }

    /// qf(alpha, dfT, dfR), tabulated on first use: which df pairs occur depends on dropout,
    /// and a full table would cost max_df² quantiles up front. Each worker has its own copy,
    /// so a quantile is computed at most once per worker and df pair, never per replicate.
    fn ratio_quantile(&mut self, df_test: usize, df_reference: usize) -> f64 {
        let (a, b) = (df_test.min(self.max_df), df_reference.min(self.max_df));
        let slot = &mut self.f_table[a * (self.max_df + 1) + b];
        if slot.is_nan() {
            *slot = f_quantile(self.rule.alpha, a as f64, b as f64);
        }
        *slot
    }

    /// Decides one replicate; `None` when the estimates are not analysable (no df).
    pub fn decide(&mut self, x: &RuleInputs) -> Option<RuleOutcome> {
        if x.df == 0 || !x.se.is_finite() || x.df > self.max_df {
            return None;
        }
        let spec = self.rule.spec();
        let c = self.rule.constants;
        let needs_reference = !matches!(spec.criterion, Criterion::Average);
        if needs_reference && (x.df_reference == 0 || !x.s2_reference.is_finite()) {
            return None;
        }
        let hw = self.t[x.df] * x.se;
        let (lo, hi) = (x.estimate - hw, x.estimate + hw);
        let (l_abe, u_abe) = self.log_limits;
        let average = l_abe <= lo && hi <= u_abe;
        let point_estimate = l_abe <= x.estimate && x.estimate <= u_abe;
        let s2 = x.s2_reference;
        let sw = s2.sqrt();
        let scaled = needs_reference
            && (self.always_scales
                || if self.switch_inclusive {
                    s2 >= self.switch_variance
                } else {
                    s2 > self.switch_variance
                });
        let k = c.k;
        let (criterion, upper_limit) = match spec.criterion {
            Criterion::Average | Criterion::HighlyVariableNarrowTherapeuticIndex => {
                (average, c.limits.1)
            }
            Criterion::WidenedLimits => {
                if scaled {
                    let w = k * sw.min(self.cap_sw);
                    (-w <= lo && hi <= w, w.exp())
                } else {
                    (average, c.limits.1)
                }
            }
            Criterion::Scaled | Criterion::NarrowTherapeuticIndex => {
                if scaled {
                    let df_r = x.df_reference.min(self.max_df);
                    let bound = hyslop_bound(
                        x.estimate,
                        x.se,
                        hw,
                        k * k * s2,
                        df_r as f64 / self.chi_square[df_r],
                    );
                    (bound <= 0.0, (k * sw).exp())
                } else {
                    (average, c.limits.1)
                }
            }
        };
        let variability_ratio = match c.ratio_limit {
            Some(limit) => {
                if x.df_test == 0 || !x.s2_test.is_finite() {
                    return None;
                }
                let q = self.ratio_quantile(x.df_test, x.df_reference);
                (x.s2_test / s2 / q).sqrt() <= limit
            }
            None => true,
        };
        let bioequivalent = match spec.criterion {
            Criterion::NarrowTherapeuticIndex => criterion && average && variability_ratio,
            Criterion::HighlyVariableNarrowTherapeuticIndex => average && variability_ratio,
            _ => criterion && (!c.pe_constraint || point_estimate),
        };
        Some(RuleOutcome {
            bioequivalent,
            criterion,
            point_estimate,
            average,
            variability_ratio,
            scaled,
            cv_reference: if needs_reference {
                sw_to_cv(sw)
            } else {
                f64::NAN
            },
            upper_limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str) -> BioequivalenceRule {
        let n = RuleName::from_name(name).unwrap();
        BioequivalenceRule::new(n, n.spec().defaults, 0.05)
    }

    /// PowerTOST 1.5-7 `scABEL()` (REFERENCES part three): EMA at CV 0.3 / 0.5 gives
    /// 0.80-1.25 / 0.6983678-1.4319102, at CV 0.40898 0.7416433-1.3483572; at CV 0.55 HC
    /// 0.6765789-1.4780241, GCC 0.75-1.333333, FDA (implied) 0.6320032-1.5822705.
    #[test]
    fn implied_limits_equal_powertost_scabel() {
        let check = |name: &str, cv: f64, lower: f64, upper: f64| {
            let r = rule(name);
            let sw = cv_to_sw(cv);
            let (l, u) = (r.implied_lower_limit(sw), r.implied_upper_limit(sw));
            assert!(
                (l - lower).abs() < 1e-7,
                "{name} CV {cv}: lower {l} vs {lower}"
            );
            assert!(
                (u - upper).abs() < 1e-7,
                "{name} CV {cv}: upper {u} vs {upper}"
            );
        };
        check("ema", 0.3, 0.80, 1.25);
        check("ema", 0.5, 0.6983678, 1.4319102);
        check("ema", 0.40898, 0.7416433, 1.3483572);
        check("ema", 0.7, 0.6983678, 1.4319102);
        check("hc", 0.55, 0.6765789, 1.4780241);
        check("gcc", 0.55, 0.75, 1.333_333_3);
        check("fda_rsabe", 0.55, 0.6320032, 1.5822705);
    }

    /// The constants as the regulators define them, to double precision.
    #[test]
    fn constants_are_their_definitions() {
        assert!((FDA_RSABE_K - 1.25f64.ln() / 0.25).abs() < 1e-15);
        assert!((FDA_NTID_K - (1.0f64 / 0.9).ln() / 0.10).abs() < 1e-15);
        assert!((GCC_K - (1.0f64 / 0.75).ln() / cv_to_sw(0.30)).abs() < 1e-15);
        // PowerTOST: se2CV(log(1.5)/0.76) = 0.57381995, Health Canada's cap.
        assert!((sw_to_cv(1.5f64.ln() / 0.76) - 0.573_819_95).abs() < 1e-8);
    }

    /// The Hyslop bound by hand for one set of FDA quantities: PE 0.05, SE 0.04 on 34 df,
    /// s²wR 0.09 on 34 df, alpha 0.05: t = qt(0.95, 34) = 1.6909242551868546 and
    /// qchisq(0.95, 34) = 48.602367367294164 (SciPy `t.ppf`, `chi2.ppf`); Em = 0.0025 - 0.0016,
    /// Es = 0.8925742² 0.09, Cm = (0.05 + t 0.04)², Cs = Es 34 / 48.602365; the bound
    /// (Em - Es) + sqrt((Cm - Em)² + (Cs - Es)²) = -0.045673 < 0: bioequivalent.
    #[test]
    fn the_hyslop_bound_decides_as_computed_by_hand() {
        let mut p = PreparedRule::new(rule("fda_rsabe"), 100);
        let x = RuleInputs {
            estimate: 0.05,
            se: 0.04,
            df: 34,
            s2_reference: 0.09,
            df_reference: 34,
            s2_test: f64::NAN,
            df_test: 0,
        };
        let t = 1.6909242551868546f64;
        let chi = 48.602367367294164f64;
        let em = 0.0025 - 0.0016;
        let es = FDA_RSABE_K * FDA_RSABE_K * 0.09;
        let cm = (0.05 + t * 0.04f64).powi(2);
        let cs = es * 34.0 / chi;
        let bound = (em - es) + ((cm - em).powi(2) + (cs - es).powi(2)).sqrt();
        assert!((bound - -0.04567262013748694).abs() < 1e-12, "{bound}");
        let o = p.decide(&x).unwrap();
        assert!(o.scaled && o.criterion && o.point_estimate && o.bioequivalent);
        // Move the PE until the bound by hand turns positive; the rule must follow it.
        let x2 = RuleInputs {
            estimate: 0.30,
            ..x
        };
        let em2 = 0.09 - 0.0016;
        let cm2 = (0.30 + t * 0.04f64).powi(2);
        let bound2 = (em2 - es) + ((cm2 - em2).powi(2) + (cs - es).powi(2)).sqrt();
        assert!(bound2 > 0.0);
        assert!(!p.decide(&x2).unwrap().criterion);
    }
}
