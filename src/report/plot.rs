//! SVG figures (plotters): line charts with 95% bands, bar panels, heat maps and boundary
//! plots, in the Okabe-Ito colour-blind-safe palette. Plots read report structures only, never
//! engine internals; each is rendered to a string (so the HTML report can inline it), which an
//! exporter ([`super::export`]) writes.

use super::ReportError;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The Okabe-Ito palette (Okabe & Ito 2008), distinguishable under the common colour-vision
/// deficiencies. Black comes last: series get the colours first, black is kept for reference
/// lines.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// The colour of the `i`-th series.
pub fn series_colour(i: usize) -> RGBColor {
    // Yellow is too light for a line on white, and black is for reference lines.
    OKABE_ITO[i % 6]
}

const FONT: &str = "sans-serif";

/// A linear axis with the ticks we choose (plotters' own float axis picks its ticks itself and
/// labels whole numbers as "20.0").
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Axis {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Axis {
        Axis { lo, hi, ticks }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.lo) / (self.hi - self.lo);
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Light (minor) grid lines would be asked for with `Any`: there are none.
        if hint.max_num_points() == 0 || hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}
const GREY: RGBColor = RGBColor(0x59, 0x59, 0x59);

/// One line, with an optional band (e.g. a 95% interval).
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend label (or panel title for bar panels).
    pub label: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high) band.
    pub band: Vec<(f64, f64, f64)>,
}

/// A labelled reference line: the label is drawn next to the line, outside the data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RefLine {
    /// Where the line is, on its axis.
    pub value: f64,
    /// Its label, e.g. "target 80%" or "α = 0.05".
    pub label: String,
}

impl RefLine {
    /// A line at `value` labelled `label`.
    pub fn new(value: f64, label: impl Into<String>) -> RefLine {
        RefLine {
            value,
            label: label.into(),
        }
    }
}

/// A chart's texts, reference lines and axis kinds.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// x axis title, in words.
    pub x_label: String,
    /// y axis title, in words.
    pub y_label: String,
    /// Horizontal reference lines (e.g. target power, the alpha level).
    pub hlines: Vec<RefLine>,
    /// Vertical reference lines (e.g. a target count).
    pub vlines: Vec<RefLine>,
    /// Fixed y range (None: from the data).
    pub y_range: Option<(f64, f64)>,
    /// The x values are whole numbers (counts, sample sizes): ticks at whole numbers only,
    /// labelled without decimals.
    pub x_integer: bool,
    /// The y values cannot be negative (counts, probabilities): the axis starts at 0 at most.
    pub y_nonnegative: bool,
    /// What the shaded bands are, in the legend (None: a 95% confidence band).
    pub band_label: Option<String>,
}

/// A figure of a report: what it draws and how.
#[derive(Debug, Clone)]
pub enum Figure {
    /// Lines with 95% bands.
    Lines(Chart, Vec<Series>),
    /// One bar panel per series, sharing their axes.
    BarPanels(Chart, Vec<Series>),
}

impl Figure {
    /// The figure as SVG text.
    pub fn render(&self, what: &str) -> Result<String, ReportError> {
        match self {
            Figure::Lines(chart, series) => line_chart_svg(what, chart, series),
            Figure::BarPanels(chart, series) => bar_panels_svg(what, chart, series),
        }
    }
}

fn plot_error(what: &str, e: impl std::fmt::Display) -> ReportError {
    ReportError::Serialize {
        what: what.to_string(),
        message: e.to_string(),
    }
}

/// Tick positions for an axis from `lo` to `hi`: at most about `max` of them, on a 1-2-5 step
/// (whole numbers only for an integer axis).
pub fn nice_ticks(lo: f64, hi: f64, max: usize, integer: bool) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / max.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    if integer && (step - step.round()).abs() > 1e-9 {
        // A fractional step would put ticks between whole numbers: 0.5 becomes 1, 2.5 becomes 5.
        step = if step < 1.0 { 1.0 } else { 5.0 * magnitude };
    }
    let first = (lo / step - 1e-9).ceil() * step;
    let mut ticks = Vec::new();
    let mut k = 0;
    loop {
        let t = first + k as f64 * step;
        if t > hi + step * 1e-9 {
            break;
        }
        // Round away the float noise of k * step (0.30000000000000004).
        let t = (t / step).round() * step;
        ticks.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        k += 1;
    }
    ticks
}

