"""The desk's routes, on the standard library's ThreadingHTTPServer.

Routes: ``GET /`` the queue, ``GET /article/<ref>`` an article, ``GET /setup``
who you are and which key signs, ``GET /static/<name>``; ``POST /action`` a
review move, ``POST /commit`` the optional commit, ``POST /setup``. Every
request has passed :class:`medkb.desk.handler.GuardedHandler`'s checks first
(Host, secret; for POST also Origin, form encoding, size and CSRF token).
Moves are written by :func:`medkb.review.apply.apply_review`, as
``medkb review`` writes them.
"""

from __future__ import annotations

import os
import sys
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.articles.model import MARKDOWN_SUFFIXES, parse_article
from medkb.citations.bibliography import BibliographyError
from medkb.desk.articles import MOVE_LABELS, DeskError, article_detail, articles_folder, queue_rows, resolve_ref
from medkb.desk.changes import changes_since_approval
from medkb.desk.gitcommit import CommitError, DeskAction, commit_article, has_uncommitted_change
from medkb.desk.handler import DeskState, Flash, GuardedHandler
from medkb.desk.preview import tree_fingerprint
from medkb.desk.signing import SigningError, SigningKey, agent_public_keys, members_in_agent, signing_key
from medkb.desk.views import render, static_file
from medkb.review.apply import ReviewNotWritten, apply_review, file_sha256
from medkb.review.board import Board, Member
from medkb.review.workflow import today_utc
from medkb.site import SiteLayout, site_board, site_catalog

#: The longest note the desk records.
NOTE_LIMIT = 2000
#: How long an article page waits for the preview of the files as they are, before showing the last one.
PREVIEW_WAIT = 4.0


def identify(board: Board, agent_keys: list[str], email: str | None) -> Member | None:
    """Who the reviewer is when ``--as`` is not given: the one member whose key the agent holds, else the member whose e-mail git uses."""
    held = members_in_agent(board, agent_keys)
    if len(held) == 1:
        return held[0]
    return board.member_for(email) if email else None


