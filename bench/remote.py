"""Remote results (issue 16): a workspace in a moto S3 server on loopback, read over `s3://`.

    .venv/bin/python bench/remote.py --workspace /tmp/big300 [--upload-threads 8]

Uploads the workspace (links followed, as `aws s3 sync` does) into a moto server on a free
loopback port, then measures, cold (empty mirrors) and warm (the mirrors of the cold pass; the
app and `summary` each keep their own, so the cold summary fetches what it reads):
  - the app: first frame, fully listed (scan and checks done);
  - `summary --json`: wall time;
  - requests the server answered (listings, object GETs, screenshot GETs) and bytes fetched.
and the same `summary --json` over the local folder for comparison. Prints one JSON object.
Loopback has no latency: a real store adds ~20-80 ms per request, which is what the request
counts are for.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.fixtures: the same server and upload the tests use

BUCKET = "bench-remote"
PREFIX = "results"
UPLOAD_SLICE = 2000


def upload(endpoint: str, root: Path, threads: int) -> dict[str, Any]:
    """Every file as its own object, `threads` PUTs at a time (one at a time, ~120 a second,
    the 96 000 objects of 3 000 tasks × 3 models took 13 minutes), a slice of files read at
    a time (not the whole workspace in memory beside the server's copy)."""
    import boto3
    from botocore.config import Config

    from tests.fixtures.remote_servers import tree_objects

    client = boto3.client(
        "s3", endpoint_url=endpoint, config=Config(max_pool_connections=max(10, threads))
    )
    client.create_bucket(Bucket=BUCKET)

    def put(item: tuple[str, bytes]) -> int:
        key, body = item
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=body)
        return len(body)

    began = time.perf_counter()
    sizes: list[int] = []
    objects = tree_objects(root)
    with ThreadPoolExecutor(threads) as pool:
        while group := list(itertools.islice(objects, UPLOAD_SLICE)):
            sizes.extend(pool.map(put, group))
    return {
        "objects": len(sizes),
        "bytes": sum(sizes),
        "upload_s": round(time.perf_counter() - began, 2),
    }


def requests(log: Any) -> dict[str, int]:
    return {
        "listings": len(log.listings()),
        "object_gets": len(log.gets()),
        "screenshot_gets": len(log.gets(".png")) + len(log.gets(".jpg")),
    }


def timed_summary(target: str) -> tuple[float, int]:
    from typer.testing import CliRunner

    from bench_tui.cli import app

    began = time.perf_counter()
    result = CliRunner().invoke(app, ["summary", "--json", target])
    elapsed = time.perf_counter() - began
    if result.exit_code != 0:
        raise SystemExit(f"summary failed: {result.stderr}")
    return elapsed, len(json.loads(result.stdout)["runs"])


async def app_pass(url: str) -> dict[str, Any]:
    from bench_tui.remote.session import open_remote
    from bench_tui.tui.app import BenchApp

    began = time.perf_counter()
    session = open_remote(url)
    app = BenchApp(session.root, images="none", remote=session)
    async with app.run_test(size=(160, 48)) as pilot:
        first_frame = time.perf_counter() - began
        while not (app.scan_done and app.checks_done):
            await pilot.pause(0.02)
        listed = time.perf_counter() - began
        runs = len(app.workspace.runs)
    stats = session.mirror.stats
    return {
        "first_frame_s": round(first_frame, 3),
        "fully_listed_s": round(listed, 3),
        "runs": runs,
        "files_fetched": stats.fetched_files,
        "bytes_fetched": stats.fetched_bytes,
    }


def one_pass(url: str, log: Any, cache: Path) -> dict[str, Any]:
    """The app and `summary`, each with its own mirror under `cache`: on the first pass both
    start empty (the summary is not served by the app's mirror), on the second both are warm."""
    log.clear()
    os.environ["XDG_CACHE_HOME"] = str(cache / "app")
    app = asyncio.run(app_pass(url))
    app["requests"] = requests(log)
    log.clear()
    os.environ["XDG_CACHE_HOME"] = str(cache / "summary")
    summary_s, runs = timed_summary(url)
    return {"app": app, "summary_s": round(summary_s, 3), "summary_requests": requests(log)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--upload-threads", type=int, default=8, help="PUTs at a time")
    args = parser.parse_args()
    logging.getLogger("werkzeug").propagate = False

    from moto.server import ThreadedMotoServer

    from tests.fixtures.remote_servers import RequestLog, free_port

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    log = RequestLog()
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.addHandler(log)
    werkzeug.setLevel(logging.INFO)
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
    )
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-remote-cache-") as cache:
            uploaded = upload(endpoint, args.workspace, args.upload_threads)
            url = f"s3://{BUCKET}/{PREFIX}"
            local_s, runs = timed_summary(str(args.workspace))
            cold = one_pass(url, log, Path(cache))
            warm = one_pass(url, log, Path(cache))
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "what": "remote results over s3:// (moto on loopback)",
                "workspace": str(args.workspace),
                "runs": runs,
                "uploaded": uploaded,
                "local_summary_s": round(local_s, 3),
                "cold": cold,
                "warm": warm,
                "cpus": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
