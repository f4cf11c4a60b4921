//! Deserializing the (overridden) config table with errors that point where the mistake was
//! written: an override (named by its source), or the line and column of the config file.
//!
//! Overrides are applied to the parsed table, never to the text, so the file's line numbers
//! stay true; the failing key path (tracked by `serde_path_to_error`) is looked up in the
//! original document to find its line. serde's messages ("invalid type: string \"thirty\",
//! expected i64") are rewritten in the config's own words ("must be a whole number").

use super::overrides::{dotted, is_under, quoted_key, Segment};
use super::{ConfigError, ConfigFile, Override, SourceLocation as Location};
use std::ops::Range;
use toml::{Table, Value};

/// What went wrong, in the config's words.
struct Problem {
    /// The dotted key the message is about.
    key: String,
    /// The message, starting with the key.
    message: String,
    /// The path whose text is highlighted: the unknown key itself, the bad value, or the table
    /// that lacks a key.
    at: Vec<Segment>,
    /// Whether to highlight the key (unknown keys) rather than its value.
    highlight_key: bool,
}

/// Deserializes `table` (the config after `overrides`); `original` is the table before them and
/// `text` the file it was parsed from (None when the config was not read from a file).
pub(crate) fn deserialize(
    table: &Table,
    original: &Table,
    text: Option<&str>,
    origin: &str,
    overrides: &[Override],
) -> Result<ConfigFile, ConfigError> {
    let error = match serde_path_to_error::deserialize(Value::Table(table.clone())) {
        Ok(config) => return Ok(config),
        Err(e) => e,
    };
    let path: Vec<Segment> = error
        .path()
        .iter()
        .filter_map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
            _ => None,
        })
        .collect();
    let problem = describe(error.inner().message(), path, table);
    if let Some(o) = responsible(&problem.at, overrides, original) {
        return Err(ConfigError::Override {
            text: o.source.clone(),
            reason: format!("{} (config {origin})", problem.message),
        });
    }
    let location = text.and_then(|t| locate(t, &problem.at, problem.highlight_key));
    Err(ConfigError::Schema {
        file: origin.to_string(),
        key: problem.key,
        message: problem.message,
        location: location.map(Box::new),
    })
}

/// The override that put the failing key (or the table lacking a key) into the config: the last
/// one that set it or a table around it, or, for a table the file does not have, the one that
/// created it.
fn responsible<'a>(
    at: &[Segment],
    overrides: &'a [Override],
    original: &Table,
) -> Option<&'a Override> {
    overrides
        .iter()
        .rev()
        .find(|o| is_under(at, o.segments()))
        .or_else(|| {
            if lookup(original, at).is_some() {
                None
            } else {
                overrides.iter().find(|o| is_under(o.segments(), at))
            }
        })
}

fn lookup<'a>(table: &'a Table, path: &[Segment]) -> Option<&'a Value> {
    let mut current: Option<&Value> = None;
    for (i, seg) in path.iter().enumerate() {
        current = match (i, current, seg) {
            (0, _, Segment::Key(k)) => table.get(k),
            (_, Some(Value::Table(t)), Segment::Key(k)) => t.get(k),
            (_, Some(Value::Array(a)), Segment::Index(n)) => a.get(*n),
            _ => None,
        };
        current?;
    }
    current
}

/// A key as messages show it: `enroled` in backticks, or in double quotes (as `dotted` writes
/// it) when it has characters a bare TOML key cannot have, backticks included.
fn show_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("`{key}`")
    } else {
        quoted_key(key)
    }
}

/// The names between backticks in a serde message: "expected one of `a`, `b`" gives [a, b].
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn table_words(parent: &[Segment]) -> String {
    if parent.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in [{}]", dotted(parent))
    }
}

