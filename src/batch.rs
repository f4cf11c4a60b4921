//! Batch runs: the configs to run, the loop that runs each of them ([`run_batch`]: load every
//! config first, then run them one by one, collecting one row per config), and the summary of
//! their results (batch-summary.csv, tidy: one row per config and observation;
//! batch-summary.md, one line per config). A config that fails is recorded with its error and
//! the others still run. What the caller shows meanwhile (a progress bar, a line per config)
//! is a [`BatchObserver`]'s business.

use crate::config::{self, LoadedConfig, Override};
use crate::engine::Progress;
use crate::error::Error;
use crate::report::csv_export::{self, Column, Observation, ObservationRow};
use crate::report::export::Exporter;
use crate::report::{reproduce, write_files, CountReport, Proportion, ReportError, RunReport};
use crate::run;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Expands folders into their `*.toml` files (sorted, recursively); files are kept as given. A
/// file reached twice (given twice, or also inside a given folder) is kept once.
pub fn collect_configs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    dedup_files(out)
}

/// `paths` without repeats of the same file (compared by canonical path when it exists).
pub fn dedup_files(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    paths
        .into_iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect()
}

/// For configs run by one command, given as (path, name): the ones whose results would land in
/// the same folder `out/<name>/` as another's, each with a message naming the other files.
/// Names are compared ignoring case, because case-insensitive file systems (macOS, Windows)
/// would merge such folders.
pub fn name_collisions(configs: &[(&Path, &str)], out: &Path) -> BTreeMap<usize, String> {
    let mut clashes = BTreeMap::new();
    for (i, (path, name)) in configs.iter().enumerate() {
        let others: Vec<String> = configs
            .iter()
            .enumerate()
            .filter(|(j, (_, other))| *j != i && other.eq_ignore_ascii_case(name))
            .map(|(_, (p, n))| format!("{} (name = {n:?})", p.display()))
            .collect();
        if !others.is_empty() {
            clashes.insert(
                i,
                format!(
                    "{}: name = {name:?} is also the name of {}; both would write {}, and one would overwrite the other: give each config its own `name`",
                    path.display(),
                    others.join(", "),
                    out.join(name).display()
                ),
            );
        }
    }
    clashes
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, found);
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
}

/// Configs loaded together, before any is simulated: each config's loaded form (or its error),
/// in the order given, and by index the configs whose results would land in the same folder as
/// another's, each with its message (see [`name_collisions`]).
#[derive(Debug)]
pub struct LoadedConfigs {
    /// Each config, loaded and validated, or its error.
    pub loaded: Vec<Result<LoadedConfig, Error>>,
    /// By index into `loaded`: the message of a config that would write another's folder.
    pub clashes: BTreeMap<usize, String>,
}

/// Loads every config of `paths` with `overrides` before anything is simulated, and finds the
/// configs that would write the same results folder under `out`.
pub fn load_all(paths: &[PathBuf], overrides: &[Override], out: &Path) -> LoadedConfigs {
    let loaded: Vec<Result<LoadedConfig, Error>> = paths
        .iter()
        .map(|p| config::load(p, overrides).map_err(Error::from))
        .collect();
    let named: Vec<(usize, &Path, &str)> = paths
        .iter()
        .zip(&loaded)
        .enumerate()
        .filter_map(|(i, (p, l))| l.as_ref().ok().map(|l| (i, p.as_path(), l.design.name())))
        .collect();
    let pairs: Vec<(&Path, &str)> = named.iter().map(|(_, p, n)| (*p, *n)).collect();
    let clashes = name_collisions(&pairs, out)
        .into_iter()
        .map(|(k, msg)| (named[k].0, msg))
        .collect();
    LoadedConfigs { loaded, clashes }
}

/// Where a batch writes and what it records to reproduce its results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchOptions {
    /// The results folder: each config's files go to `out/<name>/`, the summary into `out`.
    pub out: PathBuf,
    /// The arguments after the inputs (or after a config's path) that the recorded commands
    /// repeat, as the caller gave them: the `--set` arguments, `--seed`, `--replicates`. The
    /// batch command is `batch <inputs> <recorded_args>`; a config that failed records
    /// `run <config> <recorded_args>`.
    pub recorded_args: Vec<String>,
}

