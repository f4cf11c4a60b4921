//! Every output file behind one trait: an [`Exporter`] renders a value to the bytes of one
//! file, and [`write_files`](super::write_files) renders a list of them, then writes each file
//! atomically in the list's order. One implementation per format of each kind of output:
//!
//! - a run's results folder ([`RunReport`]): [`Json`], [`Csv`], [`Markdown`], the [`Svg`]
//!   figures and [`Html`], listed by [`run_exporters`] in the order
//!   [`write_all`](super::write_all) writes them;
//! - a sweep's files: [`super::sweep::exporters`];
//! - the batch summary, the claim study, shard files and `samplesize.json`: `exporters` of
//!   `crate::batch`, `crate::studies::williams2018`, `crate::shard` and `crate::sample_size`
//!   (the jobs that own those values), with [`JsonFile`] for any value written as JSON.

use super::{csv_export, figures, html, markdown, ReportError, RunReport};
use serde::Serialize;

/// One output file, rendered from a value (by default a run's report).
pub trait Exporter<T: ?Sized = RunReport> {
    /// The file's name in the folder it is written to.
    fn file_name(&self) -> &str;
    /// The file's bytes.
    fn render(&self, value: &T) -> Result<Vec<u8>, ReportError>;
}

/// Any serializable value as pretty-printed JSON, under a name the caller gives (a sweep's
/// `<stem>.json`, a shard file, `samplesize.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonFile {
    file: String,
}

impl JsonFile {
    /// The JSON file `file`.
    pub fn new(file: impl Into<String>) -> JsonFile {
        JsonFile { file: file.into() }
    }
}

impl<T: Serialize + ?Sized> Exporter<T> for JsonFile {
    fn file_name(&self) -> &str {
        &self.file
    }

    fn render(&self, value: &T) -> Result<Vec<u8>, ReportError> {
        serde_json::to_vec_pretty(value).map_err(|e| ReportError::Serialize {
            what: self.file.clone(),
            message: e.to_string(),
        })
    }
}

/// summary.json: the whole report, pretty-printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Exporter for Json {
    fn file_name(&self) -> &str {
        "summary.json"
    }

    fn render(&self, report: &RunReport) -> Result<Vec<u8>, ReportError> {
        serde_json::to_vec_pretty(report).map_err(|e| ReportError::Serialize {
            what: self.file_name().into(),
            message: e.to_string(),
        })
    }
}

/// summary.csv: the tidy observations (see [`csv_export`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

impl Exporter for Csv {
    fn file_name(&self) -> &str {
        "summary.csv"
    }

    fn render(&self, report: &RunReport) -> Result<Vec<u8>, ReportError> {
        csv_export::render(report)
    }
}

/// summary.md: the report in words and tables (see [`markdown`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl Exporter for Markdown {
    fn file_name(&self) -> &str {
        "summary.md"
    }

    fn render(&self, report: &RunReport) -> Result<Vec<u8>, ReportError> {
        Ok(markdown::render(report).into_bytes())
    }
}

/// One SVG figure of the run (see [`figures`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Svg {
    /// boundaries.svg, for a design with interim looks.
    Boundaries,
    /// power-curve.svg, for bioequivalence on a ratio endpoint with exact power.
    PowerCurve,
    /// responders.svg, for a responder endpoint.
    Responders,
    /// trajectories.svg, for a time course.
    Trajectories,
}

impl Svg {
    /// The figures the run has, in the order the report shows them.
    pub fn of(report: &RunReport) -> Vec<Svg> {
        let mut out = Vec::new();
        if figures::has_boundaries(report) {
            out.push(Svg::Boundaries);
        }
        if figures::has_power_curve(report) {
            out.push(Svg::PowerCurve);
        }
        if figures::has_responders(report) {
            out.push(Svg::Responders);
        }
        if figures::has_trajectories(report) {
            out.push(Svg::Trajectories);
        }
        out
    }
}

impl Exporter for Svg {
    fn file_name(&self) -> &str {
        match self {
            Svg::Boundaries => figures::BOUNDARIES,
            Svg::PowerCurve => figures::POWER_CURVE,
            Svg::Responders => figures::RESPONDERS,
            Svg::Trajectories => figures::TRAJECTORIES,
        }
    }

    fn render(&self, report: &RunReport) -> Result<Vec<u8>, ReportError> {
        let svg = match self {
            Svg::Boundaries => figures::boundaries(report)?,
            Svg::PowerCurve => figures::power_curve(report)?,
            Svg::Responders => figures::responders(report)?,
            Svg::Trajectories => figures::trajectories(report)?,
        };
        Ok(svg.into_bytes())
    }
}

/// report.html: summary.md and the figures on one self-contained page (see [`html`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl Exporter for Html {
    fn file_name(&self) -> &str {
        "report.html"
    }

    fn render(&self, report: &RunReport) -> Result<Vec<u8>, ReportError> {
        let figures = figures::run_figures(report)?;
        Ok(html::render_run(report, &figures).into_bytes())
    }
}

