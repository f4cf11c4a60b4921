"""The Python package against the command line: the same numbers at a seed, the command line's
error texts as exceptions, typed tables, and Ctrl-C that stops a run."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crossover_sim as xo
from conftest import cli, repo_file

pd = pytest.importorskip("pandas")


def cli_table(path: Path):
    return xo._table(path.read_text())


def test_run_gives_the_command_lines_summary(tmp_path):
    config = repo_file("configs", "williams2018.toml")
    r = cli("run", config, "--replicates", "3000", "--seed", "11", "--set", "design.enrolled=24",
            "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    res = xo.run(config, set={"design.enrolled": 24}, replicates=3000, seed=11, threads=2)
    folder = tmp_path / "williams2018"
    pd.testing.assert_frame_equal(res["summary"], cli_table(folder / "summary.csv"))
    cli_json = json.loads((folder / "summary.json").read_text())
    assert res["report"]["primary"] == cli_json["primary"]
    assert res["report"]["looks"] == cli_json["looks"]
    assert res["provenance"]["command"] == cli_json["command"]
    assert res["provenance"]["overrides"] == ["design.enrolled=24"]
    s = res["summary"]
    power = s[(s.quantity == "power") & (s.analysis == cli_json["primary"]["analysis"])]
    assert len(power) == 1
    assert power.estimate.iloc[0] == res["power"]["estimate"]
    assert 0.5 < res["power"]["estimate"] < 1


def test_tables_have_the_documented_types():
    res = xo.run(repo_file("configs", "williams2018.toml"), replicates=1024, seed=1)
    s = res["summary"]
    assert isinstance(s, pd.DataFrame)
    assert s["estimate"].dtype == "float64"
    assert str(s["look"].dtype) == "Int64"
    assert str(s["responders"].dtype) == "Int64"
    assert s["under_null"].dtype == bool
    assert s["quantity"].map(type).eq(str).all()
    assert s.loc[s.quantity == "power", "look"].isna().all()
    assert list(res["looks"]["look"]) == [1, 2]
    assert res["provenance"]["seed"] == 1
    assert isinstance(res["contrasts"], pd.DataFrame)


def test_tables_are_lists_without_pandas(monkeypatch):
    monkeypatch.setattr(xo, "_pd", None)
    res = xo.run(repo_file("configs", "williams2018.toml"), replicates=1024, seed=1)
    rows = res["summary"]
    assert isinstance(rows, list) and isinstance(rows[0], dict)
    power = [r for r in rows if r["quantity"] == "power"]
    assert all(isinstance(r["estimate"], float) for r in power)
    assert all(r["look"] is None for r in power)
    assert isinstance(rows[0]["under_null"], bool)
    assert isinstance(res["looks"], list) and res["looks"][0]["look"] == 1


def test_config_text_runs_as_its_file():
    config = repo_file("configs", "designs", "design_2x2x4.toml")
    a = xo.run(config, replicates=2048, seed=3)
    b = xo.run(Path(config).read_text(), replicates=2048, seed=3)
    assert a["power"] == b["power"]
    assert b["provenance"]["config_file"] == "<config text>"


def test_threads_do_not_change_results():
    config = repo_file("configs", "williams2018.toml")
    a = xo.run(config, replicates=3000, seed=9, threads=1)
    b = xo.run(config, replicates=3000, seed=9, threads=2)
    pd.testing.assert_frame_equal(a["summary"], b["summary"])


def test_two_stage_designs_report_their_stages():
    res = xo.run(repo_file("configs", "two_stage", "potvin_b_null.toml"), replicates=2000, seed=2)
    assert res["stages"]["method"] == "potvin_b"
    assert isinstance(res["stages"]["p_success"]["estimate"], float)


def test_errors_carry_the_command_lines_text():
    config = repo_file("configs", "williams2018.toml")
    r = cli("validate", config, "--set", "design.enrolled=-3")
    assert r.returncode == 2
    message = r.stderr.strip().removeprefix("error: ")
    with pytest.raises(xo.CrossoverSimError) as e:
        xo.validate(config, set={"design.enrolled": -3})
    # The package names the override by its argument `set` where the command line says --set.
    assert str(e.value).replace("set design", "--set design", 1) == message
    with pytest.raises(xo.CrossoverSimError, match="cannot read config no/such/file.toml"):
        xo.run("no/such/file.toml")
    with pytest.raises(xo.CrossoverSimError, match="^<config text>"):
        xo.validate('[design]\nenrolled = "many"\n')
    with pytest.raises(xo.CrossoverSimError, match="information fractions must end at 1"):
        xo.boundaries([0.5, 0.8])
    with pytest.raises(xo.CrossoverSimError, match="^spending nonesuch"):
        xo.boundaries([0.5, 1], spending="nonesuch")
    with pytest.raises(xo.CrossoverSimError, match="^design 5x5: not a named design"):
        xo.init("5x5")
    with pytest.raises(xo.CrossoverSimError, match="^threads 0: must be a whole number"):
        xo.run(xo.init("2x2"), threads=0)


def test_sweep_gives_the_command_lines_sweep(tmp_path):
    config = repo_file("configs", "williams2018.toml")
    r = cli("sweep", config, "--param", "design.enrolled", "--values", "20,30",
            "--replicates", "2000", "--seed", "5", "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    res = xo.sweep(config, "design.enrolled", [20, 30], replicates=2000, seed=5)
    expected = cli_table(tmp_path / "williams2018" / "sweep-design.enrolled.csv")
    pd.testing.assert_frame_equal(res["points"], expected)
    assert set(res["points"]["design.enrolled"]) == {20, 30}


def test_sweep_finds_a_target():
    res = xo.sweep(xo.init("2x2"), "design.enrolled", "8:24:8", target_power=0.8,
                   replicates=2048, seed=2)
    assert res["target"][0]["target"] == 0.8


def test_validate_returns_the_designs_facts():
    config = repo_file("configs", "williams2018.toml")
    v = xo.validate(config)
    assert (v["name"], v["enrolled"], v["looks"], v["seed"]) == ("williams2018", 30, [15, 30], 20181205)
    assert v["config"]["name"] == "williams2018"
    out = cli("validate", config).stdout
    assert f"N = {v['enrolled']}" in out and f"primary {v['primary']}" in out


def test_boundaries_give_the_command_lines_table():
    r = cli("boundaries", "--looks", "15,30", "--spending", "obrien_fleming", "--json")
    assert r.returncode == 0
    expected = json.loads(r.stdout)
    b = xo.boundaries([15, 30], spending="obrien_fleming")
    table = b.pop("table")
    assert b == expected
    assert list(table["critical_z"]) == expected["critical_z"]
    # Lan-DeMets O'Brien-Fleming spending at two equal looks (rpact: 2.963, 1.969); classical
    # Pocock's boundaries are equal (2.178).
    assert abs(b["critical_z"][0] - 2.963) < 1e-3 and abs(b["critical_z"][1] - 1.969) < 1e-3
    p = xo.boundaries([0.5, 1], spending="classical_pocock")
    assert abs(p["critical_z"][0] - p["critical_z"][1]) < 1e-9
    assert abs(p["critical_z"][0] - 2.178) < 1e-3


def test_samplesize_gives_the_command_lines_search(tmp_path):
    config = repo_file("configs", "designs", "design_2x2.toml")
    r = cli("samplesize", config, "--target-power", "0.8", "--replicates", "2000", "--seed", "4",
            "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    expected = json.loads(next(tmp_path.rglob("samplesize.json")).read_text())
    s = xo.samplesize(config, target_power=0.8, replicates=2000, seed=4)
    rows = s.pop("rows")
    expected_rows = expected.pop("rows")
    assert s == expected
    assert list(rows["enrolled"]) == [row["enrolled"] for row in expected_rows]
    assert s["exact_power"] >= 0.8


def test_init_writes_a_config_that_runs(tmp_path):
    file = tmp_path / "my_trial.toml"
    text = xo.init("2x2x4", endpoint="log_normal", file=file)
    assert file.read_text() == text
    assert 'name = "my_trial"' in text
    with pytest.raises(xo.CrossoverSimError, match="already exists"):
        xo.init("2x2x4", file=file)
    assert xo.validate(file)["enrolled"] == 24
    assert 0 <= xo.run(file, replicates=1024, seed=1)["power"]["estimate"] <= 1


def test_ctrl_c_stops_a_long_run():
    config = repo_file("configs", "williams2018.toml")
    code = (
        "import crossover_sim as xo, signal, time\n"
        # A shell that starts a job in the background (CI scripts run with `&`) makes its
        # children ignore SIGINT, and Python then installs no KeyboardInterrupt handler.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "print('started', flush=True)\n"
        "try:\n"
        f"    xo.run({config!r}, replicates=10**9, seed=1, threads=1)\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt', flush=True)\n"
        "print('control returned', flush=True)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    # Signalled once the run has started (the package imported), not during start-up.
    assert child.stdout.readline().strip() == "started"
    time.sleep(2)
    started = time.monotonic()
    child.send_signal(signal.SIGINT)
    rest, _ = child.communicate(timeout=60)
    out = "started\n" + rest
    assert "KeyboardInterrupt" in out and "control returned" in out, out
    assert time.monotonic() - started < 30


def test_progress_counts_the_replicates_on_stderr(capfd):
    text = xo.init("2x2")
    xo.run(text, replicates=4096, seed=1, progress=True)
    assert "of 4096 replicates" in capfd.readouterr().err
    xo.run(text, replicates=4096, seed=1, progress=False)
    assert capfd.readouterr().err == ""
