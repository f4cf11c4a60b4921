//! The human-readable summary printed on the terminal after a run.

use super::{fmt_opt, RunReport};
use std::fmt::Write;

/// "GMR 0.951 (true 0.950), mean 90% CI 0.874-1.035".
pub fn ratio_line(ratio: &super::RatioReport) -> String {
    let mut line = match ratio.geometric_mean_ratio {
        Some(g) => format!("GMR {g:.4} (true {:.4})", ratio.true_ratio),
        None => format!("GMR not analysable (true {:.4})", ratio.true_ratio),
    };
    if let Some(i) = &ratio.interval {
        let _ = write!(
            line,
            ", mean {}% CI {:.4}-{:.4}",
            (i.level * 1e4).round() / 100.0,
            i.lower,
            i.upper
        );
    }
    line
}

/// Renders the terminal summary.
pub fn render(r: &RunReport) -> String {
    let mut s = String::new();
    let p = &r.primary;
    let _ = writeln!(
        s,
        "{}: {} replicates, seed {}",
        r.name, r.replicates, r.seed
    );
    let _ = writeln!(
        s,
        "  {} ({}): {:.4} ± {:.4} (MC SE), 95% CI [{:.4}, {:.4}]",
        r.rate_label(),
        p.analysis,
        p.power.estimate,
        p.power.se,
        p.power.ci_low,
        p.power.ci_high
    );
    if let Some(exact) = r.closed_form.power {
        let _ = writeln!(
            s,
            "  exact {}: {exact:.4} ({})",
            r.rate_label(),
            r.closed_form.note
        );
    }
    if !p.hypothesis.is_empty() {
        let _ = writeln!(s, "  hypothesis: {}", p.hypothesis);
    }
    if let Some(b) = &r.bioequivalence {
        s.push_str(&bioequivalence_lines(b));
    }
    if let Some(m) = &r.metrics {
        s.push_str(&metric_lines(m));
    }
    if let Some(ts) = &r.two_stage {
        let n = &ts.total_enrolled;
        let _ = writeln!(
            s,
            "  two-stage ({}): stop after stage 1 passing {:.4}, failing {:.4}{}; stage 2 {:.4}, passing there {:.4}",
            ts.method,
            ts.p_stop_stage1_pass.estimate,
            ts.p_stop_stage1_fail.estimate,
            if ts.p_stop_stage1_futility.estimate > 0.0 {
                format!(", futility {:.4}", ts.p_stop_stage1_futility.estimate)
            } else {
                String::new()
            },
            ts.p_stage2.estimate,
            ts.p_pass_stage2.estimate
        );
        let _ = writeln!(
            s,
            "  total N: mean {:.2} ± {:.2}, 5/50/95% {}/{}/{}, max {}, P(capped) {:.4}",
            n.mean, n.se, n.p05, n.p50, n.p95, n.max, n.p_at_cap.estimate
        );
        if let Some(f) = &ts.final_estimate {
            for (what, e) in [
                ("naive", Some(&f.naive)),
                ("median-unbiased", f.median_unbiased.as_ref()),
            ] {
                let Some(e) = e else { continue };
                let ratio = match (e.mean_ratio, e.bias_ratio) {
                    (Some(m), Some(b)) => format!("; ratio mean {m:.4}, bias {b:+.4}"),
                    _ => String::new(),
                };
                let _ = writeln!(
                    s,
                    "  final estimate, {what}: mean {:.4}, SD {:.4}, bias {:+.4} ± {:.4}{ratio}",
                    e.mean, e.sd, e.bias, e.bias_se
                );
            }
        }
    }
    // Which way the rejections went, whenever there were any: a lopsided split is the first
    // sign that a null is not null on the analysed scale.
    if r.config.analysis.hypothesis.is_two_sided() && p.power.estimate > 0.0 {
        let _ = writeln!(
            s,
            "  by direction: {:.4} favouring the test condition, {:.4} favouring the reference",
            p.rejected_favouring_test.estimate, p.rejected_favouring_reference.estimate
        );
    }
    if let Some(ratio) = &p.ratio {
        let _ = writeln!(s, "  {}", ratio_line(ratio));
    }
    let truth = match p.true_value {
        Some(t) => format!("true {t:.3}"),
        None => format!("population average effect {:.3}", r.true_effect),
    };
    let digits = super::se_digits(p.mean_estimate_at_stop_se, 3);
    let early = if r.two_stage.is_some() {
        format!(
            ", stopped after stage 1: {}",
            fmt_opt(p.mean_estimate_early_stopped, digits)
        )
    } else if r.looks.len() > 1 {
        format!(
            ", early-stopped: {}",
            fmt_opt(p.mean_estimate_early_stopped, digits)
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "  primary estimate at stop: {} ({truth}){early}",
        fmt_opt(p.mean_estimate_at_stop, digits),
    );
    if let Some(f) = &r.family {
        let _ = writeln!(s, "  primary contrasts ({}):", f.procedure);
        for c in &r.contrasts {
            let _ = writeln!(
                s,
                "    {:<24}  {} {:.4} ({:.4}){}  true {}",
                c.name,
                if c.under_null {
                    "type I error"
                } else {
                    "power"
                },
                c.rejection_rate.estimate,
                c.rejection_rate.se,
                c.exact_power
                    .map(|e| format!(", exact {e:.4}"))
                    .unwrap_or_default(),
                fmt_opt(Some(c.true_value), 3)
            );
        }
        let _ = writeln!(
            s,
            "    at least one rejected {:.4} ({:.4}), all rejected {:.4} ({:.4}){}",
            f.p_any_rejected.estimate,
            f.p_any_rejected.se,
            f.p_all_rejected.estimate,
            f.p_all_rejected.se,
            f.familywise_error
                .as_ref()
                .map(|e| format!(", familywise error {:.4} ({:.4})", e.estimate, e.se))
                .unwrap_or_default()
        );
    }
    if r.looks.len() > 1 {
        let _ = writeln!(
            s,
            "  look  enrolled  crit z  nominal  P(stop eff)  P(stop fut)  P(stop harm)"
        );
        for l in &r.looks {
            let _ = writeln!(
                s,
                "  {:>4}  {:>8}  {:>6.3}  {:>7.5}  {:>11.4}  {:>11.4}  {:>12.4}",
                l.look,
                l.enrolled,
                l.critical_z,
                l.nominal_level,
                l.p_stop_efficacy,
                l.p_stop_futility,
                l.p_stop_harm
            );
        }
    }
    let _ = writeln!(
        s,
        "  expected enrolled {:.2}, {} {:.2}",
        r.expected_enrolled.mean,
        r.completers_label(),
        r.completers.mean
    );
    if let Some(resp) = &r.responders {
        let _ = writeln!(
            s,
            "  responders under reference{}: mean {:.2}, median {}, P(>= {}) = {:.4} ± {:.4}",
            if r.two_stage.is_some() {
                " (both stages)"
            } else {
                ""
            },
            resp.mean,
            resp.quantiles.p50,
            resp.target,
            resp.p_at_least_target,
            resp.p_at_least_target_se
        );
    }
    let _ = writeln!(
        s,
        "  analysis            role       reject rate (SE)      mean est   true    not analyzable"
    );
    for (name, a) in &r.analyses {
        let _ = writeln!(
            s,
            "  {:<18}  {:<9}  {:.4} ({:.4})      {:>8}  {:>6}  {}",
            name,
            a.role,
            a.rejection_rate.estimate,
            a.rejection_rate.se,
            fmt_opt(a.mean_estimate, 3),
            fmt_opt(a.true_value, 2),
            a.not_analyzable
        );
    }
    if let Some(ae) = &r.adverse_events {
        let rates: Vec<String> = ae
            .rate
            .iter()
            .map(|(c, p)| format!("{c} {:.3}", p.estimate))
            .collect();
        if rates.is_empty() {
            let _ = writeln!(
                s,
                "  {} rate: not reported (no participant was treated in any trial)",
                ae.name
            );
        } else {
            let _ = writeln!(s, "  {} rate: {}", ae.name, rates.join(", "));
        }
    }
    let _ = writeln!(s, "  {}", r.timing());
    s
}

/// The rule, its components and the distributions of the estimated CVwR and the limit.
pub fn bioequivalence_lines(b: &super::BioequivalenceReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  rule {} ({}; estimated by {}): {}; at the true CVwR {:.4} the limits are {:.4}-{:.4}",
        b.rule,
        b.title,
        b.estimation,
        b.constants,
        b.true_cv_reference,
        b.true_limits[0],
        b.true_limits[1]
    );
    let mut parts = vec![
        format!(
            "criterion alone {:.4} ± {:.4}",
            b.criterion.estimate, b.criterion.se
        ),
        format!(
            "PE within limits {:.4} ± {:.4}",
            b.point_estimate.estimate, b.point_estimate.se
        ),
        format!("ABE alone {:.4} ± {:.4}", b.average.estimate, b.average.se),
    ];
    if let Some(v) = &b.variability_ratio {
        parts.push(format!("variability ratio {:.4} ± {:.4}", v.estimate, v.se));
    }
    parts.push(format!(
        "P(scaled) {:.4} ± {:.4}",
        b.scaled.estimate, b.scaled.se
    ));
    let _ = writeln!(s, "  components: {}", parts.join(", "));
    let (c, u) = (&b.cv_reference, &b.upper_limit);
    // A rule that does not estimate CVwR (average bioequivalence) has no distribution of it.
    let cv = if c.p50.is_nan() {
        "estimated CVwR: none (the rule does not estimate it)".to_string()
    } else {
        format!(
            "estimated CVwR: mean {:.4} (SD {:.4}), 5/50/95% {:.3}/{:.3}/{:.3}",
            c.mean, c.sd, c.p05, c.p50, c.p95
        )
    };
    let _ = writeln!(
        s,
        "  {cv}; applied upper limit: mean {:.4} (SD {:.4}), 5/50/95% {:.3}/{:.3}/{:.3}",
        u.mean, u.sd, u.p05, u.p50, u.p95
    );
    if b.not_decided > 0 {
        let _ = writeln!(
            s,
            "  not decided (no degrees of freedom): {}",
            b.not_decided
        );
    }
    s
}

/// Each PK metric's pass rate, mean ratio and correlation with the first.
pub fn metric_lines(m: &super::MetricsReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  every metric passed: {:.4} ± {:.4}",
        m.all_pass.estimate, m.all_pass.se
    );
    for x in &m.metrics {
        let mut line = format!(
            "  {}: true ratio {:.4}, CVwR {:.4}, decided by {}: passed {:.4} ± {:.4}",
            x.name, x.true_ratio, x.true_cv_reference, x.decided_by, x.passed.estimate, x.passed.se
        );
        if let Some(sc) = &x.scaled {
            line.push_str(&format!(", scaled {:.4}", sc.estimate));
        }
        if let Some(r) = x.mean_ratio {
            line.push_str(&format!(", mean ratio {r:.4}"));
        }
        if let Some(c) = x.correlation_with_first {
            line.push_str(&format!(", estimate correlation with the first {c:.4}"));
            if let Some(e) = x.expected_correlation {
                line.push_str(&format!(" (model {e:.4})"));
            }
        }
        let _ = writeln!(s, "{line}");
    }
    s
}
