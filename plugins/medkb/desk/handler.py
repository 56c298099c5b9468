"""The HTTP plumbing every request to the desk passes through: the gate, form reading, answers, its state.

:class:`GuardedHandler` refuses a request with a foreign ``Host`` or without
the secret (:meth:`~GuardedHandler.gate`) and a POST from another origin, in
another encoding, too large or without the CSRF token
(:meth:`~GuardedHandler.post_form`); every answer carries the same headers
(:meth:`~GuardedHandler.common_headers`). The routes are
:class:`medkb.desk.server.DeskHandler`'s.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from medkb.desk.articles import QueueRow
from medkb.desk.gitcommit import DeskAction
from medkb.desk.preview import PreviewBuilds
from medkb.desk.security import (
    DeskSecrets,
    cookie_name,
    has_secret,
    host_allowed,
    origin_allowed,
    same_secret,
    set_cookie_header,
)
from medkb.desk.sitecfg import DeskSite
from medkb.desk.views import render

#: The largest form the desk reads.
MAX_FORM_BYTES = 64 * 1024

@dataclass(frozen=True)
class Flash:
    """A message shown once, after a POST redirected to a page."""

    kind: str
    """``done`` or ``error``."""
    text: str


@dataclass
class DeskState:
    """What one run of the desk knows: the site, its secrets, who the reviewer is, what it wrote."""

    site: DeskSite
    secrets: DeskSecrets
    workdir: Path
    preview: PreviewBuilds
    member_id: str | None = None
    key_file: Path | None = None
    port: int = 0
    preview_port: int = 0
    flashes: dict[str, Flash] = field(default_factory=dict)
    actions: dict[Path, DeskAction] = field(default_factory=dict)
    """The last move the desk wrote to each file, until it is committed."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    queue_memo: tuple[object, list[QueueRow]] | None = None
    """The last queue and what it was computed from (the site's files and the date): reading it again costs a folder walk."""
    row_memo: tuple[object, dict[str, tuple[tuple[int, int], QueueRow]]] | None = None
    """Each article's row by its file's stat, valid while everything but the articles (and the date) is as it was."""

    def add_flash(self, kind: str, text: str) -> str:
        """Remember a message for the next page; its key for the address."""
        key = secrets.token_urlsafe(8)
        with self.lock:
            if len(self.flashes) > 100:
                self.flashes.clear()
            self.flashes[key] = Flash(kind, text)
        return key

    def take_flash(self, key: str | None) -> Flash | None:
        """The message once (a reload does not show it again)."""
        if not key:
            return None
        with self.lock:
            return self.flashes.pop(key, None)