/// A tick label: whole numbers without decimals, others with as many as the step needs.
pub fn tick_label(x: f64, ticks: &[f64]) -> String {
    let step = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    let mut digits = 0;
    if step.is_finite() {
        while digits < 6
            && ((step * 10f64.powi(digits)).round() - step * 10f64.powi(digits)).abs() > 1e-6
        {
            digits += 1;
        }
    } else if x.fract() != 0.0 {
        digits = 2;
    }
    let digits = digits as usize;
    let s = format!("{x:.digits$}");
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn data_x_range(series: &[Series]) -> (f64, f64) {
    let (mut x0, mut x1) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !x0.is_finite() || !x1.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        (x0, x1) = (x0 - 1.0, x1 + 1.0);
    }
    (x0, x1)
}

fn data_y_range(chart: &Chart, series: &[Series]) -> (f64, f64) {
    let (y0, y1) = chart.y_range.unwrap_or_else(|| {
        let ys = series.iter().flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.1)
                .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
        });
        let ys = ys.chain(chart.hlines.iter().map(|h| h.value));
        let (a, b) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
            (a.min(y), b.max(y))
        });
        if a.is_finite() && b.is_finite() && b > a {
            let pad = 0.08 * (b - a);
            (a - pad, b + pad)
        } else if a.is_finite() {
            (a - 1.0, a + 1.0)
        } else {
            (0.0, 1.0)
        }
    });
    if chart.y_nonnegative {
        (y0.max(0.0), y1.max(y0.max(0.0) + 1e-9))
    } else {
        (y0, y1)
    }
}

/// Pixel y positions for labels of lines at `ys`, moved apart to at least `gap` pixels.
fn spread(mut ys: Vec<(usize, i32)>, gap: i32) -> Vec<(usize, i32)> {
    ys.sort_by_key(|p| p.1);
    for k in 1..ys.len() {
        if ys[k].1 - ys[k - 1].1 < gap {
            ys[k].1 = ys[k - 1].1 + gap;
        }
    }
    ys
}

/// The legend entries: a line (with a band swatch when it has one) and its label.
struct LegendEntry {
    label: String,
    colour: RGBColor,
    line: bool,
    band: bool,
}

/// Rows of legend entries that fit `width` pixels.
fn legend_rows(entries: &[LegendEntry], width: i32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = width;
    for (i, e) in entries.iter().enumerate() {
        let w = entry_width(e);
        if used + w > width {
            rows.push(Vec::new());
            used = 0;
        }
        used += w;
        if let Some(row) = rows.last_mut() {
            row.push(i);
        }
    }
    rows
}

fn entry_width(e: &LegendEntry) -> i32 {
    // About 7.5 px per character at 14 px, the swatch and a gap.
    36 + (e.label.chars().count() as f64 * 9.0) as i32 + 24
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[LegendEntry],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = area.dim_in_pixel();
    let rows = legend_rows(entries, w as i32 - 40);
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|&i| entry_width(&entries[i])).sum();
        let mut x = (w as i32 - total) / 2;
        let y = 14 + 24 * r as i32;
        for &i in row {
            let e = &entries[i];
            if e.band {
                area.draw(&Rectangle::new(
                    [(x, y - 7), (x + 28, y + 7)],
                    e.colour.mix(0.2).filled(),
                ))?;
            }
            if e.line {
                area.draw(&PathElement::new(
                    [(x, y), (x + 28, y)],
                    e.colour.stroke_width(2),
                ))?;
                area.draw(&Circle::new((x + 14, y), 3, e.colour.filled()))?;
            }
            area.draw(&Text::new(
                e.label.clone(),
                (x + 36, y),
                (FONT, 17)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += entry_width(e);
        }
    }
    Ok(())
}

const WIDTH: u32 = 900;
const PLOT_HEIGHT: u32 = 520;
/// Room right of the data for the reference lines' labels.
const LABEL_MARGIN: u32 = 120;

