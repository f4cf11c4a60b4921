//! The `adjust-alpha` job for reference-scaled rules (Labes & Schütz 2016): the largest
//! alpha whose type I error at the expanded limit is at most the nominal level.
//!
//! The trial is simulated once at the rule's least favourable null (the true GMR at the limit
//! the true CVwR implies) and once at the config's own GMR; each simulated trial's estimates
//! are kept, and the rule is decided on the same trials at every candidate alpha (common
//! random numbers). The type I error is then a step function of alpha over a fixed set of
//! trials, and bisection finds its last step at or below nominal to 1e-9.

use crate::config::{LoadedConfig, TrialDesign};
use crate::engine::Simulator;
use crate::error::Error;
use crate::inference::scaled::{BioequivalenceRule, PreparedRule, RuleInputs};
use crate::report::export::{Exporter, JsonFile};
use crate::report::{html, reproduce, Proportion, ReportError, ToolInfo};
use serde::Serialize;
use std::fmt::Write;

/// A rule decided at one alpha on the kept trials.
#[derive(Debug, Clone, Serialize)]
pub struct AtAlpha {
    /// The level of each one-sided test.
    pub alpha: f64,
    /// The pass rate at the expanded limit (type I error).
    pub type_one_error: Proportion,
    /// The pass rate at the config's GMR (power).
    pub power: Proportion,
}

/// The answer of `adjust-alpha`.
#[derive(Debug, Clone, Serialize)]
pub struct AlphaAdjustment {
    /// Tool identity.
    pub tool: ToolInfo,
    /// Config name.
    pub name: String,
    /// Config path as given.
    pub config_file: String,
    /// The `--set` arguments applied.
    pub overrides: Vec<String>,
    /// The rule's name.
    pub rule: String,
    /// The true CVwR.
    pub cv_reference: f64,
    /// The true GMR of the power rows.
    pub gmr: f64,
    /// The true GMR of the type I error rows: the upper limit the true CVwR implies.
    pub expanded_limit: f64,
    /// The nominal level.
    pub nominal_alpha: f64,
    /// The rule at the nominal level.
    pub at_nominal: AtAlpha,
    /// Whether the type I error at the nominal level exceeds it.
    pub adjustment_needed: bool,
    /// The largest alpha whose type I error is at most nominal (the nominal alpha when no
    /// adjustment is needed).
    pub adjusted_alpha: f64,
    /// Its Monte Carlo SE by the delta method: the type I error's SE over the slope of the type
    /// I error in alpha (a central difference of +/- 0.002 on the same trials).
    pub adjusted_alpha_se: f64,
    /// The rule at the adjusted level.
    pub at_adjusted: AtAlpha,
    /// A pre-specified alpha checked instead of searched (`--alpha`), if given.
    pub prespecified: Option<AtAlpha>,
    /// Replicates at each of the two true GMRs.
    pub replicates: u64,
    /// Seed.
    pub seed: u64,
    /// The command that reproduces these files.
    pub command: String,
}

/// Trials kept for deciding a rule at many levels.
struct KeptTrials {
    inputs: Vec<Option<RuleInputs>>,
    max_df: usize,
}

impl KeptTrials {
    fn simulate(design: &TrialDesign, replicates: u64, origin: &str) -> Result<KeptTrials, Error> {
        let sim = Simulator::new(design).map_err(|source| Error::Boundary {
            origin: origin.to_string(),
            source,
        })?;
        let inputs = sim.rule_inputs(0..replicates);
        let max_df = inputs
            .iter()
            .flatten()
            .map(|x| x.df.max(x.df_reference).max(x.df_test))
            .max()
            .unwrap_or(2);
        Ok(KeptTrials { inputs, max_df })
    }

    /// Trials passing `rule`.
    fn passes(&self, rule: &BioequivalenceRule) -> u64 {
        let mut prepared = PreparedRule::new(*rule, self.max_df);
        self.inputs
            .iter()
            .flatten()
            .filter(|x| prepared.decide(x).is_some_and(|o| o.bioequivalent))
            .count() as u64
    }

