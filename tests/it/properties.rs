//! Property tests (proptest) for the two places where arbitrary input meets the crate.
//!
//! Config handling: arbitrary TOML text, text- and structure-level mutations of
//! `configs/williams2018.toml` and arbitrary `--set` overrides never panic; every rejection
//! names the file, range errors name the dotted key that was changed (or one that depends on
//! it), and parse errors carry the TOML parser's located message. An accepted config builds a
//! simulator, simulates 50 replicates and reports without NaN or infinity, and every blank in
//! the report has its reason in a `missing` map.
//!
//! Analyses: decisions are invariant under shifting and under positive scaling of the data,
//! antisymmetric under swapping the conditions, and every field of a result is finite for any
//! finite input; undefined statistics are "not analyzable", never a result.
//!
//! Failures are not persisted to a `proptest-regressions` folder; proptest prints the minimal
//! failing input instead.

use crossover_sim::analysis::{self, AnalysisName, LookData, Needs, NotAnalyzable};
use crossover_sim::config::{self, ConfigError, LoadedConfig, Override};
use crossover_sim::design::{Condition, Crossover, SequenceId};
use crossover_sim::engine::NoProgress;
use crossover_sim::facts::DesignFacts;
use crossover_sim::inference::{CriticalValues, Hypothesis};
use crossover_sim::model::Cohort;
use crossover_sim::numerics::t_quantile;
use crossover_sim::report::{build_report, RunMetadata, RunReport};
use proptest::prelude::*;
use std::sync::LazyLock;
use toml::{Table, Value};

// ---------------------------------------------------------------------------------------------
// Estimate plus two-sided decision: the analyses estimate and `inference` decides; these
// properties are about both together, so each estimator is wrapped with its decision.
// ---------------------------------------------------------------------------------------------

/// An estimate with its two-sided decision (the statistic's test kind left out, so that a
/// mirrored result compares equal field by field).
#[derive(Debug, Clone, Copy, PartialEq)]
struct TestResult {
    estimate: f64,
    standard_error: f64,
    statistic: f64,
    df: f64,
    effect_size: f64,
    n: usize,
    reject: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum AnalysisOutcome {
    Analyzed(TestResult),
    NotAnalyzable(NotAnalyzable),
}

impl AnalysisOutcome {
    fn result(&self) -> Option<&TestResult> {
        match self {
            AnalysisOutcome::Analyzed(r) => Some(r),
            AnalysisOutcome::NotAnalyzable(_) => None,
        }
    }
}

fn decided(o: analysis::AnalysisOutcome, cv: &CriticalValues) -> AnalysisOutcome {
    match o {
        analysis::AnalysisOutcome::NotAnalyzable(r) => AnalysisOutcome::NotAnalyzable(r),
        analysis::AnalysisOutcome::Analyzed(e) => AnalysisOutcome::Analyzed(TestResult {
            estimate: e.estimate,
            standard_error: e.standard_error,
            statistic: e.statistic,
            df: e.df,
            effect_size: e.effect_size,
            n: e.n,
            reject: Hypothesis::TwoSided.rejects(&e, cv),
        }),
    }
}

fn paired_t(d: &[f64], cv: &CriticalValues) -> AnalysisOutcome {
    decided(analysis::paired_t::paired_t(d), cv)
}

fn pooled_t(a: &[f64], b: &[f64], effect_scale: f64, cv: &CriticalValues) -> AnalysisOutcome {
    decided(analysis::two_sample::pooled_t(a, b, effect_scale), cv)
}

fn welch(t: &[f64], r: &[f64], cv: &CriticalValues) -> AnalysisOutcome {
    decided(analysis::welch::welch(t, r), cv)
}

fn signed_rank(d: &[f64], scratch: &mut Vec<(f64, bool)>, cv: &CriticalValues) -> AnalysisOutcome {
    decided(analysis::wilcoxon::signed_rank(d, scratch), cv)
}

fn mcnemar(b: usize, c: usize, n: usize, cv: &CriticalValues) -> AnalysisOutcome {
    decided(analysis::mcnemar::mcnemar(b, c, n), cv)
}

// ---------------------------------------------------------------------------------------------
// Shared settings
// ---------------------------------------------------------------------------------------------

/// The origin every generated config is parsed under; every error must name it.
const ORIGIN: &str = "fuzz.toml";
/// Accepted configs are simulated only up to this enrollment (a case must take milliseconds).
const MAX_SIMULATED_ENROLLED: usize = 60;
/// ... and up to this many looks.
const MAX_SIMULATED_LOOKS: usize = 6;
/// Replicates simulated for an accepted config.
const SIMULATED_REPLICATES: u64 = 50;

/// `n` cases, or `PROPTEST_CASES` when set (for longer local runs).
fn cases(n: u32) -> ProptestConfig {
    let from_env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: from_env.unwrap_or(n),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

static BASE_TEXT: LazyLock<String> = LazyLock::new(|| {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/configs/williams2018.toml"
    ))
    .expect("configs/williams2018.toml")
});

static BASE: LazyLock<Table> =
    LazyLock::new(|| BASE_TEXT.parse().expect("williams2018.toml is TOML"));

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Every key path in the base config (tables, arrays and leaves).
static PATHS: LazyLock<Vec<Vec<Seg>>> = LazyLock::new(|| {
    fn walk(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        match v {
            Value::Table(t) => {
                for (k, child) in t {
                    prefix.push(Seg::Key(k.clone()));
                    out.push(prefix.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    prefix.push(Seg::Index(i));
                    out.push(prefix.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&Value::Table(BASE.clone()), &mut Vec::new(), &mut out);
    out
});

/// The root and every path in the base config that holds a table (where keys can be added).
static TABLE_PATHS: LazyLock<Vec<Vec<Seg>>> = LazyLock::new(|| {
    let root = Value::Table(BASE.clone());
    std::iter::once(Vec::new())
        .chain(
            PATHS
                .iter()
                .filter(|p| matches!(get(&root, p), Some(Value::Table(_))))
                .cloned(),
        )
        .collect()
});

/// The dotted spelling used by validation errors and `--set`: `a.b[0]."c+d".e`.
fn dotted(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                let bare = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    s.push_str(k);
                } else {
                    s.push('"');
                    s.push_str(k);
                    s.push('"');
                }
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    let Some((head, rest)) = path.split_first() else {
        return Some(v);
    };
    let child = match (head, v) {
        (Seg::Key(k), Value::Table(t)) => t.get(k)?,
        (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
        _ => return None,
    };
    get(child, rest)
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let Some((head, rest)) = path.split_first() else {
        return Some(v);
    };
    let child = match (head, v) {
        (Seg::Key(k), Value::Table(t)) => t.get_mut(k)?,
        (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
        _ => return None,
    };
    get_mut(child, rest)
}

// ---------------------------------------------------------------------------------------------
// Strategies for TOML values and config mutations
// ---------------------------------------------------------------------------------------------

/// Field names of the schema: tables built from them are often structurally valid.
const FIELD_NAMES: &[&str] = &[
    "name",
    "description",
    "conditions",
    "sequences",
    "enrolled",
    "randomization",
    "kind",
    "block_size",
    "correlation",
    "baseline",
    "scale",
    "mean",
    "sd",
    "min",
    "max",
    "integer",
    "classes",
    "probability",
    "change",
    "period",
    "carryover",
    "before_first_period",
    "after_first_period",
    "after_first_period_by_condition",
    "reduction",
    "remission_max",
    "target_responders",
    "primary",
    "secondary",
    "alpha",
    "carryover_alpha",
    "looks",
    "efficacy",
    "futility",
    "harm",
    "spending",
    "classical",
    "gamma",
    "rho",
    "interim_z",
    "z",
    "conditional_power",
    "max_difference",
    "replicates",
    "seed",
    "rebaseline_sd",
    "ketamine+placebo",
    "ketamine+naltrexone",
];

/// Strings the schema gives meaning to.
const KNOWN_STRINGS: &[&str] = &[
    "",
    "AB",
    "BA",
    "AA",
    "ketamine+placebo",
    "ketamine+naltrexone",
    "responders_paired",
    "completers_paired",
    "period_adjusted",
    "first_period",
    "carryover",
    "wilcoxon_paired",
    "responder_mcnemar",
    "simple",
    "permuted_blocks",
    "obrien_fleming",
    "pocock",
    "hwang_shih_decani",
    "kim_demets",
    "obrien_fleming_total_alpha",
    "haybittle_peto",
    "nausea",
    ".hidden",
    "a/b",
];

fn toml_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::Integer),
        (-5i64..70).prop_map(Value::Integer),
        prop::sample::select(vec![
            0i64,
            1,
            2,
            3,
            4,
            15,
            30,
            -1,
            100_000,
            100_001,
            10_000_000_000,
            10_000_000_001,
            i64::MAX,
            i64::MIN,
        ])
        .prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Float),
        (-2.0f64..2.0).prop_map(Value::Float),
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            0.5,
            1.0,
            -1.0,
            0.999_999_999_9,
            1e-300,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e6,
            1e6 + 1.0,
            2.5,
            30.0,
        ])
        .prop_map(Value::Float),
        any::<bool>().prop_map(Value::Boolean),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(KNOWN_STRINGS).prop_map(|s| Value::String(s.to_string())),
        Just(Value::Datetime(
            "1979-05-27T07:32:00Z".parse().expect("datetime")
        )),
    ]
}

