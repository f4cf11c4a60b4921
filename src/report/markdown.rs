//! summary.md: the run's report as Markdown tables, with the metadata needed to reproduce it.

use super::{fmt_opt, RunReport};
use std::fmt::Write;

/// Renders summary.md.
pub fn render(r: &RunReport) -> String {
    let mut s = String::new();
    let p = &r.primary;
    let _ = writeln!(s, "# {}\n", r.name);
    if !r.description.is_empty() {
        let _ = writeln!(s, "{}\n", r.description);
    }
    let _ = writeln!(
        s,
        "{} replicates, seed {}, {} {} (config `{}`{}). Every figure is a Monte Carlo estimate; \
         SE is its Monte Carlo standard error.\n",
        r.replicates,
        r.seed,
        r.tool.name,
        r.tool.version,
        r.config_file,
        overrides_clause(&r.overrides)
    );
    if let Some(ts) = &r.two_stage {
        let _ = writeln!(s, "## Two-stage design: {}\n\n{}\n", ts.method, ts.steps);
        let _ = writeln!(s, "| quantity | estimate | SE |\n|---|---|---|");
        for (what, p) in [
            (
                "probability of success (pass at either stage)",
                &ts.p_success,
            ),
            ("stop after stage 1, passing", &ts.p_stop_stage1_pass),
            ("stop after stage 1, failing", &ts.p_stop_stage1_fail),
            (
                "stop after stage 1 for futility (stage 2 too large)",
                &ts.p_stop_stage1_futility,
            ),
            ("go on to stage 2", &ts.p_stage2),
            ("pass after stage 2", &ts.p_pass_stage2),
            (
                "stage 2 capped at the maximum N",
                &ts.total_enrolled.p_at_cap,
            ),
        ] {
            let _ = writeln!(s, "| {what} | {:.4} | {:.4} |", p.estimate, p.se);
        }
        let n = &ts.total_enrolled;
        let _ = writeln!(
            s,
            "| total N: mean | {:.2} | {:.2} |\n| total N: 5%, 50%, 95% quantiles, max | {}, {}, {}, {} | |\n",
            n.mean, n.se, n.p05, n.p50, n.p95, n.max
        );
    }
    contrasts_section(&mut s, r);
    let _ = writeln!(s, "## Primary analysis: {}\n", p.analysis);
    if !p.hypothesis.is_empty() {
        let _ = writeln!(s, "Hypothesis: {}.\n", p.hypothesis);
    }
    let _ = writeln!(
        s,
        "| quantity | estimate | SE | 95% interval |\n|---|---|---|---|"
    );
    let _ = writeln!(
        s,
        "| {} (reject at any look) | {:.4} | {:.4} | [{:.4}, {:.4}] (Wilson) |",
        r.rate_label(),
        p.power.estimate,
        p.power.se,
        p.power.ci_low,
        p.power.ci_high
    );
    let _ = writeln!(
        s,
        "| mean estimate at the stop | {} | {} | true value {} (population average effect T - R: {:.3}) |",
        fmt_opt(p.mean_estimate_at_stop, 3),
        fmt_opt(p.mean_estimate_at_stop_se, 3),
        fmt_opt(p.true_value, 3),
        r.true_effect
    );
    if p.power.estimate > 0.0 && r.config.analysis.hypothesis.is_two_sided() {
        let _ = writeln!(
            s,
            "| rejected, estimate favouring the test condition | {:.4} | {:.4} | [{:.4}, {:.4}] (Wilson) |",
            p.rejected_favouring_test.estimate,
            p.rejected_favouring_test.se,
            p.rejected_favouring_test.ci_low,
            p.rejected_favouring_test.ci_high
        );
        let _ = writeln!(
            s,
            "| rejected, estimate favouring the reference | {:.4} | {:.4} | [{:.4}, {:.4}] (Wilson) |",
            p.rejected_favouring_reference.estimate,
            p.rejected_favouring_reference.se,
            p.rejected_favouring_reference.ci_low,
            p.rejected_favouring_reference.ci_high
        );
    }
    if let Some(exact) = r.closed_form.power {
        let _ = writeln!(
            s,
            "| exact {} ({}) | {exact:.6} | | |",
            r.rate_label(),
            r.closed_form.note
        );
    }
    if let Some(i) = &p.mean_interval {
        let _ = writeln!(
            s,
            "| mean {}% confidence limits | {:.4}, {:.4} | | |",
            (i.level * 1e4).round() / 100.0,
            i.lower,
            i.upper
        );
    }
    if let Some(ratio) = &p.ratio {
        let _ = writeln!(
            s,
            "| ratio scale | {} | | |",
            super::text::ratio_line(ratio)
        );
    }
    let _ = writeln!(
        s,
        "| mean estimate, trials stopped early ({}) | {} | {} | |",
        p.early_stopped,
        fmt_opt(p.mean_estimate_early_stopped, 3),
        fmt_opt(p.mean_estimate_early_stopped_se, 3)
    );
    let _ = writeln!(
        s,
        "| not analyzable at the stop | {} | | |",
        p.not_analyzable
    );
    for (k, why) in &p.missing {
        let _ = writeln!(s, "\n_{k} is missing: {why}._");
    }
    let _ = writeln!(s, "\n## Looks\n");
    let _ = writeln!(
        s,
        "| look | enrolled | information | critical z | nominal level | cumulative alpha | P(stop: efficacy) | P(stop: futility) | P(stop: harm) | mean estimate at stop |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for l in &r.looks {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.4} | {:.6} | {:.6} | {:.4} ± {:.4} | {:.4} ± {:.4} | {:.4} ± {:.4} | {} |",
            l.look,
            l.enrolled,
            l.information_rate,
            l.critical_z,
            l.nominal_level,
            l.cumulative_alpha,
            l.p_stop_efficacy,
            l.p_stop_efficacy_se,
            l.p_stop_futility,
            l.p_stop_futility_se,
            l.p_stop_harm,
            l.p_stop_harm_se,
            fmt_opt(l.mean_estimate_at_stop, 3)
        );
    }
    if super::figures::has_boundaries(r) {
        let _ = writeln!(s, "\n![{0}]({0})", super::figures::BOUNDARIES);
    }
    let _ = writeln!(
        s,
        "\nExpected enrolled: {:.3} ± {:.3}; completers at the stop: {:.3} ± {:.3}.",
        r.expected_enrolled.mean, r.expected_enrolled.se, r.completers.mean, r.completers.se
    );
    let _ = writeln!(s, "\n## All analyses\n");
    let _ = writeln!(
        s,
        "| analysis | role | level | rejection rate ± SE | mean estimate ± SE | true value | mean effect size | not analyzable |\n|---|---|---|---|---|---|---|---|"
    );
    for (name, a) in &r.analyses {
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {:.4} ± {:.4} | {} ± {} | {} | {} | {} |",
            name,
            a.role,
            a.level,
            a.rejection_rate.estimate,
            a.rejection_rate.se,
            fmt_opt(a.mean_estimate, 3),
            fmt_opt(a.mean_estimate_se, 3),
            fmt_opt(a.true_value, 3),
            fmt_opt(a.mean_effect_size, 3),
            a.not_analyzable
        );
    }
    if let Some(resp) = &r.responders {
        let q = resp.quantiles;
        let _ = writeln!(
            s,
            "\n## Responders under the reference condition (completers, at the stop)\n"
        );
        let _ = writeln!(
            s,
            "Mean {:.3} ± {:.3}; quantiles 5/25/50/75/95%: {}/{}/{}/{}/{}; P(at least {}) = {:.4} ± {:.4}.",
            resp.mean, resp.se, q.p05, q.p25, q.p50, q.p75, q.p95, resp.target, resp.p_at_least_target, resp.p_at_least_target_se
        );
        if super::figures::has_responders(r) {
            let _ = writeln!(s, "\n![{0}]({0})", super::figures::RESPONDERS);
        }
    }
    if let Some(ae) = &r.adverse_events {
        let _ = writeln!(s, "\n## Adverse events: {}\n", ae.name);
        let _ = writeln!(s, "| condition | rate per treated period ± SE |\n|---|---|");
        for (c, p) in &ae.rate {
            let _ = writeln!(s, "| {} | {:.4} ± {:.4} |", c, p.estimate, p.se);
        }
    }
    let _ = writeln!(s, "\n## Reproduce\n");
    let _ = writeln!(
        s,
        "`{}`\n\nrun from the same folder with {} {}, gives these results byte for byte (apart from the timing line below).",
        r.command, r.tool.name, r.tool.version
    );
    let _ = writeln!(s, "\nTiming: {}.", r.timing());
    let toml_text = toml::to_string(&r.config).unwrap_or_default();
    let _ = writeln!(
        s,
        "\nResolved config (defaults filled in):\n\n```toml\n{toml_text}```"
    );
    s
}