    fn rate(&self, rule: &BioequivalenceRule) -> Proportion {
        Proportion::new(self.passes(rule), self.inputs.len() as u64)
    }
}

/// `crossover-sim adjust-alpha CONFIG [--set ...] --seed S --replicates R [--alpha A]`.
pub fn command(loaded: &LoadedConfig, prespecified: Option<f64>) -> String {
    let mut args = vec!["adjust-alpha".to_string()];
    args.extend(reproduce::config_args(loaded));
    if let Some(a) = prespecified {
        args.extend(["--alpha".to_string(), a.to_string()]);
    }
    reproduce::command(&args)
}

/// Finds the adjusted alpha of `loaded`'s bioequivalence rule (or checks `prespecified`).
pub fn adjust_alpha(
    loaded: &LoadedConfig,
    prespecified: Option<f64>,
) -> Result<AlphaAdjustment, Error> {
    let design = &loaded.design;
    let (Some(rule), Some(null)) = (design.bioequivalence(), design.at_expanded_limit()) else {
        return Err(Error::Usage(format!(
            "{}: adjust-alpha needs a reference-scaled rule in [bioequivalence] (e.g. rule = \"ema\")",
            loaded.origin
        )));
    };
    if design.two_stage().is_some() && design.contrasts().len() > 1 {
        return Err(Error::Usage(format!(
            "{}: adjust-alpha finds the alpha of one comparison's single-stage rule; this two-stage design compares several test formulations: calibrate its familywise error with `crossover-sim calibrate` (docs/two_stage_methods.md)",
            loaded.origin
        )));
    }
    if design.metrics().is_some() {
        return Err(Error::Usage(format!(
            "{}: adjust-alpha finds the alpha of one metric's rule; this config decides several PK metrics (log_normal.metrics): adjust on a config of the scaled metric alone",
            loaded.origin
        )));
    }
    if let Some(a) = prespecified {
        if !(a > 0.0 && a < 0.5) {
            return Err(Error::argument(
                "alpha",
                &a.to_string(),
                "must be a level in (0, 0.5), e.g. 0.025",
            ));
        }
    }
    let replicates = design.replicates();
    let at_null = KeptTrials::simulate(&null, replicates, &loaded.origin)?;
    let at_gmr = KeptTrials::simulate(design, replicates, &loaded.origin)?;
    let nominal = rule.alpha();
    let at = |alpha: f64| AtAlpha {
        alpha,
        type_one_error: at_null.rate(&rule.with_alpha(alpha)),
        power: at_gmr.rate(&rule.with_alpha(alpha)),
    };
    let limit = nominal;
    let holds =
        |alpha: f64| at_null.passes(&rule.with_alpha(alpha)) as f64 <= limit * replicates as f64;
    let at_nominal = at(nominal);
    let adjustment_needed = !holds(nominal);
    let adjusted = if adjustment_needed {
        // holds(lo) and !holds(hi) throughout.
        let (mut lo, mut hi) = (0.0f64, nominal);
        while hi - lo > 1e-9 {
            let mid = 0.5 * (lo + hi);
            if mid <= 0.0 || holds(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    } else {
        nominal
    };
    let h = 0.002f64.min(adjusted / 2.0);
    let slope = (at_null.rate(&rule.with_alpha(adjusted + h)).estimate
        - at_null.rate(&rule.with_alpha(adjusted - h)).estimate)
        / (2.0 * h);
    let at_adjusted = at(adjusted);
    let adjusted_alpha_se = if slope > 0.0 {
        at_adjusted.type_one_error.se / slope
    } else {
        f64::NAN
    };
    let reference = design.crossover().reference().index();
    let sw = design.population().within_sd[reference];
    let test = design.test().index();
    let mean = &design.population().classes[0].change_mean;
    Ok(AlphaAdjustment {
        tool: ToolInfo::current(),
        name: design.name().to_string(),
        config_file: loaded.origin.clone(),
        overrides: loaded.overrides.clone(),
        rule: rule.name().as_str().to_string(),
        cv_reference: crate::inference::scaled::sw_to_cv(sw),
        gmr: (mean[test] - mean[reference]).exp(),
        expanded_limit: rule.implied_upper_limit(sw),
        nominal_alpha: nominal,
        at_nominal,
        adjustment_needed,
        adjusted_alpha: adjusted,
        adjusted_alpha_se,
        at_adjusted,
        prespecified: prespecified.map(at),
        replicates,
        seed: design.seed(),
        command: command(loaded, prespecified),
    })
}

/// The Markdown report of an alpha adjustment.
pub fn render_markdown(r: &AlphaAdjustment) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}: alpha adjustment ({})\n", r.name, r.rule);
    let _ = writeln!(
        s,
        "True CVwR {:.4}; type I error at the expanded limit {:.6} (the upper limit the true CVwR implies); power at GMR {:.4}. {} replicates at each, seed {}, the same simulated trials at every alpha (common random numbers).\n",
        r.cv_reference, r.expanded_limit, r.gmr, r.replicates, r.seed
    );
    if r.adjustment_needed {
        let _ = writeln!(
            s,
            "The type I error at alpha {} exceeds it: **adjusted alpha {:.6}** (Monte Carlo SE {:.6}, {:.2}% confidence interval of T/R).\n",
            r.nominal_alpha,
            r.adjusted_alpha,
            r.adjusted_alpha_se,
            100.0 * (1.0 - 2.0 * r.adjusted_alpha)
        );
    } else {
        let _ = writeln!(
            s,
            "The type I error at alpha {} does not exceed it: **no adjustment needed**.\n",
            r.nominal_alpha
        );
    }
    s.push_str("| alpha | type I error | MC SE | power | MC SE |\n|---|---|---|---|---|\n");
    let mut rows = vec![("nominal", &r.at_nominal), ("adjusted", &r.at_adjusted)];
    if let Some(p) = &r.prespecified {
        rows.push(("pre-specified", p));
    }
    for (label, a) in rows {
        let _ = writeln!(
            s,
            "| {:.6} ({label}) | {:.5} | {:.5} | {:.5} | {:.5} |",
            a.alpha, a.type_one_error.estimate, a.type_one_error.se, a.power.estimate, a.power.se
        );
    }
    let _ = writeln!(
        s,
        "\nConfig `{}`; overrides: {}.\n\nReproduce with:\n\n```sh\n{}\n```\n\n{} {}",
        r.config_file,
        if r.overrides.is_empty() {
            "none".to_string()
        } else {
            r.overrides.join(", ")
        },
        r.command,
        r.tool.name,
        r.tool.version
    );
    s
}

