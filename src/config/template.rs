//! Starting configs for `crossover-sim init`: a commented TOML file for a named design and an
//! endpoint, which validates and runs as written.
//!
//! Optional sections are included switched off, as lines starting with `#` directly followed by
//! TOML (`#[sequential]`); removing those `#`s gives a config that still validates (tested), so
//! a user can switch each one on by deleting one character per line. Prose comments start with
//! `# `.

use crate::design::{preset, preset_names, preset_sequences, MAX_PERIODS};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The endpoint a template is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateEndpoint {
    /// A score on its own scale (`[population]`).
    Normal,
    /// A ratio endpoint such as AUC or Cmax (`[log_normal]`).
    LogNormal,
}

/// The endpoint spellings.
pub const ENDPOINT_NAMES: [&str; 2] = ["normal", "log_normal"];

impl TemplateEndpoint {
    /// `normal` or `log_normal`; an error names the parameter `endpoint`.
    pub fn parse(text: &str) -> Result<TemplateEndpoint, String> {
        TemplateEndpoint::parse_as(TemplateLabels::default().endpoint, text)
    }

    /// [`TemplateEndpoint::parse`] for a caller that calls the parameter `label`.
    pub fn parse_as(label: &str, text: &str) -> Result<TemplateEndpoint, String> {
        match text {
            "normal" => Ok(TemplateEndpoint::Normal),
            "log_normal" => Ok(TemplateEndpoint::LogNormal),
            other => Err(format!(
                "{label} {other}: choose normal (a score on its own scale) or log_normal (a ratio endpoint such as AUC or Cmax)"
            )),
        }
    }
}

/// What the caller calls a template's parameters, in error messages: by default their own
/// names (`design`, `conditions`, `endpoint`, and `file` for the file written); the command
/// line gives its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateLabels {
    /// The named design.
    pub design: &'static str,
    /// The condition names.
    pub conditions: &'static str,
    /// The endpoint.
    pub endpoint: &'static str,
    /// The file written ([`write_new_as`]).
    pub file: &'static str,
}

impl Default for TemplateLabels {
    fn default() -> TemplateLabels {
        TemplateLabels {
            design: "design",
            conditions: "conditions",
            endpoint: "endpoint",
            file: "file",
        }
    }
}

/// What `init` writes: a named design, its conditions, the endpoint and the config's name.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The preset name (`design.preset`).
    pub design: String,
    /// Condition names, the reference first.
    pub conditions: Vec<String>,
    /// The endpoint.
    pub endpoint: TemplateEndpoint,
    /// The config's `name` (its results folder).
    pub name: String,
    sequences: Vec<String>,
}

/// The number of conditions of a preset (`williams` takes any number; 3 by default).
fn conditions_of(design: &str) -> Option<usize> {
    preset(design).and_then(|p| p.conditions)
}

/// R, T for two conditions; R, T1, T2, ... for more.
fn default_conditions(k: usize) -> Vec<String> {
    if k == 2 {
        return vec!["R".into(), "T".into()];
    }
    std::iter::once("R".to_string())
        .chain((1..k).map(|i| format!("T{i}")))
        .collect()
}

impl Template {
    /// Checks the arguments: `design` one of [`preset_names`], `conditions` (when given) as many
    /// distinct non-empty names as the design has conditions, `endpoint` one of
    /// [`ENDPOINT_NAMES`]. The message of an error names the parameter (as
    /// [`TemplateLabels::default`] calls it), the value and what is allowed.
    pub fn new(
        design: &str,
        conditions: Option<&[String]>,
        endpoint: &str,
        name: &str,
    ) -> Result<Template, String> {
        Template::new_as(
            &TemplateLabels::default(),
            design,
            conditions,
            endpoint,
            name,
        )
    }