/// Renders `series` as an SVG line chart: lines with points, 95% bands filled at alpha 0.2 of
/// the series colour, labelled reference lines, the legend below the plot.
pub fn line_chart_svg(what: &str, chart: &Chart, series: &[Series]) -> Result<String, ReportError> {
    let (x0, x1) = data_x_range(series);
    // Room around the data, so that no point sits on an axis or under the title.
    let (x0, x1) = (x0 - 0.03 * (x1 - x0), x1 + 0.03 * (x1 - x0));
    let (y0, y1) = data_y_range(chart, series);
    let y1 = if chart.y_range.is_some() {
        y1 + 0.03 * (y1 - y0)
    } else {
        y1
    };
    let mut entries: Vec<LegendEntry> = series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.label.is_empty())
        .map(|(i, s)| LegendEntry {
            label: s.label.clone(),
            colour: series_colour(i),
            line: true,
            band: s.band.len() > 1,
        })
        .collect();
    if series.iter().any(|s| s.band.len() > 1) {
        // With many replicates the band can be thinner than the line (about 400 px span the
        // y axis): say so, rather than leave the reader looking for it.
        let widest = series
            .iter()
            .flat_map(|s| s.band.iter().map(|b| b.2 - b.1))
            .fold(0.0f64, f64::max);
        let thin = widest / (y1 - y0) * 400.0 < 4.0;
        entries.push(LegendEntry {
            label: match (&chart.band_label, thin) {
                (Some(what), _) => format!("shaded: {what}"),
                (None, true) => "shaded: 95% confidence band (here narrower than the line)".into(),
                (None, false) => "shaded: 95% confidence band".into(),
            },
            colour: if series.len() == 1 {
                series_colour(0)
            } else {
                GREY
            },
            line: false,
            band: true,
        });
    }
    let rows = legend_rows(&entries, WIDTH as i32 - 40).len() as u32;
    let legend_height = if rows == 0 { 0 } else { 12 + 24 * rows };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, PLOT_HEIGHT + legend_height))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(what, e))?;
        let (upper, lower) = root.split_vertically(PLOT_HEIGHT);
        let x_ticks = nice_ticks(x0, x1, 8, chart.x_integer);
        let y_ticks = nice_ticks(y0, y1, 8, false);
        let mut ctx = ChartBuilder::on(&upper)
            .caption(&chart.title, (FONT, 20))
            .margin(15)
            .margin_right(if chart.hlines.is_empty() {
                30
            } else {
                LABEL_MARGIN
            })
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(
                Axis::new(x0, x1, x_ticks.clone()),
                Axis::new(y0, y1, y_ticks.clone()),
            )
            .map_err(|e| plot_error(what, e))?;
        let xf = |x: &f64| tick_label(*x, &x_ticks);
        let yf = |y: &f64| tick_label(*y, &y_ticks);
        ctx.configure_mesh()
            .x_desc(chart.x_label.as_str())
            .y_desc(chart.y_label.as_str())
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 19))
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(|e| plot_error(what, e))?;
        draw_hlines(&upper, &mut ctx, &chart.hlines, x0, x1, (y0, y1), what)?;
        let base = upper.get_base_pixel();
        for (i, v) in chart
            .vlines
            .iter()
            .filter(|v| v.value >= x0 && v.value <= x1)
            .enumerate()
        {
            ctx.draw_series(DashedLineSeries::new(
                [(v.value, y0), (v.value, y1)],
                6,
                4,
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(|e| plot_error(what, e))?;
            // Labels step down so that neighbouring lines' labels do not overlap.
            let (px, py) = ctx.backend_coord(&(v.value, y1));
            upper
                .draw(&Text::new(
                    v.label.clone(),
                    (px - base.0 + 4, py - base.1 + 2 + 20 * (i as i32 % 3)),
                    (FONT, 16)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Top)),
                ))
                .map_err(|e| plot_error(what, e))?;
        }
        for (i, s) in series.iter().enumerate() {
            let colour = series_colour(i);
            if let [(x, lo, hi)] = s.band[..] {
                // One point: its interval as an error bar.
                ctx.draw_series(LineSeries::new(
                    [(x, lo.clamp(y0, y1)), (x, hi.clamp(y0, y1))],
                    colour.stroke_width(2),
                ))
                .map_err(|e| plot_error(what, e))?;
            }
            if s.band.len() > 1 {
                let clamp = |y: f64| y.clamp(y0, y1);
                let mut poly: Vec<(f64, f64)> = s.band.iter().map(|b| (b.0, clamp(b.2))).collect();
                poly.extend(s.band.iter().rev().map(|b| (b.0, clamp(b.1))));
                ctx.draw_series(std::iter::once(Polygon::new(
                    poly,
                    colour.mix(0.2).filled(),
                )))
                .map_err(|e| plot_error(what, e))?;
            }
            ctx.draw_series(LineSeries::new(
                s.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| plot_error(what, e))?;
            ctx.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(|e| plot_error(what, e))?;
        }
        if !entries.is_empty() {
            draw_legend(&lower, &entries).map_err(|e| plot_error(what, e))?;
        }
        root.present().map_err(|e| plot_error(what, e))?;
    }
    Ok(svg)
}

