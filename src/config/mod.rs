//! Loading a trial config: read TOML, apply `KEY=VALUE` overrides, deserialize, validate.
//!
//! Stage one (`schema`) mirrors the file and fills defaults; stage two (`validate`)
//! produces the domain types of `design`. Errors name the file, key, value and
//! what is allowed, and point where the mistake was written: the override that put a wrong key
//! or value in (named by its source, as the caller labels it), or the line and column of the file (overrides are applied to the
//! parsed table, so the file's lines stay true; see `located`).

pub mod design;
mod located;
pub mod overrides;
pub mod schema;
pub mod template;
pub mod validate;

pub use design::*;
pub use located::tidy_numbers;
pub use overrides::Override;
pub use schema::ConfigFile;

use overrides::{is_under, parse_path, Segment};
use std::path::Path;
use toml::{Table, Value};

/// Everything that can be wrong with a config.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {file}: {source}")]
    Read {
        /// Path as given.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not TOML (the parser's located message), or a resolved config cannot be
    /// written back as TOML.
    #[error("{file}: {message}")]
    Parse {
        /// Path as given.
        file: String,
        /// The parser's message (names the line and column).
        message: String,
    },
    /// A key is unknown or missing, or a value has the wrong type; the message is located at
    /// the line of the file where it is written.
    #[error("{file}: {}{message}{}", location_prefix(.location), location_snippet(.location))]
    Schema {
        /// Path as given.
        file: String,
        /// Dotted key.
        key: String,
        /// What is wrong and what is allowed, starting with the key.
        message: String,
        /// Where in the file (None when the key is not in the file).
        location: Option<Box<SourceLocation>>,
    },
    /// A value is out of its allowed range.
    #[error("{file}: {key} = {value}: {allowed}")]
    Invalid {
        /// Path as given.
        file: String,
        /// Dotted key.
        key: String,
        /// The offending value.
        value: String,
        /// What is allowed.
        allowed: String,
    },
    /// An override (given as `KEY=VALUE`, or a value in hand such as a seed or a sweep's grid
    /// value) could not be parsed or applied, or put a wrong key or value into the config.
    #[error("{text}: {reason}")]
    Override {
        /// The override's source, as its caller labels it, e.g. `override design.enrolled=40`.
        text: String,
        /// Why it failed.
        reason: String,
    },
}

/// A place in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The line with the mistake underlined.
    pub snippet: String,
}

fn location_snippet(location: &Option<Box<SourceLocation>>) -> String {
    match location {
        Some(l) if !l.snippet.is_empty() => format!("\n{}", l.snippet),
        _ => String::new(),
    }
}

fn location_prefix(location: &Option<Box<SourceLocation>>) -> String {
    match location {
        Some(l) => format!("line {}, column {}: ", l.line, l.column),
        None => String::new(),
    }
}

impl ConfigError {
    fn in_file(self, path: &str) -> ConfigError {
        match self {
            ConfigError::Invalid {
                key,
                value,
                allowed,
                ..
            } => ConfigError::Invalid {
                file: path.to_string(),
                key,
                value: tidy_numbers(&value),
                allowed: tidy_numbers(&allowed),
            },
            // An override that cannot be applied must say to which config (batch and validate
            // apply the same override to many files).
            ConfigError::Override { text, reason } => ConfigError::Override {
                text,
                reason: format!("{reason} (config {path})"),
            },
            other => other,
        }
    }
}

/// A config after overrides, with defaults filled in, and its validated design.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// Where it came from (file path or a label).
    pub origin: String,
    /// The `KEY=VALUE` overrides applied, exactly as given and in order (recorded in the results
    /// so that the run can be reproduced).
    pub overrides: Vec<String>,
    /// The resolved config (defaults filled in), as written back into results.
    pub resolved: ConfigFile,
    /// The validated design.
    pub design: TrialDesign,
}

/// The largest ratio-endpoint CV, GMR or margin read without a hint: larger values look like
/// percentages (CV 30 for 30%, GMR 95 for 95%, margins [80, 125]).
const PERCENT_LIKE: f64 = 5.0;