/// What a batch tells its caller while it runs, config by config, in this order for each:
/// [`starting`](BatchObserver::starting), then [`hints`](BatchObserver::hints) (for a config
/// that loaded and does not collide), then either [`warning`](BatchObserver::warning) (if
/// any) and [`ran`](BatchObserver::ran), or [`failed`](BatchObserver::failed), then
/// [`finished`](BatchObserver::finished). As a [`Progress`], it receives the replicates of
/// the config that runs and says when to stop (a batch stopped this way ends with
/// [`Error::Interrupted`]). Every method does nothing by default.
pub trait BatchObserver: Progress {
    /// The configs the batch will run, in order (called once, before the first).
    fn planned(&self, _configs: &[PathBuf]) {}
    /// `config` is next.
    fn starting(&self, _config: &Path) {}
    /// The hints about `config`'s values (values that look like percentages), possibly none.
    fn hints(&self, _config: &Path, _hints: &[String]) {}
    /// The warning of `config`'s primary analysis (most replicates not analysable), without
    /// the config's path.
    fn warning(&self, _config: &Path, _warning: &str) {}
    /// `config` ran and its files are written; `report` has its figures.
    fn ran(&self, _config: &Path, _report: &RunReport) {}
    /// `config` could not be loaded or run: its error, without the config's path.
    fn failed(&self, _config: &Path, _error: &str) {}
    /// `config` is done, whether it ran or failed.
    fn finished(&self, _config: &Path) {}
}

/// An error's message without the config path it starts with (and the "(config PATH)" an
/// override error ends with), for lines and rows that already name the config.
fn without_path(path: &Path, e: &Error) -> String {
    let shown = path.display().to_string();
    let text = config::tidy_numbers(&e.to_string());
    let text = text
        .strip_prefix(&format!("{shown}: "))
        .unwrap_or(&text)
        .to_string();
    text.replace(&format!(" (config {shown})"), "")
}

/// Runs a batch on the current rayon pool: the configs of `inputs` (folders expanded, see
/// [`collect_configs`]) are all loaded with `overrides` first, then each runs in turn and
/// writes its files into `options.out/<name>/` ([`run::run_into`]). A config that cannot be
/// loaded, would write another's folder, or fails while running gets a failed row and the
/// others still run; an interruption ends the batch with [`Error::Interrupted`]. Returns the
/// summary to write with [`write_summary`]; `observer` hears about each config as it goes.
pub fn run_batch(
    inputs: &[PathBuf],
    overrides: &[Override],
    options: &BatchOptions,
    observer: &impl BatchObserver,
) -> Result<BatchSummary, Error> {
    let configs = collect_configs(inputs);
    if configs.is_empty() {
        return Err(Error::Usage(
            "batch: no *.toml configs found in the inputs".into(),
        ));
    }
    let mut batch_args: Vec<String> = vec!["batch".into()];
    batch_args.extend(inputs.iter().map(|p| p.display().to_string()));
    batch_args.extend(options.recorded_args.iter().cloned());
    let command = reproduce::command(&batch_args);
    // A failed config's row records the `--set` arguments as given, like a report does.
    let set_arguments: Vec<String> = overrides
        .iter()
        .filter_map(|o| o.set_argument.clone())
        .collect();
    let LoadedConfigs { loaded, clashes } = load_all(&configs, overrides, &options.out);
    observer.planned(&configs);
    let mut rows = Vec::new();
    for (i, (path, loaded)) in configs.iter().zip(loaded).enumerate() {
        observer.starting(path);
        let name = loaded
            .as_ref()
            .map_or(String::new(), |l| l.design.name().to_string());
        let outcome = loaded.and_then(|loaded| {
            if let Some(clash) = clashes.get(&i) {
                return Err(Error::Usage(clash.clone()));
            }
            observer.hints(path, &loaded.hints());
            let (result, _) = run::run_into(&loaded, &options.out, observer)?;
            Ok(result)
        });
        match outcome {
            Ok(r) => {
                if let Some(warning) = r.primary_warning() {
                    observer.warning(path, &without_path(path, &Error::Other(warning)));
                }
                observer.ran(path, &r);
                rows.push(BatchRow::ok(path, &r));
            }
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => {
                let message = without_path(path, &e);
                observer.failed(path, &message);
                let mut args = vec!["run".to_string(), path.display().to_string()];
                args.extend(options.recorded_args.iter().cloned());
                let mut row =
                    BatchRow::failed(path, &message, &set_arguments, &reproduce::command(&args));
                row.name = name;
                rows.push(row);
            }
        }
        observer.finished(path);
    }
    Ok(BatchSummary { rows, command })
}