fn toml_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(FIELD_NAMES).prop_map(str::to_string),
        "[a-z_]{1,10}",
        ".{0,6}",
    ]
}

/// Any TOML value: scalars of every type, empty and nested arrays, nested tables.
fn toml_value() -> impl Strategy<Value = Value> {
    toml_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(toml_key(), inner, 0..4)
                .prop_map(|m| Value::Table(m.into_iter().collect())),
        ]
    })
}

/// Ingredients of a replacement value of the same TOML type as the value it replaces (so that
/// it passes deserialization and reaches validation): out-of-range, non-finite, negative and
/// huge numbers, other strings, flipped booleans, emptied or reshaped arrays, emptied tables.
#[derive(Debug, Clone)]
struct SameType {
    pick: u8,
    float: f64,
    factor: f64,
    int: i64,
    delta: i64,
    string: String,
}

fn same_type() -> impl Strategy<Value = SameType> {
    (
        any::<u8>(),
        prop_oneof![
            prop::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                1.0,
                -1.0,
                0.5,
                1e-300,
                1e300,
                1e6,
                1e6 + 1.0,
                f64::MAX,
            ]),
            -2.0f64..2.0,
            -100.0f64..100.0,
            any::<f64>(),
        ],
        prop::sample::select(vec![
            -1.0,
            0.0,
            0.5,
            0.999,
            1.001,
            2.0,
            10.0,
            1e6,
            1e-6,
            1e300,
            f64::NAN,
            f64::INFINITY,
        ]),
        prop_oneof![
            prop::sample::select(vec![
                0i64,
                1,
                2,
                3,
                -1,
                100_000,
                100_001,
                10_000_000_001,
                i64::MAX,
                i64::MIN,
            ]),
            -3i64..70,
            any::<i64>(),
        ],
        prop_oneof![-3i64..=3, Just(i64::MAX), Just(i64::MIN), Just(1_000_000)],
        prop_oneof![
            prop::sample::select(KNOWN_STRINGS).prop_map(str::to_string),
            ".{0,10}",
        ],
    )
        .prop_map(|(pick, float, factor, int, delta, string)| SameType {
            pick,
            float,
            factor,
            int,
            delta,
            string,
        })
}

/// A value of the type of `orig` built from `t`.
fn same_type_value(orig: &Value, t: &SameType) -> Value {
    match orig {
        Value::Float(x) => Value::Float(if t.pick % 2 == 0 {
            t.float
        } else {
            x * t.factor
        }),
        Value::Integer(n) => Value::Integer(if t.pick % 2 == 0 {
            t.int
        } else {
            n.saturating_add(t.delta)
        }),
        Value::String(_) => Value::String(t.string.clone()),
        Value::Boolean(b) => Value::Boolean(!b),
        Value::Array(a) => {
            let mut a = a.clone();
            match t.pick % 5 {
                0 => a.clear(),
                1 => a.truncate(1),
                2 => {
                    if let Some(last) = a.last().cloned() {
                        a.push(last);
                    }
                }
                3 => a.reverse(),
                _ => {
                    if let Some(first) = a.first_mut() {
                        *first = same_type_value(
                            first,
                            &SameType {
                                pick: t.pick / 5,
                                ..t.clone()
                            },
                        );
                    }
                }
            }
            Value::Array(a)
        }
        Value::Table(_) => Value::Table(Table::new()),
        Value::Datetime(d) => Value::Datetime(*d),
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at `PATHS[i]` by one of the same type.
    Retype(prop::sample::Index, SameType),
    /// Replace the value at `PATHS[i]` by any value.
    Replace(prop::sample::Index, Value),
    /// Delete the key or array element at `PATHS[i]`.
    Delete(prop::sample::Index),
    /// Add a key that is not there to the table at `TABLE_PATHS[i]`.
    AddKey(prop::sample::Index, String, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), same_type()).prop_map(|(i, t)| Mutation::Retype(i, t)),
        3 => (any::<prop::sample::Index>(), toml_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Delete),
        1 => (any::<prop::sample::Index>(), toml_key(), toml_value())
            .prop_map(|(i, k, v)| Mutation::AddKey(i, k, v)),
    ]
}