    /// [`Template::new`] for a caller that calls the parameters as `labels` says (the command
    /// line gives its flags), in error messages.
    pub fn new_as(
        labels: &TemplateLabels,
        design: &str,
        conditions: Option<&[String]>,
        endpoint: &str,
        name: &str,
    ) -> Result<Template, String> {
        let (design_label, conditions_label) = (labels.design, labels.conditions);
        if preset(design).is_none() {
            return Err(format!(
                "{design_label} {design}: not a named design; choose one of {}",
                preset_names().join(", ")
            ));
        }
        let endpoint = TemplateEndpoint::parse_as(labels.endpoint, endpoint)?;
        let conditions = match conditions {
            None => default_conditions(conditions_of(design).unwrap_or(3)),
            Some(list) => {
                let list: Vec<String> = list.iter().map(|c| c.trim().to_string()).collect();
                let shown = list.join(",");
                match conditions_of(design) {
                    Some(k) if list.len() != k => {
                        return Err(format!(
                            "{conditions_label} {shown}: the {design} design has {k} conditions; give {k} names, the reference first"
                        ))
                    }
                    None if !(2..=MAX_PERIODS).contains(&list.len()) => {
                        return Err(format!(
                            "{conditions_label} {shown}: a Williams design here takes from 2 to {MAX_PERIODS} conditions (one period each)"
                        ))
                    }
                    _ => {}
                }
                if let Some(bad) = list
                    .iter()
                    .find(|c| c.is_empty() || c.chars().any(char::is_control))
                {
                    return Err(format!(
                        "{conditions_label} {shown}: {bad:?} is not a condition name (names are non-empty text without control characters)"
                    ));
                }
                for (i, c) in list.iter().enumerate() {
                    if list[..i].contains(c) {
                        return Err(format!(
                            "{conditions_label} {shown}: {c:?} is given twice; condition names must differ"
                        ));
                    }
                }
                list
            }
        };
        let sequences = preset_sequences(design, conditions.len())
            .map_err(|why| format!("{design_label} {design} {why}"))?;
        Ok(Template {
            design: design.to_string(),
            conditions,
            endpoint,
            name: name.to_string(),
            sequences,
        })
    }

    /// The preset's sequences (letters: A = the first condition, ...).
    pub fn sequences(&self) -> &[String] {
        &self.sequences
    }

    fn periods(&self) -> usize {
        self.sequences.first().map_or(2, String::len)
    }

    /// Whether some sequence gives a condition twice (a replicate design).
    fn replicate(&self) -> bool {
        self.sequences.iter().any(|s| {
            let b = s.as_bytes();
            (0..b.len()).any(|i| b[..i].contains(&b[i]))
        })
    }

    /// Whether the design is the AB/BA 2x2 (where the 2x2-only analyses apply).
    fn two_by_two(&self) -> bool {
        self.sequences == ["AB", "BA"]
    }

    /// Participants: 40 for the bioequivalence 2x2 (power about 0.82 at CV 0.30 and GMR 0.95),
    /// otherwise 24, rounded up to a multiple of the number of sequences so that the permuted
    /// blocks fill every sequence equally.
    fn enrolled(&self) -> usize {
        let base: usize = if self.endpoint == TemplateEndpoint::LogNormal && self.two_by_two() {
            40
        } else {
            24
        };
        base.div_ceil(self.sequences.len()) * self.sequences.len()
    }

