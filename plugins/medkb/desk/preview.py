"""The article as readers will see it: a real MkDocs build of the working tree, served on its own loopback port.

The build is ``medkb preview`` (:func:`medkb.preview.build_preview`: the
site's ``mkdocs.yml`` with every current text published, as it will read
once approved, each page marked as a reviewer's preview) into a temporary
folder (never the site's ``site_dir``), made again whenever a file of the
site changed. It is served from a second port, so its pages are another
origin than the desk: whatever script a page carries cannot read the desk's
pages (and so its CSRF token) nor post to it (``form-action``/``connect-src``
are ``'self'``), and it runs sandboxed (no top navigation, popups or forms). The preview's addresses start with a secret of their own;
``Host`` is checked as on the desk.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from medkb.desk.security import host_allowed, same_secret

#: Folders of the site's folder whose changes do not change the site.
_SKIPPED = {"site", "node_modules", "__pycache__", "venv"}


def tree_fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Path, size and modification time of every file of the site's folder (hidden folders and outputs left out)."""
    found = []
    for folder, dirs, files in os.walk(root):
        # Outputs and environments only at the top: a folder of docs_dir
        # named "site" is published, and a change in it must make a new build.
        top = os.path.samefile(folder, root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (top and d in _SKIPPED))
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            found.append((path, st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


@dataclass
class BuildResult:
    """One build of the preview."""

    folder: Path | None
    seconds: float
    error: str = ""
    """The end of the build's messages when it failed (the previous build is still served)."""


@dataclass(frozen=True)
class PreviewState:
    """What the article page can show of the preview now."""

    folder: Path | None
    """The last good build (``None``: none yet)."""
    seconds: float
    """How long the last build took."""
    error: str
    """Why the last build failed, if it did."""
    fresh: bool
    """Whether the last build is of the files as they are now (else a build is under way)."""


class PreviewBuilds:
    """Builds the working tree when it changed, in the background; one build at a time, the last good one served.

    A build of a large site takes a while (about 80 s at 1,000 articles on
    two cores): pages wait a few seconds for it (:meth:`refresh`), then show
    the last build and say a newer one is on its way.
    """

    def __init__(self, config_file: Path, workdir: Path) -> None:
        self.config_file = config_file
        self.root = config_file.parent
        self.workdir = workdir
        self._changed = threading.Condition()
        self._built_for: tuple[tuple[str, int, int], ...] | None = None
        self._building = False
        self.current: Path | None = None
        self.last = BuildResult(None, 0.0, "")
        self._count = 0
        self._folders: list[Path] = []
        self._process: subprocess.Popen[str] | None = None
        self._stopped = False

    def stop(self) -> None:
        """End a build under way (the desk is stopping): no build outlives the desk."""
        with self._changed:
            self._stopped = True
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def refresh(self, wait: float = 0.0) -> PreviewState:
        """Start a build if a file changed since the last one; wait up to ``wait`` seconds for the build of the files as they are."""
        with self._changed:
            if self.current is not None and self.last.seconds > wait:
                wait = 0.0  # a build of this site takes longer than a page may wait: show the last one now
            deadline = time.monotonic() + wait
            fingerprint = tree_fingerprint(self.root)
            if fingerprint != self._built_for and not self._building:
                self._building = True
                threading.Thread(target=self._build_until_fresh, name="medkb-desk-preview", daemon=True).start()
            while self._built_for != fingerprint and (remaining := deadline - time.monotonic()) > 0:
                self._changed.wait(remaining)
            return PreviewState(self.current, self.last.seconds, self.last.error, self._built_for == fingerprint)

    def _build_until_fresh(self) -> None:
        # Files saved during a build make another one.
        while True:
            with self._changed:
                fingerprint = tree_fingerprint(self.root)
                if fingerprint == self._built_for:
                    self._building = False
                    self._changed.notify_all()
                    return
            result = self._build()
            with self._changed:
                self.last, self._built_for = result, fingerprint
                self._changed.notify_all()

    def _build(self) -> BuildResult:
        self._count += 1
        out = self.workdir / f"build-{self._count}"
        started = time.perf_counter()
        # The build runs the working tree's configuration (its hooks too): it gets no way to the reviewer's ssh-agent.
        env = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"} | {"NO_MKDOCS_2_WARNING": "1"}
        with self._changed:
            if self._stopped:
                return BuildResult(self.current, 0.0, "the desk is stopping")
            self._process = subprocess.Popen(
                [sys.executable, "-m", "medkb.cli", "preview", "-d", str(out), "--config", str(self.config_file)],
                cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL,
            )
        try:
            _, stderr = self._process.communicate(timeout=900)
            failed = self._process.returncode != 0
            output = stderr.strip() or f"medkb preview exited with status {self._process.returncode}"
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            failed, output = True, "medkb preview did not finish in 900 s"
        seconds = time.perf_counter() - started
        if failed:
            shutil.rmtree(out, ignore_errors=True)
            return BuildResult(self.current, seconds, "\n".join(output.splitlines()[-15:]))
        self.current = out
        self._folders.append(out)
        # The build before stays a while: a page of it may still be loading.
        while len(self._folders) > 2:
            shutil.rmtree(self._folders.pop(0), ignore_errors=True)
        return BuildResult(out, seconds)


def preview_handler(builds: PreviewBuilds, token: str, desk_port_ref: list[int]) -> type[BaseHTTPRequestHandler]:
    """The request handler of the preview server: ``GET /TOKEN/<path>`` serves the last build's file."""

    class PreviewHandler(BaseHTTPRequestHandler):
        server_version = "medkb-desk-preview"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
            self._serve(send_body=False)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            self._serve(send_body=True)

        def _serve(self, send_body: bool) -> None:
            port = self.server.server_address[1]
            if not host_allowed(self.headers.get("Host"), port):  # type: ignore[arg-type]
                return self._plain(421, "This preview answers only to 127.0.0.1 and localhost with its port.")
            path = unquote(urlsplit(self.path).path)
            first, _, rest = path.lstrip("/").partition("/")
            if not same_secret(first, token):
                return self._plain(403, "Not the preview's address: open articles from the desk.")
            folder = builds.current
            if folder is None:
                return self._plain(503, "The preview is not built yet: reload in a moment.")
            target = _file_in(folder, rest)
            if target is not None and target.name == "index.html" and rest and not rest.endswith(("/", "index.html")):
                # A folder's page: its relative links need the trailing slash.
                self.send_response(301)
                self.send_header("Location", f"/{token}/{quote(rest)}/")
                self.send_header("Content-Length", "0")
                self._security_headers()
                self.end_headers()
                return
            if target is None:
                return self._plain(404, "No such page in the preview.")
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self.send_response(200)
            self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json")) else ""))
            self.send_header("Content-Length", str(len(data)))
            self._security_headers()
            self.end_headers()
            if send_body:
                self.wfile.write(data)

        def _security_headers(self) -> None:
            desk = desk_port_ref[0]
            ancestors = " ".join(f"http://{name}:{desk}" for name in ("127.0.0.1", "localhost"))
            self.send_header(
                "Content-Security-Policy",
                # A sandbox without allow-top-navigation, allow-popups or allow-forms: a page of the build can
                # neither take the desk's window elsewhere nor open or post anything; its scripts keep its own origin.
                f"sandbox allow-scripts allow-same-origin; frame-ancestors {ancestors}; form-action 'self'; connect-src 'self'; "
                "base-uri 'self'; object-src 'none'",
            )
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cache-Control", "no-store")

        def _plain(self, status: int, text: str) -> None:
            data = (text + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self._security_headers()
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return PreviewHandler


def _file_in(folder: Path, rest: str) -> Path | None:
    """The built file an address names, only inside ``folder`` (``..`` and links out refused)."""
    root = folder.resolve()
    target = (root / rest).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def temporary_workdir() -> Path:
    """A private folder for the desk's builds and key files (removed when the desk stops)."""
    return Path(tempfile.mkdtemp(prefix="medkb-desk-"))