/// Applies a mutation; returns the dotted path it touched, or None when the path no longer
/// exists (an earlier mutation removed or replaced it).
fn apply(root: &mut Value, m: &Mutation) -> Option<String> {
    match m {
        Mutation::Retype(i, t) => {
            let path = i.get(PATHS.as_slice());
            let slot = get_mut(root, path)?;
            *slot = same_type_value(slot, t);
            Some(dotted(path))
        }
        Mutation::Replace(i, v) => {
            let path = i.get(PATHS.as_slice());
            *get_mut(root, path)? = v.clone();
            Some(dotted(path))
        }
        Mutation::Delete(i) => {
            let path = i.get(PATHS.as_slice());
            let (last, parent) = path.split_last()?;
            match (last, get_mut(root, parent)?) {
                (Seg::Key(k), Value::Table(t)) => {
                    t.remove(k)?;
                }
                (Seg::Index(idx), Value::Array(a)) if *idx < a.len() => {
                    a.remove(*idx);
                }
                _ => return None,
            }
            Some(dotted(path))
        }
        Mutation::AddKey(i, k, v) => {
            let path = i.get(TABLE_PATHS.as_slice());
            let Value::Table(t) = get_mut(root, path)? else {
                return None;
            };
            if t.contains_key(k) {
                return None;
            }
            t.insert(k.clone(), v.clone());
            let mut full = path.clone();
            full.push(Seg::Key(k.clone()));
            Some(dotted(&full))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checks on config outcomes
// ---------------------------------------------------------------------------------------------

/// A dotted key without quotes (and the escapes errors use inside them) and with every index
/// replaced by `[*]`.
fn normalize(key: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in key.chars() {
        match c {
            '"' | '\\' => {}
            '[' => {
                in_index = true;
                out.push_str("[*]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// The last key of a dotted key as errors spell it (`a."b.c"[2]` gives `"b.c"`'s inside,
/// `b.c`; escapes are kept as written).
fn last_segment(key: &str) -> String {
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in key.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '.' if !quoted => start = i + 1,
            _ => {}
        }
    }
    let last = &key[start..];
    let last = match last.strip_prefix('"') {
        Some(inner) => inner.rsplit_once('"').map_or(inner, |(k, _)| k),
        None => last.split('[').next().unwrap_or(last),
    };
    last.to_string()
}

/// Whether `key` is `prefix` or lies below it.
fn under(key: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || key == prefix
        || key.starts_with(&format!("{prefix}."))
        || key.starts_with(&format!("{prefix}["))
}

/// Keys whose validity depends on other keys: changing the first can make the second invalid.
const DEPENDENCIES: &[(&str, &str)] = &[
    ("design.enrolled", "sequential.looks"),
    // The sequences set the number of periods and sequences and whether the design is the
    // AB/BA 2x2 (on which alone the 2x2-only analyses are defined).
    ("design.sequences", "analysis.primary"),
    ("design.sequences", "analysis.secondary"),
    ("design.sequences", "design.randomization.block_size"),
    ("design.sequences", "effects.period"),
    ("design.sequences", "population.within_sd"),
    ("design.conditions", "design.sequences"),
    ("design.conditions", "analysis.primary"),
    ("design.conditions", "analysis.secondary"),
    ("design.conditions", "population.correlation"),
    ("design.conditions", "population.classes"),
    ("design.conditions", "effects.carryover"),
    ("design.conditions", "adverse_events.probability"),
    (
        "design.conditions",
        "dropout.after_first_period_by_condition",
    ),
    (
        "design.randomization.kind",
        "design.randomization.block_size",
    ),
    ("design.randomization", "design.randomization.block_size"),
    ("population.scale", "population.baseline"),
    ("population.baseline", "analysis.primary"),
    ("population.baseline", "analysis.secondary"),
    ("population.baseline", "response.remission_max"),
    ("population", "analysis.primary"),
    ("population", "analysis.secondary"),
    ("population", "response.remission_max"),
    ("population.classes", "population.classes[*].probability"),
    ("analysis.primary", "analysis.secondary"),
    ("analysis.primary", "sequential.futility"),
    ("analysis", "sequential.futility"),
    // A futility rule with a rank-based primary analysis is reported at analysis.primary.
    ("sequential.futility", "analysis.primary"),
    ("sequential", "analysis.primary"),
    ("sequential.efficacy", "sequential.efficacy"),
    ("sequential.looks", "sequential.efficacy"),
    ("sequential.looks", "sequential.futility"),
    ("adverse_events", "sequential.harm"),
];

/// Whether a validation error about `err_key` is an acceptable answer to changing `mutated`.
fn related(mutated: &str, err_key: &str) -> bool {
    let (m, e) = (normalize(mutated), normalize(err_key));
    under(&m, &e)
        || under(&e, &m)
        || DEPENDENCIES
            .iter()
            .any(|(from, to)| under(&m, from) && under(&e, to))
}

/// Checks an error from `config::parse(.., ORIGIN, ..)` after changing the keys `touched`.
fn check_error(e: &ConfigError, touched: &[String]) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(
        shown.contains(ORIGIN),
        "the error does not name the file: {shown}"
    );
    match e {
        ConfigError::Parse { message, .. } => {
            prop_assert!(
                message.contains("TOML parse error at line"),
                "parse error without the parser's location: {shown}"
            );
        }
        ConfigError::Invalid { key, .. } => {
            prop_assert!(
                shown.contains(key.as_str()),
                "message does not show the key: {shown}"
            );
            if !touched.is_empty() {
                prop_assert!(
                    touched
                        .iter()
                        .any(|t| related(t, key) || shown.contains(t.as_str())),
                    "changed {touched:?} but the error names `{key}`: {shown}"
                );
            }
        }
        ConfigError::Schema { key, location, .. } => {
            // "unknown key `enroled` in [design]" names the key by its last segment and its
            // table; type errors show the whole dotted key.
            let last = last_segment(key);
            prop_assert!(
                shown.contains(&last),
                "message does not show the key `{key}`: {shown}"
            );
            // A key of the file is shown at its line, with the line quoted.
            if let Some(l) = location {
                prop_assert!(
                    shown.contains(&format!("line {}", l.line)) && l.snippet.contains('^'),
                    "location not shown: {shown}"
                );
            }
            if !touched.is_empty() && !key.is_empty() {
                prop_assert!(
                    touched
                        .iter()
                        .any(|t| related(t, key) || shown.contains(t.as_str())),
                    "changed {touched:?} but the error names `{key}`: {shown}"
                );
            }
        }
        ConfigError::Override { .. } => {}
        ConfigError::Read { .. } => prop_assert!(false, "parse never reads a file: {shown}"),
    }
    Ok(())
}

/// Every number in the report JSON is finite, and every null is either documented optional or
/// explained in a `missing` map (the library's own self-check).
fn check_report_json(report: &RunReport, loaded: &LoadedConfig) -> Result<(), TestCaseError> {
    let problems = crossover_sim::report::check::problems(report, &loaded.design);
    prop_assert!(problems.is_empty(), "{problems:?}");
    Ok(())
}

/// Builds the simulator for an accepted config, simulates a few replicates, builds and renders
/// the report, and checks it.
fn check_simulation(loaded: &LoadedConfig) -> Result<(), TestCaseError> {
    let d = &loaded.design;
    if d.enrolled() > MAX_SIMULATED_ENROLLED || d.sequential().looks().len() > MAX_SIMULATED_LOOKS {
        return Ok(());
    }
    let sim = match crossover_sim::run::simulator(loaded) {
        Ok(sim) => sim,
        Err(e) => {
            let shown = e.to_string();
            prop_assert!(shown.contains(ORIGIN), "{shown}");
            return Ok(());
        }
    };
    let summary = sim.simulate(0..SIMULATED_REPLICATES, &NoProgress);
    prop_assert_eq!(summary.replicates, SIMULATED_REPLICATES);
    let facts = DesignFacts::of(&loaded.design);
    let report = build_report(
        loaded,
        sim.rules(),
        &facts,
        &summary,
        RunMetadata::single(1, 0.5),
    );
    check_report_json(&report, loaded)?;
    let p = &report.primary.power;
    prop_assert!(p.ci_low <= p.estimate && p.estimate <= p.ci_high, "{p:?}");
    let stopped: f64 = report
        .looks
        .iter()
        .map(|l| l.p_stop_efficacy + l.p_stop_futility + l.p_stop_harm)
        .sum();
    prop_assert!(
        stopped <= 1.0 + 1e-12,
        "stop probabilities sum to {stopped}"
    );
    prop_assert!(report.expected_enrolled.mean <= d.enrolled() as f64);
    prop_assert!(report.completers.mean <= report.expected_enrolled.mean);
    // The renderers must not panic on any accepted config either.
    let _ = crossover_sim::report::markdown::render(&report);
    let _ = crossover_sim::report::text::render(&report);
    prop_assert!(crossover_sim::report::csv_export::render(&report).is_ok());
    Ok(())
}

fn check_config(
    text: &str,
    overrides: &[Override],
    touched: &[String],
) -> Result<(), TestCaseError> {
    match config::parse(text, ORIGIN, overrides) {
        Ok(loaded) => check_simulation(&loaded),
        Err(e) => check_error(&e, touched),
    }
}

#[test]
fn the_base_config_is_accepted_and_every_path_is_enumerated() {
    let loaded = config::parse(&BASE_TEXT, ORIGIN, &[]).expect("base config");
    assert!(PATHS.len() > 50, "{} paths", PATHS.len());
    assert!(PATHS
        .iter()
        .any(|p| dotted(p) == "population.classes[1].change.\"ketamine+naltrexone\".sd"));
    // A smaller copy of it passes every check of the simulation property.
    let small = config::with_overrides(
        &loaded,
        &[Override::parse("simulation.replicates=50").unwrap()],
    )
    .unwrap();
    check_simulation(&small).unwrap();
}

proptest! {
    #![proptest_config(cases(512))]

    /// Arbitrary text (mostly not TOML) is rejected with a located parse error, never a panic.
    #[test]
    fn arbitrary_text_never_panics(text in prop_oneof![
        ".{0,200}",
        "[\\[\\]a-z_=.\"{}, 0-9\n-]{0,200}",
    ]) {
        check_config(&text, &[], &[])?;
    }

    /// The base config with a few characters inserted or removed somewhere.
    #[test]
    fn text_mutations_of_the_base_config_never_panic(
        at in any::<prop::sample::Index>(),
        remove in 0usize..8,
        insert in ".{0,8}",
    ) {
        let base = BASE_TEXT.as_str();
        let mut start = at.index(base.len());
        while !base.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + remove).min(base.len());
        while !base.is_char_boundary(end) {
            end += 1;
        }
        let text = format!("{}{}{}", &base[..start], insert, &base[end..]);
        check_config(&text, &[], &[])?;
    }
}

proptest! {
    #![proptest_config(cases(1024))]

    /// Any TOML document built from arbitrary values (random tables, schema-like keys).
    #[test]
    fn arbitrary_toml_documents_never_panic(
        doc in prop::collection::btree_map(toml_key(), toml_value(), 0..8),
    ) {
        let table: Table = doc.into_iter().collect();
        if let Ok(text) = toml::to_string(&table) {
            check_config(&text, &[], &[])?;
        }
    }

    /// Structured mutations of williams2018.toml: any key replaced by a value of any TOML type
    /// (NaN, inf, huge and negative integers, empty arrays, nested tables), keys deleted,
    /// unknown keys added. Rejections name the file and the changed key.
    #[test]
    fn mutated_williams_configs_never_panic_and_name_the_key(
        variant in 0u8..3,
        enrolled in 2i64..=60,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        // Start from the config as shipped, or from a smaller design with looks as fractions,
        // or from a smaller fixed design, so that accepted mutants cover small enrollments.
        let mut base = BASE.clone();
        if variant > 0 {
            base["design"]["enrolled"] = Value::Integer(enrolled);
            if variant == 1 {
                base["sequential"]["looks"] = Value::Array(vec![Value::Float(0.5), Value::Float(1.0)]);
            } else {
                base.remove("sequential");
            }
        }
        let mut root = Value::Table(base);
        let touched: Vec<String> = mutations.iter().filter_map(|m| apply(&mut root, m)).collect();
        let Value::Table(table) = root else { unreachable!() };
        let Ok(text) = toml::to_string(&table) else { return Ok(()) };
        check_config(&text, &[], &touched)?;
    }

    /// `--set` with an arbitrary string: parsing never panics, and an override that parses is
    /// applied and validated without panicking.
    #[test]
    fn arbitrary_overrides_never_panic(text in prop_oneof![
        ".{0,40}",
        "[a-z_.\\[\\]0-9\"]{0,30}=.{0,20}",
    ]) {
        if let Ok(o) = Override::parse(&text) {
            check_config(&BASE_TEXT, &[o], &[])?;
        }
    }

    /// `--set path=value` for every key path of the base config (optionally extended below a
    /// leaf or past the end of an array) and any TOML value: the override parses, and a
    /// rejection names the file and the overridden key (or one that depends on it).
    #[test]
    fn overrides_of_every_key_name_the_file_and_the_key(
        i in any::<prop::sample::Index>(),
        suffix in prop::sample::select(vec!["", "", "", ".extra", "[0]", "[7]", ".x[1]"]),
        any_value in toml_value(),
        typed in prop::option::of(same_type()),
    ) {
        let path: &Vec<Seg> = i.get(PATHS.as_slice());
        let value = match (&typed, get(&Value::Table(BASE.clone()), path)) {
            (Some(t), Some(orig)) if suffix.is_empty() => same_type_value(orig, t),
            _ => any_value,
        };
        let key = format!("{}{suffix}", dotted(path));
        let text = format!("{key}={value}");
        let o = Override::parse(&text);
        prop_assert!(o.is_ok(), "{text}: {o:?}");
        let o = o.unwrap();
        prop_assert_eq!(&o.key, &key);
        check_config(&BASE_TEXT, &[o], &[key])?;
    }
}

proptest! {
    #![proptest_config(cases(256))]

    /// `--seed` takes any u64, and seeds above i64::MAX are written as strings of digits because
    /// TOML integers are signed. Every seed must load as itself and survive the resolved-config
    /// round trip that sweeps and claims use.
    #[test]
    fn every_u64_seed_loads_and_round_trips(
        seed in prop_oneof![any::<u64>(), Just(u64::MAX), Just(1u64 << 63), Just(0u64)],
    ) {
        let o = Override::with_value("simulation.seed", config::schema::seed_value(seed)).unwrap();
        let loaded = config::parse(&BASE_TEXT, ORIGIN, &[o]);
        prop_assert!(loaded.is_ok(), "seed {seed}: {}", loaded.unwrap_err());
        let loaded = loaded.unwrap();
        prop_assert_eq!(loaded.design.seed(), seed);
        let again = config::with_overrides(&loaded, &[]);
        prop_assert!(again.is_ok(), "seed {seed}: {}", again.unwrap_err());
        prop_assert_eq!(again.unwrap().design.seed(), seed);
    }
}

// ---------------------------------------------------------------------------------------------
// Command-line arguments
// ---------------------------------------------------------------------------------------------

/// A number as a user might type it: ordinary, negative, huge, or not a number at all.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|x| x.to_string()),
        any::<u64>().prop_map(|x| x.to_string()),
        (0u32..200).prop_map(|x| x.to_string()),
        any::<f64>().prop_map(|x| x.to_string()),
        prop::sample::select(vec![
            "-0",
            "1e308",
            "-1e308",
            "1e-320",
            "NaN",
            "inf",
            "-inf",
            "",
            " ",
            "1_000",
            "0x10",
            "99999999999999999999999999",
            "½",
        ])
        .prop_map(String::from),
        ".{0,6}",
    ]
}

/// `--threads` values, including 0, negative, beyond 4 per core and beyond u64.
fn thread_count() -> impl Strategy<Value = String> {
    prop_oneof![
        (0usize..64).prop_map(|n| n.to_string()),
        Just(crossover_sim::cli::max_threads().to_string()),
        Just((crossover_sim::cli::max_threads() + 1).to_string()),
        number_text(),
    ]
}

/// `--shard` specs: K/N of any integers, and malformed ones.
fn shard_spec() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..10, 0u64..10).prop_map(|(k, n)| format!("{k}/{n}")),
        (number_text(), number_text()).prop_map(|(k, n)| format!("{k}/{n}")),
        "[0-9/ -]{0,8}",
        ".{0,10}",
    ]
}

