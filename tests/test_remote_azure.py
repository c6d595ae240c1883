"""Results in Azure Blob storage (issue 16): Azurite on loopback holds a workspace; figures over
`az://` (and `abfs://`) equal the figures over the local copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("adlfs", reason="the azure extra (adlfs) is not installed")

from tests.fixtures.every_format import build_every_format  # noqa: E402
from tests.fixtures.remote_servers import (  # noqa: E402
    azurite,  # noqa: F401  (a fixture)
    azurite_connection_string,
    cli,
    closed_port,
    materialise_links,
    stamp_as_downloaded,
    upload_to_azure,
    without_root,
)

CONTAINER = "bench-results"
PREFIX = "fleet/2025-11"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, azurite: int) -> Path:  # noqa: F811
    root = build_every_format(tmp_path_factory.mktemp("local") / "ws", 3)
    materialise_links(root)
    upload_to_azure(azurite_connection_string(azurite), CONTAINER, PREFIX, root)
    stamp_as_downloaded(root)
    return root


@pytest.fixture
def azure_env(azurite: int, monkeypatch, tmp_path: Path) -> None:  # noqa: F811
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_connection_string(azurite))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.mark.parametrize("scheme", ["az", "abfs"])
def test_summary_validate_and_export_over_azure_equal_the_local_copy(
    workspace: Path, azure_env, scheme: str
) -> None:
    url = f"{scheme}://{CONTAINER}/{PREFIX}"
    local, remote = cli("summary", "--json", str(workspace)), cli("summary", "--json", url)
    assert remote.exit_code == 0, remote.stderr
    assert json.loads(remote.stdout)["root"] == url
    assert without_root(remote.stdout) == without_root(local.stdout)
    assert json.loads(local.stdout)["runs"]

    local, remote = cli("validate", "--json", str(workspace)), cli("validate", "--json", url)
    assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout)
    assert json.loads(local.stdout)["problems"]

    for fmt in ("csv", "json"):
        local = cli("export", "--format", fmt, str(workspace))
        remote = cli("export", "--format", fmt, url)
        assert remote.exit_code == 0, remote.stderr
        assert remote.stdout == local.stdout and len(local.stdout) > 100


def test_unknown_container_and_network_down_are_one_line(
    workspace: Path, azure_env, monkeypatch
) -> None:
    for url, words in (
        (f"az://no-such-container/{PREFIX}", "no such bucket, container or prefix"),
        (f"az://{CONTAINER}/nothing-here", "no objects under it"),
    ):
        result = cli("summary", url)
        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1 and words in result.stderr, result.stderr
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_connection_string(closed_port()))
    result = cli("summary", f"az://{CONTAINER}/{PREFIX}")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "cannot connect" in result.stderr
    assert "AccountKey=" not in result.stderr or "AccountKey=***" in result.stderr


def test_no_credentials_is_one_line_naming_what_to_set(workspace: Path, azure_env, monkeypatch):
    for name in ("AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT_NAME"):
        monkeypatch.delenv(name, raising=False)
    result = cli("summary", f"az://{CONTAINER}/{PREFIX}")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "AZURE_STORAGE_CONNECTION_STRING" in result.stderr


def test_check_images_over_azure_finds_a_cut_screenshot_as_locally(
    azurite: int,  # noqa: F811
    azure_env,
    tmp_path: Path,
) -> None:
    from tests.fixtures.openadapt_builders import build_complete_run

    run = build_complete_run(tmp_path / "local" / "cut")
    shot = run / "tasks" / "notepad_greeting" / "screenshots" / "step_002.png"
    shot.write_bytes(shot.read_bytes()[:100])
    root = run.parent
    upload_to_azure(azurite_connection_string(azurite), "cut-shots", "study", root)
    stamp_as_downloaded(root)

    local = cli("validate", "--json", str(root))
    assert "truncated (PNG has no end marker)" in local.stdout
    unchecked = cli("validate", "--json", "az://cut-shots/study")
    assert "truncated" not in unchecked.stdout  # the listing's sizes cannot tell
    checked = cli("validate", "--json", "--check-images", "az://cut-shots/study")
    assert (checked.exit_code, checked.stdout) == (local.exit_code, local.stdout)