/// Whether a config of a batch ran (`ok`) or failed (`failed`, with its error), as the CSV
/// and Markdown spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    /// The config ran; its figures follow.
    Ok,
    /// The config could not be loaded or run; its error follows.
    Failed,
}

impl BatchStatus {
    /// `ok` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Ok => "ok",
            BatchStatus::Failed => "failed",
        }
    }
}

/// One config's result in the batch summary (its rows in batch-summary.csv, its line in
/// batch-summary.md).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// Config path.
    pub config: String,
    /// Config name (empty when the config could not be loaded).
    pub name: String,
    /// Whether the config ran.
    pub status: BatchStatus,
    /// The error, for failed configs.
    pub error: String,
    /// Primary analysis.
    pub primary: String,
    /// Whether the config is a null (its rejection rate is a type I error).
    pub null: Option<bool>,
    /// The primary analysis's rejection rate: power, or the type I error of a null config.
    pub rejection: Option<Proportion>,
    /// The exact power, where the design has a closed form.
    pub exact_power: Option<f64>,
    /// Probability of stopping before the last look.
    pub p_stop_early: Option<Proportion>,
    /// Expected enrolled.
    pub expected_enrolled: Option<CountReport>,
    /// Mean completers.
    pub completers: Option<CountReport>,
    /// Replicates.
    pub replicates: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// The `--set` arguments applied.
    pub overrides: Vec<String>,
    /// The command that reproduces this config's results (failed configs: its error).
    pub command: String,
}

impl BatchRow {
    /// A successful run.
    pub fn ok(config: &Path, r: &RunReport) -> BatchRow {
        BatchRow {
            config: config.display().to_string(),
            name: r.name.clone(),
            status: BatchStatus::Ok,
            error: String::new(),
            primary: r.primary.analysis.clone(),
            null: Some(r.is_null()),
            rejection: Some(r.primary.power),
            exact_power: r.closed_form.power,
            p_stop_early: Some(r.stopped_early()),
            expected_enrolled: Some(r.expected_enrolled),
            completers: Some(r.completers),
            replicates: Some(r.replicates),
            seed: Some(r.seed),
            overrides: r.overrides.clone(),
            command: r.command.clone(),
        }
    }

    /// A config that failed, with its error; `command` shows the failure again.
    pub fn failed(config: &Path, error: &str, overrides: &[String], command: &str) -> BatchRow {
        BatchRow {
            config: config.display().to_string(),
            name: String::new(),
            status: BatchStatus::Failed,
            error: error.to_string(),
            primary: String::new(),
            null: None,
            rejection: None,
            exact_power: None,
            p_stop_early: None,
            expected_enrolled: None,
            completers: None,
            replicates: None,
            seed: None,
            overrides: overrides.to_vec(),
            command: command.to_string(),
        }
    }

    /// The config's observations: power (the type I error when `under_null` is TRUE), the
    /// exact power where there is one, the probability of stopping early, the expected
    /// enrollment and the completers. None for a failed config.
    pub fn observations(&self) -> Vec<Observation> {
        let mut out = Vec::new();
        if let Some(p) = &self.rejection {
            out.push(Observation::proportion("power", p).analysis(&self.primary));
        }
        if let Some(x) = self.exact_power {
            out.push(Observation::value("exact_power", Some(x)).analysis(&self.primary));
        }
        if let Some(p) = &self.p_stop_early {
            out.push(Observation::proportion("p_stop_early", p));
        }
        for (quantity, count) in [
            ("expected_enrolled", &self.expected_enrolled),
            ("completers", &self.completers),
        ] {
            if let Some(c) = count {
                out.push(Observation::mean(quantity, Some(c.mean), Some(c.se)));
            }
        }
        out
    }
}