impl LoadedConfig {
    /// Hints about valid values that look like percentages written as numbers: a ratio
    /// endpoint's CVs, GMRs and margins are fractions (0.30, 0.95, [0.80, 1.25]). Each names
    /// the file, the key and the value, and what was probably meant.
    pub fn hints(&self) -> Vec<String> {
        let Some(ln) = &self.resolved.log_normal else {
            return Vec::new();
        };
        let mut hints = Vec::new();
        let mut hint = |key: String, value: f64, what: &str| {
            if value > PERCENT_LIKE {
                hints.push(tidy_numbers(&format!(
                    "{}: {key} = {value} is read as {what} of {value} ({}%); if you meant {value}%, write {}",
                    self.origin,
                    value * 100.0,
                    value / 100.0
                )));
            }
        };
        match &ln.cv_within {
            schema::CvSpec::Common(cv) => hint("log_normal.cv_within".into(), *cv, "a CV"),
            schema::CvSpec::PerCondition(m) => {
                for (c, cv) in m {
                    hint(format!("log_normal.cv_within.\"{c}\""), *cv, "a CV");
                }
            }
        }
        hint("log_normal.cv_between".into(), ln.cv_between, "a CV");
        for (c, gmr) in &ln.gmr {
            hint(format!("log_normal.gmr.\"{c}\""), *gmr, "a ratio");
        }
        let analysis = &self.resolved.analysis;
        if let Some(m) = analysis.margin {
            hint("analysis.margin".into(), m, "a ratio");
        }
        for (i, m) in analysis.margins.iter().flatten().enumerate() {
            hint(format!("analysis.margins[{i}]"), *m, "a ratio");
        }
        hints
    }
}

/// Reads, overrides and validates the config at `path`.
pub fn load(path: &Path, overrides: &[Override]) -> Result<LoadedConfig, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: origin.clone(),
        source,
    })?;
    parse(&text, &origin, overrides)
}

/// Parses config text; `origin` is used in error messages.
pub fn parse(
    text: &str,
    origin: &str,
    overrides: &[Override],
) -> Result<LoadedConfig, ConfigError> {
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            file: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
    let set = overrides
        .iter()
        .filter_map(|o| o.set_argument.clone())
        .collect();
    resolve(&table, Some(text), origin, overrides, set)
}

/// Re-validates a resolved config with extra overrides (used by sweeps and claims). The result
/// keeps the recorded overrides of `base`: the extra overrides are not the user's.
pub fn with_overrides(
    base: &LoadedConfig,
    overrides: &[Override],
) -> Result<LoadedConfig, ConfigError> {
    let table = match Value::try_from(&base.resolved) {
        Ok(Value::Table(t)) => t,
        Ok(_) => Table::new(),
        Err(e) => {
            return Err(ConfigError::Parse {
                file: base.origin.clone(),
                message: e.to_string(),
            })
        }
    };
    resolve(
        &table,
        None,
        &base.origin,
        overrides,
        base.overrides.clone(),
    )
}

/// Applies the overrides to `original` (parsed from `text` when the config is a file),
/// deserializes and validates.
fn resolve(
    original: &Table,
    text: Option<&str>,
    origin: &str,
    overrides: &[Override],
    set: Vec<String>,
) -> Result<LoadedConfig, ConfigError> {
    let mut table = original.clone();
    overrides::apply_all(&mut table, overrides).map_err(|e| e.in_file(origin))?;
    let rescaled = rescale_count_looks(original, &mut table, overrides);
    let mut resolved = located::deserialize(&table, original, text, origin, overrides)?;
    // A responder analysis runs with the default responder definition when the config gives
    // none; the resolved config records it. Without such an analysis (and no [response]) the
    // config has no responder endpoint, and nothing about responders is reported.
    if resolved.response.is_none()
        && std::iter::once(&resolved.analysis.primary)
            .chain(&resolved.analysis.secondary)
            .any(|a| a.needs_response())
    {
        resolved.response = Some(schema::ResponseSection::default());
    }
    let design = validate::validate(&resolved)
        .map_err(|e| explain(e.in_file(origin), overrides, rescaled.as_ref()))?;
    validate::resolve_defaults(&mut resolved, &design);
    Ok(LoadedConfig {
        origin: origin.to_string(),
        overrides: set,
        resolved,
        design,
    })
}

/// Looks written as enrollment counts, turned into fractions because an override changed
/// `design.enrolled`.
struct Rescaled {
    counts: Vec<f64>,
    enrolled_before: i64,
    fractions: Vec<f64>,
    /// The argument that changed the enrollment.
    by: String,
}

fn integer_at(table: &Table, section: &str, key: &str) -> Option<i64> {
    table.get(section)?.get(key)?.as_integer()
}

