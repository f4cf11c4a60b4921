//! Assessments over days within each period (`[time_course]`): each day's power against the
//! exact noncentral-t power, the joint rejection of days 1 and 3 against the two correlated
//! paired t statistics, type I error of each day and of the fixed sequence under the null twin,
//! a config without the section unchanged, and the refusals.
//!
//! In configs/time_course/exact.toml (n = 12, rho = 0.5, occasion SD 2, days 0, 1, 3, 7,
//! correlation exp(-|d - e| / 4)), day d's paired difference B - A is normal with mean
//! mu_B(d) - mu_A(d) and variance sd_A^2 + sd_B^2 - 2 sd_A sd_B rho r(d)^2 + 2 x 2^2, where r(d)
//! is day d's correlation with day 1 (1 on day 1): 39, 57.96362 and 56.75532 on days 1, 3 and
//! 7; the covariance of days 1 and 3 is r(3) (36 + 25 - 2 x 30 x rho) = 18.80, a correlation
//! of 0.3954617. Tolerances are 4 Monte Carlo SEs at 100,000 replicates (SE <= 0.0016).

use crate::common::*;
use crossover_sim::engine::{NoProgress, Simulator, Summary};

fn simulate(config: &str, sets: &[&str], replicates: u64) -> Summary {
    simulate_summary(config, sets, replicates)
}

/// R 4.2.2, with v the variances above:
/// `power.t.test(n = 12, delta = 6, sd = sqrt(39), type = "paired", strict = TRUE)$power`
/// = 0.8570251; `delta = 4, sd = sqrt(57.96362)`: 0.3828874; `delta = 1, sd = sqrt(56.75532)`:
/// 0.0705462.
///
/// Days 1 and 3 both rejected: the two paired t statistics share participants but not their
/// sample SDs. `mvtnorm::pmvt` (1.1-3), which gives them one common denominator, over the four
/// regions |t1| > c, |t3| > c with c = qt(0.975, 11), `delta = sqrt(12) * c(6 / sqrt(39),
/// 4 / sqrt(57.96362))`, `corr` 0.3954617, `df = 11`: 0.367254, an approximation that is 0.0104
/// too high here. The reference is R drawing the two statistics themselves (set.seed(2);
/// 400,000 trials of 12 bivariate normal differences with that mean and covariance, each day's
/// t.test statistic): 0.35687 (SE 0.00076).
#[test]
fn each_day_has_its_exact_power_and_days_1_and_3_their_joint_rate() {
    let s = simulate("configs/time_course/exact.toml", &[], 100_000);
    let r = s.replicates as f64;
    let day1 = rate(s.analyses[1].rejected, &s);
    assert_within(day1, 0.8570251, binomial_se(0.857, r), 4.0, "day 1");
    let day3 = rate(s.days[0].analysis.rejected, &s);
    assert_within(day3, 0.3828874, binomial_se(0.383, r), 4.0, "day 3");
    let day7 = rate(s.days[1].analysis.rejected, &s);
    assert_within(day7, 0.0705462, binomial_se(0.0705, r), 4.0, "day 7");
    let both = rate(s.days[0].rejected_in_hierarchy, &s);
    let se = (binomial_se(0.357, r).powi(2) + 0.00076f64.powi(2)).sqrt();
    assert_within(both, 0.35687, se, 4.0, "days 1 and 3");
    // Estimates: each day's mean difference.
    for (tally, want) in [(&s.days[0].analysis, 4.0), (&s.days[1].analysis, 1.0)] {
        let mean = tally.sum_estimate.value() / tally.analyzed as f64;
        assert_within(mean, want, (57.0f64 / 12.0 / r).sqrt(), 4.0, "day estimate");
    }
}

/// Under the null twin each day's paired t rejects at alpha exactly, and the fixed sequence
/// rejects a later day only after the primary day: its familywise error is day 1's.
#[test]
fn the_null_twin_keeps_each_day_and_the_sequence_at_alpha() {
    let s = simulate("configs/time_course/exact_null.toml", &[], 100_000);
    let r = s.replicates as f64;
    let se = binomial_se(0.05, r);
    let primary = s.analyses[1].rejected;
    assert!(
        rate(primary, &s) <= 0.05 + 4.0 * se,
        "day 1: {}",
        rate(primary, &s)
    );
    for (d, day) in s.days.iter().enumerate() {
        let p = rate(day.analysis.rejected, &s);
        assert_within(p, 0.05, se, 4.0, &format!("later day {d}"));
        assert!(day.rejected_in_hierarchy <= primary);
    }
    assert!(s.days[1].rejected_in_hierarchy <= s.days[0].rejected_in_hierarchy);
}

