"""The desk's HTTP server (the standard library's ThreadingHTTPServer) and its routes.

Routes: ``GET /`` the queue, ``GET /article/<ref>`` an article, ``GET /setup``
who you are and which key signs, ``GET /static/<name>``; ``POST /action`` a
review move, ``POST /commit`` the optional commit, ``POST /setup``. Every
request passes :meth:`DeskHandler.gate` first (Host, secret; for POST also
Origin, form encoding, size and CSRF token). Moves are written by
:func:`medkb.review.apply.apply_review`, as ``medkb review`` writes them.
"""

from __future__ import annotations

import secrets
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from markupsafe import Markup

from medkb.articles.frontmatter import FrontMatterError
from medkb.citations.bibliography import BibliographyError
from medkb.desk.articles import MOVE_LABELS, DeskError, article_detail, queue_rows, resolve_ref
from medkb.desk.gitcommit import CommitError, DeskAction, commit_article, has_uncommitted_change
from medkb.desk.preview import PreviewBuilds
from medkb.desk.security import (
    DeskSecrets,
    cookie_name,
    cookie_value,
    host_allowed,
    origin_allowed,
    same_secret,
    set_cookie_header,
)
from medkb.desk.signing import SigningError, agent_public_keys, members_in_agent, signing_key
from medkb.desk.sitecfg import DeskSite
from medkb.desk.views import render, static_file
from medkb.review.apply import ReviewNotWritten, apply_review
from medkb.review.board import Board, Member
from medkb.review.workflow import today_utc
from medkb.site import site_board, site_catalog

#: The largest form the desk reads (a note is at most NOTE_LIMIT characters).
MAX_FORM_BYTES = 64 * 1024
NOTE_LIMIT = 2000


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


def identify(board: Board, agent_keys: list[str], email: str | None) -> Member | None:
    """Who the reviewer is when ``--as`` is not given: the one member whose key the agent holds, else the member whose e-mail git uses."""
    held = members_in_agent(board, agent_keys)
    if len(held) == 1:
        return held[0]
    return board.member_for(email) if email else None