type Ctx<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>;

/// Draws horizontal reference lines across the data and their labels in the right margin.
fn draw_hlines(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    ctx: &mut Ctx,
    lines: &[RefLine],
    x0: f64,
    x1: f64,
    (y0, y1): (f64, f64),
    what: &str,
) -> Result<(), ReportError> {
    let visible: Vec<&RefLine> = lines
        .iter()
        .filter(|h| h.value >= y0 && h.value <= y1)
        .collect();
    for h in &visible {
        ctx.draw_series(DashedLineSeries::new(
            [(x0, h.value), (x1, h.value)],
            6,
            4,
            BLACK.mix(0.7).stroke_width(1),
        ))
        .map_err(|e| plot_error(what, e))?;
    }
    let base = area.get_base_pixel();
    let right = ctx.backend_coord(&(x1, y0)).0 - base.0;
    let at: Vec<(usize, i32)> = visible
        .iter()
        .enumerate()
        .map(|(i, h)| (i, ctx.backend_coord(&(x1, h.value)).1 - base.1))
        .collect();
    for (i, y) in spread(at, 16) {
        area.draw(&Text::new(
            visible[i].label.clone(),
            (right + 6, y),
            (FONT, 17)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(|e| plot_error(what, e))?;
    }
    Ok(())
}

/// Renders `series` as bar panels (one per series, in a grid of two columns, sharing their
/// axes), with labelled vertical reference lines (e.g. the target count) in every panel.
pub fn bar_panels_svg(what: &str, chart: &Chart, series: &[Series]) -> Result<String, ReportError> {
    let n = series.len().max(1);
    let cols = if n == 1 { 1 } else { 2 };
    let rows = n.div_ceil(cols);
    // Show the counts that carry any visible probability.
    let ymax = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0f64, f64::max);
    let shown = |p: &(f64, f64)| p.1 >= ymax * 1e-3;
    let (mut x0, mut x1) = series
        .iter()
        .flat_map(|s| s.points.iter().filter(|p| shown(p)).map(|p| p.0))
        .chain(chart.vlines.iter().map(|v| v.value))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    let (x0, x1) = ((x0 - 0.7).max(-0.7), x1 + 0.7);
    let (_, y1) = chart
        .y_range
        // Headroom above the tallest bar for the reference lines' labels.
        .unwrap_or((0.0, if ymax > 0.0 { ymax * 1.15 } else { 1.0 }));
    let panel_h = 300u32;
    let height = 50 + panel_h * rows as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(what, e))?;
        let root = root
            .titled(&chart.title, (FONT, 20))
            .map_err(|e| plot_error(what, e))?;
        let panels = root.split_evenly((rows, cols));
        let x_ticks = nice_ticks(x0.max(0.0), x1, 8, chart.x_integer);
        let y_ticks = nice_ticks(0.0, y1, 5, false);
        for (i, (panel, s)) in panels.iter().zip(series).enumerate() {
            let colour = series_colour(i);
            let mut ctx = ChartBuilder::on(panel)
                .caption(&s.label, (FONT, 17))
                .margin(10)
                .x_label_area_size(42)
                .y_label_area_size(62)
                .build_cartesian_2d(
                    Axis::new(x0, x1, x_ticks.clone()),
                    Axis::new(0.0, y1, y_ticks.clone()),
                )
                .map_err(|e| plot_error(what, e))?;
            let xf = |x: &f64| tick_label(*x, &x_ticks);
            let yf = |y: &f64| tick_label(*y, &y_ticks);
            ctx.configure_mesh()
                .x_desc(chart.x_label.as_str())
                .y_desc(chart.y_label.as_str())
                .x_label_formatter(&xf)
                .y_label_formatter(&yf)
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 17))
                .light_line_style(WHITE)
                .bold_line_style(BLACK.mix(0.08))
                .disable_x_mesh()
                .draw()
                .map_err(|e| plot_error(what, e))?;
            ctx.draw_series(
                s.points
                    .iter()
                    .filter(|p| p.0 >= x0 && p.0 <= x1)
                    .map(|&(x, y)| Rectangle::new([(x - 0.4, 0.0), (x + 0.4, y)], colour.filled())),
            )
            .map_err(|e| plot_error(what, e))?;
            let base = panel.get_base_pixel();
            for v in &chart.vlines {
                // Between the bars, so that the line hides none of them.
                let x = v.value - 0.5;
                ctx.draw_series(DashedLineSeries::new(
                    [(x, 0.0), (x, y1)],
                    6,
                    4,
                    BLACK.stroke_width(2),
                ))
                .map_err(|e| plot_error(what, e))?;
                let (px, py) = ctx.backend_coord(&(x, y1));
                panel
                    .draw(&Text::new(
                        v.label.clone(),
                        (px - base.0 + 5, py - base.1 + 2),
                        (FONT, 16)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Left, VPos::Top)),
                    ))
                    .map_err(|e| plot_error(what, e))?;
            }
        }
        root.present().map_err(|e| plot_error(what, e))?;
    }
    Ok(svg)
}