    /// The commented config.
    pub fn render(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        // A condition name as a key: bare when TOML allows it, quoted otherwise.
        let key = |s: &str| {
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                s.to_string()
            } else {
                q(s)
            }
        };
        let list = |items: &[String]| items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ");
        let table = |value: &dyn Fn(usize) -> String| {
            self.conditions
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{} = {}", key(c), value(i)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let tests = &self.conditions[1..];
        let legend = self
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = {c}", (b'A' + i as u8) as char))
            .collect::<Vec<_>>()
            .join(", ");
        let endpoint = match self.endpoint {
            TemplateEndpoint::Normal => "normal endpoint",
            TemplateEndpoint::LogNormal => "ratio endpoint (log-normal)",
        };
        let mut t = String::new();
        let _ = writeln!(
            t,
            "# A starting config: the {} design, {endpoint}, written by `crossover-sim init`.",
            self.design
        );
        t.push_str(
            "# Every key is described in docs/config.md and the model in docs/model.md. Check the file\n\
             # with `crossover-sim validate FILE`, run it with `crossover-sim run FILE`.\n\
             # Lines starting with `#` directly followed by TOML (`#[sequential]`) are optional\n\
             # sections switched off: delete the `#`s of a section to switch it on.\n",
        );
        let _ = writeln!(t, "name = {}", q(&self.name));
        let _ = writeln!(
            t,
            "description = {}",
            q(&format!(
                "{} crossover, {} vs {} ({endpoint}): edit me",
                self.design,
                tests.join(", "),
                self.conditions[0]
            ))
        );
        t.push_str("\n[design]\n");
        let _ = writeln!(
            t,
            "conditions = [{}]  # the first is the reference (or name it: reference = \"...\")",
            list(&self.conditions)
        );
        let _ = writeln!(
            t,
            "preset = {}  # sequences {} ({legend})",
            q(&self.design),
            self.sequences.join(", ")
        );
        let _ = writeln!(
            t,
            "enrolled = {}  # participants randomized; a multiple of the {} sequences keeps them balanced",
            self.enrolled(),
            self.sequences.len()
        );
        t.push_str(
            "randomization = { kind = \"permuted_blocks\" }  # or \"simple\"; block_size = a multiple of the sequences\n",
        );
        match self.endpoint {
            TemplateEndpoint::Normal => {
                t.push_str(
                    "\n# The endpoint on its own scale. One latent class is a homogeneous population; add\n\
                     # [[population.classes]] tables (probabilities summing to 1) for a mixture, e.g. of\n\
                     # responsive and non-responsive participants. Baseline scores, a rating scale and a\n\
                     # responder definition are optional (docs/config.md, [population] and [response]).\n\
                     [population]\n\
                     correlation = 0.5  # between one participant's latent values under different conditions\n",
                );
                if self.replicate() {
                    let _ = writeln!(
                        t,
                        "within_sd = {{ {} }}  # occasion-to-occasion noise: needed when a condition is given twice",
                        table(&|_| "0.5".to_string())
                    );
                } else {
                    let _ = writeln!(
                        t,
                        "#within_sd = {{ {} }}  # occasion-to-occasion noise per condition (default 0)",
                        table(&|_| "0.5".to_string())
                    );
                }
                t.push_str("\n[[population.classes]]\nname = \"all\"\nprobability = 1.0\n");
                for (i, c) in self.conditions.iter().enumerate() {
                    let mean = if i == 0 { "0.0" } else { "0.5" };
                    let note = if i == 0 {
                        "  # mean change under the reference"
                    } else if i == 1 {
                        "  # the effect of this condition minus the reference is 0.5"
                    } else {
                        ""
                    };
                    let _ = writeln!(t, "change.{} = {{ mean = {mean}, sd = 1.0 }}{note}", key(c));
                }
            }
            TemplateEndpoint::LogNormal => {
                let gmr = tests
                    .iter()
                    .map(|c| format!("{} = 0.95", key(c)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(
                    t,
                    "\n# A ratio endpoint (AUC, Cmax), simulated and analysed on the log scale.\n\
                     [log_normal]\n\
                     gmr = {{ {gmr} }}  # geometric mean ratio of each condition to the reference\n\
                     cv_within = 0.30  # within-participant CV (one value, or one per condition)\n\
                     cv_between = 0.40  # between-participant CV (cancels in within-participant contrasts)\n\
                     #interaction_sd = 0.1  # participant-by-condition interaction, SD on the log scale"
                );
            }
        }
        let zeros = vec!["0.0"; self.periods()].join(", ");
        let _ = writeln!(
            t,
            "\n# Period effects (one per period) and first-order carryover (added in the next period).\n\
             #[effects]\n\
             #period = [{zeros}]\n\
             #carryover = {{ {} }}",
            table(&|_| "0.0".to_string())
        );
        let dropout = vec!["0.05"; self.periods() - 1].join(", ");
        let _ = writeln!(
            t,
            "\n# Withdrawal before the first period and discontinuation after each period but the last.\n\
             #[dropout]\n\
             #before_first_period = 0.05\n\
             #after_period = [{dropout}]"
        );
        let _ = writeln!(
            t,
            "\n# An adverse event, for the harm rule of [sequential].\n\
             #[adverse_events]\n\
             #name = \"nausea\"\n\
             #probability = {{ {} }}",
            table(&|i| if i == 0 { "0.10" } else { "0.20" }.to_string())
        );
        t.push_str("\n[analysis]\n");
        t.push_str(
            "primary = \"anova\"  # the linear model with participant, period and condition effects\n",
        );
        let secondary: &[&str] = if self.endpoint == TemplateEndpoint::LogNormal {
            // Bioequivalence is decided by TOST on the primary; the paired difference tests
            // and the 2x2's carryover test would test a difference, not equivalence.
            t.push_str(
                "# no secondary analyses: TOST on the primary decides bioequivalence; the difference
                 # tests (completers_paired, wilcoxon_paired) would test a difference, not equivalence
",
            );
            &[]
        } else if self.two_by_two() {
            &[
                "completers_paired",
                "period_adjusted",
                "first_period",
                "carryover",
                "wilcoxon_paired",
            ]
        } else {
            &["completers_paired", "wilcoxon_paired"]
        };
        if !secondary.is_empty() {
            let _ = writeln!(
                t,
                "secondary = [{}]",
                secondary
                    .iter()
                    .map(|s| q(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        match self.endpoint {
            TemplateEndpoint::Normal => t.push_str(
                "alpha = 0.05  # two-sided; hypothesis = \"superiority\", \"non_inferiority\" or \"equivalence\" otherwise\n",
            ),
            TemplateEndpoint::LogNormal => t.push_str(
                "hypothesis = \"equivalence\"  # average bioequivalence: two one-sided tests (TOST)\n\
                 margins = [0.80, 1.25]  # the 90% CI of the ratio must lie within these\n\
                 alpha = 0.05  # the level of each one-sided test\n",
            ),
        }
        if self.conditions.len() > 2 {
            let _ = writeln!(
                t,
                "# The primary contrast (default: {} - {}); weights are possible too.\n#contrast = {}",
                tests[0],
                self.conditions[0],
                q("B - A")
            );
        }
        let futility = match self.endpoint {
            TemplateEndpoint::Normal => "stop at the interim when |z| < 0.5 (non-binding)",
            TemplateEndpoint::LogNormal => {
                "stop at the interim when the smaller of TOST's two one-sided statistics is below 0.5 (non-binding)"
            }
        };
        let _ = write!(
            t,
            "\n# Interim looks and stopping rules (a fixed design without this section).\n\
             #[sequential]\n\
             #looks = [0.5, 1]  # fractions of design.enrolled, or enrollment counts\n\
             #efficacy = {{ spending = \"obrien_fleming\" }}  # or pocock, hwang_shih_decani, kim_demets, ...\n\
             #futility = {{ z = [0.5] }}  # {futility}\n\
             #harm = {{ max_difference = 0.3 }}  # needs [adverse_events]\n",
        );
        t.push_str(
            "\n[simulation]\n\
             replicates = 10000  # 100000 for final figures\n\
             seed = 1\n",
        );
        t
    }
}

/// `trial_<design>.toml`, the default file of `init`.
pub fn default_file(design: &str) -> PathBuf {
    PathBuf::from(format!("trial_{design}.toml"))
}

/// A config name for the file `path`: its stem with every character a name may not hold
/// replaced by `_` (`trial` when nothing is left).
pub fn name_for(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.').to_string();
    if name.is_empty() {
        "trial".to_string()
    } else {
        name
    }
}

/// Why `init` could not write its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The file exists (bad input: exit status 2).
    Exists(String),
    /// The file could not be created or written (exit status 1).
    Io(String),
}

/// Writes `text` to a new file at `path`; an existing file is never overwritten (the message
/// names it and says what to do). Errors call the path `file`.
pub fn write_new(path: &Path, text: &str) -> Result<(), WriteError> {
    write_new_as(TemplateLabels::default().file, path, text)
}

/// [`write_new`] for a caller that calls the path `label` (the command line gives its flag).
pub fn write_new_as(label: &str, path: &Path, text: &str) -> Result<(), WriteError> {
    use std::io::Write as _;
    let shown = path.display();
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(WriteError::Exists(format!(
                "{label} {shown}: the file already exists and is left as it is; choose another {label} or delete it first"
            )))
        }
        Err(e) => {
            return Err(WriteError::Io(format!(
                "{label} {shown}: cannot create the file: {e}"
            )))
        }
    };
    let written = file
        .write_all(text.as_bytes())
        .and_then(|_| file.sync_all());
    if let Err(e) = written {
        // Leave nothing half-written behind.
        let _ = std::fs::remove_file(path);
        return Err(WriteError::Io(format!(
            "{label} {shown}: cannot write the file: {e}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_parameters_as_the_caller_calls_them() {
        let e = Template::new("5x5", None, "normal", "t").unwrap_err();
        assert!(e.starts_with("design 5x5: not a named design"), "{e}");
        let e = Template::new("2x2", None, "binary", "t").unwrap_err();
        assert!(e.starts_with("endpoint binary: choose normal"), "{e}");
        let pair = ["A".to_string(), "A".to_string()];
        let e = Template::new("2x2", Some(&pair), "normal", "t").unwrap_err();
        assert!(e.starts_with("conditions A,A: \"A\" is given twice"), "{e}");
        let flags = TemplateLabels {
            design: "--design",
            conditions: "--conditions",
            endpoint: "--endpoint",
            file: "--out",
        };
        let e = Template::new_as(&flags, "5x5", None, "normal", "t").unwrap_err();
        assert!(e.starts_with("--design 5x5: not a named design"), "{e}");
        let e = Template::new_as(&flags, "2x2", Some(&pair), "normal", "t").unwrap_err();
        assert!(e.starts_with("--conditions A,A:"), "{e}");
    }

    #[test]
    fn an_existing_file_is_named_as_the_caller_calls_it() {
        let path = std::env::temp_dir().join(format!("template-test-{}.toml", std::process::id()));
        std::fs::write(&path, "kept").unwrap();
        let shown = path.display();
        match write_new(&path, "new") {
            Err(WriteError::Exists(m)) => assert_eq!(
                m,
                format!("file {shown}: the file already exists and is left as it is; choose another file or delete it first")
            ),
            other => panic!("{other:?}"),
        }
        match write_new_as("--out", &path, "new") {
            Err(WriteError::Exists(m)) => {
                assert!(m.starts_with(&format!("--out {shown}: ")), "{m}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept");
        std::fs::remove_file(&path).unwrap();
    }
}
