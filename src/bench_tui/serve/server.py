"""`bench-tui serve`: the same app in a browser tab, on textual-serve (DESIGN §10 "serve").

textual-serve's `Server` builds the aiohttp application (page, static files, websocket) and its
`AppService` runs one app process per websocket. This module adds what bench-tui needs around them,
without changing their files:
- the access checks of `access.py` as a middleware on that aiohttp application;
- each browser session's own command: `python -m bench_tui open --images=halfblock [--goto=…] DIR`
  started without a shell (the browser terminal, xterm.js, draws neither Kitty nor Sixel images),
  in its own process group so that stopping it stops whatever it started;
- `?goto=` on the page URL reaches that command: the page opens its websocket at a URL the server
  writes into it, so the target rides in that URL's path (`/ws/<base64url>`);
- a stop that takes seconds, not the minute textual-serve's `run_app` gives open websockets:
  on SIGINT/SIGTERM every session is told to quit, killed if it has not within `QUIT_GRACE_S`,
  and every websocket is closed before the web server shuts down.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from bench_tui.deeplink import SERVE_URL_ENV
from bench_tui.serve.access import Access, access_middleware

log = logging.getLogger("bench-tui.serve")

QUIT_GRACE_S = 2.0
"""How long a session may take to quit once told to, before it is killed."""
SHUTDOWN_S = 2.0
"""aiohttp's wait for requests still being handled once the sessions are gone."""
GOTO_MAX = 4096
MAX_CELLS = 1000


@dataclass(frozen=True)
class ServeOptions:
    directory: Path
    directory_label: str
    host: str
    port: int
    token: str | None
    public_url: str | None = None
    use_index: bool = True
    cache_size: str | None = None
    """Remote results: the screenshot bytes each session's mirror keeps (`open --cache-size`)."""


def session_argv(
    directory: Path, goto: str | None, *, use_index: bool = True, cache_size: str | None = None
) -> list[str]:
    """The app process of one browser session (no shell: `goto` comes from a URL)."""
    argv = [sys.executable, "-m", "bench_tui", "open", "--images=halfblock"]
    if not use_index:
        argv.append("--no-index")
    if cache_size:
        argv.append(f"--cache-size={cache_size}")
    if goto:
        argv.append(f"--goto={goto}")  # one word: a target starting with "-" stays a value
    return [*argv, "--", str(directory)]


def encode_goto(goto: str) -> str:
    return base64.urlsafe_b64encode(goto.encode("utf-8")).decode("ascii").rstrip("=")


def decode_goto(encoded: str) -> str:
    """The target from a websocket path; ValueError when it is not one this server wrote."""
    if len(encoded) > GOTO_MAX * 2:
        raise ValueError("goto too long")
    try:
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True)
        goto = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"goto is not base64url UTF-8: {exc}") from exc
    if "\x00" in goto:
        raise ValueError("goto holds a NUL character")
    return goto


def base_url(host: str, port: int, public_url: str | None) -> str:
    """What a browser opens, without the token: `--public-url` as given, else host and port."""
    if public_url:
        return public_url.rstrip("/") + "/"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def with_token(url: str, token: str | None) -> str:
    return f"{url}?token={token}" if token else url