class GuardedHandler(BaseHTTPRequestHandler):
    """A request to the desk, before its route: the checks and the ways to answer."""

    server_version = "medkb-desk"
    sys_version = ""
    state: DeskState  # set on the subclass made by medkb.desk.server.make_server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    # -- the gate --

    def gate(self) -> bool:
        """Refuse (and answer) a request with a foreign Host or without the secret; ``True`` when it may go on."""
        port = self.state.port
        if not host_allowed(self.headers.get("Host"), port):
            self.refuse(HTTPStatus.MISDIRECTED_REQUEST, "This desk answers only to 127.0.0.1 and localhost with its own port. "
                        "Open the address medkb desk printed.")
            return False
        query = parse_qs(urlsplit(self.path).query)
        given = query.get("token", [None])[0]
        if given is not None:
            if not same_secret(given, self.state.secrets.token):
                self.refuse(HTTPStatus.FORBIDDEN, "That is not this desk's address (its secret does not match). Open the address medkb desk printed.")
                return False
            # The secret moves to a cookie; the address bar and history keep no secret.
            self.send_response(HTTPStatus.SEE_OTHER)
            self.send_header("Set-Cookie", set_cookie_header(cookie_name(port), self.state.secrets.token))
            self.send_header("Location", urlsplit(self.path).path or "/")
            self.send_header("Content-Length", "0")
            self.common_headers()
            self.end_headers()
            return False
        if not has_secret(self.headers.get("Cookie"), cookie_name(port), self.state.secrets.token):
            self.refuse(HTTPStatus.FORBIDDEN, "This desk needs its secret: open the address medkb desk printed in the terminal "
                        "(http://127.0.0.1:PORT/?token=…).")
            return False
        return True

    def post_form(self) -> dict[str, str] | None:
        """The POST's form after the Origin, encoding, size and CSRF checks; ``None`` when refused (and answered)."""
        if not origin_allowed(self.headers.get("Origin"), self.state.port) or self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            self.refuse(HTTPStatus.FORBIDDEN, "Refused: the form was not sent from the desk's own pages.")
            return None
        if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            self.refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Refused: the desk reads forms sent as application/x-www-form-urlencoded only.")
            return None
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.refuse(HTTPStatus.LENGTH_REQUIRED, "Refused: the form has no Content-Length.")
            return None
        if length < 0 or length > MAX_FORM_BYTES:
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Refused: the form is larger than {MAX_FORM_BYTES} bytes.")
            return None
        try:
            fields = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            self.refuse(HTTPStatus.BAD_REQUEST, "Refused: the form is not valid UTF-8 form data.")
            return None
        form = {k: v[0] for k, v in fields.items() if len(v) == 1}
        if not same_secret(form.get("csrf"), self.state.secrets.csrf):
            self.refuse(HTTPStatus.FORBIDDEN, "Refused: the form's security token is missing or wrong. Reload the page and try again; nothing was changed.")
            return None
        return form

    # -- responses --

    def common_headers(self) -> None:
        """Headers of every answer: no caching, no sniffing, no referrer; the desk's own content only."""
        frame = " ".join(f"http://{name}:{self.state.preview_port}" for name in ("127.0.0.1", "localhost"))
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'none'; style-src 'self'; img-src 'self'; frame-src {frame}; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
        )
        self.send_header("X-Content-Type-Options", "nosniff")
        # Not no-referrer: under it Chromium sends "Origin: null" with the desk's own forms.
        self.send_header("Referrer-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")

    def send_page(self, status: int, html: str) -> None:
        """An HTML page."""
        data = html.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.common_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def refuse(self, status: int, message: str) -> None:
        """A refusal page: the reason in plain words, nothing else about the desk."""
        self.send_page(status, render("refused.html", status=int(status), message=message))

    def redirect(self, location: str) -> None:
        """303 See Other (after a POST)."""
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.common_headers()
        self.end_headers()

    # -- methods --

    def route_get(self) -> None:
        """GET and HEAD routes (the subclass's)."""
        raise NotImplementedError

    def route_post(self) -> None:
        """POST routes (the subclass's)."""
        raise NotImplementedError

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        """Pages; nothing a GET does changes anything."""
        self.handle_safely(self.route_get)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        """As GET, without the body."""
        self.handle_safely(self.route_get)

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        """Review moves, the commit, who you are."""
        self.handle_safely(self.route_post)

    def do_PUT(self) -> None:  # noqa: N802 - stdlib name
        """Not used: refused."""
        self.handle_safely(self.not_allowed)

    do_DELETE = do_PATCH = do_PUT  # noqa: N815 - stdlib names

    def not_allowed(self) -> None:
        """405 for methods the desk does not use."""
        if self.gate():
            self.refuse(HTTPStatus.METHOD_NOT_ALLOWED, "The desk answers GET and POST only.")

    def handle_safely(self, route: Callable[[], None]) -> None:
        """Run a route; an unexpected failure is a page with one line (and one line in the terminal), never a traceback."""
        try:
            route()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # noqa: BLE001 - the reviewer gets a message, not a traceback
            print(f"medkb desk: {self.command} {urlsplit(self.path).path}: unexpected {type(e).__name__}: {e}", file=sys.stderr)
            try:
                self.refuse(HTTPStatus.INTERNAL_SERVER_ERROR, f"Something went wrong in the desk ({type(e).__name__}: {e}); nothing was written.")
            except OSError:
                pass