/// alpha-adjustment.md.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlphaAdjustmentMarkdown;

impl Exporter<AlphaAdjustment> for AlphaAdjustmentMarkdown {
    fn file_name(&self) -> &str {
        "alpha-adjustment.md"
    }

    fn render(&self, r: &AlphaAdjustment) -> Result<Vec<u8>, ReportError> {
        Ok(render_markdown(r).into_bytes())
    }
}

/// alpha-adjustment.html: the Markdown as one self-contained page.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlphaAdjustmentHtml;

impl Exporter<AlphaAdjustment> for AlphaAdjustmentHtml {
    fn file_name(&self) -> &str {
        "alpha-adjustment.html"
    }

    fn render(&self, r: &AlphaAdjustment) -> Result<Vec<u8>, ReportError> {
        Ok(html::render_markdown_page(
            &format!("{}: alpha adjustment", r.name),
            &render_markdown(r),
            &[],
        )
        .into_bytes())
    }
}

/// The exporters of an alpha adjustment, in the order written: alpha-adjustment.json,
/// alpha-adjustment.md, alpha-adjustment.html.
pub fn exporters() -> Vec<Box<dyn Exporter<AlphaAdjustment>>> {
    vec![
        Box::new(JsonFile::new("alpha-adjustment.json")),
        Box::new(AlphaAdjustmentMarkdown),
        Box::new(AlphaAdjustmentHtml),
    ]
}
