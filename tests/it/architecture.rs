//! The layers of docs/architecture.md, enforced: every `crate::<module>` path in a source file
//! names a module of the same layer or one below it. A new top-level module must be given a
//! layer here (and in the document) before this test passes. The report also names no
//! statistic of the layers below (`REPORT_MAY_NAME`).

use std::collections::BTreeMap;
use std::path::Path;

/// Bottom to top; modules on one line form one layer and may use each other.
const LAYERS: &[&[&str]] = &[
    &["numerics"],
    &["power::paired_t", "power::t_tests"],
    &["design"],
    &["model"],
    &["analysis"],
    &["inference"],
    &["sequential"],
    &["adaptive"],
    &["config"],
    &["power::design", "power", "facts"],
    &["engine"],
    &["report"],
    &[
        "run",
        "sweep",
        "batch",
        "shard",
        "sample_size",
        "alpha_adjustment",
        "calibration",
        "boundary_request",
        "two_stage_trial",
        "error",
        "interrupt",
    ],
    &["studies"],
    &["bindings"],
    &["cli", "commands", "main", "lib"],
];

fn rank() -> BTreeMap<&'static str, usize> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (*m, i)))
        .collect()
}

/// Folders whose files sit in different layers: their modules are ranked as `folder::file`.
const SPLIT: &[&str] = &["power"];

/// `name`, or `name::next` when `name` is a split folder and `rest` goes on with `::next`.
fn ranked_name(name: String, rest: &str) -> String {
    if !SPLIT.contains(&name.as_str()) {
        return name;
    }
    let next: String = rest[name.len()..]
        .strip_prefix("::")
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if next.is_empty() {
        name
    } else {
        format!("{name}::{next}")
    }
}

/// The crate modules a source text names through `crate::` (top-level, or `folder::file` in a
/// split folder), comments excluded.
fn imported_modules(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(list) = rest.strip_prefix('{') {
                // `crate::{a::x, b}`: every path segment that starts an item of the list.
                let inner = list.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push(ranked_name(name, item.trim()));
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(ranked_name(name, rest));
                }
            }
        }
    }
    found
}

/// Every `(file, module it is in, modules it names)` under `src/`.
fn sources() -> Vec<(String, String, Vec<String>)> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).unwrap();
            let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
            let first = parts.next().unwrap().trim_end_matches(".rs").to_string();
            let module = match parts.next() {
                Some(file) if SPLIT.contains(&first.as_str()) && file != "mod.rs" => {
                    format!("{first}::{}", file.trim_end_matches(".rs"))
                }
                _ => first,
            };
            let text = std::fs::read_to_string(&path).unwrap();
            (rel.display().to_string(), module, imported_modules(&text))
        })
        .collect()
}