fn allowed_list(expected: &str) -> String {
    let names = backticked(expected);
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// "must be ..." for serde's "expected X".
fn must_be(expected: &str) -> String {
    let what = match expected.trim() {
        "i64" | "i32" | "i16" | "i8" | "u64" | "u32" | "u16" | "u8" | "usize" | "isize" => {
            "a whole number"
        }
        "f64" | "f32" => "a number",
        "a boolean" => "true or false",
        "a string" => "a string in quotes",
        "string only" => "a name in quotes",
        "a sequence" => "an array, e.g. [1, 2]",
        e if e.starts_with("struct ") || e == "a map" => "a table, e.g. { key = value }",
        e if e.starts_with("enum ") => "a name in quotes",
        other => return format!("must be {other}"),
    };
    format!("must be {what}")
}

/// What to write instead of a key users try that does not exist.
fn unknown_key_hint(key: &str) -> &'static str {
    match key {
        // The first thing a new user tried for a homogeneous population.
        "population.change" | "population.mean" | "population.sd" => {
            ". The change distributions belong to a latent class: a homogeneous population is one class, [[population.classes]] with name = \"all\", probability = 1.0 and change.<condition> = { mean = ..., sd = ... } for every condition (docs/config.md)"
        }
        _ => "",
    }
}

fn describe(message: &str, path: Vec<Segment>, table: &Table) -> Problem {
    let shown = |p: &[Segment]| {
        lookup(table, p)
            .map(|v| tidy_numbers(&v.to_string()))
            .unwrap_or_default()
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let parent = &path[..path.len().saturating_sub(1)];
        let name = match path.last() {
            Some(Segment::Key(k)) => show_key(k),
            _ => show_key(backticked(rest).first().copied().unwrap_or_default()),
        };
        let allowed = if rest.contains("there are no fields") {
            "it takes no keys".to_string()
        } else {
            format!(
                "allowed: {}",
                allowed_list(rest.split_once(", expected").map_or("", |x| x.1))
            )
        };
        return Problem {
            key: dotted(&path),
            message: format!(
                "unknown key {name} {}; {allowed}{}",
                table_words(parent),
                unknown_key_hint(&dotted(&path))
            ),
            at: path,
            highlight_key: true,
        };
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = backticked(rest)
            .first()
            .copied()
            .unwrap_or_default()
            .to_string();
        let mut full = path.clone();
        full.push(Segment::Key(name.clone()));
        return Problem {
            key: dotted(&full),
            message: format!("missing key `{name}` {}", table_words(&path)),
            at: path,
            highlight_key: false,
        };
    }
    let key = dotted(&path);
    let value = shown(&path);
    let what = if let Some(rest) = message.strip_prefix("unknown variant ") {
        let expected = rest.split_once(", expected").map_or("", |x| x.1);
        format!("not a known name; allowed: {}", allowed_list(expected))
    } else if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    {
        match rest.rsplit_once(", expected ") {
            Some((_, expected)) => must_be(expected),
            None => tidy_numbers(rest),
        }
    } else if message == "wanted string or table" {
        must_be("string only")
    } else {
        tidy_numbers(message)
    };
    let message = if key.is_empty() {
        what
    } else if value.is_empty() {
        format!("{key}: {what}")
    } else {
        format!("{key} = {value}: {what}")
    };
    Problem {
        key,
        message,
        at: path,
        highlight_key: false,
    }
}