class DeskHandler(BaseHTTPRequestHandler):
    """One request to the desk."""

    server_version = "medkb-desk"
    sys_version = ""
    state: DeskState  # set on the subclass made by make_server

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
        if not same_secret(cookie_value(self.headers.get("Cookie"), cookie_name(port)), self.state.secrets.token):
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

    def handle_safely(self, route: object) -> None:
        """Run a route; an unexpected failure is a page with one line (and one line in the terminal), never a traceback."""
        try:
            route()  # type: ignore[operator]
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # noqa: BLE001 - the reviewer gets a message, not a traceback
            print(f"medkb desk: {self.command} {urlsplit(self.path).path}: unexpected {type(e).__name__}: {e}", file=sys.stderr)
            try:
                self.refuse(HTTPStatus.INTERNAL_SERVER_ERROR, f"Something went wrong in the desk ({type(e).__name__}: {e}); nothing was written.")
            except OSError:
                pass

    def route_get(self) -> None:
        """GET routes."""
        if not self.gate():
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        flash = self.state.take_flash(query.get("flash"))
        if path == "/":
            return self.queue_page(flash)
        if path.startswith("/article/"):
            return self.article_page(path.removeprefix("/article/"), query.get("audience"), flash)
        if path == "/setup":
            return self.setup_page(flash)
        if path.startswith("/static/"):
            found = static_file(path.removeprefix("/static/"))
            if found is not None:
                data, kind = found
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.common_headers()
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                return
        if path == "/favicon.ico":  # browsers ask for it; the desk has none
            self.send_response(HTTPStatus.NO_CONTENT)
            self.common_headers()
            self.end_headers()
            return
        if path in ("/action", "/commit"):
            return self.refuse(HTTPStatus.METHOD_NOT_ALLOWED, "This address changes an article: it takes a POST from the desk's own form.")
        self.refuse(HTTPStatus.NOT_FOUND, "No such page on the desk.")

    def route_post(self) -> None:
        """POST routes."""
        if not self.gate():
            return
        path = urlsplit(self.path).path
        if path not in ("/action", "/commit", "/setup"):
            return self.refuse(HTTPStatus.NOT_FOUND, "No such form on the desk.")
        form = self.post_form()
        if form is None:
            return
        if path == "/action":
            return self.post_action(form)
        if path == "/commit":
            return self.post_commit(form)
        return self.post_setup(form)

    # -- pages --

    def base_context(self, flash: Flash | None, active: str) -> dict[str, object]:
        """What every page shows: the site, who you are, which key signs."""
        state = self.state
        board = site_board(state.site.layout)
        member = board.member_for(state.member_id) if board is not None and state.member_id else None
        agent_keys = agent_public_keys()
        in_agent = member is not None and member in members_in_agent(board, agent_keys) if board is not None else False
        if member is None:
            key_status = ""
        elif in_agent:
            key_status = "approvals are signed by your key in ssh-agent"
        elif state.key_file is not None:
            key_status = f"approvals are signed with {state.key_file}"
        else:
            key_status = "no key for approvals yet"
        return {
            "site_name": state.site.site_name, "who": member, "who_id": state.member_id, "key_status": key_status,
            "flash": flash, "active": active, "csrf": state.secrets.csrf,
        }

    def queue_page(self, flash: Flash | None) -> None:
        """Every article by status."""
        layout = self.state.site.layout
        try:
            board = site_board(layout)
            catalog = site_catalog(layout)
        except (FrontMatterError, BibliographyError) as e:
            return self.send_page(HTTPStatus.OK, render("queue.html", rows=[], site_error=str(e), **self.base_context(flash, "queue")))
        if board is None:
            return self.refuse(HTTPStatus.CONFLICT, f"{layout.display(self.state.site.config_file)} has no medkb/review plugin, so there is nothing to review.")
        rows = queue_rows(layout, board, catalog, today_utc())
        self.send_page(HTTPStatus.OK, render("queue.html", rows=rows, site_error="", **self.base_context(flash, "queue")))

    def article_page(self, ref: str, audience: str | None, flash: Flash | None, status: int = HTTPStatus.OK) -> None:
        """One article: as readers see it, its review, history and sources."""
        state = self.state
        layout = state.site.layout
        try:
            board = site_board(layout)
            if board is None:
                raise DeskError("the site has no medkb/review plugin, so no board", 409)
            detail = article_detail(ref, layout, board, site_catalog(layout), today_utc(), layout.rules.require_signatures)
        except DeskError as e:
            return self.refuse(e.status, str(e))
        except (FrontMatterError, BibliographyError) as e:
            return self.refuse(HTTPStatus.UNPROCESSABLE_ENTITY, str(e))
        build = state.preview.ensure_fresh()
        audiences = state.site.audiences
        chosen = audience if any(a.id == audience for a in audiences) else state.site.default_audience
        page_url = state.site.page_url(detail.src_uri)
        preview_url = f"http://127.0.0.1:{state.preview_port}/{state.secrets.preview}/{quote(page_url)}"
        if chosen:
            preview_url += "?" + urlencode({"audience": chosen})
        pending = state.actions.get(detail.file)
        can_commit = pending is not None and pending.data == detail.raw and has_uncommitted_change(layout.root, detail.file)
        self.send_page(status, render(
            "article.html", detail=detail, audiences=audiences, chosen=chosen, preview_url=preview_url,
            preview_ready=build.folder is not None, preview_error=build.error, preview_seconds=build.seconds,
            changes_html=changes_since_approval(detail), can_commit=can_commit, pending=pending if can_commit else None,
            **self.base_context(flash, "article"),
        ))

    def setup_page(self, flash: Flash | None, status: int = HTTPStatus.OK) -> None:
        """Who you are and which key signs."""
        layout = self.state.site.layout
        board = site_board(layout)
        members = list(board.members.values()) if board is not None else []
        agent_keys = agent_public_keys()
        in_agent = members_in_agent(board, agent_keys) if board is not None else []
        self.send_page(status, render(
            "setup.html", members=members, in_agent=in_agent, agent_running=bool(agent_keys) or _agent_socket(),
            key_file=str(self.state.key_file or ""), board_path=board.path if board is not None else "",
            **self.base_context(flash, "setup"),
        ))

    # -- forms --

    def post_action(self, form: dict[str, str]) -> None:
        """A review move, written as ``medkb review`` writes it; refused in plain words, nothing written."""
        state = self.state
        layout = state.site.layout
        ref, to, opened = form.get("article", ""), form.get("to", ""), form.get("opened", "")
        note = form.get("note", "").strip().replace("\r\n", "\n")
        try:
            file = resolve_ref(ref, layout)
            if to not in MOVE_LABELS:
                raise DeskError(f"{to!r} is not a review action; allowed: {', '.join(MOVE_LABELS)}")
            if not opened:
                raise DeskError("the form does not say which text you were shown (no 'opened' hash); reload the article")
            if len(note) > NOTE_LIMIT:
                raise DeskError(f"the note has {len(note)} characters; at most {NOTE_LIMIT}")
            if not state.member_id:
                raise DeskError("the desk does not know who you are: choose your board member id under Your key", 403)
            key = self.key_for(to)
            edit = apply_review(
                file, layout, member_id=state.member_id, to=to, on=today_utc(), note=note,
                key=key.path if key else None, expected_sha256=opened,
            )
        except DeskError as e:
            if e.status == 404:
                return self.refuse(404, str(e))
            return self.article_page(ref, None, Flash("error", f"Nothing was written: {e}"), status=e.status)
        except (ReviewNotWritten, SigningError) as e:
            return self.article_page(ref, None, Flash("error", f"Nothing was written: {e}"), status=HTTPStatus.CONFLICT)
        display = layout.display(file)
        title = _title_of(edit.data, display)
        with state.lock:
            state.actions[file] = DeskAction(display, title, edit.kind, edit.member.id, edit.on, note, edit.data)
        print(f"{display}: {edit.previous} -> {edit.kind} by {edit.member.id} on {edit.on} (medkb desk)", file=sys.stderr)
        state.preview.start()
        done = {"under-review": "You took it under review", "returned": "You returned it to the editor", "approved": "You approved it"}[edit.kind]
        signed = f", signed with {'your key in ssh-agent' if key.how == 'agent' else key.path}" if key else ""
        flash = state.add_flash("done", f"{done}{signed}. {display} was written; commit it below, or with git yourself.")
        self.redirect(f"/article/{quote(ref)}?{urlencode({'flash': flash})}")

    def key_for(self, to: str):  # noqa: ANN201 - SigningKey | None
        """The key an approval is signed with (``None`` when the move signs nothing)."""
        layout = self.state.site.layout
        if to != "approved" or not layout.rules.require_signatures:
            return None
        board = site_board(layout)
        member = board.member_for(self.state.member_id or "") if board is not None else None
        if member is None:
            return None  # plan_review refuses a non-member, in its own words
        return signing_key(member, self.state.key_file, self.state.workdir, agent_public_keys())

    def post_commit(self, form: dict[str, str]) -> None:
        """``git commit`` of the article the desk just wrote; never a push."""
        state = self.state
        layout = state.site.layout
        ref = form.get("article", "")
        try:
            file = resolve_ref(ref, layout)
        except DeskError as e:
            return self.refuse(e.status, str(e))
        action = state.actions.get(file)
        try:
            if action is None:
                raise CommitError("the desk has not changed this article since it started; commit it with git yourself")
            if file.read_bytes() != action.data:
                raise CommitError(f"{action.display} changed since the desk wrote it; look at the change and commit it with git yourself")
            commit = commit_article(layout.root, file, action)
        except CommitError as e:
            return self.article_page(ref, None, Flash("error", f"Not committed: {e}"), status=HTTPStatus.CONFLICT)
        with state.lock:
            state.actions.pop(file, None)
        print(f"{action.display}: committed as {commit} (medkb desk; not pushed)", file=sys.stderr)
        flash = state.add_flash("done", f"Committed as {commit}. Nothing was pushed: push when you are ready.")
        self.redirect(f"/article/{quote(ref)}?{urlencode({'flash': flash})}")

    def post_setup(self, form: dict[str, str]) -> None:
        """Choose who you are and, when the agent does not hold your key, your key file."""
        state = self.state
        board = site_board(state.site.layout)
        who = form.get("member", "").strip()
        member = board.member_for(who) if board is not None and who else None
        if member is None:
            return self.setup_page(Flash("error", f"'{who}' is not a member of the board ({board.path if board else 'board.yml'}); "
                                         "only members review and approve"), status=HTTPStatus.FORBIDDEN)
        key_text = form.get("key", "").strip()
        key = Path(key_text).expanduser() if key_text else None
        if key is not None and not key.is_file():
            return self.setup_page(Flash("error", f"the key file {key} does not exist; give the path of your private key (e.g. ~/.ssh/id_ed25519)"),
                                   status=HTTPStatus.UNPROCESSABLE_ENTITY)
        with state.lock:
            state.member_id, state.key_file = member.id, key
        self.redirect("/setup?" + urlencode({"flash": state.add_flash("done", f"You are {member.display} ({member.id}).")}))


def changes_since_approval(detail: object) -> Markup | None:
    """THE place the "Changes since approval" view goes (issue 14's medkb.review.changes); ``None`` until it exists."""
    return None


def _agent_socket() -> bool:
    import os

    return bool(os.environ.get("SSH_AUTH_SOCK"))


def _title_of(data: bytes, display: str) -> str:
    from medkb.articles.frontmatter import decode_source
    from medkb.articles.model import parse_article

    return parse_article(decode_source(data, display), display).title


def make_server(state: DeskState, port: int) -> ThreadingHTTPServer:
    """The desk's server on 127.0.0.1 (``port`` 0: a free one); ``state.port`` is set to the port bound."""
    handler = type("BoundDeskHandler", (DeskHandler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    return server
