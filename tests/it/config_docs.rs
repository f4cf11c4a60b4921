//! docs/config.md cannot drift from the schema (issue 15): every key path the schema accepts
//! appears in it, every key it names is accepted, every name an enum accepts is listed, and
//! every TOML example in it validates.
//!
//! The key paths come from the schema itself: a config with every optional key set is built
//! from the schema structs (a struct literal, so a new field does not compile until it is added
//! here, and then the test asks for its documentation), serialized, and walked. Every shipped
//! config under configs/ must use only keys of that set, which checks the maximal config in
//! turn.

use crate::common::*;
use crossover_sim::config::schema::*;
use crossover_sim::config::template::Template;
use crossover_sim::inference::Better;
use crossover_sim::sequential::boundaries::BoundaryFamily;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The map key that stands for a condition name in the maximal configs.
const CONDITION: &str = "CONDITION";
/// The map key that stands for a latent class's name (`time_course.change`).
const CLASS: &str = "CLASS";

fn per_condition<T: Clone>(value: T) -> BTreeMap<String, T> {
    BTreeMap::from([(CONDITION.to_string(), value)])
}

/// A config with every optional key set. `alternative` picks the other form of each untagged
/// enum (one correlation or a matrix, one CV or a table, a difference or weights).
fn maximal(alternative: bool) -> ConfigFile {
    ConfigFile {
        name: "maximal".into(),
        description: "every key".into(),
        design: DesignSection {
            conditions: vec!["R".into(), "T".into()],
            reference: Some("R".into()),
            preset: Some("2x2".into()),
            sequences: vec!["AB".into(), "BA".into()],
            enrolled: 24,
            randomization: RandomizationSection {
                kind: RandomizationKind::PermutedBlocks,
                block_size: Some(4),
            },
        },
        population: Some(PopulationSection {
            correlation: if alternative {
                CorrelationSpec::Matrix(vec![vec![1.0, 0.5], vec![0.5, 1.0]])
            } else {
                CorrelationSpec::Common(0.5)
            },
            within_sd: per_condition(0.5),
            baseline: Some(BaselineSection {
                mean: 26.0,
                sd: 5.0,
                min: 20.0,
                max: 52.0,
            }),
            rebaseline_sd: 1.0,
            scale: Some(ScaleSection {
                min: 0.0,
                max: 52.0,
                integer: true,
            }),
            classes: vec![ClassSection {
                name: "all".into(),
                probability: 1.0,
                change: per_condition(ChangeSection { mean: 0.0, sd: 1.0 }),
            }],
        }),
        log_normal: Some(LogNormalSection {
            gmr: per_condition(0.95),
            geometric_mean: per_condition(100.0),
            cv_within: if alternative {
                CvSpec::PerCondition(per_condition(0.3))
            } else {
                CvSpec::Common(0.3)
            },
            cv_between: 0.4,
            interaction_sd: 0.1,
            metric: Some("AUC".into()),
            metrics: vec![MetricSection {
                name: "Cmax".into(),
                gmr: per_condition(0.95),
                geometric_mean: per_condition(100.0),
                cv_within: if alternative {
                    CvSpec::PerCondition(per_condition(0.3))
                } else {
                    CvSpec::Common(0.3)
                },
                cv_between: 0.4,
                interaction_sd: 0.1,
                rule: Some(crossover_sim::inference::scaled::RuleName::EMA),
            }],
            metric_correlation: Some(MetricCorrelationSection {
                between: if alternative {
                    CorrelationSpec::Matrix(vec![vec![1.0, 0.5], vec![0.5, 1.0]])
                } else {
                    CorrelationSpec::Common(0.5)
                },
                within: CorrelationSpec::Common(0.7),
            }),
        }),
        effects: EffectsSection {
            period: vec![0.0, 1.0],
            carryover: per_condition(0.5),
        },
        dropout: DropoutSection {
            before_first_period: 0.1,
            after_first_period: 0.1,
            after_first_period_by_condition: Some(per_condition(0.1)),
            after_period: Some(vec![0.1]),
            after_period_by_condition: Some(per_condition(vec![0.1])),
        },
        adverse_events: Some(AdverseEventsSection {
            name: "nausea".into(),
            probability: per_condition(0.2),
        }),
        response: Some(ResponseSection {
            reduction: 0.5,
            remission_max: Some(7.0),
            target_responders: 15,
        }),
        analysis: AnalysisSection {
            primary: AnalysisName::ANOVA,
            secondary: vec![AnalysisName::COMPLETERS_PAIRED],
            alpha: 0.05,
            hypothesis: HypothesisKind::Equivalence,
            better: Some(Better::Higher),
            margin: Some(0.8),
            margins: Some(vec![0.8, 1.25]),
            carryover_alpha: 0.1,
            contrast: Some(if alternative {
                ContrastSpec::Weights {
                    name: "contrast".into(),
                    weights: per_condition(1.0),
                }
            } else {
                ContrastSpec::Difference("B - A".into())
            }),
            contrasts: Some(vec![
                ContrastSpec::Difference("B - A".into()),
                ContrastSpec::Weights {
                    name: "contrast".into(),
                    weights: per_condition(1.0),
                },
            ]),
            multiplicity: Some(crossover_sim::inference::Multiplicity::Holm),
        },
        sequential: Some(SequentialSection {
            looks: vec![0.5, 1.0],
            efficacy: EfficacySection {
                spending: Some(BoundaryFamily::HwangShihDecani),
                gamma: Some(-4.0),
                rho: Some(3.0),
                classical: Some(BoundaryFamily::HaybittlePeto),
                interim_z: Some(3.0),
                z: Some(vec![3.0, 2.0]),
            },
            futility: Some(FutilitySection {
                z: Some(vec![0.5]),
                conditional_power: Some(0.2),
            }),
            harm: Some(HarmSection {
                max_difference: 0.3,
            }),
        }),
        adaptive: Some(AdaptiveSection {
            method: if alternative {
                crossover_sim::adaptive::Method::REESTIMATE
            } else {
                crossover_sim::adaptive::Method::POTVIN_C
            },
            alpha: Some(0.0294),
            alpha_powered: Some(0.05),
            assumed_gmr: Some(0.95),
            assumed_effect: Some(1.0),
            target_power: 0.8,
            power_method: Some(crossover_sim::adaptive::PowerMethod::Shifted),
            max_total: 1000,
            max_stage2: Some(100),
            inflate_for_dropout: true,
            weights: Some(vec![0.5, 0.25]),
            futility: Some(crossover_sim::config::schema::FutilityKind::Ci),
            futility_bounds: Some([0.95, 1.0 / 0.95]),
            futility_power: Some(0.8),
            futility_max_total: Some(200),
            min_stage2: Some(4),
            sizing: Some(crossover_sim::adaptive::inverse_normal::ConditionalSizing::ErrorPower),
            use_estimate: true,
            stage2: Some(12),
            blinded: true,
        }),
        bioequivalence: Some(BioequivalenceSection {
            rule: crossover_sim::inference::scaled::RuleName::EMA,
            switch_cv: Some(0.3),
            switch_swr: Some(0.294),
            cap_cv: Some(0.5),
            k: Some(0.76),
            pe_constraint: Some(true),
            ratio_limit: Some(2.5),
            true_ratio: Some(TrueRatio::ExpandedLimit),
        }),
        time_course: Some(TimeCourseSection {
            days: vec![0, 1, 3],
            primary_day: 1,
            correlation_range: (!alternative).then_some(4.0),
            correlation: alternative.then(|| vec![vec![1.0, 0.5], vec![0.5, 1.0]]),
            missing: Some(vec![0.1]),
            change: BTreeMap::from([(
                CLASS.to_string(),
                per_condition(DayChangeSection {
                    mean: vec![-1.0, -0.5],
                    sd: vec![1.0, 1.0],
                }),
            )]),
            relapse: Some(RelapseSection {
                distribution: if alternative { "log_normal" } else { "weibull" }.into(),
                visit_interval_days: 14,
                max_days: 120,
                min_washout_days: 14,
                time: BTreeMap::from([(
                    CLASS.to_string(),
                    per_condition(RelapseTimeSection {
                        median_days: 30.0,
                        shape: (!alternative).then_some(2.0),
                        sdlog: alternative.then_some(0.5),
                    }),
                )]),
            }),
        }),
        simulation: SimulationSection {
            replicates: 1000,
            seed: 7,
        },
    }
}