class AppSession(AppService):
    """One browser session's app process: started from an argv, stopped for sure."""

    def __init__(self, argv: list[str], environment: dict[str, str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.environment = environment
        self._halted = False

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        environment.update(self.environment)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            # Its own group: Ctrl+C in the server's terminal reaches the server only (which then
            # stops the sessions in order), and killing the group takes the app's children too.
            start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    async def halt(self, grace_s: float = QUIT_GRACE_S) -> None:
        """Ask the app to quit; kill its process group if it has not within `grace_s`."""
        process = self._process
        if process is None or self._halted:
            return
        self._halted = True  # once: a reaped group's id must not be signalled again later
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process.returncode is None:
            await self.send_meta({"type": "quit"})
            try:
                await asyncio.wait_for(process.wait(), grace_s)
            except TimeoutError:
                log.warning("app process %s did not quit in %.0f s: killed", process.pid, grace_s)
        # The group may be gone already (the usual case): nothing left to kill then.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.returncode is None:
            await process.wait()
        if self._task is not None:
            # Its reader ends at the closed pipe; awaited so that no task outlives the session.
            await self._task
            self._task = None


class BenchServer(Server):
    def __init__(self, options: ServeOptions) -> None:
        super().__init__(
            command="bench-tui",
            host=options.host,
            port=options.port,
            title="bench-tui",
            public_url=options.public_url,
        )
        self.options = options
        public_host = urlsplit(options.public_url).hostname if options.public_url else None
        self.access = Access(options.token, options.port, public_host)
        self.url = ""
        """What the first line prints and the sessions link to; set once the port is bound."""
        self.sessions: set[AppSession] = set()
        self.sockets: set[web.WebSocketResponse] = set()

    def bound(self, port: int) -> None:
        """The port is known (it may have been 0): fix the URLs the page and the apps see."""
        options = self.options
        self.access = Access(self.access.token, port, self.access.public_host)
        base = base_url(options.host, port, options.public_url)
        self.url = with_token(base, options.token)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(access_middleware(lambda: self.access))
        app.router.add_get("/ws/{goto}", self.handle_websocket, name="websocket-goto")
        return app

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner here; the first line on stdout is ours (see `run`)."""

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(session.halt() for session in list(self.sessions)))
        await asyncio.gather(*(_close(socket) for socket in list(self.sockets)))

    def base_for(self, request: web.Request) -> str:
        """The page's own origin (and path prefix): `--public-url`, else the Host the browser
        used. textual-serve writes its bind address here (`0.0.0.0`, or port 8000 where an ssh
        tunnel listens on another), and the token cookie goes only to the host that set it."""
        if self.options.public_url:
            return self.options.public_url.rstrip("/")
        return f"{request.scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page, with its URLs from `base_for` and the goto in the websocket's."""
        goto = request.query.get("goto", "")
        if len(goto) > GOTO_MAX or "\x00" in goto:
            raise web.HTTPBadRequest(text="400: goto too long or not text\n")
        base = self.base_for(request)
        websocket_url = ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1]
        websocket_url += "/ws" + ("/" + encode_goto(goto) if goto else "")
        context = {  # the template's context as textual-serve 1.1.3 fills it
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket_url,
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        try:
            goto = decode_goto(request.match_info.get("goto", ""))
        except ValueError as exc:
            raise web.HTTPBadRequest(text=f"400: {exc}\n") from exc
        websocket = web.WebSocketResponse(heartbeat=15)
        width = max(1, min(MAX_CELLS, to_int(request.query.get("width", "80"), 80)))
        height = max(1, min(MAX_CELLS, to_int(request.query.get("height", "24"), 24)))
        session: AppSession | None = None
        self.sockets.add(websocket)
        try:
            await websocket.prepare(request)
            session = AppSession(
                session_argv(
                    self.options.directory,
                    goto or None,
                    use_index=self.options.use_index,
                    cache_size=self.options.cache_size,
                ),
                {SERVE_URL_ENV: with_token(self.base_for(request) + "/", self.options.token)},
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions.add(session)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
            raise
        except Exception:
            # A browser sending garbage ends its own session; the server and the others go on.
            log.exception("session ended on an error")
        finally:
            self.sockets.discard(websocket)
            if session is not None:
                self.sessions.discard(session)
                await session.halt()
        return websocket


async def _close(socket: web.WebSocketResponse) -> None:
    try:
        await asyncio.wait_for(socket.close(message=b"server stopping"), QUIT_GRACE_S)
    except TimeoutError:
        log.warning("a browser did not answer the websocket close: dropped")


async def serve_until_stopped(options: ServeOptions) -> int:
    server = BenchServer(options)
    runner = web.AppRunner(
        await server._make_app(), shutdown_timeout=SHUTDOWN_S, handle_signals=False
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, options.host, options.port)
        try:
            await site.start()
        except OSError as exc:
            print(
                f"bench-tui: cannot listen on {options.host}:{options.port}: {exc}", file=sys.stderr
            )
            return 2
        server.bound(runner.addresses[0][1])
        print(f"serving {options.directory_label} at {server.url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        print("bench-tui: stopping", file=sys.stderr, flush=True)
    finally:
        await runner.cleanup()
    return 0


def run(options: ServeOptions) -> int:
    return asyncio.run(serve_until_stopped(options))