/// `--values` ranges and lists: integer and float ranges with extreme ends and steps, dash
/// ranges, lists of TOML values and bare words, and noise.
fn values_spec() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<i64>(), any::<i64>(), any::<i64>()).prop_map(|(a, b, s)| format!("{a}:{b}:{s}")),
        (-100i64..200, -100i64..200, -5i64..50).prop_map(|(a, b, s)| format!("{a}:{b}:{s}")),
        (number_text(), number_text(), number_text()).prop_map(|(a, b, s)| format!("{a}:{b}:{s}")),
        (number_text(), number_text()).prop_map(|(a, b)| format!("{a}-{b}")),
        (number_text(), number_text()).prop_map(|(a, b)| format!("{a}:{b}")),
        prop::collection::vec(number_text(), 1..5).prop_map(|v| v.join(",")),
        "[a-z0-9_.,:\\[\\]\"= -]{0,20}",
    ]
}

/// `--set` strings.
fn set_argument() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,30}",
        "[a-z_.\\[\\]0-9\"]{0,24}=.{0,16}",
        (
            prop::sample::select(vec![
                "design.enrolled",
                "simulation.seed",
                "simulation.replicates",
                "sequential.looks",
                "population.classes[0].probability",
                "design.enroled",
            ]),
            number_text()
        )
            .prop_map(|(k, v)| format!("{k}={v}")),
    ]
}

