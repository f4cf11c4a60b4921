//! `dotted.key=value` overrides, applied to the parsed TOML table before it is deserialized, so
//! that an override goes through exactly the same checks as the file.
//!
//! Each override carries its source: where it came from, as the caller names it in error
//! messages. This layer names no command-line flags: library callers get `override KEY=VALUE`
//! ([`OVERRIDE_LABEL`]), and the command line labels its own arguments through
//! [`Override::parse_as`] and [`Override::from_argument`].

use super::ConfigError;
use toml::{Table, Value};

/// One path segment: a table key, optionally indexing into an array (`classes[1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed `key=value` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The dotted path as the user wrote it.
    pub key: String,
    segments: Vec<Segment>,
    /// The value, parsed as TOML (a bare word that is not valid TOML is taken as a string).
    pub value: Value,
    /// Where it came from, as error messages name it (the caller's label): by default
    /// `override design.enrolled=40`; the command line names its arguments.
    pub source: String,
    /// The `KEY=VALUE` text exactly as given to [`Override::parse`] or [`Override::parse_as`],
    /// recorded in the results so that the run can be reproduced; None for overrides made with
    /// a value in hand ([`Override::with_value`]: a seed or replicates option, the overrides
    /// sweeps and claims make).
    pub set_argument: Option<String>,
}

/// What an override is called in error messages when the caller gives no label of its own:
/// `override design.enrolled=40: ...`.
pub const OVERRIDE_LABEL: &str = "override";

impl Override {
    /// Parses `population.classes[0].probability=0.6` or `design.enrolled=40`; errors name it
    /// `override KEY=VALUE` ([`OVERRIDE_LABEL`]).
    pub fn parse(text: &str) -> Result<Override, ConfigError> {
        Override::parse_as(OVERRIDE_LABEL, text)
    }

    /// [`Override::parse`] for a caller that calls the override `label` (the command line
    /// passes its flag): its source, named in error messages, is `<label> <text>`.
    pub fn parse_as(label: &str, text: &str) -> Result<Override, ConfigError> {
        let source = format!("{label} {text}");
        // The first '=' outside a quoted key segment separates the key from the value.
        let mut quoted = false;
        let split = text.char_indices().find_map(|(i, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            (c == '=' && !quoted).then_some(i)
        });
        let (key, raw) =
            split
                .map(|i| (&text[..i], &text[i + 1..]))
                .ok_or_else(|| ConfigError::Override {
                    text: source.clone(),
                    reason: "expected KEY=VALUE, e.g. design.enrolled=40".to_string(),
                })?;
        let key = key.trim();
        let segments = parse_path(key).map_err(|reason| ConfigError::Override {
            text: source.clone(),
            reason,
        })?;
        let value = parse_value(raw.trim()).map_err(|reason| ConfigError::Override {
            text: source.clone(),
            reason,
        })?;
        Ok(Override {
            key: key.to_string(),
            segments,
            value,
            source,
            set_argument: Some(text.to_string()),
        })
    }

    /// A path with a value already in hand (used by sweeps, claims and the command line's seed
    /// and replicates options); `source` defaults to `override KEY=VALUE`, which
    /// [`Override::from_argument`] replaces.
    pub fn with_value(key: &str, value: Value) -> Result<Override, ConfigError> {
        let segments = parse_path(key).map_err(|reason| ConfigError::Override {
            text: key.to_string(),
            reason,
        })?;
        Ok(Override {
            key: key.to_string(),
            segments,
            source: format!("{OVERRIDE_LABEL} {key}={value}"),
            value,
            set_argument: None,
        })
    }

    /// The replicate count `replicates` (`simulation.replicates`), named `replicates R` in
    /// errors until the caller names its own argument ([`Override::from_argument`]). Like a
    /// value in hand, it is not recorded as a `KEY=VALUE` override: the results record the
    /// replicates themselves.
    pub fn replicates(replicates: u64) -> Result<Override, ConfigError> {
        let value = i64::try_from(replicates)
            .map_or_else(|_| Value::String(replicates.to_string()), Value::Integer);
        Ok(Override::with_value("simulation.replicates", value)?
            .from_argument(format!("replicates {replicates}")))
    }

    /// The seed `seed` (`simulation.seed`, written as the schema reads seeds), named `seed S` in
    /// errors until the caller names its own argument.
    pub fn seed(seed: u64) -> Result<Override, ConfigError> {
        Ok(
            Override::with_value("simulation.seed", super::schema::seed_value(seed))?
                .from_argument(format!("seed {seed}")),
        )
    }