/// The observation columns of batch-summary.csv.
pub const BATCH_OBSERVATION_COLUMNS: [&str; 6] = [
    "quantity", "analysis", "estimate", "se", "ci_low", "ci_high",
];

/// A row of batch-summary.csv: one observation of one config's result.
pub struct BatchCsvRow<'a> {
    /// The config's result.
    pub row: &'a BatchRow,
    /// The observation (blank for a failed config).
    pub observation: &'a Observation,
}

impl ObservationRow for BatchCsvRow<'_> {
    fn observation(&self) -> &Observation {
        self.observation
    }
}

/// The columns of batch-summary.csv: the config and its status, the observation columns, then
/// what reproduces the config's results.
pub fn csv_columns<'a>() -> Vec<Column<BatchCsvRow<'a>>> {
    let mut columns: Vec<Column<BatchCsvRow>> = vec![
        Column::new("config_file", |r| csv_export::text(&r.row.config)),
        Column::new("name", |r| csv_export::text(&r.row.name)),
        Column::new("status", |r| r.row.status.as_str().to_string()),
        Column::new("error", |r| csv_export::text(&r.row.error)),
    ];
    columns.extend(csv_export::observation_columns_of(
        &BATCH_OBSERVATION_COLUMNS,
    ));
    columns.extend([
        Column::new("under_null", |r: &BatchCsvRow| {
            r.row.null.map(csv_export::boolean).unwrap_or_default()
        }),
        Column::new("overrides", |r| {
            csv_export::overrides_cell(&r.row.overrides)
        }),
        Column::new("seed", |r| {
            r.row.seed.map_or(String::new(), |s| s.to_string())
        }),
        Column::new("replicates", |r| {
            r.row.replicates.map_or(String::new(), |n| n.to_string())
        }),
        Column::new("version", |_| env!("CARGO_PKG_VERSION").to_string()),
        Column::new("command", |r| csv_export::text(&r.row.command)),
    ]);
    columns
}

/// The header of batch-summary.csv (see [`csv_columns`]).
pub fn csv_header() -> Vec<String> {
    csv_export::header_of(&csv_columns())
}

/// batch-summary.csv as bytes: per config one row per observation (one row with the error for
/// a failed config).
pub fn render_csv(rows: &[BatchRow]) -> Result<Vec<u8>, ReportError> {
    let observed: Vec<(&BatchRow, Vec<Observation>)> = rows
        .iter()
        .map(|row| {
            let mut observations = row.observations();
            // A failed config still gets its row, with blank observation cells.
            if observations.is_empty() {
                observations.push(Observation::default());
            }
            (row, observations)
        })
        .collect();
    let lines = observed.iter().flat_map(|(row, observations)| {
        observations
            .iter()
            .map(|observation| BatchCsvRow { row, observation })
    });
    csv_export::render_rows("batch-summary.csv", &csv_columns(), lines)
}

/// What a batch writes: every config's row, and the batch command that reproduces them.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchSummary {
    /// One row per config, in the order they ran.
    pub rows: Vec<BatchRow>,
    /// The batch command.
    pub command: String,
}