#[test]
fn every_module_imports_only_its_own_layer_or_below() {
    let rank = rank();
    let mut upward = Vec::new();
    for (file, module, imports) in sources() {
        let Some(&own) = rank.get(module.as_str()) else {
            panic!("src/{file}: module `{module}` has no layer in tests/it/architecture.rs");
        };
        for m in imports {
            if let Some(&theirs) = rank.get(m.as_str()) {
                if theirs > own {
                    upward.push(format!("src/{file} ({module}) imports {m}"));
                }
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "imports pointing up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_import_scanner_sees_plain_and_braced_paths_but_not_comments() {
    let text = "use crate::config::TrialDesign;\n\
                let x = crate::engine::run(); // crate::report::x\n\
                use crate::{model::Cohort, analysis};\n\
                /// [`crate::studies`]\n";
    assert_eq!(
        imported_modules(text),
        ["config", "engine", "model", "analysis"]
    );
    let split = "use crate::power::design::closed_form;\nuse crate::{power::t_tests::tost_power, numerics};\n";
    assert_eq!(
        imported_modules(split),
        ["power::design", "power::t_tests", "numerics"]
    );
    // A doc comment is a comment: links in documentation are not imports.
}

/// Every path a source text names through `crate::` as its segments, braced lists expanded
/// (`crate::{a::x, b::{y, z}}` names `a::x`, `b::y` and `b::z`), comments excluded.
fn named_paths(source: &str) -> Vec<Vec<String>> {
    /// The paths of one path expression at the start of `text`, after `prefix`.
    fn expand(text: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        let mut rest = text.trim_start();
        loop {
            if let Some(list) = rest.strip_prefix('{') {
                // The list up to its matching brace, split at top-level commas.
                let (mut depth, mut start) = (0, 0);
                for (i, c) in list.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            expand(&list[start..i], &path, out);
                            return;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            expand(&list[start..i], &path, out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                return;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                break;
            }
            rest = &rest[name.len()..];
            path.push(name);
            match rest.strip_prefix("::") {
                Some(next) => rest = next,
                None => break,
            }
        }
        if path.len() > prefix.len() {
            out.push(path);
        }
    }
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            expand(rest, &[], &mut found);
        }
    }
    found
}

/// The statistics layers and the only items of each that the report may name: types whose
/// precomputed values it reads, and words. What a design implies without simulation reaches
/// the report computed (`facts::DesignFacts`), what was simulated as the engine's `Summary`,
/// the boundaries as `sequential::StoppingRules`; the report evaluates no distribution
/// function, critical value, power or estimator itself.
const REPORT_MAY_NAME: &[(&str, &[&str])] = &[
    // A constant, not a function: the multiplier of the Monte Carlo 95% intervals that every
    // reported figure carries.
    ("numerics", &["Z_95"]),
    ("power", &[]),
    ("analysis", &[]),
    ("model", &["AnalysedEffect"]),
    ("inference", &["Hypothesis"]),
    ("sequential", &["StoppingRules"]),
    // The final-estimate sums of a two-stage run, whose mean and SD adaptive computes.
    (
        "adaptive",
        &[
            "TwoStagePlan",
            "describe",
            "describe_ruled",
            "EstimateMoments",
        ],
    ),
];

#[test]
fn the_report_imports_no_statistics() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut named = Vec::new();
    for (file, module, _) in sources() {
        if module != "report" {
            continue;
        }
        let text = std::fs::read_to_string(src.join(&file)).unwrap();
        // Tests may compute their references with any module.
        let shipped = text.split("#[cfg(test)]").next().unwrap_or("");
        for path in named_paths(shipped) {
            let Some((_, allowed)) = REPORT_MAY_NAME.iter().find(|(m, _)| *m == path[0]) else {
                continue;
            };
            if !path
                .get(1)
                .is_some_and(|item| allowed.contains(&item.as_str()))
            {
                named.push(format!("src/{file} names crate::{}", path.join("::")));
            }
        }
    }
    named.sort();
    named.dedup();
    assert!(
        named.is_empty(),
        "the report computes no statistic; hand it the figure instead (facts::DesignFacts):\n{}",
        named.join("\n")
    );
}

#[test]
fn the_path_scanner_expands_braced_lists_but_not_comments() {
    let text = "use crate::numerics::{Z_95, normal_quantile};\n\
                let p = crate::power::design::closed_form(d); // crate::analysis::x\n\
                use crate::{inference::{Hypothesis, critical::CriticalValues}, numerics};\n\
                /// [`crate::analysis`]\n";
    let paths: Vec<String> = named_paths(text).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "numerics::Z_95",
            "numerics::normal_quantile",
            "power::design::closed_form",
            "inference::Hypothesis",
            "inference::critical::CriticalValues",
            "numerics",
        ]
    );
}

/// The crates that only one module may name (outside its tests): the module and the crate.
const CONFINED: &[(&str, &str)] = &[
    ("engine", "rayon"),
    ("numerics", "statrs"),
    ("cli", "clap"),
    ("cli", "indicatif"),
];

/// The binary's own modules, where the command line lives (`cli` is a library module behind the
/// default `cli` feature, so that the library the bindings link has no CLI dependency).
const BINARY: &[&str] = &["main", "commands", "cli"];

#[test]
fn rayon_statrs_clap_and_indicatif_are_named_only_by_their_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut outside = Vec::new();
    for (file, module, _) in sources() {
        let text = std::fs::read_to_string(src.join(&file)).unwrap();
        // Tests may compute their references with any crate.
        let shipped = text.split("#[cfg(test)]").next().unwrap_or("");
        for (owner, krate) in CONFINED {
            let named = shipped.lines().any(|line| {
                let code = line.split("//").next().unwrap_or("");
                code.contains(&format!("{krate}::"))
            });
            let allowed = if *owner == "cli" {
                BINARY.contains(&module.as_str())
            } else {
                module.as_str() == *owner
            };
            if named && !allowed {
                outside.push(format!("src/{file} names {krate} (only {owner} may)"));
            }
        }
    }
    assert!(outside.is_empty(), "{}", outside.join("\n"));
}

#[test]
fn the_cli_module_is_behind_the_cli_feature() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    assert!(
        lib.contains("#[cfg(feature = \"cli\")]\npub mod cli;"),
        "src/lib.rs must declare `cli` behind the `cli` feature"
    );
}