/// Every key path of a serialized config: tables are descended, arrays of tables give their
/// keys under the array's path (`population.classes.name`), a condition name as a map key
/// becomes `<condition>`, and a class name under `time_course.change` or
/// `time_course.relapse.time` `<class>`.
fn key_paths(value: &Json, conditions: &[String], path: &str, out: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            for (k, child) in map {
                let segment = if k == CONDITION || conditions.contains(k) {
                    "<condition>"
                } else if k == CLASS
                    || path == "time_course.change"
                    || path == "time_course.relapse.time"
                {
                    "<class>"
                } else {
                    k.as_str()
                };
                let p = if path.is_empty() {
                    segment.to_string()
                } else {
                    format!("{path}.{segment}")
                };
                out.insert(p.clone());
                key_paths(child, conditions, &p, out);
            }
        }
        Json::Array(items) => {
            for item in items.iter().filter(|i| i.is_object()) {
                key_paths(item, conditions, path, out);
            }
        }
        _ => {}
    }
}

/// Every key path the schema accepts.
fn schema_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for alternative in [false, true] {
        let config = maximal(alternative);
        // The schema reads back what it wrote: every path below is a key the loader accepts.
        let text = toml::to_string(&config).unwrap();
        let back: ConfigFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, config);
        key_paths(&serde_json::to_value(&config).unwrap(), &[], "", &mut keys);
    }
    keys
}

