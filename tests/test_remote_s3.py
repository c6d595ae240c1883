"""Results in S3 (issue 16): a moto server on loopback holds a workspace; every figure over the
`s3://` URL equals the figure over the local copy, within a bounded number of requests."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("s3fs", reason="the s3 extra (s3fs) is not installed")
pytest.importorskip("moto", reason="moto[server] (the test extra) is not installed")

from tests.fixtures.every_format import build_every_format  # noqa: E402
from tests.fixtures.remote_servers import (  # noqa: E402
    RequestLog,
    cli,
    closed_port,
    materialise_links,
    moto_server,  # noqa: F401  (a fixture)
    s3_environment,
    stamp_as_downloaded,
    tree_objects,
    upload_to_s3,
    without_root,
)

BUCKET = "bench-results"
PREFIX = "fleet/2025-11"
URL = f"s3://{BUCKET}/{PREFIX}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, moto_server) -> Path:  # noqa: F811
    endpoint, _ = moto_server
    root = build_every_format(tmp_path_factory.mktemp("local") / "ws", 3)
    materialise_links(root)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing-key-id")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing-secret-key-value")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    upload_to_s3(endpoint, BUCKET, PREFIX, root)
    stamp_as_downloaded(root)
    return root


@pytest.fixture
def s3(moto_server, monkeypatch, tmp_path) -> RequestLog:  # noqa: F811
    endpoint, log = moto_server
    s3_environment(monkeypatch, endpoint, tmp_path / "cache")
    log.clear()
    return log


def test_summary_validate_and_export_over_s3_equal_the_local_copy(workspace: Path, s3) -> None:
    local, remote = cli("summary", "--json", str(workspace)), cli("summary", "--json", URL)
    assert remote.exit_code == 0, remote.stderr
    assert json.loads(remote.stdout)["root"] == URL
    assert without_root(remote.stdout) == without_root(local.stdout)
    assert json.loads(local.stdout)["runs"]  # the comparison is of something

    local, remote = cli("validate", "--json", str(workspace)), cli("validate", "--json", URL)
    assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout)
    assert json.loads(local.stdout)["problems"]  # Problems included, paths relative to the URL

    for fmt in ("csv", "json"):
        local, remote = (
            cli("export", "--format", fmt, str(workspace)),
            cli("export", "--format", fmt, URL),
        )
        assert remote.exit_code == 0, remote.stderr
        assert remote.stdout == local.stdout and len(local.stdout) > 100


def test_summary_lists_once_fetches_no_screenshot_and_a_second_open_fetches_nothing(
    workspace: Path, s3: RequestLog
) -> None:
    objects = list(tree_objects(workspace))
    small = [key for key, _ in objects if not key.endswith(("/", ".png", ".jpg", ".jpeg"))]
    assert any(key.endswith(".png") for key, _ in objects)

    assert cli("summary", "--json", URL).exit_code == 0
    assert len(s3.listings()) == 1  # one paginated listing, not one per folder
    assert s3.gets(".png") == [] and s3.gets(".jpg") == []
    assert len(s3.gets()) == len(small)  # each small file once

    s3.clear()
    assert cli("summary", "--json", URL).exit_code == 0
    assert len(s3.listings()) == 1
    assert s3.gets() == []  # unchanged prefix: nothing but the listing


def test_a_changed_object_is_fetched_again_and_a_deleted_one_goes(workspace: Path, s3) -> None:
    import boto3

    assert cli("summary", "--json", URL).exit_code == 0
    client = boto3.client("s3")
    extra = f"{PREFIX}/evals/late_report.json"
    body = (workspace / "evals" / "legacy" / "eval_first.json").read_bytes()
    client.put_object(Bucket=BUCKET, Key=extra, Body=body)
    try:
        s3.clear()
        after = json.loads(cli("summary", "--json", URL).stdout)
        assert [line for line in s3.gets() if "late_report" in line]
        assert len(s3.gets()) == 1
        assert any(report["id"].endswith("late_report.json") for report in after["evals"])
    finally:
        client.delete_object(Bucket=BUCKET, Key=extra)
    gone = json.loads(cli("summary", "--json", URL).stdout)
    assert not any(report["id"].endswith("late_report.json") for report in gone["evals"])


def test_hostile_keys_never_leave_the_mirror_and_are_problems(s3, tmp_path: Path) -> None:
    import boto3

    client = boto3.client("s3")
    client.create_bucket(Bucket="hostile-keys")
    keys = [
        "run/../../../escaped.json",
        "run//absolute.json",
        "run/ctl\x1b[2J.json",
        "run/./dot.json",
    ]
    for key in keys:
        client.put_object(Bucket="hostile-keys", Key=key, Body=b"{}")
    client.put_object(Bucket="hostile-keys", Key="run/fine.json", Body=b"{}")
    result = cli("validate", "--json", "s3://hostile-keys")
    problems = json.loads(result.stdout)["problems"]
    refused = [p for p in problems if p["message"].startswith("not read: its key holds")]
    assert len(refused) == len(keys)
    cache = tmp_path / "cache"
    assert not list(tmp_path.rglob("escaped.json"))
    for path in cache.rglob("*"):
        assert os.path.realpath(path).startswith(os.path.realpath(cache))
    assert "\x1b" not in result.stdout


def test_missing_extra_is_the_one_line_of_design_10(s3, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if bench-tui[s3] were not installed
    for args in (("summary", URL), ("validate", URL), ("export", "--format", "csv", URL)):
        result = cli(*args)
        assert result.exit_code == 2
        assert result.stderr == "install bench-tui[s3] to read s3:// results\n"


def one_error_line(result, *words: str) -> str:
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in lines[0]
    assert "testing-secret-key-value" not in result.stderr
    return lines[0]


def test_unknown_bucket_is_one_line_and_exit_2(s3) -> None:
    line = one_error_line(
        cli("summary", "s3://no-such-bucket-here/x"), "s3://no-such-bucket-here/x"
    )
    assert "no such bucket" in line


def test_empty_prefix_is_one_line_and_exit_2(workspace: Path, s3) -> None:
    one_error_line(cli("summary", f"s3://{BUCKET}/nothing-here"), "no objects under it")


def test_no_credentials_is_one_line_naming_what_to_set(s3, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    line = one_error_line(cli("summary", URL), URL, "no credentials")
    assert "AWS_ACCESS_KEY_ID" in line


def test_network_down_is_one_line_and_exit_2(s3, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    line = one_error_line(cli("validate", URL), URL, "cannot connect")
    assert "AWS_ENDPOINT_URL" in line


def test_access_denied_is_one_line_and_exit_2(s3, monkeypatch) -> None:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    # The in-process server checks credentials from here on: these keys are unknown to its IAM.
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    monkeypatch.setattr(ActionAuthenticatorMixin, "request_count", 0)
    one_error_line(cli("summary", URL), URL, "access denied")


@pytest.fixture(scope="module")
def shown_task(workspace: Path) -> tuple[str, str, list[Path]]:
    """(run id, task id, its screenshots) of an OpenAdapt task of the demo with screenshots."""
    from bench_tui.sources.discover import discover_workspace
    from bench_tui.sources.steps import load_steps

    for run in discover_workspace(workspace).runs:
        if run.format != "openadapt":
            continue
        for execution in run.executions:
            steps, _ = load_steps(run, execution, workspace)
            shots = [Path(step.screenshot) for step in steps if step.screenshot]
            if len(shots) >= 3 and all(shot.is_file() for shot in shots):
                return run.id, execution.task_id, shots
    raise AssertionError("the demo has no task with three screenshots")


async def test_the_app_over_s3_drills_to_a_task_page_with_its_screenshot(
    workspace: Path, s3: RequestLog, shown_task
) -> None:
    run_id, task_id, shots = shown_task
    from bench_tui.remote.session import open_remote
    from bench_tui.tui.app import BenchApp
    from bench_tui.tui.screens.task import TaskScreen
    from bench_tui.tui.widgets.screenshot import HalfblockCanvas, Screenshot
    from bench_tui.tui.widgets.status_line import StatusLine
    from tests.fixtures.pilot import pause_until, settle_after_scan

    session = open_remote(URL)
    app = BenchApp(session.root, images="halfblock", goto=f"{run_id}/{task_id}", remote=session)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_after_scan(app, pilot)
        assert app.main_screen.query_one(StatusLine).root == URL
        assert await pause_until(lambda: isinstance(app.screen, TaskScreen), pilot)
        screen = app.screen
        assert await pause_until(lambda: bool(screen.query_one(HalfblockCanvas).strips), pilot)
        shot = screen.query_one(Screenshot)
        assert shot.last_error is None
        assert shot._path == str(session.root / shots[0].relative_to(workspace))
    fetched = s3.gets(".png")
    assert [line for line in fetched if shots[0].relative_to(workspace).as_posix() in line]
    assert all(f"/{run_id}/tasks/{task_id}/" in line for line in fetched)  # no other task's


def test_a_live_run_is_listed_again_under_its_own_prefix_only(
    workspace: Path, s3, shown_task
) -> None:
    run_id, task_id, _ = shown_task
    import boto3

    from bench_tui.remote.session import open_remote

    session = open_remote(URL)
    session.sync()
    run_folder = session.root / run_id
    key = f"{PREFIX}/{run_id}/tasks/{task_id}/late.txt"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"written later")
    try:
        s3.clear()
        assert session.sync_folder(run_folder) == []
        assert [line for line in s3.listings() if f"prefix={PREFIX}/{run_id}/" in line]
        assert len(s3.listings()) == 1
        assert (run_folder / "tasks" / task_id / "late.txt").read_bytes() == b"written later"
    finally:
        boto3.client("s3").delete_object(Bucket=BUCKET, Key=key)


def test_shown_screenshots_stay_within_the_cache_size(workspace: Path, s3, shown_task) -> None:
    from bench_tui.remote.session import open_remote
    from bench_tui.sources._io.images import image_problem
    from bench_tui.sources._io.placeholders import fetch_if_placeholder

    shots = shown_task[2][:3]
    budget = shots[0].stat().st_size + shots[1].stat().st_size
    session = open_remote(URL, cache_bytes=budget)
    session.sync()
    mirrored = [session.root / shot.relative_to(workspace) for shot in shots]
    assert all(path.stat().st_blocks == 0 for path in mirrored)  # listed, not fetched
    assert [image_problem(path) for path in mirrored] == [None] * 3  # from the listing's size
    for path in mirrored:
        fetch_if_placeholder(path)
        assert path.read_bytes() == shots[mirrored.index(path)].read_bytes()
    assert session.mirror.fetched_image_bytes() <= budget
    assert mirrored[0].stat().st_blocks == 0  # least recently shown: a placeholder again
    assert mirrored[0].stat().st_size == shots[0].stat().st_size


def test_compare_two_runs_over_s3_equals_the_local_comparison(workspace: Path, s3) -> None:
    runs = sorted(p.parent.relative_to(workspace) for p in workspace.glob("demo/*/*/summary.json"))
    first, second = (run.as_posix() for run in runs[:2])
    local = cli("compare", "--json", str(workspace / first), str(workspace / second))
    remote = cli("compare", "--json", f"{URL}/{first}", f"{URL}/{second}")
    assert remote.exit_code == local.exit_code == 0, remote.stderr
    shown = remote.stdout.replace(f"{URL}/", "")
    assert shown == local.stdout.replace(f"{workspace}/", "")


async def test_the_app_shows_an_unreadable_url_as_a_problem(s3) -> None:
    from bench_tui.remote.session import open_remote
    from bench_tui.tui.app import BenchApp
    from tests.fixtures.pilot import settle_after_scan

    session = open_remote("s3://no-such-bucket-here/runs")
    app = BenchApp(session.root, images="none", remote=session)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle_after_scan(app, pilot)
        messages = [problem.message for problem in app.workspace.problems]
    assert len(messages) == 1
    assert messages[0].startswith("cannot read s3://no-such-bucket-here/runs: no such bucket")


def test_check_images_finds_a_truncated_screenshot_as_locally_and_asks_once(
    s3: RequestLog,
    tmp_path: Path,
    moto_server,  # noqa: F811
) -> None:
    from tests.fixtures.openadapt_builders import build_complete_run

    endpoint, _ = moto_server
    run = build_complete_run(tmp_path / "local" / "cut")
    shots = run / "tasks" / "notepad_greeting" / "screenshots"
    whole = (shots / "step_002.png").read_bytes()
    (shots / "step_002.png").write_bytes(whole[: len(whole) // 2])
    (shots / "step_001.png").write_bytes(b"GIF89a not what a screenshot should be")
    root = run.parent
    upload_to_s3(endpoint, "cut-shots", "study", root)
    stamp_as_downloaded(root)
    url = "s3://cut-shots/study"
    images = [key for key, _ in tree_objects(root) if key.endswith(".png")]

    local = cli("validate", "--json", str(root))
    said = json.loads(local.stdout)["problems"]
    assert any("truncated (PNG has no end marker)" in p["message"] for p in said)
    assert any("not a PNG or JPEG image" in p["message"] for p in said)

    s3.clear()
    listed_only = cli("validate", "--json", url)
    assert listed_only.stdout != local.stdout  # the listing's sizes cannot tell a cut image
    assert s3.gets(".png") == []

    s3.clear()
    checked = cli("validate", "--json", "--check-images", url)
    assert (checked.exit_code, checked.stdout) == (local.exit_code, local.stdout)
    # One ranged request for each image's end, one more for the start of the two without one.
    assert len(s3.gets(".png")) == len(images) + 2

    s3.clear()
    again = cli("summary", "--json", "--check-images", url)
    assert without_root(again.stdout) == without_root(cli("summary", "--json", str(root)).stdout)
    assert s3.gets(".png") == []  # checked before and unchanged: not asked again


async def test_labelling_over_s3_says_the_label_stays_on_this_machine(
    workspace: Path, s3: RequestLog, shown_task
) -> None:
    run_id, _, _ = shown_task
    from bench_tui.remote.session import open_remote
    from bench_tui.tui.app import BenchApp
    from bench_tui.tui.screens.run import RunScreen
    from bench_tui.tui.screens.triage import TriageScreen
    from tests.fixtures.pilot import pause_until, settle_after_scan

    session = open_remote(URL)
    app = BenchApp(session.root, images="none", goto=run_id, remote=session)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_after_scan(app, pilot)
        assert await pause_until(lambda: isinstance(app.screen, RunScreen), pilot)
        await pilot.press("t")
        assert await pause_until(lambda: isinstance(app.screen, TriageScreen), pilot)
        assert app.screen.title_text.endswith("kept on this machine, not in the bucket")


def test_the_index_over_s3_is_keyed_by_etag_through_the_mirror(workspace: Path, s3) -> None:
    """An unchanged object is not fetched again, so its mirrored file (and the claim read
    from it) stays as it was; a new ETag is a new download, and the claim is read again."""
    import boto3

    from bench_tui.remote.session import open_remote
    from tests.fixtures.index_replay import replayed as replayed_in

    def replay() -> tuple[int, int]:
        return replayed_in(open_remote(URL).root)

    # (A file fetched within 50 ms of its read is not kept: the second open stores it.)
    for _ in range(2):
        assert cli("summary", "--json", URL).exit_code == 0
    replayed, read = replay()
    assert replayed > 0  # the summary's entries, untouched by a further listing
    assert replay() == (replayed, read)  # (a live run is never kept: read every time)

    key = next(k for k, _ in tree_objects(workspace) if k.endswith("/task.json") and "demo/" in k)
    body = json.loads((workspace / key).read_text("utf-8"))
    body["instruction"] = "changed upstream"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=json.dumps(body))
    try:
        s3.clear()
        assert cli("summary", "--json", URL).exit_code == 0
        assert [line for line in s3.gets() if key in line]  # the new ETag: fetched again
        assert replay() == (replayed - 1, read + 1)  # and its claim read again
    finally:
        original = (workspace / key).read_bytes()
        boto3.client("s3").put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=original)


def test_show_over_s3_prints_the_step_as_locally_and_fetches_only_its_screenshot(
    workspace: Path, s3: RequestLog, shown_task
) -> None:
    run_id, task_id, shots = shown_task
    local = cli("show", str(workspace), run_id, task_id, "2", "--images", "halfblock")
    s3.clear()
    remote = cli("show", URL, run_id, task_id, "2", "--images", "halfblock")
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == local.stdout and "▄" * 20 in local.stdout  # the screenshot, drawn
    # The task's steps need each screenshot's size: its first bytes alone, in one batch.
    ranged = s3.gets(".png", status="206")
    assert len(ranged) == len(shots)
    whole = s3.gets(".png", status="200")
    assert len(whole) == 1 and shots[1].relative_to(workspace).as_posix() in whole[0]

    s3.clear()
    again = cli("show", URL, run_id, task_id, "3", "--images", "halfblock")
    assert again.exit_code == 0, again.stderr
    assert s3.gets(".png", status="206") == []  # the sizes were kept in the mirror's manifest
    assert len(s3.gets(".png")) == 1


def test_search_and_query_over_s3_equal_the_local_copy(workspace: Path, s3: RequestLog) -> None:
    for args in (
        ("search", "--json", "{dir}", "notepad"),
        (
            "query",
            "--json",
            "{dir}",
            "SELECT run, model, step, x, y, text FROM steps ORDER BY 1, 2, 3",
        ),
    ):
        local = cli(*[arg.format(dir=workspace) for arg in args])
        remote = cli(*[arg.format(dir=URL) for arg in args])
        assert remote.exit_code == 0, remote.stderr
        assert remote.stdout == local.stdout and len(json.loads(local.stdout)) > 3
    assert s3.gets(".png", status="200") == []  # sizes from first bytes, no screenshot whole
