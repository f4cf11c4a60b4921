//! The registry of two-stage methods: one [`MethodSpec`] per method, with its name, its
//! interim rule, the hypotheses it serves and its published defaults. Validation, the stage-1
//! decision, the reports and the config's spelling all read the spec, so a method whose
//! interim rule already exists is one entry here; a new kind of interim decision is one
//! [`InterimRule`] variant and its arm in `PreparedTwoStage::stage_one`.

use serde::{Deserialize, Serialize};

/// What a method decides on stage 1 before the sample-size step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterimRule {
    /// Test stage 1 at the adjusted alpha; pass: stop. Otherwise, when stage 1 already had the
    /// target power at the adjusted alpha, stop and fail (Potvin B).
    TestThenPowerCheck,
    /// When stage 1 already had the target power at `alpha_powered`, test there and stop (pass
    /// or fail); otherwise test at the adjusted alpha and stop on a pass (Potvin C, Montague D).
    PowerCheckThenTest,
    /// No test at the interim: stage 2's size is re-estimated from the stage-1 variance.
    NoTest,
    /// Each stage analysed on its own and the stages' z-scores combined by the inverse-normal
    /// method (standard or maximum combination test), stage 2 sized from the conditional
    /// error (Maurer, Jones and Chen 2018; `inverse_normal`).
    Combination,
    /// Test stage 1 at the adjusted alpha; pass: stop. Otherwise (unless the stage-1 estimate
    /// is futile) stage 2 of the fixed size `adaptive.stage2`, and the pooled test at the
    /// adjusted alpha (Power2Stage's `power.tsd.GS`): a group-sequential design with two
    /// looks whose stage sizes are both planned in advance.
    FixedStages,
}

/// Which hypotheses a method serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodScope {
    /// Bioequivalence (TOST) only.
    Equivalence,
    /// Superiority or non-inferiority only.
    OneOrTwoSided,
}

/// One two-stage method.
#[derive(Debug)]
pub struct MethodSpec {
    /// The snake_case name used in configs and reports.
    pub name: &'static str,
    /// The name in words, for reports ("Potvin B").
    pub title: &'static str,
    /// Where the method is published.
    pub source: &'static str,
    /// The interim decision.
    pub interim: InterimRule,
    /// The hypotheses it serves.
    pub scope: MethodScope,
    /// The published adjusted alpha of the stage-1 and final tests (`None`: the analysis's).
    pub default_alpha: Option<f64>,
    /// The GMR the method assumes for power and sample size (`None`: the config must give
    /// the assumed effect).
    pub default_gmr: Option<f64>,
    /// The power method of the interim power and the sample size, unless the config sets one
    /// (Potvin's paper: the shifted central t; Power2Stage's `power.tsd.in`: noncentral t).
    pub default_power_method: PowerMethod,
    /// Futility on the stage-1 estimate unless the config sets it: the 90% CI entirely outside
    /// these ratio bounds (`None`: no such futility).
    pub default_ci_futility: Option<f64>,
    /// The smallest stage 2 unless the config sets it.
    pub default_min_stage2: usize,
    /// The power that sizes the total N is taken with df N minus this: 3, the df of the pooled
    /// analysis with a stage term (Potvin's methods); 2 for Power2Stage's `power.tsd.ssr`,
    /// whose `.sampleN2(dfc = "n-2")` sizes the trial as if it were a single stage.
    pub sizing_df_lost: usize,
}