fn config_md() -> String {
    std::fs::read_to_string(crate_path("docs/config.md")).unwrap()
}

fn toml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn every_key_the_schema_accepts_is_documented() {
    let doc = config_md();
    let keys = schema_keys();
    assert!(keys.len() > 80, "{keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        // A section is documented as `[section]`, every other key as `section.key`.
        .filter(|k| !doc.contains(&format!("`{k}`")) && !doc.contains(&format!("`[{k}]`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/config.md does not document these keys (as `key`): {missing:?}"
    );
}

#[test]
fn the_shipped_configs_use_only_keys_of_the_maximal_config() {
    let keys = schema_keys();
    let mut files = Vec::new();
    toml_files(&crate_path("configs"), &mut files);
    assert!(files.len() >= 20);
    for file in files {
        let loaded = crossover_sim::config::load(&file, &[]).unwrap();
        let mut used = BTreeSet::new();
        key_paths(
            &serde_json::to_value(&loaded.resolved).unwrap(),
            &loaded.resolved.design.conditions,
            "",
            &mut used,
        );
        let unknown: Vec<&String> = used.difference(&keys).collect();
        assert!(
            unknown.is_empty(),
            "{}: keys missing from the maximal config of this test: {unknown:?}",
            file.display()
        );
    }
}

/// Backticked dotted words of the docs that start with a section name.
fn documented_keys(doc: &str) -> BTreeSet<String> {
    const SECTIONS: [&str; 10] = [
        "design.",
        "population.",
        "log_normal.",
        "effects.",
        "dropout.",
        "adverse_events.",
        "response.",
        "analysis.",
        "sequential.",
        "simulation.",
    ];
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| SECTIONS.iter().any(|s| w.starts_with(s)))
        .filter(|w| !w.contains([' ', '=', '"']))
        .map(|w| {
            // `population.classes[0].name` is the `--set` form of `population.classes.name`.
            let mut key = String::new();
            let mut in_index = false;
            for c in w.chars() {
                match c {
                    '[' => in_index = true,
                    ']' => in_index = false,
                    c if !in_index => key.push(c),
                    _ => {}
                }
            }
            key
        })
        .collect()
}

#[test]
fn every_key_the_docs_name_is_accepted() {
    let keys = schema_keys();
    // Named on purpose as what not to write (a homogeneous population is one class).
    let counterexamples = ["population.change.placebo"];
    let documented = documented_keys(&config_md());
    assert!(documented.len() > 60, "{}", documented.len());
    let unknown: Vec<&String> = documented
        .iter()
        .filter(|k| !keys.contains(*k) && !counterexamples.contains(&k.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/config.md names keys the schema does not accept: {unknown:?}"
    );
}

#[test]
fn every_name_an_enum_accepts_is_listed() {
    let doc = config_md();
    let quoted = |v: Json| format!("`\"{}\"`", v.as_str().unwrap());
    let mut wanted: Vec<String> = AnalysisName::all()
        .map(|a| format!("`{}`", a.as_str()))
        .collect();
    wanted.extend(
        crossover_sim::design::preset_names()
            .iter()
            .map(|p| format!("`{p}`")),
    );
    // The boundary families, as the two keys that name them spell them: every family is
    // named by exactly one of the keys.
    let spelled: Vec<&str> = spending_names()
        .iter()
        .chain(classical_names())
        .copied()
        .collect();
    assert_eq!(spelled.len(), BoundaryFamily::ALL.len(), "{spelled:?}");
    wanted.extend(spelled.iter().map(|name| format!("`\"{name}\"`")));
    // Exhaustive matches: a new variant does not compile until it is listed here.
    for h in [
        HypothesisKind::TwoSided,
        HypothesisKind::Superiority,
        HypothesisKind::NonInferiority,
        HypothesisKind::Equivalence,
    ] {
        match h {
            HypothesisKind::TwoSided
            | HypothesisKind::Superiority
            | HypothesisKind::NonInferiority
            | HypothesisKind::Equivalence => {}
        }
        wanted.push(quoted(serde_json::to_value(h).unwrap()));
    }
    for b in [Better::Higher, Better::Lower] {
        match b {
            Better::Higher | Better::Lower => {}
        }
        wanted.push(quoted(serde_json::to_value(b).unwrap()));
    }
    for r in [RandomizationKind::Simple, RandomizationKind::PermutedBlocks] {
        match r {
            RandomizationKind::Simple | RandomizationKind::PermutedBlocks => {}
        }
        wanted.push(quoted(serde_json::to_value(r).unwrap()));
    }
    wanted.extend(
        crossover_sim::inference::scaled::RuleName::names()
            .iter()
            .map(|r| format!("`\"{r}\"`")),
    );
    wanted.push("`\"expanded_limit\"`".to_string());
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| !doc.contains(w.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/config.md does not list: {missing:?}"
    );
}

/// Configs into which a TOML example of the docs is put, replacing the sections it gives.
fn bases() -> Vec<(&'static str, String)> {
    let placebo_drug = r#"
name = "example"
[design]
conditions = ["placebo", "drug"]
enrolled = 24
[population]
correlation = 0.5
[[population.classes]]
name = "all"
probability = 1.0
change.placebo = { mean = 0.0, sd = 1.0 }
change.drug = { mean = 0.5, sd = 1.0 }
[analysis]
primary = "anova"
"#;
    let three = r#"
name = "example"
[design]
conditions = ["placebo", "low", "high"]
preset = "3x6x3"
enrolled = 36
[population]
correlation = 0.5
[[population.classes]]
name = "all"
probability = 1.0
change.placebo = { mean = 0.0, sd = 1.0 }
change.low = { mean = 0.3, sd = 1.0 }
change.high = { mean = 0.5, sd = 1.0 }
[analysis]
primary = "anova"
"#;
    let ratio = r#"
name = "example"
[design]
conditions = ["R", "T"]
preset = "2x2"
enrolled = 40
[log_normal]
gmr = { T = 0.95 }
cv_within = 0.3
[analysis]
primary = "anova"
"#;
    let replicate = ratio.replace("preset = \"2x2\"", "preset = \"2x2x4\"");
    let williams = std::fs::read_to_string(crate_path("configs/williams2018.toml")).unwrap();
    vec![
        (
            "a ratio endpoint in the full replicate RTRT/TRTR",
            replicate,
        ),
        ("two conditions placebo and drug", placebo_drug.to_string()),
        ("three conditions placebo, low and high", three.to_string()),
        ("a ratio endpoint with R and T", ratio.to_string()),
        ("configs/williams2018.toml", williams),
        (
            "configs/time_course/exact.toml",
            std::fs::read_to_string(crate_path("configs/time_course/exact.toml")).unwrap(),
        ),
    ]
}

#[test]
fn every_toml_example_of_the_docs_validates() {
    let doc = config_md();
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(text), "```") => {
                examples.push(std::mem::take(text));
                current = None;
            }
            (Some(text), l) => {
                text.push_str(l);
                text.push('\n');
            }
            _ => {}
        }
    }
    assert!(examples.len() >= 12, "{}", examples.len());
    for example in examples {
        let fragment: toml::Table = example
            .parse()
            .unwrap_or_else(|e| panic!("not TOML: {e}\n{example}"));
        let mut errors = Vec::new();
        let fits = bases().into_iter().any(|(what, base)| {
            let mut table: toml::Table = base.parse().unwrap();
            for (section, value) in &fragment {
                // A ratio endpoint replaces [population], and the other way round.
                match section.as_str() {
                    "log_normal" => table.remove("population"),
                    "population" => table.remove("log_normal"),
                    _ => None,
                };
                table.insert(section.clone(), value.clone());
            }
            let text = toml::to_string(&table).unwrap();
            match crossover_sim::config::parse(&text, "example", &[])
                .map_err(|e| e.to_string())
                .and_then(|l| {
                    crossover_sim::run::simulator(&l)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }) {
                Ok(()) => true,
                Err(e) => {
                    errors.push(format!("in {what}: {e}"));
                    false
                }
            }
        });
        assert!(
            fits,
            "this example of docs/config.md validates in none of the test's configs:\n{example}\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_init_template_points_to_documents_of_the_repository() {
    let text = Template::new("2x2", None, "normal", "t").unwrap().render();
    for doc in ["docs/config.md", "docs/model.md"] {
        assert!(text.contains(doc));
        assert!(crate_path(doc).exists(), "{doc} is missing");
    }
}

/// The first thing a new user tried for a homogeneous population was `population.change`; the
/// error says how to write it and where it is documented.
#[test]
fn a_population_without_classes_is_answered_with_the_one_class_form() {
    let text = r#"
name = "homogeneous"
[design]
conditions = ["placebo", "drug"]
enrolled = 30
[population]
correlation = 0.5
change.placebo = { mean = 0.0, sd = 1.0 }
change.drug = { mean = 0.5, sd = 1.0 }
[analysis]
primary = "completers_paired"
"#;
    let e = crossover_sim::config::parse(text, "homogeneous.toml", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown key `change` in [population]")
            && e.contains("a homogeneous population is one class, [[population.classes]]")
            && e.contains("docs/config.md"),
        "{e}"
    );
}

/// GitHub's anchor of a Markdown heading.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

/// The README, the documents and the configs name only files of the repository (no
/// `../shared/SPEC.md`, no "SPEC section" citations), and every relative link and anchor of the
/// README and the documents resolves.
#[test]
fn the_documents_link_only_to_files_of_the_repository() {
    let root = crate_path("").canonicalize().unwrap();
    let mut files = vec![crate_path("README.md")];
    for entry in std::fs::read_dir(crate_path("docs")).unwrap() {
        let path = entry.unwrap().path();
        // docs/examples/ holds committed outputs, not documents.
        if path.is_file() {
            files.push(path);
        }
    }
    let mut configs = Vec::new();
    toml_files(&crate_path("configs"), &mut configs);
    for file in files.iter().chain(&configs) {
        let text = std::fs::read_to_string(file).unwrap();
        for outside in ["SPEC", "../shared", "/work/", "seed file"] {
            assert!(
                !text.contains(outside),
                "{} refers to {outside:?}, which is not in the repository",
                file.display()
            );
        }
    }
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        for link in text.split("](").skip(1) {
            let Some(target) = link.split(')').next() else {
                continue;
            };
            if target.starts_with("http") || target.contains(' ') {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            let canonical = resolved.canonicalize().unwrap_or_else(|_| {
                panic!("{}: the link {target} names a missing file", file.display())
            });
            assert!(
                canonical.starts_with(&root),
                "{}: the link {target} leaves the repository",
                file.display()
            );
            if !fragment.is_empty() {
                let linked = std::fs::read_to_string(&canonical).unwrap();
                assert!(
                    anchors(&linked).contains(fragment),
                    "{}: the link {target} names no heading of {}",
                    file.display(),
                    canonical.display()
                );
            }
        }
    }
}
