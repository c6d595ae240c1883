"""Who may reach a served app (DESIGN §10 "serve"): the token rule and the checks on each request.

textual-serve has no authentication of its own, and every browser session it starts is a process
that reads the results folder. So: loopback needs no token; any other host always needs one. With
a token in force every request (page, static files, websocket, downloads) must carry it, as
`?token=` or as the cookie the first authorised page load sets; otherwise HTTP 403 and nothing
starts. Without a token (loopback), the Host header must name a loopback address, so a web page
that rebinds its own DNS name to 127.0.0.1 cannot drive the app. A websocket opened from a page of
another origin is refused either way (browsers send no CORS check for websockets).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
TOKEN_BYTES = 24
"""`secrets.token_urlsafe(24)`: 32 URL-safe characters, 192 bits."""


def is_loopback(host: str) -> bool:
    """Whether `host` (a bind address or a Host header's name) is this machine only."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def token_in_force(host: str, token: str | None) -> str | None:
    """The token requests must carry: the one given, else a fresh one off loopback, else none."""
    if token:
        return token
    if is_loopback(host):
        return None
    return secrets.token_urlsafe(TOKEN_BYTES)


def same_token(supplied: str | None, token: str) -> bool:
    if not supplied:
        return False
    # Bytes: compare_digest refuses str with non-ASCII characters (a 500 instead of a 403).
    return hmac.compare_digest(supplied.encode("utf-8"), token.encode("utf-8"))


def host_name(authority: str) -> str | None:
    """The host name of a `host[:port]` (brackets for IPv6), or None when it does not parse."""
    try:
        return urlsplit(f"//{authority}").hostname
    except ValueError:
        return None


@dataclass(frozen=True)
class Access:
    token: str | None
    port: int
    public_host: str | None = None
    """The host of `--public-url` (a proxy in front): also a Host the server answers to."""

    @property
    def cookie(self) -> str:
        # Cookies are per host, not per port: two servers on one machine must not share one.
        return f"bench_tui_token_{self.port}"

    def refusal(self, request: web.Request) -> str | None:
        """Why `request` is refused, or None when it may go on."""
        if self.token is not None:
            supplied = (request.query.get("token"), request.cookies.get(self.cookie))
            if not any(same_token(value, self.token) for value in supplied):
                return "this server needs its token: open the URL it printed"
        else:
            name = host_name(request.host)
            if name is None or not (is_loopback(name) or name == self.public_host):
                return "this server answers on loopback only"
        if _is_websocket(request) and not self._same_origin(request):
            return "a websocket from another site"
        return None

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: the token (or loopback) rule above is the check
        origin_host = urlsplit(origin).netloc.lower()
        return origin_host == request.host.lower() or (
            self.public_host is not None and host_name(origin_host) == self.public_host
        )


def _is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def access_middleware(current: Callable[[], Access]) -> Middleware:
    """`current()` is asked per request: the cookie's name waits for the port to be bound."""

    @web.middleware
    async def check_access(request: web.Request, handler: Handler) -> web.StreamResponse:
        access = current()
        reason = access.refusal(request)
        if reason is not None:
            raise web.HTTPForbidden(text=f"403: {reason}\n")
        response = await handler(request)
        if (
            access.token is not None
            and same_token(request.query.get("token"), access.token)
            and not response.prepared
        ):
            # The page loads its scripts and opens its websocket without `?token=`: the cookie
            # carries it. Strict: no other site's page can make the browser send it.
            response.set_cookie(
                access.cookie, access.token, httponly=True, samesite="Strict", path="/"
            )
        return response

    return check_access
