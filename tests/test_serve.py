"""`bench-tui serve` without a browser: the token rule, the access checks, the missing extra
(DESIGN §10 "serve"). Every request goes to 127.0.0.1, whatever address the server is bound to."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from bench_tui.cli import app
from bench_tui.serve.access import is_loopback, same_token, token_in_force
from bench_tui.serve.server import decode_goto, encode_goto, session_argv
from tests.fixtures.openadapt_builders import build_complete_run
from tests.fixtures.serving import (
    SRC,
    Served,
    command_line,
    descendants,
    start_serve,
    still_running,
    wait_for,
)


@pytest.fixture
def results(tmp_path: Path) -> Path:
    build_complete_run(tmp_path)
    return tmp_path


@pytest.fixture
def stop_after():
    started: list[Served] = []
    yield started.append
    for served in started:
        if served.process.poll() is None:
            served.stop()
        served.process.communicate(timeout=10)


def status(served: Served, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def cookie_after(served: Served, path: str) -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie")
        return cookie.split(";", 1)[0] if cookie else None
    finally:
        connection.close()


WS_HEADERS = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


async def _first_frame(url: str, headers: dict[str, str]) -> bytes:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, headers=headers, timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws,
    ):
        message = await asyncio.wait_for(ws.receive(), 20)
        return message.data if isinstance(message.data, bytes) else str(message.data).encode()


def first_frame(url: str, headers: dict[str, str] | None = None) -> bytes:
    return asyncio.run(_first_frame(url, headers or {}))


# ----- units ---------------------------------------------------------------------------------------


def test_the_token_rule() -> None:
    assert token_in_force("127.0.0.1", None) is None
    assert token_in_force("localhost", None) is None
    assert token_in_force("::1", None) is None
    assert token_in_force("127.0.0.1", "mine") == "mine"
    generated = {token_in_force("0.0.0.0", None) for _ in range(2)}
    assert len(generated) == 2 and all(t and len(t) >= 32 for t in generated)
    assert token_in_force("gpu-box", None) is not None
    assert token_in_force("::", "given") == "given"
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")
    assert not same_token("tökén", "token") and not same_token(None, "t")
    assert same_token("t", "t")


def test_a_goto_rides_in_the_websocket_path_and_only_as_one_argument(tmp_path: Path) -> None:
    target = "runs/a b/task-1/2"
    assert decode_goto(encode_goto(target)) == target
    for bad in ("***", encode_goto("a\x00b"), "A" * 9000):
        with pytest.raises(ValueError):
            decode_goto(bad)
    argv = session_argv(tmp_path, "-x; rm -rf /")
    assert argv[-3:] == ["--goto=-x; rm -rf /", "--", str(tmp_path)]
    assert "--images=halfblock" in argv


def test_a_served_url_passes_its_cache_size_to_every_session() -> None:
    from bench_tui.remote.arg import RemoteArg

    url = RemoteArg("s3://bucket/results")
    argv = session_argv(url, None, cache_size="500M")  # type: ignore[arg-type]
    assert argv[-3:] == ["--cache-size=500M", "--", "s3://bucket/results"]
    assert not [word for word in session_argv(url, None) if "cache-size" in word]  # type: ignore[arg-type]
    bad = CliRunner().invoke(app, ["serve", "s3://bucket/results", "--cache-size", "lots"])
    assert bad.exit_code == 2 and bad.stderr.startswith("bench-tui: --cache-size: not a size")


# ----- the server ------------------------------------------------------------------------------------


def test_off_loopback_a_token_is_generated_and_required(results: Path, stop_after) -> None:
    served = start_serve(str(results), "--host", "0.0.0.0", "--port", "0")
    stop_after(served)
    token = served.token
    assert token and len(token) >= 32
    assert (
        served.first_line == f"serving {results} at http://0.0.0.0:{served.port}/?token={token}\n"
    )
    assert status(served, "/") == 403
    assert status(served, "/?token=wrong") == 403
    assert status(served, "/?token=t%C3%B6k") == 403  # not ASCII: refused, not a server error
    assert status(served, "/static/js/textual.js") == 403
    assert status(served, "/ws?width=80&height=24", WS_HEADERS) == 403
    assert status(served, "/ws/YQ?width=80&height=24", WS_HEADERS) == 403
    assert descendants(served.process.pid) == {}, "a refused request started a process"
    assert status(served, f"/?token={token}") == 200
    cookie = cookie_after(served, f"/?token={token}")
    assert cookie == f"bench_tui_token_{served.port}={token}"
    assert status(served, "/static/js/textual.js", {"Cookie": cookie}) == 200
    # The same socket with the token starts an app process: the count above could see one.
    assert first_frame(served.local("/ws?width=80&height=24"), {"Cookie": cookie})
    assert wait_for(lambda: descendants(served.process.pid), 10)


def test_a_given_token_is_the_one_required(results: Path, stop_after) -> None:
    served = start_serve(str(results), "--host", "0.0.0.0", "--port", "0", "--token", "s3cret-T")
    stop_after(served)
    assert served.token == "s3cret-T"
    assert status(served, "/") == 403
    assert status(served, "/?token=s3cret") == 403
    assert status(served, "/?token=s3cret-T") == 200
    assert status(served, "/ws?width=80&height=24", WS_HEADERS) == 403
    assert descendants(served.process.pid) == {}


def test_loopback_needs_no_token_but_refuses_other_host_names_and_origins(
    results: Path, stop_after
) -> None:
    served = start_serve(str(results), "--port", "0")
    stop_after(served)
    assert served.token is None
    assert served.first_line == f"serving {results} at http://127.0.0.1:{served.port}/\n"
    assert status(served, "/") == 200
    assert status(served, "/", {"Host": f"localhost:{served.port}"}) == 200
    # A page whose DNS name was rebound to 127.0.0.1 sends its own name as Host.
    assert status(served, "/", {"Host": f"attacker.example:{served.port}"}) == 403
    foreign = {**WS_HEADERS, "Origin": "http://attacker.example"}
    assert status(served, "/ws?width=80&height=24", foreign) == 403
    assert descendants(served.process.pid) == {}
    same = {"Origin": f"http://127.0.0.1:{served.port}"}
    assert first_frame(served.local("/ws?width=80&height=24"), same)


def test_each_session_runs_the_app_with_half_blocks_and_its_goto(results: Path, stop_after) -> None:
    served = start_serve(str(results), "--port", "0")
    stop_after(served)
    page = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    page.request("GET", "/?goto=benchmark_results/waa_eval_20251104_091522/notepad_greeting/2")
    html = page.getresponse().read().decode()
    page.close()
    websocket_path = html.split('data-session-websocket-url="', 1)[1].split('"', 1)[0]
    assert websocket_path.startswith(f"ws://127.0.0.1:{served.port}/ws/")
    path = websocket_path.split(str(served.port), 1)[1]
    assert first_frame(served.local(path + "?width=120&height=40"))
    assert wait_for(lambda: descendants(served.process.pid), 10)
    (app_pid,) = [
        pid
        for pid in descendants(served.process.pid)
        if command_line(pid)[1:4] == ["-m", "bench_tui", "open"]
    ]
    argv = command_line(app_pid)
    assert "--images=halfblock" in argv
    assert "--goto=benchmark_results/waa_eval_20251104_091522/notepad_greeting/2" in argv
    assert argv[-1] == str(results.resolve())


def test_sigterm_stops_the_server_and_its_sessions(results: Path) -> None:
    served = start_serve(str(results), "--port", "0")
    try:

        async def hold_a_session() -> float:
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(served.local("/ws?width=80&height=24")) as ws,
            ):
                await asyncio.wait_for(ws.receive(), 20)
                apps = descendants(served.process.pid)
                assert apps
                took = await asyncio.to_thread(served.stop)
                assert still_running(apps) == []
                return took

        took = asyncio.run(hold_a_session())
        assert took < 5, f"SIGTERM took {took:.1f} s"
        assert served.process.returncode == 0
    finally:
        if served.process.poll() is None:
            served.process.kill()
        served.process.communicate(timeout=10)


def test_sessions_end_when_the_server_is_killed(results: Path) -> None:
    """SIGKILL leaves no handler to stop the sessions: each app notices its server is gone."""
    served = start_serve(str(results), "--port", "0")
    apps: dict[int, int] = {}
    try:

        async def kill_while_connected() -> dict[int, int]:
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(served.local("/ws?width=80&height=24")) as ws,
            ):
                await asyncio.wait_for(ws.receive(), 20)
                apps = descendants(served.process.pid)
                served.process.kill()
                served.process.wait(10)
                return apps

        apps.update(asyncio.run(kill_while_connected()))
        assert apps
        assert wait_for(lambda: not still_running(apps), 8), f"left behind: {still_running(apps)}"
    finally:
        if served.process.poll() is None:
            served.process.kill()
        served.process.communicate(timeout=10)
        for pid in still_running(apps):
            os.kill(pid, signal.SIGKILL)  # a failed run must not leave them to slow the rest


def test_a_public_url_replaces_the_base_of_every_url(results: Path, stop_after) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: the URL hides it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = start_serve(
        str(results),
        "--port",
        str(port),
        "--token",
        "tok",
        "--public-url",
        "https://bench.example/r/",
    )
    stop_after(served)
    assert served.first_line == f"serving {results} at https://bench.example/r/?token=tok\n"
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    page.request("GET", "/?token=tok&goto=x", headers={"Host": "bench.example"})
    html = page.getresponse().read().decode()
    page.close()
    assert 'data-session-websocket-url="wss://bench.example/r/ws/eA"' in html
    assert 'src="https://bench.example/r/static/js/textual.js"' in html


def test_a_port_in_use_is_one_line_and_exit_2(results: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bench_tui", "serve", str(results), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"bench-tui: cannot listen on 127.0.0.1:{port}: ")


# ----- without the extra -----------------------------------------------------------------------------

HIDE_TEXTUAL_SERVE = """
import sys
class NoServe:
    def find_spec(self, name, path=None, target=None):
        if name == "textual_serve" or name.startswith("textual_serve."):
            raise ImportError("No module named 'textual_serve'")
        return None
sys.meta_path.insert(0, NoServe())
sys.argv = ["bench-tui", "serve", sys.argv[1]]
from bench_tui.cli import main
main()
"""


def test_without_the_extra_serve_says_how_to_install_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", HIDE_TEXTUAL_SERVE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stderr == "install bench-tui[serve] to use serve\n"
    assert result.stdout == ""