/// Keys for `--param`.
fn param_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "design.enrolled",
            "population.correlation",
            "\"design\".enrolled",
            "design..enrolled",
            "",
            "a[",
        ])
        .prop_map(String::from),
        "[a-z_.\\[\\]0-9\"]{0,16}",
    ]
}

/// A whole command line of one of the commands, built from the pieces above.
fn command_line() -> impl Strategy<Value = Vec<String>> {
    let sets = || prop::collection::vec(set_argument(), 0..3);
    let run = (
        prop::option::of(thread_count()),
        prop::option::of(shard_spec()),
        prop::option::of(number_text()),
        prop::option::of(number_text()),
        sets(),
        prop::sample::select(vec!["run", "batch", "claim"]),
    )
        .prop_map(|(threads, shard, seed, replicates, sets, command)| {
            let mut a = vec![command.to_string(), "configs/williams2018.toml".into()];
            for (flag, v) in [
                ("--threads", threads),
                ("--seed", seed),
                ("--replicates", replicates),
            ] {
                if let Some(v) = v {
                    a.push(format!("{flag}={v}"));
                }
            }
            if let (Some(s), "run") = (shard, command) {
                a.push(format!("--shard={s}"));
            }
            for s in sets {
                a.push("--set".into());
                a.push(s);
            }
            a
        });
    let sweep = (
        param_key(),
        values_spec(),
        prop::option::of((param_key(), values_spec())),
        prop::option::of(number_text()),
        prop::option::of(shard_spec()),
        prop::option::of(thread_count()),
        sets(),
    )
        .prop_map(|(param, values, second, target, shard, threads, sets)| {
            let mut a = vec![
                "sweep".to_string(),
                "configs/williams2018.toml".into(),
                format!("--param={param}"),
                format!("--values={values}"),
            ];
            if let Some((p2, v2)) = second {
                a.push(format!("--param2={p2}"));
                a.push(format!("--values2={v2}"));
            }
            for (flag, v) in [
                ("--target-power", target),
                ("--shard", shard),
                ("--threads", threads),
            ] {
                if let Some(v) = v {
                    a.push(format!("{flag}={v}"));
                }
            }
            for s in sets {
                a.push(format!("--set={s}"));
            }
            a
        });
    let validate = sets().prop_map(|sets| {
        let mut a = vec!["validate".to_string(), "configs/williams2018.toml".into()];
        for s in sets {
            a.push("--set".into());
            a.push(s);
        }
        a
    });
    // Mostly well-formed requests (so that many are computed), with a share of wrong ones.
    let parameter = || {
        prop_oneof![
            3 => (-20.0f64..20.0).prop_map(|x| Some(x.to_string())),
            1 => prop::option::of(number_text()),
        ]
    };
    let boundaries = (
        prop::collection::vec(
            prop_oneof![
                3 => 0.0f64..1.0,
                2 => (1u32..40).prop_map(f64::from),
                1 => any::<f64>(),
            ],
            1..6,
        ),
        prop::bool::weighted(0.7),
        prop::sample::select(vec![
            "obrien_fleming",
            "pocock",
            "hwang_shih_decani",
            "kim_demets",
            "obrien_fleming_total_alpha",
            "classical_obrien_fleming",
            "classical_pocock",
            "haybittle_peto",
            "nonsense",
        ]),
        prop_oneof![
            3 => (0.001f64..0.6).prop_map(|x| x.to_string()),
            1 => number_text(),
        ],
        prop_oneof![3 => prop::sample::select(vec!["1", "2"]).prop_map(String::from), 1 => number_text()],
        (parameter(), parameter(), parameter()),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(mut looks, end_at_one, spending, alpha, sided, (gamma, rho, z), consistent)| {
                looks.sort_by(f64::total_cmp);
                if end_at_one && looks.iter().all(|x| *x <= 1.0) {
                    looks.push(1.0);
                }
                let looks: Vec<String> = looks.iter().map(|x| x.to_string()).collect();
                let mut a = vec![
                    "boundaries".to_string(),
                    "--looks".into(),
                    looks.join(","),
                    "--spending".into(),
                    spending.to_string(),
                    "--alpha".into(),
                    alpha,
                    "--sided".into(),
                    sided,
                ];
                for (flag, family, v) in [
                    ("--gamma", "hwang_shih_decani", gamma),
                    ("--rho", "kim_demets", rho),
                    ("--interim-z", "haybittle_peto", z),
                ] {
                    if let Some(v) = v.filter(|_| !consistent || spending == family) {
                        // Separate words, as users type them (`--gamma -4`).
                        a.push(flag.into());
                        a.push(v);
                    }
                }
                a
            },
        );
    prop_oneof![run, sweep, validate, boundaries]
}

/// The flags of a command line, for checking that an error names one of them.
fn flags(args: &[String]) -> Vec<String> {
    args.iter()
        .filter(|a| a.starts_with("--"))
        .map(|a| a.split('=').next().unwrap_or(a).to_string())
        .collect()
}