/// batch-summary.md: one line per config.
pub fn render_markdown(summary: &BatchSummary) -> String {
    let opt = |x: Option<f64>, d: usize| x.map_or(String::new(), |v| format!("{v:.d$}"));
    let mut md = format!("# Batch summary\n\nProduced by `{}` ({} {}); each config's own command is in the last column and in batch-summary.csv.\n\n| config | name | status | primary | power | type I error | ± SE | P(stop early) | expected enrolled | completers | replicates | seed | reproduce |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", summary.command, env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    for r in &summary.rows {
        // Power for a config with an effect, type I error for a null config.
        let rate = |null: bool| {
            r.rejection
                .filter(|_| r.null == Some(null))
                .map(|p| p.estimate)
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | `{}` |",
            r.config,
            r.name,
            match r.status {
                BatchStatus::Ok => r.status.as_str().to_string(),
                BatchStatus::Failed => format!(
                    "{}: {}",
                    r.status.as_str(),
                    csv_export::text(&r.error).replace('|', "/")
                ),
            },
            r.primary,
            opt(rate(false), 4),
            opt(rate(true), 4),
            opt(r.rejection.map(|p| p.se), 4),
            opt(r.p_stop_early.map(|p| p.estimate), 4),
            opt(r.expected_enrolled.map(|c| c.mean), 2),
            opt(r.completers.map(|c| c.mean), 2),
            r.replicates.map_or(String::new(), |n| n.to_string()),
            r.seed.map_or(String::new(), |n| n.to_string()),
            r.command.replace('|', "\\|")
        );
    }
    md
}

/// batch-summary.csv (see [`render_csv`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SummaryCsv;

impl Exporter<BatchSummary> for SummaryCsv {
    fn file_name(&self) -> &str {
        "batch-summary.csv"
    }

    fn render(&self, summary: &BatchSummary) -> Result<Vec<u8>, ReportError> {
        render_csv(&summary.rows)
    }
}

/// batch-summary.md (see [`render_markdown`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SummaryMarkdown;

impl Exporter<BatchSummary> for SummaryMarkdown {
    fn file_name(&self) -> &str {
        "batch-summary.md"
    }

    fn render(&self, summary: &BatchSummary) -> Result<Vec<u8>, ReportError> {
        Ok(render_markdown(summary).into_bytes())
    }
}

/// The exporters of a batch summary, in the order they are written: batch-summary.csv,
/// batch-summary.md.
pub fn exporters() -> Vec<Box<dyn Exporter<BatchSummary>>> {
    vec![Box::new(SummaryCsv), Box::new(SummaryMarkdown)]
}

/// Creates `out` and writes `out/batch-summary.csv` and `out/batch-summary.md` (see
/// [`exporters`]); returns the paths written.
pub fn write_summary(out: &Path, summary: &BatchSummary) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(out).map_err(|e| ReportError::Io {
        path: out.display().to_string(),
        source: e,
    })?;
    write_files(out, summary, &exporters())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small batch summary, built by hand: one config that ran, one that failed.
    fn summary() -> BatchSummary {
        let ok = BatchRow {
            config: "a.toml".into(),
            name: "a".into(),
            status: BatchStatus::Ok,
            error: String::new(),
            primary: "completers_paired".into(),
            null: Some(false),
            rejection: Some(Proportion::new(80, 100)),
            exact_power: Some(0.81),
            p_stop_early: Some(Proportion::new(0, 100)),
            expected_enrolled: Some(CountReport {
                mean: 20.0,
                se: 0.0,
            }),
            completers: Some(CountReport {
                mean: 18.5,
                se: 0.1,
            }),
            replicates: Some(100),
            seed: Some(1),
            overrides: vec![],
            command: "crossover-sim run a.toml".into(),
        };
        let failed = BatchRow::failed(
            Path::new("b.toml"),
            "design.enrolled = 1: must be a whole number from 2 to 100000",
            &[],
            "crossover-sim run b.toml",
        );
        BatchSummary {
            rows: vec![ok, failed],
            command: "crossover-sim batch a.toml b.toml".into(),
        }
    }

    /// The first `n` lines of what `e` renders.
    fn head(e: &dyn Exporter<BatchSummary>, s: &BatchSummary, n: usize) -> String {
        let text = String::from_utf8(e.render(s).unwrap()).unwrap();
        text.lines().take(n).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn a_batch_writes_its_summary_files_in_order() {
        let names: Vec<String> = exporters()
            .iter()
            .map(|e| e.file_name().to_string())
            .collect();
        insta::assert_snapshot!(names.join("\n"), @r#"
            batch-summary.csv
            batch-summary.md
        "#);
    }

    #[test]
    fn each_batch_exporter_renders_its_format() {
        let s = summary();
        insta::assert_snapshot!(head(&SummaryCsv, &s, 1), @"config_file,name,status,error,quantity,analysis,estimate,se,ci_low,ci_high,under_null,overrides,seed,replicates,version,command");
        insta::assert_snapshot!(head(&SummaryMarkdown, &s, 1), @"# Batch summary");
    }

    /// Every event of a batch, in order, as one line each.
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<Vec<String>>);

    impl Recorder {
        fn note(&self, line: String) {
            self.0.lock().unwrap().push(line);
        }
    }

    impl Progress for Recorder {}

    impl BatchObserver for Recorder {
        fn planned(&self, configs: &[PathBuf]) {
            self.note(format!("planned {}", configs.len()));
        }
        fn starting(&self, config: &Path) {
            self.note(format!("starting {}", config.display()));
        }
        fn hints(&self, _config: &Path, hints: &[String]) {
            self.note(format!("hints {}", hints.len()));
        }
        fn warning(&self, _config: &Path, warning: &str) {
            self.note(format!("warning {warning}"));
        }
        fn ran(&self, _config: &Path, report: &RunReport) {
            self.note(format!("ran {}", report.name));
        }
        fn failed(&self, _config: &Path, error: &str) {
            self.note(format!("failed {error}"));
        }
        fn finished(&self, _config: &Path) {
            self.note("finished".into());
        }
    }

    #[test]
    fn run_batch_runs_every_config_and_tells_its_observer_in_order() {
        let dir = std::env::temp_dir().join(format!("batch-run-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/validation/paired_d05_n15.toml");
        let broken = dir.join("broken.toml");
        let text = std::fs::read_to_string(&good).unwrap();
        std::fs::write(&broken, text.replace("enrolled = 15", "enroled = 15")).unwrap();
        let options = BatchOptions {
            out: dir.join("out"),
            recorded_args: vec!["--set".into(), "simulation.replicates=200".into()],
        };
        let overrides = [Override::parse("simulation.replicates=200").unwrap()];
        let recorder = Recorder::default();
        let summary = run_batch(
            &[good.clone(), broken.clone()],
            &overrides,
            &options,
            &recorder,
        )
        .unwrap();
        let events = recorder.0.into_inner().unwrap();
        assert_eq!(
            events[..6],
            [
                "planned 2".to_string(),
                format!("starting {}", good.display()),
                "hints 0".into(),
                "ran paired_d05_n15".into(),
                "finished".into(),
                format!("starting {}", broken.display()),
            ]
        );
        assert!(
            events[6].starts_with("failed line 10, column 1: unknown key `enroled` in [design]"),
            "{events:?}"
        );
        assert_eq!(events[7..], ["finished".to_string()]);
        let statuses: Vec<BatchStatus> = summary.rows.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [BatchStatus::Ok, BatchStatus::Failed]);
        assert_eq!(summary.rows[0].replicates, Some(200));
        assert_eq!(summary.rows[1].overrides, ["simulation.replicates=200"]);
        assert_eq!(
            summary.rows[1].command,
            format!(
                "crossover-sim run {} --set simulation.replicates=200",
                broken.display()
            )
        );
        assert_eq!(
            summary.command,
            format!(
                "crossover-sim batch {} {} --set simulation.replicates=200",
                good.display(),
                broken.display()
            )
        );
        assert!(dir.join("out/paired_d05_n15/summary.json").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_batch_without_configs_is_refused() {
        let e = run_batch(&[], &[], &BatchOptions::default(), &Recorder::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "batch: no *.toml configs found in the inputs"
        );
    }

    #[test]
    fn write_summary_writes_what_the_exporters_render() {
        let s = summary();
        let dir = std::env::temp_dir()
            .join(format!("batch-export-test-{}", std::process::id()))
            .join("out");
        let written = write_summary(&dir, &s).unwrap();
        crate::report::export::assert_written_as_rendered(&written, &exporters(), &s);
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }
}