/// Every two-stage method, in the order reports and error messages list them.
pub static METHODS: [MethodSpec; 7] = [
    MethodSpec {
        name: "potvin_b",
        title: "Potvin B",
        source: "Potvin et al., Pharm Stat 2008, method B",
        interim: InterimRule::TestThenPowerCheck,
        scope: MethodScope::Equivalence,
        default_alpha: Some(0.0294),
        default_gmr: Some(0.95),
        default_power_method: PowerMethod::Shifted,
        default_ci_futility: None,
        default_min_stage2: 0,
        sizing_df_lost: 3,
    },
    MethodSpec {
        name: "potvin_c",
        title: "Potvin C",
        source: "Potvin et al., Pharm Stat 2008, method C",
        interim: InterimRule::PowerCheckThenTest,
        scope: MethodScope::Equivalence,
        default_alpha: Some(0.0294),
        default_gmr: Some(0.95),
        default_power_method: PowerMethod::Shifted,
        default_ci_futility: None,
        default_min_stage2: 0,
        sizing_df_lost: 3,
    },
    MethodSpec {
        name: "montague_d",
        title: "Montague D",
        source: "Montague et al., Pharm Stat 2012, method D (C with its own alpha and GMR)",
        interim: InterimRule::PowerCheckThenTest,
        scope: MethodScope::Equivalence,
        default_alpha: Some(0.028),
        default_gmr: Some(0.90),
        default_power_method: PowerMethod::Shifted,
        default_ci_futility: None,
        default_min_stage2: 0,
        sizing_df_lost: 3,
    },
    MethodSpec {
        name: "reestimate",
        title: "Re-estimation",
        source: "sample-size re-estimation from the interim variance (internal pilot)",
        interim: InterimRule::NoTest,
        scope: MethodScope::OneOrTwoSided,
        default_alpha: None,
        default_gmr: None,
        default_power_method: PowerMethod::Shifted,
        default_ci_futility: None,
        default_min_stage2: 0,
        sizing_df_lost: 3,
    },
    MethodSpec {
        name: "inverse_normal",
        title: "Inverse normal (maximum combination test)",
        source: "Maurer, Jones and Chen, Stat Med 2018 (Power2Stage's power.tsd.in)",
        interim: InterimRule::Combination,
        scope: MethodScope::Equivalence,
        // The overall alpha (analysis.alpha) gives the critical value and the local levels.
        default_alpha: None,
        default_gmr: Some(0.95),
        default_power_method: PowerMethod::Nct,
        default_ci_futility: Some(0.95),
        default_min_stage2: 4,
        sizing_df_lost: 3,
    },
    MethodSpec {
        name: "group_sequential",
        title: "Group-sequential (both stage sizes fixed)",
        source: "two looks at planned sizes n1 and n2 with Pocock-type adjusted alphas (Power2Stage's power.tsd.GS)",
        interim: InterimRule::FixedStages,
        scope: MethodScope::Equivalence,
        // power.tsd.GS's default alpha = c(0.0294, 0.0294).
        default_alpha: Some(0.0294),
        // Not used: neither stage is sized from a power.
        default_gmr: Some(0.95),
        default_power_method: PowerMethod::Nct,
        // power.tsd.GS: fClower defaults to 0 (fCupper to 1/0), no futility.
        default_ci_futility: None,
        default_min_stage2: 0,
        sizing_df_lost: 3,
    },
    MethodSpec {
        name: "ssr",
        title: "Sample-size re-estimation (no interim test)",
        source: "re-estimation of N from the blinded or unblinded stage-1 variance, TOST only at the end (Power2Stage's power.tsd.ssr)",
        interim: InterimRule::NoTest,
        scope: MethodScope::Equivalence,
        // power.tsd.ssr: alpha = 0.05, GMR = 0.95, pmethod "nct".
        default_alpha: None,
        default_gmr: Some(0.95),
        default_power_method: PowerMethod::Nct,
        default_ci_futility: None,
        default_min_stage2: 0,
        sizing_df_lost: 2,
    },
];

/// A two-stage method: an index into [`METHODS`], spelled by its name in configs and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Method(u8);

impl Method {
    /// Potvin et al. 2008, method B.
    pub const POTVIN_B: Method = Method(0);
    /// Potvin et al. 2008, method C.
    pub const POTVIN_C: Method = Method(1);
    /// Montague et al. 2012, method D.
    pub const MONTAGUE_D: Method = Method(2);
    /// Re-estimation of N from the stage-1 variance, no test at the interim.
    pub const REESTIMATE: Method = Method(3);
    /// The inverse-normal combination test (Maurer, Jones and Chen 2018).
    pub const INVERSE_NORMAL: Method = Method(4);
    /// Group-sequential with both stage sizes fixed (Power2Stage's `power.tsd.GS`).
    pub const GROUP_SEQUENTIAL: Method = Method(5);
    /// Re-estimation of N for TOST without an interim test (Power2Stage's `power.tsd.ssr`).
    pub const SSR: Method = Method(6);