/// Missing later-day scores shrink that day's analysed participants by the missing share of
/// both conditions, never the primary day's.
#[test]
fn missing_scores_leave_out_their_participants() {
    let s = simulate(
        "configs/time_course/exact.toml",
        &["time_course.missing=[0.5, 0.0]"],
        4_000,
    );
    let n3: f64 = s.days[0].analysis.analyzed as f64;
    assert!(n3 > 0.0);
    // A day with one score in four missing on average keeps 12 x 0.25 = 3 pairs: too few
    // pairs are not analyzable, the rest analysed (checked through the count of trials).
    assert_eq!(
        s.days[1].analysis.analyzed + s.days[1].analysis.not_analyzable_total(),
        s.replicates
    );
    assert_eq!(s.analyses[1].analyzed, s.replicates);
}

/// The seed trial's config draws the same trials as before time courses existed: its numbers
/// are not re-pinned anywhere, and a time course adds draws only after each participant's.
#[test]
fn the_primary_day_is_drawn_as_without_a_time_course() {
    let with = simulate("configs/time_course/exact.toml", &[], 2_000);
    let without = {
        let mut loaded = load(
            "configs/time_course/exact.toml",
            &["simulation.replicates=2000"],
        );
        loaded.resolved.time_course = None;
        let design = crossover_sim::config::validate::validate(&loaded.resolved).unwrap();
        Simulator::new(&design)
            .unwrap()
            .simulate(0..2_000, &NoProgress)
    };
    // Participants draw their later days after everything else: the primary day of the first
    // participant matches, the stream moves after it; over the run the primary's rate agrees.
    assert!(with.days.len() == 2 && without.days.is_empty());
    let (a, b) = (
        rate(with.analyses[1].rejected, &with),
        rate(without.analyses[1].rejected, &without),
    );
    assert_within(
        a,
        b,
        (2.0f64 * 0.857 * 0.143 / 2_000.0).sqrt(),
        4.0,
        "primary day",
    );
}

#[test]
fn invalid_time_courses_are_refused() {
    assert_refused(
        "configs/time_course/exact.toml",
        &[
            (&["time_course.days=[1, 3, 7]"], "time_course.days[0]"),
            (&["time_course.primary_day=3"], "time_course.primary_day"),
            (&["time_course.days=[0, 1, 1]"], "time_course.days[2]"),
            (&["time_course.missing=[0.5]"], "time_course.missing"),
            (&["time_course.missing=[1.5, 0]"], "time_course.missing[0]"),
            (
                &["time_course.correlation_range=-1"],
                "time_course.correlation_range",
            ),
            (
                &["analysis.primary=first_period"],
                "with [time_course] the primary is completers_paired",
            ),
        ],
    );
}

