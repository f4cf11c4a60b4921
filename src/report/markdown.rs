//! summary.md: the run's report as Markdown tables, with the metadata needed to reproduce it.

use super::{fmt_opt, missing_key_words, se_digits, RunReport};
use std::fmt::Write;

/// Renders summary.md.
pub fn render(r: &RunReport) -> String {
    let mut s = String::new();
    let p = &r.primary;
    // A fixed design has no early stop: no row or note about trials stopped early.
    let fixed = r.looks.len() == 1 && r.two_stage.is_none();
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
    if let Some(b) = &r.bioequivalence {
        bioequivalence_section(&mut s, b, r.rate_label());
    }
    if let Some(m) = &r.metrics {
        metrics_section(&mut s, m, r.rate_label());
    }
    if let Some(tc) = &r.time_course {
        time_course_section(&mut s, tc);
    }
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
        if let (Some(any), Some(all)) = (&ts.at_least_one, &ts.all) {
            let _ = writeln!(
                s,
                "Each comparison at alpha {} (the trial-level paths above count a trial as passing when at least one comparison passes; the primary analysis below is the first comparison):\n\n| comparison | success (SE) | pass at stage 1 | pass after stage 2 | fail at stage 1 (powered) | futile | go on to stage 2 |\n|---|---|---|---|---|---|---|",
                ts.comparison_alpha.map(|a| a.to_string()).unwrap_or_default()
            );
            for c in &ts.comparisons {
                let _ = writeln!(
                    s,
                    "| {} | {:.4} ({:.4}) | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
                    c.name,
                    c.success.estimate,
                    c.success.se,
                    c.success_stage1.estimate,
                    c.success_stage2.estimate,
                    c.fail_stage1.estimate,
                    c.futile.estimate,
                    c.stage2.estimate
                );
            }
            let _ = writeln!(
                s,
                "| at least one | {:.4} ({:.4}) | | | | | |\n| all | {:.4} ({:.4}) | | | | | |\n",
                any.estimate, any.se, all.estimate, all.se
            );
        }
        if let Some(f) = &ts.final_estimate {
            let truth = match f.true_ratio {
                Some(r) => format!("true ratio {r:.4}, ln {:.4}", f.true_effect),
                None => format!("true effect {:.4}", f.true_effect),
            };
            let _ = writeln!(
                s,
                "Final estimate of each trial (the stage-1 estimate at a stage-1 stop; {truth}):\n\n| estimate | trials | mean | SD | bias (SE) | mean ratio | SD ratio | bias ratio |\n|---|---|---|---|---|---|---|---|"
            );
            let cell = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
            for (what, e) in [
                ("naive (pooled with a stage term)", Some(&f.naive)),
                ("median-unbiased", f.median_unbiased.as_ref()),
            ] {
                let Some(e) = e else { continue };
                let _ = writeln!(
                    s,
                    "| {what} | {} | {:.4} | {:.4} | {:.4} ({:.4}) | {} | {} | {} |",
                    e.trials,
                    e.mean,
                    e.sd,
                    e.bias,
                    e.bias_se,
                    cell(e.mean_ratio),
                    cell(e.sd_ratio),
                    cell(e.bias_ratio)
                );
            }
            s.push('\n');
        }
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
        "| {} ({}) | {:.4} | {:.4} | [{:.4}, {:.4}] (Wilson) |",
        r.rate_label(),
        if r.two_stage.is_some() {
            "pass at either stage"
        } else {
            "reject at any look"
        },
        p.power.estimate,
        p.power.se,
        p.power.ci_low,
        p.power.ci_high
    );
    let digits = se_digits(p.mean_estimate_at_stop_se, 3);
    let _ = writeln!(
        s,
        "| mean estimate at the stop | {} | {} | true value {} |",
        fmt_opt(p.mean_estimate_at_stop, digits),
        fmt_opt(p.mean_estimate_at_stop_se, digits),
        fmt_opt(p.true_value, 3),
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
        let what = if r.looks.len() > 1 {
            format!(
                "mean confidence limits at the stop ({})",
                interval_level_words(i.level)
            )
        } else {
            format!(
                "mean {}% confidence limits",
                (i.level * 1e4).round() / 100.0
            )
        };
        let _ = writeln!(s, "| {what} | {:.4}, {:.4} | | |", i.lower, i.upper);
    }
    if let Some(ratio) = &p.ratio {
        let _ = writeln!(
            s,
            "| ratio scale | {} | | |",
            super::text::ratio_line(ratio)
        );
    }
    if !fixed {
        let digits = se_digits(p.mean_estimate_early_stopped_se, 3);
        let _ = writeln!(
            s,
            "| mean estimate, trials stopped {} ({}) | {} | {} | |",
            if r.two_stage.is_some() {
                "after stage 1"
            } else {
                "early"
            },
            p.early_stopped,
            fmt_opt(p.mean_estimate_early_stopped, digits),
            fmt_opt(p.mean_estimate_early_stopped_se, digits)
        );
    }
    let _ = writeln!(
        s,
        "| not analyzable at the stop | {} | | |",
        p.not_analyzable
    );
    let _ = writeln!(s, "\nTrue values: {}.", r.true_value_basis);
    for (k, why) in &p.missing {
        if fixed && k.contains("early_stopped") {
            continue;
        }
        let _ = writeln!(s, "\n_{}_", not_reported(&missing_key_words(k), why));
    }
    if super::figures::has_power_curve(r) {
        let _ = writeln!(s, "\n![{0}]({0})", super::figures::POWER_CURVE);
    }
    looks_section(&mut s, r);
    let _ = writeln!(
        s,
        "\nExpected enrolled{}: {:.3} ± {:.3}; {} at the stop: {:.3} ± {:.3}.",
        if r.two_stage.is_some() {
            " (both stages)"
        } else {
            ""
        },
        r.expected_enrolled.mean,
        r.expected_enrolled.se,
        r.completers_label(),
        r.completers.mean,
        r.completers.se
    );
    let _ = writeln!(s, "\n## All analyses\n");
    let _ = writeln!(
        s,
        "| analysis | role | level | rejection rate ± SE | mean estimate ± SE | true value | mean effect size | not analyzable |\n|---|---|---|---|---|---|---|---|"
    );
    for (name, a) in &r.analyses {
        let digits = se_digits(a.mean_estimate_se, 3);
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {:.4} ± {:.4} | {} ± {} | {} | {} | {} |",
            name,
            a.role,
            a.level,
            a.rejection_rate.estimate,
            a.rejection_rate.se,
            fmt_opt(a.mean_estimate, digits),
            fmt_opt(a.mean_estimate_se, digits),
            fmt_opt(a.true_value, 3),
            fmt_opt(a.mean_effect_size, 3),
            a.not_analyzable
        );
    }
    rest(&mut s, r);
    s
}