proptest! {
    #![proptest_config(cases(512))]

    /// Any command line of thread counts, shard specs, `--values` ranges, `--set` strings and
    /// boundary options parses (or is refused by the parser) and is checked without panicking,
    /// quickly; a refusal names one of the arguments given. Accepted boundary requests are
    /// computed, also without panicking.
    #[test]
    fn command_lines_never_panic_and_errors_name_the_argument(args in command_line()) {
        use clap::Parser;
        let argv = std::iter::once("crossover-sim".to_string()).chain(args.iter().cloned());
        let cli = match crossover_sim::cli::Cli::try_parse_from(argv) {
            Ok(cli) => cli,
            Err(e) => {
                let _ = e.render().to_string();
                return Ok(());
            }
        };
        let started = std::time::Instant::now();
        let checked = cli.check();
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(2), "{args:?}");
        match checked {
            Err(e) => {
                let text = e.to_string();
                let named = flags(&args).iter().any(|f| text.contains(f.as_str()))
                    || text.contains("--set ");
                prop_assert!(named, "{args:?}: the error names no argument: {text}");
                // Serde's words, unless the user typed them (the error quotes the argument).
                let typed = |w: &str| args.iter().any(|a| a.contains(w));
                prop_assert!(
                    (typed("invalid type") || !text.contains("invalid type"))
                        && (typed("i64") || !text.contains("i64")),
                    "{args:?}: serde jargon: {text}"
                );
            }
            Ok(()) => {
                if let crossover_sim::cli::Command::Boundaries {
                    looks, spending, alpha, sided, gamma, rho, interim_z, ..
                } = &cli.command
                {
                    let request = crossover_sim::cli::boundary_request(
                        looks, *spending, *alpha, *sided, *gamma, *rho, *interim_z,
                    );
                    prop_assert!(request.is_ok());
                    if let Ok(b) = request.unwrap().compute() {
                        prop_assert!(b.critical_z.iter().all(|z| !z.is_nan()), "{args:?}: {b:?}");
                    }
                }
            }
        }
    }

    /// Thread counts: 1 to 4 per core are accepted, anything else is refused naming the flag,
    /// the value and the range.
    #[test]
    fn thread_counts_are_accepted_exactly_within_the_bound(n in prop_oneof![0usize..100, any::<usize>()]) {
        let max = crossover_sim::cli::max_threads();
        match crossover_sim::cli::check_threads(Some(n)) {
            Ok(t) => prop_assert!((1..=max).contains(&n) && t == Some(n)),
            Err(e) => {
                let text = e.to_string();
                prop_assert!(!(1..=max).contains(&n));
                prop_assert!(text.contains(&format!("--threads {n}")) && text.contains(&format!("from 1 to {max}")), "{text}");
            }
        }
    }

    /// `--values`: an accepted range has at most 10,000 points, each finite, in order; a
    /// refusal explains the syntax.
    #[test]
    fn values_ranges_are_bounded_or_explained(spec in values_spec()) {
        match crossover_sim::sweep::parse_values_of("--values", &spec) {
            Ok(values) => {
                prop_assert!(!values.is_empty() && values.len() <= 10_001, "{spec}: {}", values.len());
                for v in &values {
                    if let Value::Float(x) = v {
                        prop_assert!(!x.is_nan(), "{spec}: {v}");
                    }
                }
                // The list form of the values parses back to them (recorded commands use it).
                let again = crossover_sim::sweep::parse_values(&crossover_sim::sweep::render_values(&values));
                prop_assert_eq!(again.ok(), Some(values));
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.starts_with(&format!("--values {}", spec.trim())) || text.starts_with("--values "), "{text}");
                prop_assert!(text.contains("start:end:step") || text.contains("grid points"), "{text}");
            }
        }
    }

    /// `--shard`: accepted specs are 1 <= K <= N and their ranges tile the replicates.
    #[test]
    fn shard_specs_are_checked_and_tile_the_replicates(spec in shard_spec(), replicates in 0u64..100_000) {
        match crossover_sim::cli::shard_spec(&spec) {
            Ok(s) => {
                prop_assert!(1 <= s.index && s.index <= s.count);
                let r = s.range(replicates);
                prop_assert!(r.start <= r.end && r.end <= replicates);
            }
            Err(e) => prop_assert!(e.to_string().contains(&format!("--shard {spec}")), "{e}"),
        }
    }
}

/// Negative seeds are refused wherever they are written; every other whole number loads.
#[test]
fn negative_seeds_are_refused() {
    for seed in [-1i64, i64::MIN, -20181205] {
        let o = Override::with_value("simulation.seed", Value::Integer(seed)).unwrap();
        let e = config::parse(&BASE_TEXT, ORIGIN, &[o])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("must be a whole number from 0 to 18446744073709551615"),
            "{e}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Analyses
// ---------------------------------------------------------------------------------------------

/// Values on a grid (integers as on an integer scale, and eighths) so that shifting by an
/// integer is exact in floating point; plenty of ties and zeros.
fn grid_value() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        3 => (-52i32..=52).prop_map(f64::from),
        2 => (-400i32..=400).prop_map(|k| f64::from(k) / 8.0),
        1 => Just(0.0),
    ]
}

/// Any finite value of the magnitudes a validated config can produce and far beyond.
fn wide_value() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        2 => grid_value(),
        1 => -1e9f64..1e9,
        1 => -1e-6f64..1e-6,
    ]
}

fn sample(value: impl Strategy<Value = f64> + Clone) -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        3 => prop::collection::vec(value.clone(), 0..=60),
        1 => prop::collection::vec(value.clone(), 0..=3),
        1 => (value, 0usize..=12).prop_map(|(x, n)| vec![x; n]),
        1 => (-1e3f64..1e3, 2usize..=12).prop_map(|(x, n)| vec![x; n]),
    ]
}

fn level() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.05), Just(0.10), Just(0.01), 1e-4f64..0.5,]
}

/// Table sizes below and above the sample sizes used, to exercise the fallback paths.
fn table_size() -> impl Strategy<Value = usize> {
    prop_oneof![Just(0usize), 1usize..80]
}

fn all_equal(x: &[f64]) -> bool {
    x.windows(2).all(|w| w[0] == w[1])
}

/// Every field finite, SE and df non-negative, n as given.
fn check_finite(o: &AnalysisOutcome, n: usize) -> Result<(), TestCaseError> {
    if let AnalysisOutcome::Analyzed(r) = o {
        for (what, x) in [
            ("estimate", r.estimate),
            ("standard_error", r.standard_error),
            ("statistic", r.statistic),
            ("df", r.df),
            ("effect_size", r.effect_size),
        ] {
            prop_assert!(x.is_finite(), "{what} = {x} in {r:?}");
        }
        prop_assert!(r.standard_error >= 0.0 && r.df >= 0.0, "{r:?}");
        prop_assert_eq!(r.n, n);
    }
    Ok(())
}

/// Whether |t| is within rounding of the critical value, where shifting or scaling may
/// legitimately flip a decision.
fn near_t_boundary(statistic: f64, df: f64, level: f64) -> bool {
    let c = t_quantile(1.0 - level / 2.0, df);
    ((statistic.abs() - c) / c).abs() < 1e-9
}

/// Same decision (or the same reason for not analysing), allowing a flip only on the boundary.
fn same_decision(
    a: &AnalysisOutcome,
    b: &AnalysisOutcome,
    level: f64,
) -> Result<(), TestCaseError> {
    match (a, b) {
        (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
            prop_assert!(
                x.reject == y.reject || near_t_boundary(x.statistic, x.df, level),
                "decision changed: {x:?} vs {y:?}"
            );
            prop_assert_eq!(x.n, y.n);
        }
        (AnalysisOutcome::NotAnalyzable(x), AnalysisOutcome::NotAnalyzable(y)) => {
            prop_assert_eq!(x, y)
        }
        _ => prop_assert!(false, "analysable in one case only: {a:?} vs {b:?}"),
    }
    Ok(())
}

/// `b` is `a` with the conditions swapped: estimate, statistic and effect size change sign,
/// everything else (and the decision) is unchanged.
fn mirrored(a: &AnalysisOutcome, b: &AnalysisOutcome) -> Result<(), TestCaseError> {
    match (a, b) {
        (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
            let want = TestResult {
                estimate: -x.estimate,
                statistic: -x.statistic,
                effect_size: -x.effect_size,
                ..*x
            };
            prop_assert_eq!(y, &want);
        }
        _ => prop_assert_eq!(a, b),
    }
    Ok(())
}

fn result(o: &AnalysisOutcome) -> TestResult {
    *o.result().expect("analysed")
}

