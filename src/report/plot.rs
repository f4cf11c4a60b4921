//! SVG line charts (plotters) for sweeps and the claim report. Plots read report structures
//! only, never engine internals.

use super::{write_atomic, ReportError};
use plotters::prelude::*;
use std::path::Path;

/// One line, with an optional band (e.g. a 95% interval).
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high) band.
    pub band: Vec<(f64, f64, f64)>,
}

/// A chart's texts and reference lines.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// x axis label.
    pub x_label: String,
    /// y axis label.
    pub y_label: String,
    /// Horizontal reference lines (e.g. target power).
    pub hlines: Vec<f64>,
    /// Fixed y range (None: from the data).
    pub y_range: Option<(f64, f64)>,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

fn plot_error(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError::Serialize {
        what: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Renders `series` as an SVG line chart and writes it atomically to `path`.
pub fn line_chart(path: &Path, chart: &Chart, series: &[Series]) -> Result<(), ReportError> {
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if !x0.is_finite() || !x1.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let (y0, y1) = chart.y_range.unwrap_or_else(|| {
        let ys = series.iter().flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.1)
                .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
        });
        let (a, b) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
            (a.min(y), b.max(y))
        });
        if a.is_finite() && b.is_finite() && b > a {
            let pad = 0.05 * (b - a);
            (a - pad, b + pad)
        } else {
            (0.0, 1.0)
        }
    });
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(&chart.title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| plot_error(path, e))?;
        ctx.configure_mesh()
            .x_desc(chart.x_label.as_str())
            .y_desc(chart.y_label.as_str())
            .draw()
            .map_err(|e| plot_error(path, e))?;
        for &h in &chart.hlines {
            ctx.draw_series(LineSeries::new(
                [(x0, h), (x1, h)],
                BLACK.mix(0.4).stroke_width(1),
            ))
            .map_err(|e| plot_error(path, e))?;
        }
        for (i, s) in series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            if s.band.len() > 1 {
                let mut poly: Vec<(f64, f64)> = s.band.iter().map(|b| (b.0, b.2)).collect();
                poly.extend(s.band.iter().rev().map(|b| (b.0, b.1)));
                ctx.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.2).filled())))
                    .map_err(|e| plot_error(path, e))?;
            }
            ctx.draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| plot_error(path, e))?
            .label(s.label.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
            ctx.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(|e| plot_error(path, e))?;
        }
        if series.iter().any(|s| !s.label.is_empty()) {
            ctx.configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK.mix(0.3))
                .position(SeriesLabelPosition::LowerRight)
                .draw()
                .map_err(|e| plot_error(path, e))?;
        }
        root.present().map_err(|e| plot_error(path, e))?;
    }
    write_atomic(path, svg.as_bytes())
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
    /// The level marked: cells above it by more than 2 SE are outlined in red, those above it
    /// at all in orange.
    pub level: f64,
}

/// Renders a heat map of rates (each cell printed with its value) and writes it to `path`.
pub fn heat_map(path: &Path, map: &HeatMap) -> Result<(), ReportError> {
    let (nx, ny) = (map.columns.len().max(1), map.rows.len().max(1));
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (900, 140 + 60 * ny as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(&map.title, ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
            .map_err(|e| plot_error(path, e))?;
        let columns = map.columns.clone();
        let rows = map.rows.clone();
        ctx.configure_mesh()
            .disable_mesh()
            .x_desc(map.x_label.as_str())
            .y_desc(map.y_label.as_str())
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
            .map_err(|e| plot_error(path, e))?;
        // Colour: white at 0, through light to dark blue at the level, orange-red beyond.
        let colour = |v: f64| -> RGBColor {
            let t = (v / map.level).clamp(0.0, 2.0);
            if t <= 1.0 {
                let s = 1.0 - 0.55 * t;
                RGBColor((255.0 * s) as u8, (255.0 * (1.0 - 0.35 * t)) as u8, 255)
            } else {
                let s = (t - 1.0).min(1.0);
                RGBColor(255, (200.0 - 120.0 * s) as u8, (120.0 - 100.0 * s) as u8)
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
                .map_err(|e| plot_error(path, e))?;
                if v > map.level {
                    let outline = if v - 2.0 * se > map.level {
                        RGBColor(200, 0, 0).stroke_width(3)
                    } else {
                        RGBColor(230, 120, 0).stroke_width(2)
                    };
                    ctx.draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.03, y + 0.05), (x + 0.97, y + 0.95)],
                        outline,
                    )))
                    .map_err(|e| plot_error(path, e))?;
                }
                ctx.draw_series(std::iter::once(Text::new(
                    format!("{v:.4}"),
                    (x + 0.5, y + 0.5),
                    ("sans-serif", 15).into_font().color(&BLACK).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    ),
                )))
                .map_err(|e| plot_error(path, e))?;
            }
        }
        root.present().map_err(|e| plot_error(path, e))?;
    }
    write_atomic(path, svg.as_bytes())
}