/// The calibrated seed-trial config end to end: summary.json has one test per post-baseline
/// day and the trajectories, summary.csv one row per day and quantity equal to them, summary.md
/// the table, and trajectories.svg the Figure 1 plot in the Okabe-Ito palette.
#[test]
fn the_seed_trial_over_time_reports_each_day_and_its_trajectories() {
    let out = tempfile::tempdir().unwrap();
    run_cli(
        &[
            "run",
            "configs/williams2018_timecourse.toml",
            "--replicates",
            "2000",
        ],
        out.path(),
    );
    let dir = out.path().join("williams2018_timecourse");
    let j = json(&dir.join("summary.json"));
    let tc = &j["time_course"];
    let tests = tc["tests"].as_array().unwrap();
    let days: Vec<u64> = tests.iter().map(|t| t["day"].as_u64().unwrap()).collect();
    assert_eq!(days, [1, 3, 5, 7, 14]);
    // The primary day's rate is the primary's power; the sequence never gains on a later day.
    assert_eq!(
        tests[0]["rejected_in_sequence"]["estimate"],
        j["primary"]["power"]["estimate"]
    );
    for w in tests.windows(2) {
        let (a, b) = (
            w[0]["rejected_in_sequence"]["estimate"].as_f64().unwrap(),
            w[1]["rejected_in_sequence"]["estimate"].as_f64().unwrap(),
        );
        assert!(b <= a, "{b} > {a}");
    }
    assert_eq!(tc["trajectory"].as_array().unwrap().len(), 6 * 2);
    let mut reader = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (q, day, est) = (col("quantity"), col("day"), col("estimate"));
    let mut seen = 0;
    for r in reader.records() {
        let r = r.unwrap();
        if &r[q] == "p_reject_in_sequence" {
            let d: u64 = r[day].parse().unwrap();
            let t = tests.iter().find(|t| t["day"] == d).unwrap();
            let want = t["rejected_in_sequence"]["estimate"].as_f64().unwrap();
            assert!((r[est].parse::<f64>().unwrap() - want).abs() < 1e-12);
            seen += 1;
        }
    }
    assert_eq!(seen, 5);
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("## Days within each period") && md.contains("![trajectories.svg]"));
    let svg = std::fs::read_to_string(dir.join("trajectories.svg")).unwrap();
    // Okabe-Ito blue and orange, the first two series.
    assert!(
        svg.contains("#0072B2") && svg.contains("#E69F00"),
        "{}",
        &svg[..300]
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Days within each period"));
    // The relapse gate: the closed form is the design's (R 4.2.2, the cells' Weibull F at
    // v = 14 * 1:8 mixed 0.29, 0.29, 0.21, 0.21 with (1 - 0.143): P(enter) = 0.857 x
    // 0.99999998), the simulated share within 4 SEs of it, the intervals in the CSV equal to
    // the JSON, and the tables in summary.md and report.html.
    let r = &tc["relapse"];
    let closed = r["p_enter_closed_form"].as_f64().unwrap();
    assert!((closed - 0.857).abs() < 1e-6, "{closed}");
    let p = r["p_enter"]["estimate"].as_f64().unwrap();
    let se = r["p_enter"]["se"].as_f64().unwrap();
    assert_within(p, closed, se, 4.0, "P(enter), seed trial");
    let intervals = r["intervals"].as_array().unwrap();
    let days: Vec<u64> = intervals
        .iter()
        .map(|t| t["day"].as_u64().unwrap())
        .collect();
    assert_eq!(days, [14, 28, 42, 56, 70, 84, 98, 112]);
    let mean = r["mean_interval_closed_form"].as_f64().unwrap();
    assert!((mean - 33.0).abs() < 0.05 && r["mean_interval"].as_f64().unwrap() > 14.0);
    let mut reader = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let mut seen = 0;
    for row in reader.records() {
        let row = row.unwrap();
        if &row[q] == "p_interval_closed_form" {
            let d: u64 = row[day].parse().unwrap();
            let t = intervals.iter().find(|t| t["day"] == d).unwrap();
            let want = t["closed_form"].as_f64().unwrap();
            assert!((row[est].parse::<f64>().unwrap() - want).abs() < 1e-12);
            seen += 1;
        }
    }
    assert_eq!(seen, 8);
    assert!(md.contains("### Crossover gated by relapse") && html.contains("gated by relapse"));
}

/// The gate on hand-made relapse times in configs/time_course/relapse.toml (visits every 14
/// days up to day 90, washout 28): relapsed before the washout, period 2 starts on day 28;
/// after it, on the first visit on or after the relapse; after the last visit (day 84; there is
/// none on day 90), never.
#[test]
fn the_gate_follows_the_visit_schedule_the_maximum_and_the_washout() {
    let loaded = load("configs/time_course/relapse.toml", &[]);
    let gate = loaded
        .design
        .cohort()
        .time_course()
        .unwrap()
        .relapse
        .clone()
        .unwrap();
    assert_eq!(gate.visit_days(), [28, 42, 56, 70, 84]);
    for (t, want) in [
        (0.5, Some(28)),
        (14.0, Some(28)),
        (27.9, Some(28)),
        (28.0, Some(28)),
        (28.1, Some(42)),
        (55.0, Some(56)),
        (84.0, Some(84)),
        (84.1, None),
        (90.0, None),
        (500.0, None),
    ] {
        assert_eq!(gate.start_of(t), want, "relapse on day {t}");
    }
    // A 14-day washout makes day 14 a start; a 13-day one too (the first visit after it).
    let loose = load(
        "configs/time_course/relapse.toml",
        &["time_course.relapse.min_washout_days=13"],
    );
    let loose = loose.design.cohort().time_course().unwrap().relapse.clone();
    assert_eq!(loose.unwrap().start_of(3.0), Some(14));
}

