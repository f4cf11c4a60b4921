#!/usr/bin/env bash
# Builds the R source tarball crossoversim_<version>.tar.gz with the core crate inside it, so
# that `R CMD check` (and `R CMD INSTALL` of the tarball anywhere) needs no repository around
# the package: in the repository, src/rust/Cargo.toml reaches the core crate by the path
# ../../../..; in the tarball, by the copy bundled at src/rust/crossover-sim.
#
# The copy is the crate as `cargo package` ships it (its Cargo.toml `exclude`s bindings,
# results, docs and fuzz), without its tests. Crates from crates.io are fetched when the
# tarball is installed, as for any package with Rust code.
# Usage: bindings/r/bundle.sh [OUT_DIR]     (then: R CMD check OUT_DIR/crossoversim_*.tar.gz)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-.}" && cd "${1:-.}" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/crossoversim"
(cd "$here" && tar --exclude=./src/rust/target --exclude=./src/rust/lib --exclude=./src/rust/.cargo \
  --exclude='./src/*.o' --exclude='./src/*.so' -cf - .) | tar -xf - -C "$stage/crossoversim"

(cd "$root" && cargo package --no-verify --allow-dirty --quiet --target-dir "$stage/cargo")
crate=$(ls "$stage"/cargo/package/crossover-sim-*.crate)
tar -xzf "$crate" -C "$stage"
core="$stage/crossoversim/src/rust/crossover-sim"
mv "$stage"/crossover-sim-*/ "$core"
# The core crate's own tests need the repository's docs; the package builds only its library.
rm -rf "$core/tests" "$core/.ci" "$core/.gitignore" "$core/.cargo_vcs_info.json" "$core/Cargo.toml.orig"
sed -i 's|path = "../../../.."|path = "crossover-sim"|' "$stage/crossoversim/src/rust/Cargo.toml"
grep -q 'path = "crossover-sim"' "$stage/crossoversim/src/rust/Cargo.toml"

(cd "$out" && R CMD build --no-build-vignettes "$stage/crossoversim")
ls "$out"/crossoversim_*.tar.gz
