"""Starting and stopping the desk: ``medkb desk`` calls :func:`run_desk`."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import webbrowser
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType

from medkb.articles.frontmatter import FrontMatterError
from medkb.desk.preview import PreviewBuilds, preview_handler, temporary_workdir
from medkb.desk.security import DeskSecrets
from medkb.desk.handler import DeskState
from medkb.desk.server import identify, make_server
from medkb.desk.signing import agent_public_keys
from medkb.desk.sitecfg import load_desk_site
from medkb.site import site_board


class DeskStartError(ValueError):
    """The desk cannot start, in one line."""


def _git_email(root: Path) -> str | None:
    try:
        found = subprocess.run(["git", "-C", str(root), "config", "user.email"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_desk(config_file: Path, port: int = 0, open_browser: bool = True, member_id: str | None = None, key_file: Path | None = None) -> int:
    """Serve the desk until Ctrl-C (or SIGTERM); the first line on stdout is its address with the secret."""
    if not config_file.is_file():
        raise DeskStartError(f"{config_file}: not found; run medkb desk from the site's folder (or pass --config)")
    if key_file is not None and not key_file.is_file():
        raise DeskStartError(f"--key {key_file}: no such file; give your SSH private key (or leave --key out and use ssh-agent)")
    try:
        site = load_desk_site(config_file)
        board = site_board(site.layout)
    except FrontMatterError as e:
        raise DeskStartError(str(e)) from None
    if board is None:
        raise DeskStartError(f"{config_file}: the site has no medkb/review plugin, so there is nothing to review")
    if member_id is None:
        found = identify(board, agent_public_keys(), _git_email(site.layout.root))
        member_id = found.id if found is not None else None
    workdir = temporary_workdir()
    secrets = DeskSecrets()
    state = DeskState(site, secrets, workdir, PreviewBuilds(site.config_file, workdir), member_id=member_id, key_file=key_file)
    desk_port = [0]
    try:
        server = make_server(state, port)
        preview = ThreadingHTTPServer(("127.0.0.1", 0), preview_handler(state.preview, secrets.preview, desk_port))
    except OSError as e:
        shutil.rmtree(workdir, ignore_errors=True)
        raise DeskStartError(f"cannot listen on 127.0.0.1:{port} ({e.strerror}); choose another --port, or leave it out for a free one") from None
    preview.daemon_threads = True
    desk_port[0] = state.port
    state.preview_port = preview.server_address[1]
    url = f"http://127.0.0.1:{state.port}/?token={secrets.token}"
    print(url, flush=True)
    member = board.member_for(member_id) if member_id else None
    who = f"you are {member.display} ({member.id})" if member else (
        f"'{member_id}' is not a member of the board ({board.path})" if member_id else "choose who you are on the desk's Your key page")
    print(f"medkb desk: serving {site.site_name or config_file} on 127.0.0.1:{state.port}; {who}; Ctrl-C stops it", file=sys.stderr, flush=True)
    threading.Thread(target=preview.serve_forever, name="medkb-desk-preview-server", daemon=True).start()
    state.preview.refresh()  # the first build starts at once, in the background
    if open_browser:
        webbrowser.open(url)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Ctrl-C stops it also when started where SIGINT was ignored (a job a
    # shell put in the background: Python then leaves SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C while stopping must not leave a traceback either.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, previous)
        state.preview.stop()
        preview.shutdown()
        preview.server_close()
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    print("medkb desk: stopped", file=sys.stderr)
    return 0
