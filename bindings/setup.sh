#!/usr/bin/env bash
# Installs what building and testing the R and Python packages needs, once per machine:
# R with its headers, testthat and jsonlite (Debian's r-base-dev, r-cran-testthat,
# r-cran-jsonlite; with apt-get, as root), and maturin, pytest and pandas (pip). Rust (cargo)
# must already be installed. Then, from the repository's root:
#   R CMD INSTALL bindings/r && Rscript bindings/r/tests/run.R
#   pip install "./bindings/python[test]" && pytest bindings/python
set -euo pipefail
r_ready() {
  command -v R >/dev/null 2>&1 && [ -f "$(R RHOME)/include/R.h" ] \
    && Rscript -e 'stopifnot(requireNamespace("testthat", quietly = TRUE), requireNamespace("jsonlite", quietly = TRUE))' >/dev/null 2>&1
}
if ! r_ready; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-dev r-cran-testthat r-cran-jsonlite >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-dev r-cran-testthat r-cran-jsonlite >/dev/null
  else
    echo "setup: install R (with its headers), and the R packages testthat and jsonlite" >&2
    exit 1
  fi
fi
python3 -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2" pytest pandas
echo "setup: R $(Rscript -e 'cat(format(getRversion()))'), testthat, jsonlite, $(python3 -m maturin --version) ready"
