//! The command that reproduces a result, recorded in every output.
//!
//! It names the config as it was given, every `--set` argument in order, and the resolved seed
//! and replicate count, so that running it (from the same folder, with the same version) gives
//! the same results byte for byte apart from timing. Options that do not change results
//! (`--out`, `--threads`, `--quiet`) are left out, which also makes the command recorded by a
//! reproduction identical to the one it was run from.

use crate::config::LoadedConfig;

/// The program name used in recorded commands.
pub const PROGRAM: &str = "crossover-sim";

/// `arg` quoted for a POSIX shell when it contains anything but plainly safe characters.
pub fn quote(arg: &str) -> String {
    let safe = !arg.is_empty()
        && arg.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | ':' | '=' | ',' | '+' | '@' | '%')
        });
    if safe {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `crossover-sim` followed by `args`, each quoted as needed.
pub fn command<S: AsRef<str>>(args: &[S]) -> String {
    std::iter::once(PROGRAM.to_string())
        .chain(args.iter().map(|a| quote(a.as_ref())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--set A --set B ...` for the given arguments.
pub fn set_args(overrides: &[String]) -> Vec<String> {
    overrides
        .iter()
        .flat_map(|o| ["--set".to_string(), o.clone()])
        .collect()
}

/// The arguments after the subcommand that fix the config: the path, every `--set`, the seed
/// and the replicate count.
pub fn config_args(loaded: &LoadedConfig) -> Vec<String> {
    let mut args = vec![loaded.origin.clone()];
    args.extend(set_args(&loaded.overrides));
    args.extend([
        "--seed".to_string(),
        loaded.design.seed().to_string(),
        "--replicates".to_string(),
        loaded.design.replicates().to_string(),
    ]);
    args
}

/// `crossover-sim run CONFIG [--set ...] --seed S --replicates R`.
pub fn run_command(loaded: &LoadedConfig) -> String {
    let mut args = vec!["run".to_string()];
    args.extend(config_args(loaded));
    command(&args)
}

/// A short stable hash of the `--set` arguments (None without any), used in file names so that
/// results of different overrides never overwrite each other.
pub fn overrides_tag(overrides: &[String]) -> Option<String> {
    if overrides.is_empty() {
        return None;
    }
    let hash = fnv1a(overrides.join("\n").as_bytes());
    Some(format!("set-{}", &hash[..8]))
}

/// FNV-1a 64-bit hash, used to identify configs and to detect corrupted summaries.
pub fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_the_shell_would_change() {
        assert_eq!(quote("design.enrolled=40"), "design.enrolled=40");
        assert_eq!(
            quote("sequential.looks=[0.5, 1]"),
            "'sequential.looks=[0.5, 1]'"
        );
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(
            command(&["run", "a b.toml"]),
            "crossover-sim run 'a b.toml'"
        );
    }

    #[test]
    fn the_tag_depends_on_the_overrides_and_their_order() {
        let a = overrides_tag(&["x=1".into(), "y=2".into()]);
        let b = overrides_tag(&["y=2".into(), "x=1".into()]);
        assert!(a.is_some() && a != b);
        assert_eq!(overrides_tag(&[]), None);
        assert_eq!(a.unwrap().len(), "set-".len() + 8);
    }
}
