//! The figures of a run's report: which ones a [`RunReport`] has (the boundaries of a design
//! with interim looks, the distribution of responders) and their SVG. summary.md names them and
//! report.html inlines them, both from here.

use super::plot::{
    bar_panels_svg, boundary_svg, line_chart_svg, BoundaryPlot, Chart, RefLine, Series,
};
use super::{ReportError, RunReport};

/// File of the boundary plot.
pub const BOUNDARIES: &str = "boundaries.svg";
/// File of the responder distribution.
pub const RESPONDERS: &str = "responders.svg";

/// File of the mean trajectories over the days of a period (the seed paper's Figure 1).
pub const TRAJECTORIES: &str = "trajectories.svg";

/// File of a bioequivalence design's exact power curve.
pub const POWER_CURVE: &str = "power-curve.svg";

/// Whether the run has a power curve: bioequivalence on a ratio endpoint with exact power.
pub fn has_power_curve(r: &RunReport) -> bool {
    !r.closed_form.power_curve.is_empty() && r.primary.ratio.is_some()
}

/// Whether the run has a boundary plot: a design with interim looks.
pub fn has_boundaries(r: &RunReport) -> bool {
    r.looks.len() > 1
}

/// Whether the run has a responder distribution.
pub fn has_responders(r: &RunReport) -> bool {
    r.responders
        .as_ref()
        .is_some_and(|x| x.distribution.iter().any(|p| *p > 0.0))
}

/// Whether the run has trajectories: a time course with scores.
pub fn has_trajectories(r: &RunReport) -> bool {
    r.time_course.as_ref().is_some_and(has_trajectories_of)
}

/// Whether a time course has any observed score to plot.
pub fn has_trajectories_of(tc: &super::TimeCourseReport) -> bool {
    tc.trajectory.iter().any(|p| p.mean.is_some())
}

/// The run's figures as (file name, SVG), in the order the report shows them.
pub fn run_figures(r: &RunReport) -> Result<Vec<(String, String)>, ReportError> {
    let mut out = Vec::new();
    if has_boundaries(r) {
        out.push((BOUNDARIES.to_string(), boundaries(r)?));
    }
    if has_power_curve(r) {
        out.push((POWER_CURVE.to_string(), power_curve(r)?));
    }
    if has_responders(r) {
        out.push((RESPONDERS.to_string(), responders(r)?));
    }
    if has_trajectories(r) {
        out.push((TRAJECTORIES.to_string(), trajectories(r)?));
    }
    Ok(out)
}

/// Each look's efficacy and futility bounds, with the fixed design's critical value (from the
/// design's facts) as the reference line.
pub(crate) fn boundaries(r: &RunReport) -> Result<String, ReportError> {
    let two_sided = r.config.analysis.hypothesis.is_two_sided();
    let alpha = r.config.analysis.alpha;
    let plot = BoundaryPlot {
        title: format!(
            "{}: critical values at each look ({})",
            r.name,
            if two_sided {
                "two-sided, |z|"
            } else {
                "one-sided, z"
            }
        ),
        x_label: "participants enrolled at the look".into(),
        looks: r.looks.iter().map(|l| l.enrolled as f64).collect(),
        x_integer: true,
        efficacy: r.looks.iter().map(|l| l.critical_z).collect(),
        futility: r.looks.iter().map(|l| l.futility_z).collect(),
        fixed: r
            .fixed_critical_z
            .map(|z| RefLine::new(z, format!("fixed design {z:.2} (α = {alpha})"))),
        y_label: if two_sided {
            "critical value of |z|".into()
        } else {
            "critical value of z".into()
        },
    };
    boundary_svg(BOUNDARIES, &plot)
}