    /// The same override, named in error messages by `source` (what the caller calls it: an
    /// argument of the command line, a sweep's grid point).
    pub fn from_argument(mut self, source: impl Into<String>) -> Override {
        self.source = source.into();
        self
    }

    /// The parsed key path.
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Writes the value into `table`, creating intermediate tables as needed.
    pub fn apply(&self, table: &mut Table) -> Result<(), ConfigError> {
        let mut root = Value::Table(std::mem::take(table));
        let result = set_path(&mut root, &self.segments, &self.value);
        if let Value::Table(t) = root {
            *table = t;
        }
        result.map_err(|reason| ConfigError::Override {
            text: self.source.clone(),
            reason,
        })
    }
}

fn set_path(current: &mut Value, segments: &[Segment], value: &Value) -> Result<(), String> {
    let Some((head, rest)) = segments.split_first() else {
        *current = value.clone();
        return Ok(());
    };
    match head {
        Segment::Key(k) => {
            let Value::Table(t) = current else {
                return Err(format!("`{k}` is inside a value that is not a table"));
            };
            let next_is_index = matches!(rest.first(), Some(Segment::Index(_)));
            let child = t.entry(k.clone()).or_insert_with(|| {
                if next_is_index {
                    Value::Array(Vec::new())
                } else {
                    Value::Table(Table::new())
                }
            });
            set_path(child, rest, value)
        }
        Segment::Index(idx) => {
            let Value::Array(a) = current else {
                return Err(format!("[{idx}] applied to a value that is not an array"));
            };
            let len = a.len();
            let Some(slot) = a.get_mut(*idx) else {
                return Err(format!(
                    "index {idx} is out of range: the array has {len} elements"
                ));
            };
            set_path(slot, rest, value)
        }
    }
}

/// Applies overrides in order.
pub fn apply_all(table: &mut Table, overrides: &[Override]) -> Result<(), ConfigError> {
    for o in overrides {
        o.apply(table)?;
    }
    Ok(())
}

/// A TOML value, or a bare word taken as a string; more than one value is an error.
fn parse_value(raw: &str) -> Result<Value, String> {
    let doc = format!("v = {raw}");
    match doc.parse::<Table>() {
        Ok(t) if t.len() == 1 => Ok(t
            .get("v")
            .cloned()
            .unwrap_or(Value::String(raw.to_string()))),
        Ok(_) => Err(format!("`{raw}` is more than one TOML value")),
        Err(_) if raw.contains('\n') || raw.contains('=') => Err(format!(
            "`{raw}` is not a TOML value (quote strings: key=\"text\")"
        )),
        Err(_) => Ok(Value::String(raw.to_string())),
    }
}