/// The exporters of a run, in the order their files are written: summary.json, summary.csv,
/// summary.md, the figures, report.html.
pub fn run_exporters(report: &RunReport) -> Vec<Box<dyn Exporter>> {
    let mut out: Vec<Box<dyn Exporter>> = vec![Box::new(Json), Box::new(Csv), Box::new(Markdown)];
    out.extend(
        Svg::of(report)
            .into_iter()
            .map(|f| Box::new(f) as Box<dyn Exporter>),
    );
    out.push(Box::new(Html));
    out
}

/// Test support: asserts that `written` (what a writer wrote) are the files of `exporters`, in
/// their order and with the bytes each renders from `value`.
#[cfg(test)]
pub(crate) fn assert_written_as_rendered<T: ?Sized>(
    written: &[std::path::PathBuf],
    exporters: &[Box<dyn Exporter<T>>],
    value: &T,
) {
    assert_eq!(written.len(), exporters.len());
    for (path, e) in written.iter().zip(exporters) {
        assert_eq!(path.file_name().unwrap().to_str(), Some(e.file_name()));
        assert_eq!(
            std::fs::read(path).unwrap(),
            e.render(value).unwrap(),
            "{path:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Override};
    use crate::engine::{NoProgress, Simulator};
    use crate::facts::DesignFacts;
    use crate::report::{build_report, RunMetadata};
    use std::path::Path;

    fn report(config: &str) -> RunReport {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(config);
        let fewer = Override::parse("simulation.replicates=200").unwrap();
        let loaded = config::load(&path, &[fewer]).unwrap();
        let sim = Simulator::new(&loaded.design).unwrap();
        let summary = sim.simulate(0..200, &NoProgress);
        let facts = DesignFacts::of(&loaded.design);
        build_report(
            &loaded,
            sim.rules(),
            &facts,
            &summary,
            RunMetadata::single(1, 0.0),
        )
    }

    fn names(r: &RunReport) -> String {
        run_exporters(r)
            .iter()
            .map(|e| e.file_name().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first `n` lines of what `e` renders.
    fn head(e: &dyn Exporter, r: &RunReport, n: usize) -> String {
        let bytes = e.render(r).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        text.lines().take(n).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_run_writes_its_files_in_order() {
        insta::assert_snapshot!(names(&report("configs/designs/design_2x2x4.toml")), @r#"
            summary.json
            summary.csv
            summary.md
            report.html
        "#);
        insta::assert_snapshot!(names(&report("configs/williams2018.toml")), @r#"
            summary.json
            summary.csv
            summary.md
            boundaries.svg
            responders.svg
            report.html
        "#);
    }

    #[test]
    fn each_exporter_renders_its_format() {
        let r = report("configs/williams2018.toml");
        insta::assert_snapshot!(head(&Json, &r, 3), @r#"
            {
              "tool": {
                "name": "crossover-sim",
        "#);
        insta::assert_snapshot!(head(&Csv, &r, 1), @"quantity,analysis,contrast,metric,day,condition,look,reason,responders,estimate,se,ci_low,ci_high,under_null,name,config_file,overrides,seed,replicates,version,command");
        insta::assert_snapshot!(head(&Markdown, &r, 1), @"# williams2018");
        insta::assert_snapshot!(head(&Svg::Boundaries, &r, 1), @r#"
            <svg width="900" height="556" viewBox="0 0 900 556" xmlns="http://www.w3.org/2000/svg">
        "#);
        insta::assert_snapshot!(head(&Svg::Responders, &r, 1), @r#"
            <svg width="900" height="350" viewBox="0 0 900 350" xmlns="http://www.w3.org/2000/svg">
        "#);
        insta::assert_snapshot!(head(&Html, &r, 1), @"<!DOCTYPE html>");
    }

    #[test]
    fn a_json_file_renders_any_value_under_its_name() {
        let value = std::collections::BTreeMap::from([("enrolled", 40), ("seed", 7)]);
        let e = JsonFile::new("samplesize.json");
        insta::assert_snapshot!(Exporter::<std::collections::BTreeMap<&str, i32>>::file_name(&e), @"samplesize.json");
        insta::assert_snapshot!(String::from_utf8(e.render(&value).unwrap()).unwrap(), @r#"
            {
              "enrolled": 40,
              "seed": 7
            }
        "#);
    }

    #[test]
    fn write_all_writes_what_the_exporters_render() {
        let r = report("configs/williams2018.toml");
        let dir = std::env::temp_dir().join(format!("export-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = crate::report::write_all(&dir, &r).unwrap();
        let exporters = run_exporters(&r);
        assert_eq!(written.len(), exporters.len());
        for (path, e) in written.iter().zip(&exporters) {
            assert_eq!(path.file_name().unwrap().to_str(), Some(e.file_name()));
            assert_eq!(
                std::fs::read(path).unwrap(),
                e.render(&r).unwrap(),
                "{path:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