/// "The mean estimate is not reported: why." for a figure named in words.
fn not_reported(what: &str, why: &str) -> String {
    let mut chars = what.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let verb = if what.contains(" and ") { "are" } else { "is" };
    format!(
        "{first}{} {verb} not reported: {}.",
        chars.as_str(),
        why.trim_end_matches('.')
    )
}

/// The level of the mean confidence limits in words: with interim looks, it is the last look's
/// nominal level, which is not the overall alpha.
fn interval_level_words(level: f64) -> String {
    let percent = (level * 1e4).round() / 100.0;
    format!("each at its stopping look's nominal level; {percent}% at the last look")
}

/// The look table of a sequential or fixed design (a two-stage run has none: its stages are
/// reported above).
fn looks_section(s: &mut String, r: &RunReport) {
    if r.looks.is_empty() {
        return;
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
}

/// Responders, adverse events and the reproducing command.
fn rest(s: &mut String, r: &RunReport) {
    if let Some(resp) = &r.responders {
        let q = resp.quantiles;
        let _ = writeln!(
            s,
            "\n## Responders under the reference condition ({}, at the stop{})\n",
            r.completers_label(),
            if r.two_stage.is_some() {
                ", both stages"
            } else {
                ""
            }
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
    // Columns that no contrast fills are left out, with the reason below the table.
    let has_mean = r.contrasts.iter().any(|c| c.mean_estimate.is_some());
    let has_constants = r
        .contrasts
        .iter()
        .any(|c| c.variance_factor.is_some() || c.df.is_some());
    let _ =
        writeln!(
        s,
        "| contrast | true value | rejection rate | SE | exact |{}{}\n|---|---|---|---|---|{}{}",
        if has_mean { " mean estimate (SE) |" } else { "" },
        if has_constants { " v | df |" } else { "" },
        if has_mean { "---|" } else { "" },
        if has_constants { "---|---|" } else { "" },
    );
    for c in &r.contrasts {
        let digits = se_digits(c.mean_estimate_se, 3);
        let mut row = format!(
            "| {} | {} | {:.4}{} | {:.4} | {} |",
            c.name,
            fmt_opt(Some(c.true_value), 3),
            c.rejection_rate.estimate,
            if c.under_null { " (type I error)" } else { "" },
            c.rejection_rate.se,
            fmt_opt(c.exact_power, 4),
        );
        if has_mean {
            let _ = write!(
                row,
                " {} ({}) |",
                fmt_opt(c.mean_estimate, digits),
                fmt_opt(c.mean_estimate_se, digits)
            );
        }
        if has_constants {
            let _ = write!(
                row,
                " {} | {} |",
                fmt_opt(c.variance_factor, 4),
                fmt_opt(c.df, 0)
            );
        }
        let _ = writeln!(s, "{row}");
    }
    if has_constants {
        let _ = writeln!(
            s,
            "\nv is the linear model's variance factor for the balanced complete design (Var = sigma_w^2 v / N); df its residual df with every period observed.\n"
        );
    } else {
        let _ = writeln!(s);
    }
    // The reasons for blank cells, once each (they are the same for every contrast).
    let mut reasons: Vec<String> = Vec::new();
    for c in &r.contrasts {
        for (k, why) in &c.missing {
            let (shown, what) = match k.as_str() {
                "mean_estimate" => (!has_mean, "the mean estimate (SE)"),
                "variance_factor" => (!has_constants, "the variance factor v and the residual df"),
                _ => (false, ""),
            };
            let line = format!("_{}_\n", not_reported(what, why));
            if shown && !reasons.contains(&line) {
                reasons.push(line);
            }
        }
    }
    for line in reasons {
        let _ = writeln!(s, "{line}");
    }
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

/// The rule, its components with their Monte Carlo SEs, and the distributions.
fn bioequivalence_section(s: &mut String, b: &super::BioequivalenceReport, rate: &str) {
    let _ = writeln!(
        s,
        "## Bioequivalence rule: {}{}\n\n{} ({}), estimated by {}: {}; each one-sided test at {}. At the true CVwR {:.4} the limits are {:.4}-{:.4}.\n",
        b.rule,
        b.metric.as_ref().map_or(String::new(), |m| format!(" ({m})")),
        b.title,
        b.source,
        match b.estimation.as_str() {
            "anova" => "EMA's method A (the 90% CI from the linear model of all data, s²wR from the ANOVA of the reference observations)",
            _ => "the FDA's intra-participant contrasts",
        },
        b.constants,
        b.alpha,
        b.true_cv_reference,
        b.true_limits[0],
        b.true_limits[1]
    );
    let _ = writeln!(s, "| quantity | estimate | SE |\n|---|---|---|");
    let mut rows = vec![
        (
            match &b.metric {
                None => format!("bioequivalent under the rule ({rate})"),
                Some(m) => format!("{m} bioequivalent under the rule"),
            },
            &b.bioequivalent,
        ),
        (
            "the widened-limit or scaled criterion alone (ABE where the rule did not scale)"
                .to_string(),
            &b.criterion,
        ),
        (
            "the point estimate within the ABE limits".to_string(),
            &b.point_estimate,
        ),
        ("average bioequivalence alone".to_string(), &b.average),
    ];
    if let Some(v) = &b.variability_ratio {
        rows.push(("the variability ratio within its bound".to_string(), v));
    }
    rows.push((
        "the rule scaled (estimated CVwR above the switch)".to_string(),
        &b.scaled,
    ));
    for (what, p) in rows {
        let _ = writeln!(s, "| {what} | {:.4} | {:.4} |", p.estimate, p.se);
    }
    let (c, u) = (&b.cv_reference, &b.upper_limit);
    let _ = writeln!(
        s,
        "\n| over the decided trials | mean | SD | 5% | 50% | 95% |\n|---|---|---|---|---|---|"
    );
    // A rule that does not estimate CVwR (average bioequivalence) has no row for it.
    if !c.p50.is_nan() {
        let _ = writeln!(
            s,
            "| estimated CVwR | {:.4} | {:.4} | {:.3} | {:.3} | {:.3} |",
            c.mean, c.sd, c.p05, c.p50, c.p95
        );
    }
    let _ = writeln!(
        s,
        "| applied upper limit | {:.4} | {:.4} | {:.3} | {:.3} | {:.3} |\n",
        u.mean, u.sd, u.p05, u.p50, u.p95
    );
    if b.not_decided > 0 {
        let _ = writeln!(
            s,
            "Not decided (no degrees of freedom): {} trials.\n",
            b.not_decided
        );
    }
}

/// Each PK metric: what decides it, its pass rate, mean ratio and interval, and the
/// correlation of its estimate with the first metric's.
fn metrics_section(s: &mut String, m: &super::MetricsReport, rate: &str) {
    let _ = writeln!(
        s,
        "## PK metrics\n\nThe trial passes when every metric passes (intersection-union: each metric at the full level). Every metric passed ({rate}): **{:.4}** (SE {:.4}).\n",
        m.all_pass.estimate, m.all_pass.se
    );
    let _ = writeln!(
        s,
        "| metric | true ratio | true CVwR | decided by | passed | SE | P(scaled) | mean ratio | mean CI | correlation with the first (model) |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for x in &m.metrics {
        let _ = writeln!(
            s,
            "| {}{} | {:.4} | {:.4} | {} | {:.4} | {:.4} | {} | {} | {} | {} ({}) |",
            x.name,
            if x.under_null { " (null)" } else { "" },
            x.true_ratio,
            x.true_cv_reference,
            x.decided_by,
            x.passed.estimate,
            x.passed.se,
            f4(x.scaled.map(|p| p.estimate)),
            f4(x.mean_ratio),
            x.mean_interval
                .map_or("-".to_string(), |[l, u]| format!("{l:.4}-{u:.4}")),
            f4(x.correlation_with_first),
            f4(x.expected_correlation),
        );
    }
    let _ = writeln!(s);
}

/// Assessments over days: each post-baseline day's rejection rates within the fixed sequence and
/// alone, its mean estimate, then the mean score of each day under each condition.
fn time_course_section(s: &mut String, tc: &super::TimeCourseReport) {
    let _ = writeln!(
        s,
        "## Days within each period\n\nAssessed on days {:?}; the primary day is day {}. Each later day is tested by the primary's paired t on the participants with both scores that day; in the fixed sequence it counts only if every earlier day was rejected.\n",
        tc.days, tc.primary_day
    );
    let _ = writeln!(
        s,
        "| day | rejected in the sequence | SE | rejected alone | SE | mean estimate | mean SE | analysed trials |\n|---|---|---|---|---|---|---|---|"
    );
    for t in &tc.tests {
        let _ = writeln!(
            s,
            "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {} | {} | {} |",
            t.day,
            t.rejected_in_sequence.estimate,
            t.rejected_in_sequence.se,
            t.rejected.estimate,
            t.rejected.se,
            f4(t.mean_estimate),
            f4(t.mean_standard_error),
            t.analysed_trials
        );
    }
    let _ = writeln!(
        s,
        "\nMean score by day (SD across participants), over every observed period:\n\n| day | condition | mean | SD | scores |\n|---|---|---|---|---|"
    );
    for p in &tc.trajectory {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            p.day,
            p.condition,
            f4(p.mean),
            f4(p.sd),
            p.scores
        );
    }
    let _ = writeln!(s);
    if let Some(r) = &tc.relapse {
        relapse_section(s, r);
    }
    if super::figures::has_trajectories_of(tc) {
        let _ = writeln!(s, "![{0}]({0})\n", super::figures::TRAJECTORIES);
    }
}

/// A relapse-gated crossover: P(entering period 2) and the interval's distribution beside their
/// closed forms, and the completers' estimate beside every participant's.
fn relapse_section(s: &mut String, r: &super::RelapseReport) {
    let _ = writeln!(
        s,
        "### Crossover gated by relapse\n\nPeriod 2 starts at the first follow-up visit after relapse (and after the minimum washout); a participant not relapsed by the last visit never starts it.\n\n| quantity | simulated | SE | closed form |\n|---|---|---|---|"
    );
    let _ = writeln!(
        s,
        "| P(entering period 2 \\| treated in period 1) | {:.4} | {:.4} | {:.4} |",
        r.p_enter.estimate, r.p_enter.se, r.p_enter_closed_form
    );
    let _ = writeln!(
        s,
        "| mean interval between the periods (days) | {} | - | {} |",
        f4(r.mean_interval),
        f4(r.mean_interval_closed_form)
    );
    let _ = writeln!(
        s,
        "| SD of the interval (days) | {} | - | {} |",
        f4(r.sd_interval),
        f4(r.sd_interval_closed_form)
    );
    let _ = writeln!(
        s,
        "| a trial's shortest interval, mean over trials | {} | - | - |",
        f4(r.mean_shortest_interval)
    );
    let _ = writeln!(
        s,
        "| a trial's longest interval, mean over trials | {} | - | - |",
        f4(r.mean_longest_interval)
    );
    let _ = writeln!(
        s,
        "\nThe interval between the periods among participants entering period 2:\n\n| day | simulated | closed form | participants |\n|---|---|---|---|"
    );
    for row in &r.intervals {
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {} |",
            row.day,
            f4(row.simulated),
            row.closed_form,
            row.participants
        );
    }
    let _ = writeln!(
        s,
        "\nThe completers' mean test-minus-reference change against every participant's (both periods as drawn, observed or not), over the {} trials with completers: {} (closed form {}) against {}, a bias of {} (SE {}).\n",
        r.completed_trials,
        f4(r.completers_mean_difference),
        f4(r.completers_mean_difference_closed_form),
        f4(r.everyone_mean_difference),
        f4(r.completers_bias),
        f4(r.completers_bias_se)
    );
}

/// A value to four decimals, or "-" when there is none.
fn f4(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{v:.4}"))
}