/// A group-sequential design's critical values at each look.
#[derive(Debug, Clone, Default)]
pub struct BoundaryPlot {
    /// Title.
    pub title: String,
    /// x axis title (e.g. "participants enrolled at the look").
    pub x_label: String,
    /// Where each look is on the x axis (participants enrolled, or information fraction).
    pub looks: Vec<f64>,
    /// Whether `looks` are whole numbers (counts).
    pub x_integer: bool,
    /// Efficacy critical value at each look (|z| for two-sided designs).
    pub efficacy: Vec<f64>,
    /// Futility bound at each look, where there is one.
    pub futility: Vec<Option<f64>>,
    /// The fixed design's critical value, e.g. 1.96 labelled "fixed design: 1.96 (α = 0.05)"
    /// (None: not known, as in a report read back from its JSON).
    pub fixed: Option<RefLine>,
    /// y axis title (e.g. "critical |z|").
    pub y_label: String,
}

/// Renders the boundary plot: efficacy and futility bounds per look (each point labelled with
/// its value) and the fixed design's critical value as a labelled line.
pub fn boundary_svg(what: &str, b: &BoundaryPlot) -> Result<String, ReportError> {
    let efficacy = Series {
        label: "efficacy bound (stop and reject H0 above it)".into(),
        points: b
            .looks
            .iter()
            .copied()
            .zip(b.efficacy.iter().copied())
            .collect(),
        band: vec![],
    };
    let futility = Series {
        label: "futility bound (stop for futility below it)".into(),
        points: b
            .looks
            .iter()
            .zip(&b.futility)
            .filter_map(|(x, f)| f.map(|f| (*x, f)))
            .collect(),
        band: vec![],
    };
    let mut series = vec![efficacy];
    if !series[0].points.is_empty() && !futility.points.is_empty() {
        series.push(futility);
    }
    let top = b
        .efficacy
        .iter()
        .copied()
        .chain(b.fixed.iter().map(|f| f.value))
        .fold(0.0f64, f64::max);
    let span = b.looks.last().copied().unwrap_or(1.0) - b.looks.first().copied().unwrap_or(0.0);
    let pad = (span * 0.08).max(if b.x_integer { 1.0 } else { 0.02 });
    let (x0, x1) = (
        b.looks.first().copied().unwrap_or(0.0) - pad,
        b.looks.last().copied().unwrap_or(1.0) + pad,
    );
    let (y0, y1) = (0.0, (top * 1.15).max(1.0));
    let entries: Vec<LegendEntry> = series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry {
            label: s.label.clone(),
            colour: series_colour(if i == 0 { 0 } else { 3 }),
            line: true,
            band: false,
        })
        .collect();
    let rows = legend_rows(&entries, WIDTH as i32 - 40).len() as u32;
    let legend_height = 12 + 24 * rows;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, PLOT_HEIGHT + legend_height))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(what, e))?;
        let (upper, lower) = root.split_vertically(PLOT_HEIGHT);
        // Ticks at the looks themselves: the only x values that mean anything here.
        let x_ticks = b.looks.clone();
        let y_ticks = nice_ticks(y0, y1, 8, false);
        let mut ctx = ChartBuilder::on(&upper)
            .caption(&b.title, (FONT, 20))
            .margin(15)
            .margin_right(LABEL_MARGIN + 60)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(
                Axis::new(x0, x1, x_ticks.clone()),
                Axis::new(y0, y1, y_ticks.clone()),
            )
            .map_err(|e| plot_error(what, e))?;
        let integer = b.x_integer;
        let xf = |x: &f64| {
            if integer {
                format!("{x:.0}")
            } else {
                format!("{x:.3}")
            }
        };
        let yf = |y: &f64| tick_label(*y, &y_ticks);
        ctx.configure_mesh()
            .x_desc(b.x_label.as_str())
            .y_desc(b.y_label.as_str())
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 19))
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(|e| plot_error(what, e))?;
        draw_hlines(&upper, &mut ctx, b.fixed.as_slice(), x0, x1, (y0, y1), what)?;
        for (i, s) in series.iter().enumerate() {
            let colour = entries[i].colour;
            ctx.draw_series(LineSeries::new(
                s.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| plot_error(what, e))?;
            ctx.draw_series(s.points.iter().map(|&p| Circle::new(p, 4, colour.filled())))
                .map_err(|e| plot_error(what, e))?;
            // The value beside each point: efficacy above, futility below, so they never meet.
            let (vpos, dy) = if i == 0 {
                (VPos::Bottom, -8)
            } else {
                (VPos::Top, 8)
            };
            for &(x, y) in &s.points {
                let (px, py) = ctx.backend_coord(&(x, y));
                let base = upper.get_base_pixel();
                upper
                    .draw(&Text::new(
                        format!("{y:.3}"),
                        (px - base.0, py - base.1 + dy),
                        (FONT, 16)
                            .into_font()
                            .color(&colour)
                            .pos(Pos::new(HPos::Center, vpos)),
                    ))
                    .map_err(|e| plot_error(what, e))?;
            }
        }
        draw_legend(&lower, &entries).map_err(|e| plot_error(what, e))?;
        root.present().map_err(|e| plot_error(what, e))?;
    }
    Ok(svg)
}

