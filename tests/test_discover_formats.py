"""Discovery finds every harness's results in one folder, and summary/export give their figures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bench_tui import cli
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.osworld_builders import build_osworld_example, build_waa_example
from tests.fixtures.web_builders import build_agentlab_example, build_webarena_example


def summary(root: Path) -> dict:
    result = CliRunner().invoke(cli.app, ["summary", str(root), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_mixed_folder_reads_every_format(tmp_path: Path) -> None:
    build_complete_run(tmp_path / "openadapt")
    build_webarena_example(tmp_path / "webarena")
    build_agentlab_example(tmp_path / "agentlab")
    build_osworld_example(tmp_path / "osworld")
    build_waa_example(tmp_path / "waa")
    data = summary(tmp_path)
    formats = sorted(run["format"] for run in data["runs"])
    assert formats == ["agentlab", "openadapt", "osworld", "waa", "webarena"]
    by_format = {run["format"]: run for run in data["runs"]}
    (web,) = by_format["webarena"]["models"]
    assert (web["tasks"], web["finished"], web["succeeded"], web["errors"]) == (2, 1, 1, 1)
    (lab,) = by_format["agentlab"]["models"]
    assert (lab["tasks"], lab["finished"], lab["succeeded"]) == (3, 1, 1)
    assert abs(lab["success_rate"] - 1 / 3) < 1e-12
    (osw,) = by_format["osworld"]["models"]
    assert osw["model"] == "acme/vl-7b-instruct"
    assert (osw["tasks"], osw["finished"], osw["succeeded"]) == (4, 2, 1)
    assert (osw["success_rate"], osw["finished_only_rate"], osw["mean_score"]) == (0.25, 0.5, 0.75)
    (waa,) = by_format["waa"]["models"]
    assert (waa["tasks"], waa["finished"], waa["succeeded"], waa["errors"]) == (2, 1, 1, 1)
    # errored episodes without a verdict are Problems (DESIGN §9)
    paths = [p["path"] for p in data["problems"]]
    assert any(p.startswith("agentlab/") for p in paths)
    assert any(p.startswith("webarena/") for p in paths)


def test_agentlab_export_has_seed_column(tmp_path: Path) -> None:
    build_agentlab_example(tmp_path)
    result = CliRunner().invoke(cli.app, ["export", str(tmp_path), "--format", "csv"])
    header = result.output.splitlines()[0].split(",")
    assert header[-1] == "seed"
    rows = [line.split(",") for line in result.output.splitlines()[1:]]
    assert {row[2] for row in rows} == {
        "miniwob.click-button",
        "miniwob.enter-date",
        "miniwob.use-slider",
    }
    assert {row[-1] for row in rows} == {"3"}
