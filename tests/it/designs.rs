//! Every named design, balanced and without dropout, against exact theory.
//!
//! For a balanced complete design of N participants the linear model's estimate of test -
//! reference has SE = sigma_w sqrt(v / N) on df = N p - N - (p - 1) - (k - 1), and the
//! two-sided power is that of a noncentral t with ncp = delta / SE. The variance factor v is
//! derived here from each design's own normal matrix, then compared with PowerTOST's design
//! constants (`known.designs()`, PowerTOST 1.5-7: bk = 2 for 2x2, 3x3, 3x6x3, 4x4; 1.5 for
//! 2x2x3 and 2x3x3; 1 for 2x2x4 and 2x4x4). For Balaam's 2x4x2 PowerTOST lists bk = 8, which is
//! the factor of the model *with* a carryover term; the model without one, which `anova` fits,
//! has v = 4 (checked here from the design matrix, and by R: `lm` on the design gives
//! SE^2 / sigma^2 = 4 / N).
//!
//! The shipped configs (configs/designs/) have sigma_w = 1 (occasion noise, correlation 1 so no
//! participant-by-condition interaction), delta = 0.6 and period effects, which the model
//! removes exactly. Simulated power (40,000 replicates, seed 20240601) must lie within 3 Monte
//! Carlo SE, sqrt(p (1 - p) / R) at the exact p, of the noncentral-t value; the null twin's
//! type I error within 3 SE of 0.05.

use crate::common::*;
use crossover_sim::analysis::anova::AnovaModel;
use crossover_sim::engine::NoProgress;
use crossover_sim::numerics::noncentral_t_two_sided_tail;
use crossover_sim::numerics::t_quantile;

const REPLICATES: u64 = 40_000;

/// (preset, PowerTOST's bk where it applies to the no-carryover model, else the v we derive).
const DESIGNS: [(&str, f64); 9] = [
    ("2x2", 2.0),
    ("3x3", 2.0),
    ("3x6x3", 2.0),
    ("4x4", 2.0),
    ("2x2x3", 1.5),
    ("2x2x4", 1.0),
    ("2x3x3", 1.5),
    ("2x4x4", 1.0),
    ("2x4x2", 4.0),
];

fn rejection_rate(config: &str, sets: &[&str]) -> f64 {
    let mut all = vec!["simulation.replicates=40000"];
    all.extend_from_slice(sets);
    let loaded = load(config, &all);
    let s = crossover_sim::run::simulator(&loaded)
        .unwrap()
        .simulate(0..REPLICATES, &NoProgress);
    s.analyses[crossover_sim::analysis::AnalysisName::ANOVA.index()].rejected as f64
        / REPLICATES as f64
}

#[test]
fn every_named_design_has_its_exact_power_and_size() {
    for (preset, bk) in DESIGNS {
        let config = format!("configs/designs/design_{preset}.toml");
        let loaded = load(&config, &[]);
        let d = &loaded.design;
        let (k, p, n) = (
            d.crossover().condition_count(),
            d.crossover().period_count(),
            d.enrolled(),
        );
        let v = AnovaModel::new(d.crossover(), d.contrast(), false)
            .balanced_variance_factor(d.crossover().sequence_count())
            .unwrap();
        assert!(
            (v - bk).abs() < 1e-12,
            "{preset}: v = {v}, PowerTOST bk = {bk}"
        );
        let df = n * p - n - (p - 1) - (k - 1);
        let sigma_w = 1.0;
        let delta = 0.6;
        let se = sigma_w * (v / n as f64).sqrt();
        let crit = t_quantile(0.975, df as f64);
        let exact = noncentral_t_two_sided_tail(crit, df as f64, delta / se);
        let simulated = rejection_rate(&config, &[]);
        let mc_se = binomial_se(exact, REPLICATES as f64);
        assert!(
            (simulated - exact).abs() <= 3.0 * mc_se,
            "{preset}: simulated power {simulated} vs exact {exact} (df {df}, v {v}), MC SE {mc_se}"
        );
        let size = rejection_rate(&config, &["population.classes[0].change.test.mean=0.0"]);
        let mc_se0 = binomial_se(0.05, REPLICATES as f64);
        assert!(
            (size - 0.05).abs() <= 3.0 * mc_se0,
            "{preset}: type I error {size}, MC SE {mc_se0}"
        );
        println!("{preset}: v {v} df {df} power {simulated:.4} exact {exact:.4} size {size:.4}");
    }
}