/// A grid of rates over two swept parameters.
#[derive(Debug, Clone, Default)]
pub struct HeatMap {
    /// Title.
    pub title: String,
    /// Label of the first parameter (columns).
    pub x_label: String,
    /// Label of the second parameter (rows).
    pub y_label: String,
    /// Column labels (values of the first parameter).
    pub columns: Vec<String>,
    /// Row labels (values of the second parameter).
    pub rows: Vec<String>,
    /// `values[row][column]`: the rate and its Monte Carlo SE.
    pub values: Vec<Vec<Option<(f64, f64)>>>,
    /// The level marked: cells above it by more than 2 SE get a thick black outline, those
    /// above it at all a thin orange one.
    pub level: f64,
}

/// Renders a heat map of rates (each cell printed with its value).
pub fn heat_map_svg(what: &str, map: &HeatMap) -> Result<String, ReportError> {
    let (nx, ny) = (map.columns.len().max(1), map.rows.len().max(1));
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, 192 + 60 * ny as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(what, e))?;
        let (upper, lower) = root.split_vertically(140 + 60 * ny as u32);
        let mut ctx = ChartBuilder::on(&upper)
            .caption(&map.title, (FONT, 20))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .map_err(|e| plot_error(what, e))?;
        let columns = map.columns.clone();
        let rows = map.rows.clone();
        ctx.configure_mesh()
            .disable_mesh()
            .x_desc(map.x_label.as_str())
            .y_desc(map.y_label.as_str())
            .label_style((FONT, 17))
            .axis_desc_style((FONT, 19))
            .x_labels(nx * 2 + 1)
            .y_labels(ny * 2 + 1)
            .x_label_formatter(&|x| {
                let i = (x - 0.5).round();
                if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    columns.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| {
                let i = (y - 0.5).round();
                if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    rows.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(|e| plot_error(what, e))?;
        // A single-hue ramp (white to Okabe-Ito blue) up to the level, so no red-green contrast
        // carries meaning; beyond the level the cells turn orange.
        let colour = |v: f64| -> RGBColor {
            let t = (v / map.level).clamp(0.0, 2.0);
            let mix = |a: u8, b: u8, s: f64| (a as f64 + (b as f64 - a as f64) * s) as u8;
            if t <= 1.0 {
                let s = 0.75 * t;
                RGBColor(mix(255, 0x56, s), mix(255, 0xB4, s), mix(255, 0xE9, s))
            } else {
                let s = 0.4 + 0.6 * (t - 1.0).min(1.0);
                RGBColor(mix(255, 0xE6, s), mix(255, 0x9F, s), mix(255, 0x00, s))
            }
        };
        for (r, row) in map.values.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (x, y) = (c as f64, r as f64);
                let Some((v, se)) = *cell else { continue };
                ctx.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    colour(v).filled(),
                )))
                .map_err(|e| plot_error(what, e))?;
                if v > map.level {
                    let outline = if v - 2.0 * se > map.level {
                        BLACK.stroke_width(3)
                    } else {
                        OKABE_ITO[3].stroke_width(2)
                    };
                    ctx.draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.03, y + 0.05), (x + 0.97, y + 0.95)],
                        outline,
                    )))
                    .map_err(|e| plot_error(what, e))?;
                }
                ctx.draw_series(std::iter::once(Text::new(
                    format!("{v:.4}"),
                    (x + 0.5, y + 0.5),
                    (FONT, 17)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))
                .map_err(|e| plot_error(what, e))?;
            }
        }
        // The key, on two lines so that it fits the width at the pages' text size.
        let keys = [
            format!(
                "cell colour: white at 0, blue up to {0}, orange above",
                map.level
            ),
            format!(
                "outline: thin vermillion above {0}, thick black more than 2 SE above {0}",
                map.level
            ),
        ];
        for (i, key) in keys.into_iter().enumerate() {
            lower
                .draw(&Text::new(
                    key,
                    (WIDTH as i32 / 2, 12 + 22 * i as i32),
                    (FONT, 16)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(|e| plot_error(what, e))?;
        }
        root.present().map_err(|e| plot_error(what, e))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ticks_are_whole_numbers_labelled_without_decimals() {
        let ticks = nice_ticks(20.0, 25.0, 10, true);
        assert!(ticks.iter().all(|t| t.fract() == 0.0), "{ticks:?}");
        let labels: Vec<String> = ticks.iter().map(|t| tick_label(*t, &ticks)).collect();
        assert_eq!(labels, ["20", "21", "22", "23", "24", "25"]);
        let wide = nice_ticks(16.0, 140.0, 10, true);
        assert!(wide.iter().all(|t| t.fract() == 0.0), "{wide:?}");
        assert_eq!(wide.first(), Some(&20.0));
    }

    #[test]
    fn fractional_ticks_get_the_digits_their_step_needs() {
        let ticks = nice_ticks(0.0, 1.0, 8, false);
        let labels: Vec<String> = ticks.iter().map(|t| tick_label(*t, &ticks)).collect();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let small = nice_ticks(0.0, 0.1, 5, false);
        assert_eq!(tick_label(small[1], &small), "0.02");
    }

    #[test]
    fn count_axes_never_go_below_zero() {
        let chart = Chart {
            y_nonnegative: true,
            band_label: None,
            ..Chart::default()
        };
        let s = Series {
            label: String::new(),
            points: vec![(1.0, 0.0), (2.0, 10.0)],
            band: vec![],
        };
        assert_eq!(data_y_range(&chart, &[s]).0, 0.0);
    }

    #[test]
    fn the_series_use_the_okabe_ito_colours() {
        let svg = line_chart_svg(
            "test",
            &Chart {
                title: "t".into(),
                hlines: vec![RefLine::new(0.8, "target 80%")],
                y_range: Some((0.0, 1.0)),
                ..Chart::default()
            },
            &[Series {
                label: "one".into(),
                points: vec![(1.0, 0.5), (2.0, 0.9)],
                band: vec![(1.0, 0.4, 0.6), (2.0, 0.85, 0.95)],
            }],
        )
        .unwrap();
        assert!(svg.contains("#0072B2"), "{svg}");
        assert!(svg.contains("target 80%"));
        assert!(svg.contains("95% confidence band"));
        assert!(svg.contains("opacity=\"0.2\""));
    }
}