/// ", with --set A, --set B" for the overrides of a run (empty without any).
fn overrides_clause(overrides: &[String]) -> String {
    overrides
        .iter()
        .map(|o| format!(", with `--set {o}`"))
        .collect()
}

/// The design's sequences and every primary contrast, with the family's joint figures.
fn contrasts_section(s: &mut String, r: &RunReport) {
    if r.contrasts.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Design and primary contrasts\n");
    let _ = writeln!(s, "Sequences: {}.\n", r.sequences.join(", "));
    if let Some(f) = &r.family {
        let _ = writeln!(s, "Multiplicity: {}.\n", f.procedure);
    }
    let _ = writeln!(
        s,
        "| contrast | true value | rejection rate | SE | exact | mean estimate (SE) | v | df |\n|---|---|---|---|---|---|---|---|"
    );
    for c in &r.contrasts {
        let _ = writeln!(
            s,
            "| {} | {} | {:.4}{} | {:.4} | {} | {} ({}) | {} | {} |",
            c.name,
            fmt_opt(Some(c.true_value), 3),
            c.rejection_rate.estimate,
            if c.under_null { " (type I error)" } else { "" },
            c.rejection_rate.se,
            fmt_opt(c.exact_power, 4),
            fmt_opt(c.mean_estimate, 3),
            fmt_opt(c.mean_estimate_se, 3),
            fmt_opt(c.variance_factor, 4),
            fmt_opt(c.df, 0),
        );
    }
    let _ = writeln!(
        s,
        "\nv is the linear model's variance factor for the balanced complete design (Var = sigma_w^2 v / N); df its residual df with every period observed.\n"
    );
    if let Some(f) = &r.family {
        let _ = writeln!(s, "| joint decision | estimate | SE |\n|---|---|---|");
        let _ = writeln!(
            s,
            "| at least one contrast rejected | {:.4} | {:.4} |",
            f.p_any_rejected.estimate, f.p_any_rejected.se
        );
        let _ = writeln!(
            s,
            "| every contrast rejected | {:.4} | {:.4} |",
            f.p_all_rejected.estimate, f.p_all_rejected.se
        );
        let _ = writeln!(s, "| mean number rejected | {:.3} | |", f.mean_rejections);
        if let Some(fwe) = &f.familywise_error {
            let _ = writeln!(
                s,
                "| familywise error (a true-null contrast rejected: {}) | {:.4} | {:.4} |",
                f.true_nulls.join(", "),
                fwe.estimate,
                fwe.se
            );
        }
        let _ = writeln!(s);
    }
}
