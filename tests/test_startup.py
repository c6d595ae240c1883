"""Start-up: a command imports only what it needs (issue 15 item 7). Timings live in bench/."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import bench_tui

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "pydantic",
    "textual",
    "PIL",
    "bench_tui.model",
    "bench_tui.sources",
    "importlib.metadata",
)
"""What `--version` and `--help` must not pay for: each costs tens of milliseconds to import."""

LOADED = (
    "import sys\n"
    "heavy = {heavy!r}\n"
    "try:\n"
    "    {body}\n"
    "finally:\n"
    "    print(','.join(m for m in heavy if m in sys.modules))\n"
)


def heavy_modules_after(body: str) -> list[str]:
    """The heavy modules loaded once `body` ran (it must exit 0, if it exits)."""
    code = LOADED.format(heavy=HEAVY, body=body)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "", "PYTHONPATH": str(ROOT / "src")},
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout, result.stderr
    return [name for name in result.stdout.splitlines()[-1].split(",") if name]


def test_version_constant_is_the_packaged_version() -> None:
    # `--version` reads a constant, not importlib.metadata (35 ms): this keeps the two equal.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert bench_tui.__version__ == project["version"]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert heavy_modules_after("import bench_tui.cli") == []


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_no_heavy_module(args: list[str]) -> None:
    body = f"sys.argv = ['bench-tui', *{args!r}]; from bench_tui.cli import main; main()"
    assert heavy_modules_after(body) == []


def test_a_commands_help_loads_no_reader_or_model() -> None:
    # typer (0.29) builds a sub-command's parameters with pydantic TypeAdapters, so pydantic
    # itself comes with any sub-command; our models and readers need not.
    body = "sys.argv = ['bench-tui', 'summary', '--help']; from bench_tui.cli import main; main()"
    assert set(heavy_modules_after(body)) <= {"pydantic", "importlib.metadata"}


def test_a_command_freezes_what_it_loaded_before_reading(tmp_path: Path) -> None:
    # The collector's full passes then skip modules and classes (a tenth of a warm reopen).
    body = (
        "import atexit, gc; "
        "atexit.register(lambda: print('frozen', gc.get_freeze_count())); "
        f"sys.argv = ['bench-tui', 'summary', {str(tmp_path)!r}, '--json', '--no-index']; "
        "from bench_tui.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; {body}"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "", "PYTHONPATH": str(ROOT / "src"), "XDG_CACHE_HOME": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    frozen = int(result.stdout.split("frozen")[-1])
    assert frozen > 10_000


def test_commands_under_tests_freeze_nothing(tmp_path: Path) -> None:
    # Tests run many commands in one process: what is garbage then must stay collectable.
    import gc

    from typer.testing import CliRunner

    from bench_tui import cli

    before = gc.get_freeze_count()
    result = CliRunner().invoke(cli.app, ["summary", str(tmp_path), "--json", "--no-index"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() <= before  # the app's tests freeze too; frozen objects die