proptest! {
    #![proptest_config(cases(512))]

    /// Paired t: finite fields; n < 2 and constant D are not analyzable; shifting both
    /// conditions' changes leaves D and the test unchanged; positive scaling keeps the
    /// decision; swapping the conditions mirrors the result.
    #[test]
    fn paired_t_properties(
        pairs in prop::collection::vec((grid_value(), grid_value()), 0..=60),
        wide in sample(wide_value()),
        shift in -1000i32..=1000,
        scale in prop_oneof![Just(2.0f64), Just(0.125), 1e-3f64..1e3],
        level in level(),
        max_n in table_size(),
    ) {
        let cv = CriticalValues::new(level, max_n);
        let o = paired_t(&wide, &cv);
        check_finite(&o, wide.len())?;
        if wide.len() < 2 {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants));
        } else if all_equal(&wide) {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance));
        }
        if let AnalysisOutcome::Analyzed(r) = o {
            prop_assert!(r.standard_error > 0.0 && r.df == (wide.len() - 1) as f64);
        }
        let s = f64::from(shift);
        let d: Vec<f64> = pairs.iter().map(|(r, t)| t - r).collect();
        let d_shifted: Vec<f64> = pairs.iter().map(|(r, t)| (t + s) - (r + s)).collect();
        let base = paired_t(&d, &cv);
        check_finite(&base, d.len())?;
        prop_assert_eq!(paired_t(&d_shifted, &cv), base);
        let d_scaled: Vec<f64> = d.iter().map(|x| x * scale).collect();
        same_decision(&base, &paired_t(&d_scaled, &cv), level)?;
        let d_swapped: Vec<f64> = pairs.iter().map(|(r, t)| r - t).collect();
        mirrored(&base, &paired_t(&d_swapped, &cv))?;
    }

    /// Pooled two-sample t (Hills-Armitage and Grizzle): as above with both groups shifted.
    #[test]
    fn pooled_t_properties(
        a in sample(grid_value()),
        b in sample(grid_value()),
        wa in sample(wide_value()),
        wb in sample(wide_value()),
        shift in -1000i32..=1000,
        scale in prop_oneof![Just(2.0f64), Just(0.125), 1e-3f64..1e3],
        effect_scale in prop_oneof![Just(1.0f64), Just(2.0)],
        level in level(),
        max_n in table_size(),
    ) {
        let cv = CriticalValues::new(level, max_n);
        let o = pooled_t(&wa, &wb, effect_scale, &cv);
        check_finite(&o, wa.len() + wb.len())?;
        if wa.is_empty() || wb.is_empty() || wa.len() + wb.len() < 3 {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants));
        } else if all_equal(&wa) && all_equal(&wb) {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance));
        }
        if let AnalysisOutcome::Analyzed(r) = o {
            prop_assert!(r.standard_error > 0.0);
        }
        let base = pooled_t(&a, &b, effect_scale, &cv);
        check_finite(&base, a.len() + b.len())?;
        let s = f64::from(shift);
        let shifted = |x: &[f64]| x.iter().map(|v| v + s).collect::<Vec<_>>();
        let shifted_outcome = pooled_t(&shifted(&a), &shifted(&b), effect_scale, &cv);
        same_decision(&base, &shifted_outcome, level)?;
        if let (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) = (base, shifted_outcome) {
            prop_assert!((x.estimate - y.estimate).abs() <= 1e-9 * (1.0 + s.abs()));
        }
        let scaled = |x: &[f64]| x.iter().map(|v| v * scale).collect::<Vec<_>>();
        same_decision(&base, &pooled_t(&scaled(&a), &scaled(&b), effect_scale, &cv), level)?;
        mirrored(&base, &pooled_t(&b, &a, effect_scale, &cv))?;
    }

    /// Welch t (first period): as above; one constant group is still analysable.
    #[test]
    fn welch_properties(
        t in sample(grid_value()),
        r in sample(grid_value()),
        wt in sample(wide_value()),
        wr in sample(wide_value()),
        shift in -1000i32..=1000,
        scale in prop_oneof![Just(2.0f64), Just(0.125), 1e-3f64..1e3],
        level in level(),
        max_n in table_size(),
    ) {
        let cv = CriticalValues::new(level, max_n);
        let o = welch(&wt, &wr, &cv);
        check_finite(&o, wt.len() + wr.len())?;
        if wt.len() < 2 || wr.len() < 2 {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants));
        } else if all_equal(&wt) && all_equal(&wr) {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance));
        }
        if let AnalysisOutcome::Analyzed(x) = o {
            prop_assert!(x.standard_error > 0.0 && x.df >= 1.0 - 1e-12, "{x:?}");
        }
        let base = welch(&t, &r, &cv);
        check_finite(&base, t.len() + r.len())?;
        if t.len() >= 2 && r.len() >= 2 && all_equal(&t) != all_equal(&r) {
            prop_assert!(base.result().is_some(), "one constant group: {base:?}");
        }
        let s = f64::from(shift);
        let shifted = |x: &[f64]| x.iter().map(|v| v + s).collect::<Vec<_>>();
        same_decision(&base, &welch(&shifted(&t), &shifted(&r), &cv), level)?;
        let scaled = |x: &[f64]| x.iter().map(|v| v * scale).collect::<Vec<_>>();
        same_decision(&base, &welch(&scaled(&t), &scaled(&r), &cv), level)?;
        mirrored(&base, &welch(&r, &t, &cv))?;
    }

    /// Wilcoxon signed rank: finite fields; V in [0, n(n+1)/2] over the non-zero differences;
    /// no data is "too few participants" and only zeros "all differences zero"; the estimate,
    /// SE and effect size are those of the paired t (0 when the paired t has zero variance);
    /// shift and positive scaling keep the decision; swapping gives V' = n(n+1)/2 - V.
    #[test]
    fn wilcoxon_properties(
        pairs in prop::collection::vec((grid_value(), grid_value()), 0..=60),
        wide in sample(wide_value()),
        shift in -1000i32..=1000,
        scale in prop_oneof![Just(2.0f64), Just(0.125), 1e-3f64..1e3],
        level in level(),
        max_n in table_size(),
    ) {
        let cv = CriticalValues::new(level, max_n);
        let mut scratch = Vec::new();
        let o = signed_rank(&wide, &mut scratch, &cv);
        check_finite(&o, wide.len())?;
        let nonzero = wide.iter().filter(|x| **x != 0.0).count();
        if wide.is_empty() {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants));
        } else if nonzero == 0 {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::AllDifferencesZero));
        } else {
            let w = result(&o);
            let top = (nonzero * (nonzero + 1)) as f64 / 2.0;
            prop_assert!(w.statistic >= 0.0 && w.statistic <= top, "{w:?}");
            prop_assert_eq!(w.df, nonzero as f64);
            match paired_t(&wide, &cv) {
                AnalysisOutcome::Analyzed(t) => {
                    prop_assert_eq!(
                        (w.estimate, w.standard_error, w.effect_size),
                        (t.estimate, t.standard_error, t.effect_size)
                    );
                }
                AnalysisOutcome::NotAnalyzable(_) => {
                    prop_assert_eq!((w.standard_error, w.effect_size), (0.0, 0.0), "{:?}", w);
                }
            }
        }
        let s = f64::from(shift);
        let d: Vec<f64> = pairs.iter().map(|(r, t)| t - r).collect();
        let d_shifted: Vec<f64> = pairs.iter().map(|(r, t)| (t + s) - (r + s)).collect();
        let base = signed_rank(&d, &mut scratch, &cv);
        check_finite(&base, d.len())?;
        prop_assert_eq!(signed_rank(&d_shifted, &mut scratch, &cv), base);
        let d_scaled: Vec<f64> = d.iter().map(|x| x * scale).collect();
        let scaled = signed_rank(&d_scaled, &mut scratch, &cv);
        match (base, scaled) {
            (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
                prop_assert_eq!((x.statistic, x.df, x.reject), (y.statistic, y.df, y.reject));
            }
            (x, y) => prop_assert_eq!(x, y),
        }
        let d_swapped: Vec<f64> = pairs.iter().map(|(r, t)| r - t).collect();
        let swapped = signed_rank(&d_swapped, &mut scratch, &cv);
        match (base, swapped) {
            (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
                let top = x.df * (x.df + 1.0) / 2.0;
                prop_assert_eq!(y.statistic, top - x.statistic);
                prop_assert_eq!(y.reject, x.reject);
                prop_assert_eq!(y.estimate, -x.estimate);
                prop_assert_eq!(y.effect_size, -x.effect_size);
                prop_assert_eq!((y.standard_error, y.df, y.n), (x.standard_error, x.df, x.n));
            }
            (x, y) => prop_assert_eq!(x, y),
        }
    }

    /// Exact McNemar: no discordant pair (or no completer) is not analyzable; finite fields;
    /// swapping the conditions negates the estimate, maps the statistic c to b = df - c and
    /// keeps the decision.
    #[test]
    fn mcnemar_properties(
        b in 0usize..40,
        c in 0usize..40,
        concordant in prop_oneof![Just(0usize), 0usize..40],
        level in level(),
        max_n in table_size(),
    ) {
        let cv = CriticalValues::new(level, max_n);
        let n = b + c + concordant;
        let o = mcnemar(b, c, n, &cv);
        check_finite(&o, n)?;
        if n == 0 {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::TooFewParticipants));
        } else if b + c == 0 {
            prop_assert_eq!(o, AnalysisOutcome::NotAnalyzable(NotAnalyzable::NoDiscordantPairs));
        } else {
            let x = result(&o);
            let y = result(&mcnemar(c, b, n, &cv));
            prop_assert_eq!(y.estimate, -x.estimate);
            prop_assert_eq!(y.statistic, x.df - x.statistic);
            prop_assert_eq!(y.effect_size, -x.effect_size);
            prop_assert_eq!((y.standard_error, y.df, y.n, y.reject), (x.standard_error, x.df, x.n, x.reject));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// All seven analyses on simulated-looking participants, through `LookData` and `analysis::run`
// ---------------------------------------------------------------------------------------------

/// One 2x2 participant: periods completed, whether T came first, the changes under R and T,
/// response and adverse events under R and T.
type Participant = (u8, bool, [f64; 2], [bool; 2], [bool; 2]);

fn participant() -> impl Strategy<Value = Participant> {
    (
        prop_oneof![1 => Just(0u8), 1 => Just(1u8), 4 => Just(2u8)],
        any::<bool>(),
        (-52i32..=52, -52i32..=52).prop_map(|(r, t)| [f64::from(r), f64::from(t)]),
        any::<[bool; 2]>(),
        any::<[bool; 2]>(),
    )
}

fn two_by_two() -> Crossover {
    Crossover::new(
        &["R".to_string(), "T".to_string()],
        0,
        &["AB".to_string(), "BA".to_string()],
    )
    .unwrap()
}

/// The cohort holding `ps`, the conditions labelled the other way round when `swap` is set
/// (each period keeps its data; what was R is called T).
fn cohort(ps: &[Participant], shift: f64, swap: bool) -> Cohort {
    let mut c = Cohort::new(ps.len(), 2);
    for (i, &(completed, test_first, change, responded, adverse_event)) in ps.iter().enumerate() {
        let order = if test_first { [1usize, 0] } else { [0, 1] };
        c.periods_completed[i] = completed;
        c.sequence[i] = SequenceId(u8::from(test_first != swap));
        for (j, &cond) in order.iter().enumerate() {
            let cell = c.cell(i, j);
            let label = if swap { 1 - cond } else { cond };
            c.condition[cell] = Condition(label as u8);
            c.change[cell] = change[cond] + shift;
            c.responded[cell] = responded[cond];
            c.adverse_event[cell] = adverse_event[cond];
        }
    }
    c
}

fn run_all(cohort: &Cohort, cv: &CriticalValues) -> Vec<AnalysisOutcome> {
    let mut data = LookData::new(
        cohort.len(),
        &two_by_two(),
        Condition(1),
        Condition(0),
        Needs::ALL,
    );
    data.collect(cohort, cohort.len());
    AnalysisName::all()
        .map(|name| decided(analysis::run(name, &mut data), cv))
        .collect()
}

proptest! {
    #![proptest_config(cases(512))]

    /// Every analysis of one look: shifting every change of both conditions by a constant keeps
    /// every decision (paired analyses are bit-identical: D and the half period differences do
    /// not move); swapping the conditions mirrors every analysis but responders_paired (which
    /// selects on response under the reference, so it analyses other participants).
    #[test]
    fn every_analysis_of_a_look_is_shift_invariant_and_mirrors_under_swap(
        ps in prop::collection::vec(participant(), 0..=40),
        shift in -1000i32..=1000,
        level in level(),
    ) {
        let cv = CriticalValues::new(level, 40);
        let base = run_all(&cohort(&ps, 0.0, false), &cv);
        let shifted = run_all(&cohort(&ps, f64::from(shift), false), &cv);
        let swapped = run_all(&cohort(&ps, 0.0, true), &cv);
        for (i, name) in AnalysisName::all().enumerate() {
            let n = match base[i].result() { Some(r) => r.n, None => 0 };
            check_finite(&base[i], n)?;
            match name {
                AnalysisName::CARRYOVER
                | AnalysisName::FIRST_PERIOD
                | AnalysisName::ANOVA
                | AnalysisName::ANOVA_CARRYOVER => {
                    same_decision(&base[i], &shifted[i], level)?
                }
                _ => prop_assert_eq!(&base[i], &shifted[i], "{}", name.as_str()),
            }
            match name {
                AnalysisName::RESPONDERS_PAIRED => {}
                // The linear models solve normal equations: relabelling the conditions mirrors
                // them up to rounding, not bit for bit.
                AnalysisName::ANOVA | AnalysisName::ANOVA_CARRYOVER => match (base[i], swapped[i]) {
                    (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
                        let tol = 1e-9 * (1.0 + x.estimate.abs());
                        prop_assert!((y.estimate + x.estimate).abs() <= tol, "{x:?} vs {y:?}");
                        prop_assert!((y.standard_error - x.standard_error).abs() <= tol);
                        prop_assert!(
                            y.reject == x.reject || near_t_boundary(x.statistic, x.df, level),
                            "{x:?} vs {y:?}"
                        );
                    }
                    (x, y) => prop_assert_eq!(x, y),
                },
                AnalysisName::WILCOXON_PAIRED => match (base[i], swapped[i]) {
                    (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
                        prop_assert_eq!(y.statistic, x.df * (x.df + 1.0) / 2.0 - x.statistic);
                        prop_assert_eq!((y.reject, y.estimate), (x.reject, -x.estimate));
                    }
                    (x, y) => prop_assert_eq!(x, y),
                },
                AnalysisName::RESPONDER_MCNEMAR => match (base[i], swapped[i]) {
                    (AnalysisOutcome::Analyzed(x), AnalysisOutcome::Analyzed(y)) => {
                        prop_assert_eq!(y.statistic, x.df - x.statistic);
                        prop_assert_eq!((y.reject, y.estimate), (x.reject, -x.estimate));
                    }
                    (x, y) => prop_assert_eq!(x, y),
                },
                _ => mirrored(&base[i], &swapped[i])?,
            }
        }
    }
}

/// Equal non-zero differences whose mean is not exactly representable leave a rounding residue
/// in the variance; the paired t calls that zero variance, and the signed-rank test must not
/// turn it into an effect size of 1e16.
#[test]
fn wilcoxon_effect_size_ignores_rounding_residue() {
    let cv = CriticalValues::new(0.05, 10);
    let d = [0.1, 0.1, 0.1];
    assert_eq!(
        paired_t(&d, &cv),
        AnalysisOutcome::NotAnalyzable(NotAnalyzable::ZeroVariance)
    );
    let w = result(&signed_rank(&d, &mut Vec::new(), &cv));
    assert_eq!((w.standard_error, w.effect_size), (0.0, 0.0), "{w:?}");
}