/// P(entering period 2) and the interval's distribution against their closed forms, and the
/// completers' estimate moved away from the population's by exactly the selection the gate
/// makes. R 4.2.2, with F(t) = pweibull(t, shape = k, scale = median / log(2)^(1 / k)), the
/// cells (class probability x 1/2 per period-1 condition) responder after A (0.3; 60, 2),
/// after B (0.3; 20, 1.5), non-responder after either (0.2 each; 15, 1.5), visits
/// v = c(28, 42, 56, 70, 84):
/// P(enter) = sum w F(84) = 0.9220812880; masses sum w diff(c(0, F(v))) / P(enter) =
/// 0.6274780898, 0.1690368213, 0.0945420372, 0.0629150324, 0.0460280194; mean 38.2336929835,
/// SD 16.0576987108; the completers' expected B - A difference sum w F(84) d / P(enter) with
/// d = 8 for responders and 0 otherwise: 4.5299458673, the population's 0.6 x 8 = 4.8.
/// Participants are independent (simple randomization), so a trial's completers' mean is
/// unbiased for E[d | entering] whatever their number. Tolerances: 4 Monte Carlo SEs.
#[test]
fn entering_period_2_and_the_interval_match_the_closed_form() {
    let loaded = load("configs/time_course/relapse.toml", &[]);
    let facts = crossover_sim::facts::DesignFacts::of(&loaded.design);
    let f = facts.relapse.as_ref().unwrap();
    assert!((f.p_enter - 0.9220812880).abs() < 1e-9, "{}", f.p_enter);
    let masses = [
        0.6274780898,
        0.1690368213,
        0.0945420372,
        0.0629150324,
        0.0460280194,
    ];
    for (m, want) in f.interval_mass.iter().zip(masses) {
        assert!((m - want).abs() < 1e-9, "{m} against {want}");
    }
    assert!((f.mean_interval - 38.2336929835).abs() < 1e-8);
    assert!((f.sd_interval - 16.0576987108).abs() < 1e-8);
    assert!((f.completers_effect.unwrap() - 4.5299458673).abs() < 1e-9);
    assert!((facts.true_effect - 4.8).abs() < 1e-12);

    let s = simulate("configs/time_course/relapse.toml", &[], 20_000);
    let t = s.relapse.as_ref().unwrap();
    let treated = t.treated_first as f64;
    // No other dropout: everyone is treated in period 1.
    assert_eq!(t.treated_first, 40 * 20_000);
    let p = t.entered as f64 / treated;
    assert_within(
        p,
        0.9220812880,
        binomial_se(0.922, treated),
        4.0,
        "P(enter)",
    );
    let entered = t.entered as f64;
    for (v, (&count, want)) in t.interval_histogram.iter().zip(masses).enumerate() {
        let share = count as f64 / entered;
        assert_within(
            share,
            want,
            binomial_se(want, entered),
            4.0,
            &format!("visit {v}"),
        );
    }
    let mean = t.interval_sum as f64 / entered;
    assert_within(
        mean,
        38.2336929835,
        16.06 / entered.sqrt(),
        4.0,
        "mean interval",
    );
    // Per trial, the completers' and everyone's mean B - A difference, and their difference.
    let trials = t.completed_trials as f64;
    assert_eq!(t.completed_trials, 20_000);
    let per_trial = |sum: f64, squares: f64| {
        let m = sum / trials;
        (m, ((squares / trials - m * m) / trials).sqrt())
    };
    let (bias, bias_se) = per_trial(t.difference_sum.value(), t.difference_squared_sum.value());
    assert_within(bias, 4.5299458673 - 4.8, bias_se, 4.0, "completers' bias");
    let everyone = t.everyone_sum.value() / trials;
    // Every participant's difference has variance 25 + 25 - 25 + 2 x 4 + 0.24 x 64 = 48.36
    // (occasion noise, and the classes' means 8 and 0 mixed 0.6 : 0.4); 40 per trial.
    assert_within(
        everyone,
        4.8,
        (48.36f64 / 40.0 / trials).sqrt(),
        4.0,
        "everyone",
    );
    let completers = t.completers_sum.value() / trials;
    assert!((completers - everyone - bias).abs() < 1e-9);
}

#[test]
fn invalid_relapse_gates_are_refused() {
    assert_refused(
        "configs/time_course/relapse.toml",
        &[
            (
                &["time_course.relapse.distribution=\"gamma\""],
                "time_course.relapse.distribution",
            ),
            (
                &["time_course.relapse.visit_interval_days=100"],
                "time_course.relapse.visit_interval_days",
            ),
            (
                &["time_course.relapse.min_washout_days=85"],
                "at most the last visit (day 84)",
            ),
            (
                &["time_course.relapse.max_days=0"],
                "time_course.relapse.max_days",
            ),
            (
                &["time_course.relapse.time.responder.A.shape=-1"],
                "time_course.relapse.time.\"responder\".\"A\".shape",
            ),
            (
                &["time_course.relapse.time.responder.A.sdlog=0.5"],
                "belongs to the other distribution",
            ),
            (
                &["time_course.relapse.distribution=\"log_normal\""],
                "with distribution = \"log_normal\" give sdlog",
            ),
            (
                &["time_course.relapse.time.responder.A.median_days=0"],
                "median_days",
            ),
        ],
    );
}