/// Finds `path` in the document `text`: the span of the key or of its value.
fn locate(text: &str, path: &[Segment], highlight_key: bool) -> Option<Location> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let span = span_of(doc.as_item(), path, highlight_key)?;
    Some(render(text, span))
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a toml_edit::Item),
    Value(&'a toml_edit::Value),
    Table(&'a toml_edit::Table),
}

impl<'a> Node<'a> {
    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(i) => i.span(),
            Node::Value(v) => v.span(),
            Node::Table(t) => t.span(),
        }
    }

    fn child(self, seg: &Segment) -> Option<(Option<&'a toml_edit::Key>, Node<'a>)> {
        use toml_edit::Item;
        let inline = |v: &'a toml_edit::Value, k: &str| {
            v.as_inline_table()?
                .get_key_value(k)
                .map(|(key, item)| (Some(key), Node::Item(item)))
        };
        match (self, seg) {
            (Node::Item(Item::Table(t)) | Node::Table(t), Segment::Key(k)) => t
                .get_key_value(k)
                .map(|(key, item)| (Some(key), Node::Item(item))),
            (Node::Item(Item::Value(v)) | Node::Value(v), Segment::Key(k)) => inline(v, k),
            (Node::Item(Item::ArrayOfTables(a)), Segment::Index(i)) => {
                a.get(*i).map(|t| (None, Node::Table(t)))
            }
            (Node::Item(Item::Value(v)) | Node::Value(v), Segment::Index(i)) => {
                v.as_array()?.get(*i).map(|x| (None, Node::Value(x)))
            }
            _ => None,
        }
    }
}

/// The span to highlight: the last key of the path (unknown keys), else the value, else the
/// nearest enclosing key or table that has a place in the text.
fn span_of(root: &toml_edit::Item, path: &[Segment], highlight_key: bool) -> Option<Range<usize>> {
    let mut node = Node::Item(root);
    let mut fallback = None;
    let mut last_key = None;
    for seg in path {
        let (key, child) = node.child(seg)?;
        if let Some(span) = node.span() {
            fallback = Some(span);
        }
        last_key = key.and_then(|k| k.span());
        if let Some(span) = last_key.clone() {
            fallback = Some(span);
        }
        node = child;
    }
    if highlight_key {
        return last_key.or(fallback);
    }
    node.span().or(last_key).or(fallback)
}

/// "line N, column C" and the source line with the span underlined, as the TOML parser shows
/// syntax errors.
fn render(text: &str, span: Range<usize>) -> Location {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..start].matches('\n').count() + 1;
    let content = text[line_start..].split('\n').next().unwrap_or("");
    let content = content.strip_suffix('\r').unwrap_or(content);
    let column = text[line_start..start].chars().count() + 1;
    let end = span.end.clamp(start, line_start + content.len());
    let width = text[start..end].chars().count().max(1);
    let gutter = " ".repeat(line.to_string().len());
    let snippet = format!(
        "{gutter} |\n{line} | {content}\n{gutter} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(width)
    );
    Location {
        line,
        column,
        snippet,
    }
}

/// Writes numbers of more than 20 digits (floats such as 1e308 printed in full) in scientific
/// notation; shorter numbers, including every 64-bit seed, are left as they are.
pub fn tidy_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if !starts_number {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j + 1 < bytes.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
        }
        let token = &text[i..j];
        let digits = token.bytes().filter(u8::is_ascii_digit).count();
        match token.parse::<f64>() {
            Ok(x) if digits > 20 => out.push_str(&format!("{x:e}")),
            _ => out.push_str(token),
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_become_scientific_and_seeds_stay() {
        let huge = format!("{}", 1e308_f64);
        assert_eq!(tidy_numbers(&format!("x = {huge}: bad")), "x = 1e308: bad");
        assert_eq!(tidy_numbers(&format!("{}", 1e-300_f64)), "1e-300");
        assert_eq!(
            tidy_numbers("0 to 18446744073709551615 and -2.5"),
            "0 to 18446744073709551615 and -2.5"
        );
        assert_eq!(tidy_numbers("classes[0] v2 ü"), "classes[0] v2 ü");
    }

    #[test]
    fn render_underlines_the_span() {
        let text = "a = 1\n[design]\nenroled = 30\n";
        let at = text.find("enroled").unwrap();
        let l = render(text, at..at + 7);
        assert_eq!((l.line, l.column), (3, 1));
        assert!(
            l.snippet.ends_with("3 | enroled = 30\n  | ^^^^^^^"),
            "{}",
            l.snippet
        );
    }
}
