"""crossover-sim from Python: Monte Carlo operating characteristics of crossover trials.

Each function takes a config (a TOML file's path or TOML text) plus overrides and returns the
command line's results at the same seed: tidy tables as pandas DataFrames when pandas is
installed (lists of dicts otherwise) and the full report as a dict. Errors raise
:class:`CrossoverSimError` with the command line's message; Ctrl-C stops a run and raises
``KeyboardInterrupt``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._native import CrossoverSimError

__all__ = [
    "CrossoverSimError",
    "run",
    "sweep",
    "validate",
    "boundaries",
    "samplesize",
    "init",
]

Config = Union[str, "os.PathLike[str]"]
Overrides = Union[Mapping[str, Any], Sequence[str], None]

try:  # pandas is optional: tables are lists of dicts without it
    import pandas as _pd
except ImportError:  # pragma: no cover - exercised where pandas is absent
    _pd = None

# The column types of the tidy CSV files (docs/outputs.md); a sweep's swept keys are typed by
# their values.
_INTEGER = {"look", "responders", "point"}
_NUMBER = {"estimate", "se", "ci_low", "ci_high", "seed", "replicates"}
_LOGICAL = {"under_null"}
_TEXT = {
    "quantity", "analysis", "contrast", "condition", "reason", "name", "config_file",
    "overrides", "version", "command", "status",
}


def _config(config: Config) -> str:
    return os.fspath(config)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v))


def _set_strings(set: Overrides) -> List[str]:
    """``{"design.enrolled": 40}`` (or ``["design.enrolled=40"]``) as KEY=VALUE strings."""
    if set is None:
        return []
    if isinstance(set, str):
        return [set]
    if isinstance(set, Mapping):
        return [f"{k}={_toml_value(v)}" for k, v in set.items()]
    return [str(s) for s in set]


def _progress(progress: Optional[bool]) -> bool:
    if progress is None:
        return sys.stderr is not None and sys.stderr.isatty()
    return bool(progress)


def _cell(column: str, text: str) -> Any:
    if text == "":
        return None
    if column in _LOGICAL:
        return text == "TRUE"
    if column in _INTEGER:
        return int(text)
    if column in _NUMBER:
        return float(text)
    try:
        return float(text) if column not in _TEXT else text
    except ValueError:
        return text



def _table(text: str) -> Any:
    """A tidy CSV text as a DataFrame (pandas) or a list of dicts; blank cells are missing."""
    if _pd is not None:
        header = next(csv.reader(io.StringIO(text)))
        dtype: Dict[str, Any] = {c: "Int64" for c in header if c in _INTEGER}
        dtype.update({c: "float64" for c in header if c in _NUMBER})
        dtype.update({c: "object" for c in header if c in _TEXT})
        frame = _pd.read_csv(
            io.StringIO(text), dtype=dtype, keep_default_na=False, na_values=[""],
            true_values=["TRUE"], false_values=["FALSE"],
        )
        for c in header:
            if c in _TEXT:
                frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
        return frame
    rows = csv.DictReader(io.StringIO(text))
    return [{c: _cell(c, v) for c, v in row.items()} for row in rows]


def _records(records: List[Dict[str, Any]]) -> Any:
    """A list of JSON objects as a DataFrame (pandas) or as it is."""
    if _pd is not None:
        return _pd.json_normalize(records) if records else _pd.DataFrame()
    return records


def run(
    config: Config,
    set: Overrides = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Dict[str, Any]:
    """Simulates a config, as ``crossover-sim run CONFIG --set ... --replicates R --seed S``.

    Returns a dict: ``summary`` (summary.csv: one observation per row), ``looks``,
    ``contrasts`` (tables), ``stages`` (a two-stage design's figures, or None), ``power`` (the
    primary power with its Monte Carlo SE and 95% interval), ``provenance`` (tool version,
    config, overrides, seed, replicates, the reproducing command, threads, time), ``report``
    (summary.json as a dict), ``hints`` and ``warning``.
    """
    files = _native.run(
        _config(config), _set_strings(set), replicates, seed, threads, _progress(progress)
    )
    report = json.loads(files["json"])
    return {
        "summary": _table(files["csv"]),
        "looks": _records(report["looks"]),
        "contrasts": _records(report["contrasts"]),
        "stages": report.get("two_stage"),
        "power": report["primary"]["power"],
        "provenance": {
            "tool": report["tool"]["name"],
            "version": report["tool"]["version"],
            "name": report["name"],
            "config_file": report["config_file"],
            "overrides": report["overrides"],
            "seed": report["seed"],
            "replicates": report["replicates"],
            "command": report["command"],
            "threads": report["threads"],
            "elapsed_seconds": report["elapsed_seconds"],
        },
        "report": report,
        "hints": list(files["hints"]),
        "warning": files["warning"],
    }


def _grid(values: Union[str, Sequence[Any], None]) -> Optional[str]:
    if values is None or isinstance(values, str):
        return values
    return ",".join(_toml_value(v) for v in values)


def sweep(
    config: Config,
    param: str,
    values: Union[str, Sequence[Any]],
    param2: Optional[str] = None,
    values2: Union[str, Sequence[Any], None] = None,
    target_power: Optional[float] = None,
    set: Overrides = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Dict[str, Any]:
    """Simulates a config over a grid, as ``crossover-sim sweep CONFIG --param K --values V``.

    ``values`` is ``"16:80:4"``, ``"20,30"`` or a list. Returns a dict: ``points`` (the
    sweep's CSV: one observation per row and grid point), ``target`` (the smallest value
    reaching ``target_power``, when asked), ``report`` (the sweep's JSON) and ``hints``.
    """
    files = _native.sweep(
        _config(config), param, _grid(values), param2, _grid(values2), target_power,
        _set_strings(set), replicates, seed, threads, _progress(progress),
    )
    report = json.loads(files["json"])
    return {
        "points": _table(files["csv"]),
        "target": report.get("target"),
        "report": report,
        "hints": list(files["hints"]),
    }


def validate(
    config: Config,
    set: Overrides = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
) -> Dict[str, Any]:
    """Checks a config as ``crossover-sim validate``: returns its name, N, looks, primary
    analysis, replicates, seed, hints and the config with every default filled in."""
    v = dict(_native.validate(_config(config), _set_strings(set), replicates, seed))
    v["config"] = json.loads(v.pop("resolved"))
    return v


def boundaries(
    looks: Sequence[float],
    spending: str = "obrien_fleming",
    alpha: float = 0.05,
    sided: int = 2,
    gamma: Optional[float] = None,
    rho: Optional[float] = None,
    interim_z: Optional[float] = None,
) -> Dict[str, Any]:
    """The efficacy boundaries at ``looks`` (information fractions ending at 1, or enrollment
    counts), as ``crossover-sim boundaries --json``: the dict it prints, plus ``table`` (one row
    per look)."""
    b = json.loads(
        _native.boundaries(
            [float(x) for x in looks], spending, float(alpha), int(sided), gamma, rho, interim_z
        )
    )
    rows = [
        {
            "look": k + 1,
            "information_rate": b["information_rates"][k],
            "critical_z": b["critical_z"][k],
            "nominal_level": b["nominal_level"][k],
            "cumulative_alpha": b["cumulative_alpha"][k],
        }
        for k in range(len(b["critical_z"]))
    ]
    b["table"] = _records(rows)
    return b


def samplesize(
    config: Config,
    target_power: float = 0.8,
    adjust_alpha: bool = False,
    set: Overrides = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Optional[bool] = None,
) -> Dict[str, Any]:
    """The smallest balanced N reaching ``target_power``, as ``crossover-sim samplesize``:
    samplesize.json as a dict, its ``rows`` as a table."""
    result = json.loads(
        _native.samplesize(
            _config(config), float(target_power), bool(adjust_alpha), _set_strings(set),
            replicates, seed, threads, _progress(progress),
        )
    )
    result["rows"] = _records(result["rows"])
    return result


def init(
    design: str,
    conditions: Optional[Sequence[str]] = None,
    endpoint: str = "normal",
    file: Optional[Config] = None,
) -> str:
    """The commented starting config of a named design, as ``crossover-sim init``; written to
    ``file`` when given (never over an existing file). Returns its text."""
    return _native.init(
        design,
        None if conditions is None else [str(c) for c in conditions],
        endpoint,
        None if file is None else os.fspath(file),
    )
