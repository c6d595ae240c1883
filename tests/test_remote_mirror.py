"""The remote mirror without a server (issue 16): key safety, secrets, the placeholder rule
for local files, the missing-extra lines, and the mirror over fsspec's in-memory filesystem
(the stand-in for GCS, which has no server this machine can run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench_tui.cli import app
from bench_tui.remote.errors import describe, scrub
from bench_tui.remote.keys import unsafe_reason
from bench_tui.remote.location import parse_url
from bench_tui.remote.mirror import Mirror
from bench_tui.sources._io.images import image_problem
from bench_tui.sources._io.placeholders import is_placeholder
from tests.fixtures.png import write_png


@pytest.mark.parametrize(
    "key",
    [
        "../x.json",
        "a/../../x",
        "/abs.json",
        "a//b",
        "./a",
        "a/.",
        "nul\x00.json",
        "esc\x1b.json",
        "x" * 256,
    ],
)
def test_a_hostile_key_is_refused(key: str) -> None:
    assert unsafe_reason(key) is not None


def test_ordinary_keys_are_accepted() -> None:
    for key in ("run/tasks/a b/step_000.png", "ünïcode/ok.json", ".bench-tui/labels.json"):
        assert unsafe_reason(key) is None


def test_error_lines_carry_no_secret(monkeypatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value-123")
    said = RuntimeError(
        "failed: https://x/?X-Amz-Signature=abcd&sig=efgh key s3cr3t-value-123 "
        "AccountKey=Zm9vYmFy;Endpoint\nsecond line"
    )
    line = describe(parse_url("s3://bucket/prefix"), said)
    assert "s3cr3t-value-123" not in line and "abcd" not in line and "efgh" not in line
    assert "Zm9vYmFy" not in line and "\n" not in line and "second line" not in line
    assert scrub("AccountKey=abc") == "AccountKey=***"


def test_a_sparse_local_file_outside_the_mirror_is_checked_as_before(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shot = tmp_path / "results" / "step.png"
    shot.parent.mkdir()
    with open(shot, "wb") as handle:
        handle.truncate(4096)  # sparse, like a placeholder, but in the user's own results
    assert not is_placeholder(shot, os.stat(shot))
    assert image_problem(shot) == "screenshot is not a PNG or JPEG image"


@pytest.mark.parametrize("scheme,extra", [("gs", "gcs"), ("az", "azure"), ("abfs", "azure")])
def test_missing_extra_lines(scheme: str, extra: str, monkeypatch) -> None:
    for module in ("gcsfs", "adlfs"):
        monkeypatch.setitem(sys.modules, module, None)
    result = CliRunner().invoke(app, ["validate", f"{scheme}://bucket/prefix"])
    assert result.exit_code == 2
    assert result.stderr == f"install bench-tui[{extra}] to read {scheme}:// results\n"


def test_label_refuses_a_url() -> None:
    result = CliRunner().invoke(app, ["label", "s3://bucket/x", "run", "task", "passed"])
    assert result.exit_code == 2 and "local folder" in result.stderr


def memory_mirror(tmp_path: Path, monkeypatch, files: dict[str, bytes]) -> Mirror:
    from fsspec.implementations.memory import MemoryFileSystem

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fs = MemoryFileSystem(skip_instance_cache=True)
    fs.store.clear()
    fs.pseudo_dirs.clear()
    fs.pseudo_dirs.append("")
    for key, body in files.items():
        fs.pipe(f"/bucket/prefix/{key}", body)
    location = parse_url("gs://bucket/prefix")
    location = type(location)(location.url, "gs", "gcs", "/bucket", "prefix")
    from bench_tui.sources._io.placeholders import mirrors_folder

    return Mirror(location, fs, Path(mirrors_folder()) / "memory")


def test_the_mirror_fetches_small_files_keeps_images_as_placeholders(
    tmp_path: Path, monkeypatch
) -> None:
    png = tmp_path / "real.png"
    write_png(png, (64, 40))
    files = {"run/a.json": b'{"x": 1}', "run/shot.png": png.read_bytes(), "run/empty.png": b""}
    mirror = memory_mirror(tmp_path, monkeypatch, files)
    assert mirror.sync() == []
    assert (mirror.tree / "run/a.json").read_bytes() == b'{"x": 1}'
    shot = mirror.tree / "run/shot.png"
    assert shot.stat().st_size == png.stat().st_size and shot.stat().st_blocks == 0
    assert image_problem(shot) is None  # the listing's size: non-empty
    assert image_problem(mirror.tree / "run/empty.png") == "screenshot is an empty file"
    assert mirror.stats.fetched_files == 1
    mirror.fetch(str(shot))
    assert shot.read_bytes() == png.read_bytes()
    assert mirror.stats.images_fetched == 1


def test_probed_images_answer_the_image_check_as_the_local_files_do(
    tmp_path: Path, monkeypatch
) -> None:
    png = tmp_path / "real.png"
    write_png(png, (64, 40))
    whole = png.read_bytes()
    files = {
        "run/whole.png": whole,
        "run/cut.png": whole[: len(whole) // 2],
        "run/tiny.png": whole[:5],
        "run/other.jpg": b"GIF89a" + bytes(40),
    }
    mirror = memory_mirror(tmp_path, monkeypatch, files)
    assert mirror.sync() == []
    local = tmp_path / "local"
    local.mkdir()
    expected = {}
    for key, body in files.items():
        (local / key.rsplit("/", 1)[1]).write_bytes(body)
        expected[key] = image_problem(local / key.rsplit("/", 1)[1])
    assert expected["run/cut.png"] == "screenshot is truncated (PNG has no end marker)"

    assert mirror.probe_images() == []
    assert {key: image_problem(mirror.tree / key) for key in files} == expected
    assert mirror.stats.images_probed == 4
    assert mirror.probe_images() == [] and mirror.stats.images_probed == 4  # asked once

    from bench_tui.sources._io.placeholders import set_fetcher
    from bench_tui.sources.common import image_size

    set_fetcher(mirror.fetch, mirror.header)
    try:  # a probed image holds its end, not its header: the size is still asked for
        assert image_size(mirror.tree / "run/whole.png") == (64, 40)
    finally:
        set_fetcher(None)
    mirror.fetch(str(mirror.tree / "run/whole.png"))  # shown later: the real bytes, all of them
    assert (mirror.tree / "run/whole.png").read_bytes() == whole


def test_an_image_evicted_by_another_process_is_fetched_again(tmp_path: Path, monkeypatch) -> None:
    png = tmp_path / "real.png"
    write_png(png, (64, 40))
    mirror = memory_mirror(tmp_path, monkeypatch, {"run/shot.png": png.read_bytes()})
    mirror.sync()
    shot = mirror.tree / "run/shot.png"
    mirror.fetch(str(shot))
    with open(shot, "r+b") as handle:  # what another process's eviction leaves: a placeholder
        handle.truncate(0)
        handle.truncate(png.stat().st_size)
    mirror.fetch(str(shot))
    assert shot.read_bytes() == png.read_bytes()
    assert mirror.stats.images_fetched == 2


def test_a_step_size_comes_from_the_first_bytes_of_its_folder_in_one_batch(
    tmp_path: Path, monkeypatch
) -> None:
    from bench_tui.sources._io.placeholders import set_fetcher
    from bench_tui.sources.common import image_size

    shots = {}
    for number, size in enumerate([(64, 40), (80, 50), (32, 20)]):
        png = tmp_path / f"{number}.png"
        write_png(png, size)
        shots[f"run/task/screenshots/step_{number}.png"] = png.read_bytes()
    other = {"run/other/screenshots/step_0.png": shots["run/task/screenshots/step_0.png"]}
    mirror = memory_mirror(tmp_path, monkeypatch, {**shots, **other})
    mirror.sync()
    monkeypatch.setattr("bench_tui.sources._io.placeholders._fetcher", None)
    set_fetcher(mirror.fetch, mirror.header)
    try:
        sizes = [image_size(mirror.tree / key) for key in shots]
    finally:
        set_fetcher(None)
    assert sizes == [(64, 40), (80, 50), (32, 20)]
    assert mirror.stats.headers_fetched == 3  # the folder's images, not the other folder's
    assert mirror.stats.images_fetched == 0
    assert all((mirror.tree / key).stat().st_blocks == 0 for key in shots)  # still placeholders
    assert image_problem(mirror.tree / "run/task/screenshots/step_0.png") is None
