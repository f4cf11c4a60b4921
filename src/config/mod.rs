//! Loading a trial config: read TOML, apply `--set` overrides, deserialize, validate.
//!
//! Stage one (`schema`) mirrors the file and fills defaults; stage two (`validate`)
//! produces the domain types of `design`. Errors name the file, key, value and
//! what is allowed.

pub mod design;
pub mod overrides;
pub mod schema;
pub mod validate;

pub use design::*;
pub use overrides::Override;
pub use schema::ConfigFile;

use std::path::Path;

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
    /// The TOML is malformed, has an unknown key or a value of the wrong type.
    #[error("{file}: {message}")]
    Parse {
        /// Path as given.
        file: String,
        /// The parser's message (names the line and key).
        message: String,
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
    /// A `--set` override could not be parsed or applied.
    #[error("--set {text}: {reason}")]
    Override {
        /// The override as written.
        text: String,
        /// Why it failed.
        reason: String,
    },
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
                value,
                allowed,
            },
            // An override that cannot be applied must say to which config (batch and validate
            // apply the same --set to many files).
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
    /// The resolved config (defaults filled in), as written back into results.
    pub resolved: ConfigFile,
    /// The validated design.
    pub design: TrialDesign,
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
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            file: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
    // Deserialize from text (not from the table) so that errors carry the line and a snippet
    // that shows the key; with overrides the text is the overridden table written back.
    let overridden;
    let source = if overrides.is_empty() {
        text
    } else {
        overrides::apply_all(&mut table, overrides).map_err(|e| e.in_file(origin))?;
        overridden = toml::to_string(&table).map_err(|e| ConfigError::Parse {
            file: origin.to_string(),
            message: e.to_string(),
        })?;
        overridden.as_str()
    };
    let mut resolved: ConfigFile = toml::from_str(source).map_err(|e: toml::de::Error| {
        let mut message = e.to_string().trim_end().to_string();
        if !overrides.is_empty() {
            message.push_str("\n(line numbers refer to the config after applying --set overrides)");
        }
        ConfigError::Parse {
            file: origin.to_string(),
            message,
        }
    })?;
    let design = validate::validate(&resolved).map_err(|e| e.in_file(origin))?;
    validate::resolve_defaults(&mut resolved, &design);
    Ok(LoadedConfig {
        origin: origin.to_string(),
        resolved,
        design,
    })
}

/// Re-validates a resolved config with extra overrides (used by sweeps and claims).
pub fn with_overrides(
    base: &LoadedConfig,
    overrides: &[Override],
) -> Result<LoadedConfig, ConfigError> {
    let text = toml::to_string(&base.resolved).map_err(|e| ConfigError::Parse {
        file: base.origin.clone(),
        message: e.to_string(),
    })?;
    parse(&text, &base.origin, overrides)
}