/// The exact power by true ratio, with the simulated power at the configured ratio (95% CI)
/// and the limits, where the power is the type I error.
pub(crate) fn power_curve(r: &RunReport) -> Result<String, ReportError> {
    let ratio = r
        .primary
        .ratio
        .as_ref()
        .expect("checked by has_power_curve");
    let curve = &r.closed_form.power_curve;
    let alpha = r.config.analysis.alpha;
    // The curve runs from the lower limit less 0.05 to the upper limit plus 0.05.
    let margins = r.config.analysis.margins.clone().unwrap_or_else(|| {
        vec![
            curve[0].true_ratio + 0.05,
            curve[curve.len() - 1].true_ratio - 0.05,
        ]
    });
    let mut vlines: Vec<RefLine> = margins
        .iter()
        .map(|&m| RefLine::new(m, format!("limit {m}")))
        .collect();
    vlines.push(RefLine::new(
        ratio.true_ratio,
        format!("configured {:.3}", ratio.true_ratio),
    ));
    let chart = Chart {
        title: format!(
            "{}: power by the true ratio T/R (N = {}, all else as configured)",
            r.name, r.config.design.enrolled
        ),
        x_label: "true ratio T/R".into(),
        y_label: "power".into(),
        hlines: vec![RefLine::new(alpha, format!("α = {alpha}"))],
        vlines,
        y_range: Some((0.0, 1.0)),
        x_integer: false,
        y_nonnegative: true,
        band_label: None,
    };
    let p = r.primary.power;
    let series = [
        Series {
            label: "exact power".into(),
            points: curve.iter().map(|c| (c.true_ratio, c.power)).collect(),
            band: vec![],
        },
        Series {
            label: format!("simulated, {} replicates (95% CI)", r.replicates),
            points: vec![(ratio.true_ratio, p.estimate)],
            band: vec![(ratio.true_ratio, p.ci_low, p.ci_high)],
        },
    ];
    line_chart_svg(POWER_CURVE, &chart, &series)
}

pub(crate) fn responders(r: &RunReport) -> Result<String, ReportError> {
    let resp = r.responders.as_ref().expect("checked by has_responders");
    let chart = Chart {
        title: format!(
            "{}: responders under the reference condition ({}, at the stop{}); P(at least {}) = {:.3}",
            r.name,
            r.completers_label(),
            if r.two_stage.is_some() {
                ", both stages"
            } else {
                ""
            },
            resp.target,
            resp.p_at_least_target
        ),
        x_label: "responders".into(),
        y_label: "probability".into(),
        vlines: vec![RefLine::new(
            resp.target as f64,
            format!("target {}", resp.target),
        )],
        x_integer: true,
        y_nonnegative: true,
        band_label: None,
        ..Chart::default()
    };
    let series = Series {
        label: format!("{} replicates", r.replicates),
        points: resp
            .distribution
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64, *p))
            .collect(),
        band: vec![],
    };
    bar_panels_svg(RESPONDERS, &chart, &[series])
}

/// The mean score on each assessment day under each condition with a band of one SD across
/// participants either side (the seed paper's Figure 1: mean HAM-D by day for each condition).
pub(crate) fn trajectories(r: &RunReport) -> Result<String, ReportError> {
    let tc = r.time_course.as_ref().expect("checked by has_trajectories");
    let baseline = r
        .config
        .population
        .as_ref()
        .is_some_and(|p| p.baseline.is_some());
    let chart = Chart {
        title: format!(
            "{}: mean {} by day of the period",
            r.name,
            if baseline {
                "score"
            } else {
                "change from day 0"
            }
        ),
        x_label: "day of the period".into(),
        y_label: if baseline {
            "score"
        } else {
            "change from day 0"
        }
        .into(),
        hlines: vec![],
        vlines: vec![RefLine::new(
            f64::from(tc.primary_day),
            format!("primary day {}", tc.primary_day),
        )],
        y_range: None,
        x_integer: true,
        y_nonnegative: false,
        band_label: Some("± 1 SD across participants".into()),
    };
    let series: Vec<Series> = r
        .config
        .design
        .conditions
        .iter()
        .map(|c| {
            let points: Vec<_> = tc
                .trajectory
                .iter()
                .filter(|p| &p.condition == c)
                .filter_map(|p| p.mean.map(|m| (f64::from(p.day), m, p.sd.unwrap_or(0.0))))
                .collect();
            Series {
                label: c.clone(),
                points: points.iter().map(|&(d, m, _)| (d, m)).collect(),
                band: points
                    .iter()
                    .map(|&(d, m, sd)| (d, m - sd, m + sd))
                    .collect(),
            }
        })
        .collect();
    line_chart_svg(TRAJECTORIES, &chart, &series)
}