    /// Every method, in registry order.
    pub fn all() -> impl Iterator<Item = Method> {
        (0..METHODS.len()).map(|i| Method(i as u8))
    }

    /// The method's entry in the registry.
    pub fn spec(self) -> &'static MethodSpec {
        &METHODS[self.0 as usize]
    }

    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The method of that name.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::all().find(|m| m.as_str() == name)
    }

    /// The names of the methods with `scope`, as a config writes them (for messages).
    pub fn names_with_scope(scope: MethodScope) -> Vec<&'static str> {
        Method::all()
            .filter(|m| m.spec().scope == scope)
            .map(Method::as_str)
            .collect()
    }

    /// The method's adjusted alpha (Potvin B and C 0.0294, Montague D 0.028).
    pub fn default_alpha(self) -> Option<f64> {
        self.spec().default_alpha
    }

    /// The GMR the method assumes for power and sample size (0.95; D: 0.90).
    pub fn default_gmr(self) -> Option<f64> {
        self.spec().default_gmr
    }
}

impl TryFrom<String> for Method {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Method::from_name(&name).ok_or_else(|| {
            let names: Vec<String> = Method::all().map(|m| format!("`{}`", m.as_str())).collect();
            // The wording of serde's own message for an enum, which users already know.
            format!(
                "unknown variant `{name}`, expected one of {}",
                names.join(", ")
            )
        })
    }
}

impl From<Method> for String {
    fn from(m: Method) -> String {
        m.as_str().to_string()
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How power is computed for the interim power check and the re-estimated N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerMethod {
    /// The central t shifted by the noncentrality (Potvin's paper).
    Shifted,
    /// The noncentral t approximation (PowerTOST's "nct").
    Nct,
    /// Exact (Owen's Q for TOST).
    Exact,
    /// The large-sample (normal) approximation; for re-estimation (`ssr`) the closed-form
    /// total N of Power2Stage's `pmethod = "ls"` (`.sampleN00`) without an interim power check.
    LargeSample,
}

impl PowerMethod {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PowerMethod::Shifted => "shifted",
            PowerMethod::Nct => "nct",
            PowerMethod::Exact => "exact",
            PowerMethod::LargeSample => "large_sample",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), METHODS.len());
        for m in Method::all() {
            assert_eq!(Method::from_name(m.as_str()), Some(m));
            assert_eq!(Method::try_from(m.as_str().to_string()), Ok(m));
        }
        let unknown = Method::try_from("potvin_z".to_string()).unwrap_err();
        assert!(
            unknown.contains("`potvin_z`") && unknown.contains("`montague_d`"),
            "{unknown}"
        );
    }

    /// Potvin et al. (2008) and Montague et al. (2012): the published adjusted alphas and GMRs.
    #[test]
    fn published_defaults() {
        assert_eq!(Method::POTVIN_B.default_alpha(), Some(0.0294));
        assert_eq!(Method::POTVIN_C.default_alpha(), Some(0.0294));
        assert_eq!(Method::MONTAGUE_D.default_alpha(), Some(0.028));
        assert_eq!(Method::MONTAGUE_D.default_gmr(), Some(0.90));
        assert_eq!(Method::REESTIMATE.default_alpha(), None);
        assert_eq!(
            Method::names_with_scope(MethodScope::Equivalence),
            [
                "potvin_b",
                "potvin_c",
                "montague_d",
                "inverse_normal",
                "group_sequential",
                "ssr"
            ]
        );
        assert_eq!(
            Method::INVERSE_NORMAL.spec().default_ci_futility,
            Some(0.95)
        );
    }
}
