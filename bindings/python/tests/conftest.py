"""Where the repository and the command line are, for the tests that compare the package with
the command line at the same seed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def repo_file(*parts: str) -> str:
    path = ROOT.joinpath(*parts)
    if not path.exists():
        pytest.skip("not inside the crossover-sim repository")
    return str(path)


def cli_binary() -> str:
    """$CROSSOVER_SIM_BIN, a build in the repository's target folder (built with
    `cargo build --release` when there is none), or crossover-sim on the PATH."""
    env = os.environ.get("CROSSOVER_SIM_BIN")
    if env:
        return env
    for profile in ("release", "opt-test"):
        built = ROOT / "target" / profile / "crossover-sim"
        if built.exists():
            return str(built)
    if (ROOT / "Cargo.toml").exists() and shutil.which("cargo"):
        subprocess.run(
            ["cargo", "build", "--release", "--quiet", "--manifest-path", str(ROOT / "Cargo.toml")],
            check=True,
        )
        return str(ROOT / "target" / "release" / "crossover-sim")
    on_path = shutil.which("crossover-sim")
    if on_path:
        return on_path
    pytest.skip("the crossover-sim command line is not built")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([cli_binary(), *args], capture_output=True, text=True)