/// When an override changes `design.enrolled` and leaves `sequential.looks` alone, looks written
/// as enrollment counts ending at the old enrollment become the same fractions of the new one
/// (`[15, 30]` of 30 is `[0.5, 1]`, so 40 enrolled gives looks at 20 and 40). Validation then
/// rounds each fraction to a count as it does for fractions written in the file.
fn rescale_count_looks(
    original: &Table,
    table: &mut Table,
    overrides: &[Override],
) -> Option<Rescaled> {
    let before = integer_at(original, "design", "enrolled")?;
    let after = integer_at(table, "design", "enrolled")?;
    let looks = original.get("sequential")?.get("looks")?.clone();
    let looks_path = [
        Segment::Key("sequential".into()),
        Segment::Key("looks".into()),
    ];
    let enrolled_path = [
        Segment::Key("design".into()),
        Segment::Key("enrolled".into()),
    ];
    let touches = |o: &Override, path: &[Segment]| {
        is_under(path, o.segments()) || is_under(o.segments(), path)
    };
    // Looks that an override sets are the user's: they are checked as written.
    if before == after || before < 1 || overrides.iter().any(|o| touches(o, &looks_path)) {
        return None;
    }
    let by = overrides
        .iter()
        .rev()
        .find(|o| touches(o, &enrolled_path))?
        .source
        .clone();
    let counts: Vec<f64> = looks
        .as_array()?
        .iter()
        .map(|v| v.as_integer().map(|i| i as f64).or_else(|| v.as_float()))
        .collect::<Option<_>>()?;
    let whole = counts
        .iter()
        .all(|&x| x.is_finite() && x >= 1.0 && x.fract() == 0.0);
    let fractions_already = counts.iter().all(|&x| x > 0.0 && x <= 1.0);
    let increasing = counts.windows(2).all(|w| w[0] < w[1]);
    if !whole || fractions_already || !increasing || counts.last() != Some(&(before as f64)) {
        return None;
    }
    let fractions: Vec<f64> = counts.iter().map(|&x| x / before as f64).collect();
    let sequential = table.get_mut("sequential")?.as_table_mut()?;
    sequential.insert(
        "looks".to_string(),
        Value::Array(fractions.iter().map(|&f| Value::Float(f)).collect()),
    );
    Some(Rescaled {
        counts,
        enrolled_before: before,
        fractions,
        by,
    })
}

/// Says which argument put an invalid value into the config, and that count looks were
/// rescaled when the error is about them.
fn explain(e: ConfigError, overrides: &[Override], rescaled: Option<&Rescaled>) -> ConfigError {
    let ConfigError::Invalid {
        file,
        key,
        value,
        mut allowed,
    } = e
    else {
        return e;
    };
    if let Some((prefix, rest)) = key.split_once("[*]") {
        // A key over every element of a list (the class probabilities' sum): name every
        // override that set one of the elements' values.
        if let (Ok(prefix), Ok(rest)) =
            (parse_path(prefix), parse_path(rest.trim_start_matches('.')))
        {
            let sources: Vec<&str> = overrides
                .iter()
                .filter(|o| {
                    let s = o.segments();
                    if s.len() <= prefix.len() {
                        return is_under(&prefix, s);
                    }
                    let element = &s[prefix.len() + 1..];
                    s[..prefix.len()] == prefix[..]
                        && matches!(s[prefix.len()], Segment::Index(_))
                        && (is_under(element, &rest) || is_under(&rest, element))
                })
                .map(|o| o.source.as_str())
                .collect();
            if !sources.is_empty() {
                allowed.push_str(&format!(" (set by {})", sources.join(", ")));
            }
        }
    } else if let Ok(path) = parse_path(&key) {
        if let Some(o) = overrides
            .iter()
            .rev()
            .find(|o| is_under(&path, o.segments()) || is_under(o.segments(), &path))
        {
            allowed.push_str(&format!(" (set by {})", o.source));
        }
        if let Some(r) = rescaled {
            if is_under(
                &path,
                &[
                    Segment::Key("sequential".into()),
                    Segment::Key("looks".into()),
                ],
            ) {
                let list = |xs: &[f64]| {
                    xs.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                allowed.push_str(&format!(
                    " (the looks [{}] were enrollment counts of design.enrolled = {}, so they were rescaled to the fractions [{}] of the design.enrolled set by {}; write sequential.looks as fractions, or set it too)",
                    list(&r.counts),
                    r.enrolled_before,
                    list(&r.fractions),
                    r.by
                ));
            }
        }
    }
    ConfigError::Invalid {
        file,
        key,
        value,
        allowed,
    }
}
