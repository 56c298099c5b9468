"""The desk's gatekeeping, as plain functions: the secret, the Host header, the origin and the CSRF token.

Anything on the machine can reach a loopback port, and any web page the
reviewer opens can make their browser send requests to it. So every request
must carry the secret the desk printed (in the URL once, then in a cookie
that is HttpOnly and SameSite=Strict); its ``Host`` header must name the
loopback address and the desk's port (a DNS-rebinding page sends its own
host name); and every request that changes anything is a POST from the
desk's own origin carrying the CSRF token of the page it came from.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

#: Host names the desk answers to (with its port).
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class DeskSecrets:
    """The random values of one run of the desk (never written to disk)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Grants access: in the URL printed, then in the cookie."""
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    """Must come back with every POST (a hidden field of the desk's forms)."""
    preview: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    """The first path segment of the preview server's addresses."""


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (no timing tells how much of a guess was right)."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def host_allowed(host: str | None, port: int) -> bool:
    """Whether a ``Host`` header names this server: ``127.0.0.1:PORT`` or ``localhost:PORT`` exactly."""
    return host is not None and host.strip().lower() in {f"{name}:{port}" for name in LOOPBACK_NAMES}


def origin_allowed(origin: str | None, port: int) -> bool:
    """Whether a POST's ``Origin`` is the desk itself; a request without one (not sent by browsers for POST) is allowed here, the CSRF token decides."""
    if origin is None:
        return True
    return origin.strip().lower() in {f"http://{name}:{port}" for name in LOOPBACK_NAMES}


def cookie_name(port: int) -> str:
    """The cookie holding the secret; named by port, as cookies do not tell ports apart."""
    return f"medkb_desk_{port}"


def cookie_values(header: str | None, name: str) -> list[str]:
    """Every value of cookie ``name`` in a ``Cookie`` header.

    All of them, not the last: a page of another port of 127.0.0.1 (cookies
    do not tell ports apart) may set a cookie of the same name for a longer
    path, which the browser then sends first; the desk's own must still count.
    """
    if not header:
        return []
    found = []
    for pair in header.split(";"):
        key, sep, value = pair.strip().partition("=")
        if sep and key == name:
            found.append(value.strip().strip('"'))
    return found


def has_secret(header: str | None, name: str, token: str) -> bool:
    """Whether the ``Cookie`` header carries the desk's secret under ``name``."""
    return any(same_secret(value, token) for value in cookie_values(header, name))


def set_cookie_header(name: str, token: str) -> str:
    """``Set-Cookie`` for the secret: not readable by scripts, never sent from another site's page."""
    return f"{name}={token}; Path=/; HttpOnly; SameSite=Strict"