class DeskHandler(GuardedHandler):
    """One request to the desk, after the gate: its pages and forms."""

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
        try:
            board = site_board(state.site.layout)
        except FrontMatterError:
            board = None  # the page itself says what is wrong with board.yml
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
        """Every article by status (computed again only when a file of the site changed, or the date)."""
        layout = self.state.site.layout
        today = today_utc()
        source = (tree_fingerprint(layout.root), today)
        memo = self.state.queue_memo
        if memo is not None and memo[0] == source:
            rows = memo[1]
        else:
            try:
                board = site_board(layout)
                catalog = site_catalog(layout)
            except (FrontMatterError, BibliographyError) as e:
                return self.send_page(HTTPStatus.OK, render("queue.html", rows=[], site_error=str(e), **self.base_context(flash, "queue")))
            if board is None:
                return self.refuse(HTTPStatus.CONFLICT, f"{layout.display(self.state.site.config_file)} has no medkb/review plugin, so there is nothing to review.")
            # After one article changed, only that one is assessed again.
            others = (_outside_articles(source[0], layout), today)
            if self.state.row_memo is None or self.state.row_memo[0] != others:
                self.state.row_memo = (others, {})
            rows = queue_rows(layout, board, catalog, today, self.state.row_memo[1])
            self.state.queue_memo = (source, rows)
        self.send_page(HTTPStatus.OK, render("queue.html", rows=rows, site_error="", **self.base_context(flash, "queue")))

    def article_page(self, ref: str, audience: str | None, flash: Flash | None, status: int = HTTPStatus.OK, note: str = "") -> None:
        """One article: as readers see it, its review, history and sources (``note``: what the reviewer typed, kept after a refusal)."""
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
        build = state.preview.refresh(wait=PREVIEW_WAIT)
        audiences = state.site.audiences
        chosen = audience if any(a.id == audience for a in audiences) else state.site.default_audience
        page_url = state.site.page_url(detail.src_uri)
        preview_url = f"http://127.0.0.1:{state.preview_port}/{state.secrets.preview}/{quote(page_url)}"
        if chosen:
            preview_url += "?" + urlencode({"audience": chosen})
        pending = state.actions.get(detail.file)
        can_commit = pending is not None and pending.data == detail.raw and has_uncommitted_change(layout.root, detail.file)
        was_approved = any(h.status == "approved" for h in detail.history)
        self.send_page(status, render(
            "article.html", detail=detail, audiences=audiences, chosen=chosen, preview_url=preview_url,
            preview_ready=build.folder is not None, preview_error=build.error, preview_seconds=build.seconds, preview_fresh=build.fresh,
            changes=changes_since_approval(detail.file, layout, detail.status, was_approved),
            can_commit=can_commit, pending=pending if can_commit else None, note=note,
            **self.base_context(flash, "article"),
        ))

    def setup_page(self, flash: Flash | None, status: int = HTTPStatus.OK) -> None:
        """Who you are and which key signs."""
        layout = self.state.site.layout
        try:
            board = site_board(layout)
        except FrontMatterError as e:
            return self.refuse(HTTPStatus.UNPROCESSABLE_ENTITY, str(e))
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
            shown_digest = form.get("digest", "")
            if to == "approved" and not shown_digest:
                raise DeskError("the form does not say which text and sources you were shown (no 'digest'); reload the article")
            if to == "approved" and _unchanged(file, opened):
                # Only a text the reviewer could read: the preview of exactly
                # these files (a changed article is refused as such below).
                build = state.preview.refresh(wait=0)
                if not build.fresh or build.error:
                    raise DeskError("the preview of the current files is not ready (a build is under way or failed); "
                                    "wait for it, read the article, then approve", HTTPStatus.CONFLICT)
            key = self.key_for(to)
            edit = apply_review(
                file, layout, member_id=state.member_id, to=to, on=today_utc(), note=note,
                key=key.path if key else None, expected_sha256=opened,
                expected_digest=shown_digest if to == "approved" else None,
            )
        except DeskError as e:
            if e.status == 404:
                return self.refuse(404, str(e))
            return self.article_page(ref, None, Flash("error", f"Nothing was written: {e}"), status=e.status, note=note)
        except (ReviewNotWritten, SigningError) as e:
            return self.article_page(ref, None, Flash("error", f"Nothing was written: {e}"), status=HTTPStatus.CONFLICT, note=note)
        display = layout.display(file)
        title = _title_of(edit.data, display)
        with state.lock:
            state.actions[file] = DeskAction(display, title, edit.kind, edit.member.id, edit.on, note, edit.data)
        print(f"{display}: {edit.previous} -> {edit.kind} by {edit.member.id} on {edit.on} (medkb desk)", file=sys.stderr)
        state.preview.refresh()  # in the background: the redirected page waits a little for it
        done = {"under-review": "You took it under review", "returned": "You returned it to the editor", "approved": "You approved it"}[edit.kind]
        signed = f", signed with {'your key in ssh-agent' if key.how == 'agent' else key.path}" if key else ""
        flash = state.add_flash("done", f"{done}{signed}. {display} was written; commit it below, or with git yourself.")
        self.redirect(f"/article/{quote(ref)}?{urlencode({'flash': flash})}")

    def key_for(self, to: str) -> SigningKey | None:
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


def _outside_articles(fingerprint: tuple[tuple[str, int, int], ...], layout: SiteLayout) -> tuple[tuple[str, int, int], ...]:
    """The site's files but its articles' Markdown files: what every article's assessment reads."""
    folder = str(articles_folder(layout).resolve()) + os.sep
    return tuple(entry for entry in fingerprint if not (entry[0].startswith(folder) and entry[0].lower().endswith(MARKDOWN_SUFFIXES)))


def _agent_socket() -> bool:
    return bool(os.environ.get("SSH_AUTH_SOCK"))


def _title_of(data: bytes, display: str) -> str:
    return parse_article(decode_source(data, display), display).title


def make_server(state: DeskState, port: int) -> ThreadingHTTPServer:
    """The desk's server on 127.0.0.1 (``port`` 0: a free one); ``state.port`` is set to the port bound."""
    handler = type("BoundDeskHandler", (DeskHandler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    return server


def _unchanged(file: Path, opened: str) -> bool:
    try:
        return file_sha256(file.read_bytes()) == opened
    except OSError:
        return False