/// The dotted spelling of a key path, as validation errors and overrides write it: keys that are
/// not bare TOML keys are quoted (`population.classes[0].change."ketamine+placebo".mean`).
pub(crate) fn dotted(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                let bare = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    s.push_str(k);
                } else {
                    s.push_str(&quoted_key(k));
                }
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// A key in double quotes, with `"` and `\` escaped as in TOML so that the spelling is
/// unambiguous.
pub(crate) fn quoted_key(key: &str) -> String {
    format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether two dotted keys name the same config key (`design.enrolled` and
/// `"design".enrolled` do); keys that do not parse are compared as written.
pub fn same_key(a: &str, b: &str) -> bool {
    match (parse_path(a.trim()), parse_path(b.trim())) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

/// Whether two dotted keys name the same value or one lies below the other (`design` and
/// `design.enrolled` overlap; `design.enrolled` and `design.sequences` do not).
pub fn overlap(a: &str, b: &str) -> bool {
    match (parse_path(a.trim()), parse_path(b.trim())) {
        (Ok(x), Ok(y)) => is_under(&x, &y) || is_under(&y, &x),
        _ => a.trim() == b.trim(),
    }
}

/// Whether `inner` is `outer` or lies below it (`a.b[0]` lies below `a.b` and `a`).
pub(crate) fn is_under(inner: &[Segment], outer: &[Segment]) -> bool {
    inner.len() >= outer.len() && inner[..outer.len()] == *outer
}

/// Parses a dotted key as an override accepts it: `a.b[0]."c+d".e`.
pub(crate) fn parse_path(key: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut chars = key.chars().peekable();
    let mut expect_key = true;
    while let Some(&c) = chars.peek() {
        match c {
            '"' => {
                chars.next();
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(ch) => name.push(ch),
                        None => return Err(format!("unterminated quote in `{key}`")),
                    }
                }
                segments.push(Segment::Key(name));
                expect_key = false;
            }
            '.' => {
                if expect_key {
                    return Err(format!("empty segment in `{key}`"));
                }
                chars.next();
                expect_key = true;
            }
            '[' => {
                chars.next();
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(ch) => digits.push(ch),
                        None => return Err(format!("unterminated [ in `{key}`")),
                    }
                }
                let idx = digits
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("`[{digits}]` in `{key}` is not an array index"))?;
                segments.push(Segment::Index(idx));
                expect_key = false;
            }
            _ => {
                let mut name = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch == '.' || ch == '[' || ch == '"' {
                        break;
                    }
                    name.push(ch);
                    chars.next();
                }
                segments.push(Segment::Key(name.trim().to_string()));
                expect_key = false;
            }
        }
    }
    if segments.is_empty() || expect_key {
        return Err(format!("`{key}` is not a dotted key"));
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse().unwrap()
    }

    #[test]
    fn sets_nested_and_indexed_and_quoted_keys() {
        let mut t = table(
            "[design]\nenrolled = 30\n[[population.classes]]\nname='a'\n[population.classes.change.\"k+p\"]\nmean=1.0\n",
        );
        for o in [
            "design.enrolled=40",
            "population.classes[0].name=b",
            "population.classes[0].change.\"k+p\".mean=-2.5",
            "simulation.seed=7",
        ] {
            Override::parse(o).unwrap().apply(&mut t).unwrap();
        }
        assert_eq!(t["design"]["enrolled"].as_integer(), Some(40));
        let class = &t["population"]["classes"][0];
        assert_eq!(class["name"].as_str(), Some("b"));
        assert_eq!(class["change"]["k+p"]["mean"].as_float(), Some(-2.5));
        assert_eq!(t["simulation"]["seed"].as_integer(), Some(7));
    }

    #[test]
    fn arrays_and_inline_tables_parse_as_toml() {
        let o = Override::parse("sequential.looks=[15, 30]").unwrap();
        assert_eq!(o.value.as_array().map(|a| a.len()), Some(2));
        let o = Override::parse("analysis.primary=completers_paired").unwrap();
        assert_eq!(o.value.as_str(), Some("completers_paired"));
    }

    #[test]
    fn quoted_keys_may_contain_equals_signs_and_values_are_single() {
        let o = Override::parse("adverse_events.probability.\"a=b\"=0.3").unwrap();
        assert_eq!(o.key, "adverse_events.probability.\"a=b\"");
        assert_eq!(o.value.as_float(), Some(0.3));
        assert!(Override::parse("design.enrolled=40\nname=\"x\"").is_err());
        assert!(Override::parse("design.enrolled=40 name=3").is_err());
        // A bare word is a string; a quoted string may contain anything.
        assert_eq!(
            Override::parse("name=abc").unwrap().value.as_str(),
            Some("abc")
        );
        assert_eq!(
            Override::parse("name=\"a = b\"").unwrap().value.as_str(),
            Some("a = b")
        );
    }

    #[test]
    fn errors_name_the_source_the_caller_gives() {
        let e = Override::parse("design.enrolled").unwrap_err().to_string();
        assert_eq!(
            e,
            "override design.enrolled: expected KEY=VALUE, e.g. design.enrolled=40"
        );
        let e = Override::parse_as("--set", "design..enrolled=3")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "--set design..enrolled=3: empty segment in `design..enrolled`"
        );
        let o = Override::parse_as("--set", "design.enrolled=40").unwrap();
        assert_eq!(o.source, "--set design.enrolled=40");
        assert_eq!(o.set_argument.as_deref(), Some("design.enrolled=40"));
        let o = Override::with_value("design.enrolled", Value::Integer(3)).unwrap();
        assert_eq!(o.source, "override design.enrolled=3");
        assert_eq!(o.from_argument("my grid point").source, "my grid point");
    }

    #[test]
    fn bad_overrides_are_errors() {
        assert!(Override::parse("design.enrolled").is_err());
        assert!(Override::parse("design..enrolled=3").is_err());
        let mut t = table("[[population.classes]]\nname='a'\n");
        let err = Override::parse("population.classes[3].name=x")
            .unwrap()
            .apply(&mut t)
            .unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }
}
