"""The desk's plain functions: the gate's checks, who signs, the commit message (issue 15)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from medkb.desk.gitcommit import DeskAction, commit_message
from medkb.desk.security import cookie_values, has_secret, host_allowed, origin_allowed, same_secret, set_cookie_header
from medkb.desk.signing import SigningError, key_id, members_in_agent, needs_passphrase, signing_key
from medkb.review.board import Board, Member


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1:8123", True), ("localhost:8123", True), ("LOCALHOST:8123", True),
    ("127.0.0.1", False), ("127.0.0.1:8124", False), ("attacker.example:8123", False), ("127.0.0.1:8123.attacker.example", False),
    ("[::1]:8123", False), ("", False), (None, False),
])
def test_host_header(host: str | None, allowed: bool) -> None:
    assert host_allowed(host, 8123) is allowed


def test_origin_and_secret_and_cookie() -> None:
    assert origin_allowed("http://127.0.0.1:8123", 8123) and origin_allowed(None, 8123)
    assert not origin_allowed("null", 8123) and not origin_allowed("http://127.0.0.1:9999", 8123) and not origin_allowed("https://127.0.0.1:8123", 8123)
    assert same_secret("abc", "abc") and not same_secret("abd", "abc") and not same_secret(None, "abc") and not same_secret("", "abc")
    assert cookie_values("a=1; medkb_desk_8123=tok; b=2", "medkb_desk_8123") == ["tok"]
    assert cookie_values('bad"cookie', "medkb_desk_8123") == [] and cookie_values(None, "x") == []
    # A cookie of the same name set from another port's page, sent first, does not hide the desk's.
    assert has_secret("medkb_desk_8123=planted; medkb_desk_8123=tok", "medkb_desk_8123", "tok")
    assert not has_secret("medkb_desk_8123=planted; other=tok", "medkb_desk_8123", "tok")
    assert set_cookie_header("n", "v") == "n=v; Path=/; HttpOnly; SameSite=Strict"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("unit-desk-keys")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "pw-pw-pw", "-C", "a", "-f", str(folder / "protected")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "b", "-f", str(folder / "plain")], check=True)
    return {"protected": folder / "protected", "plain": folder / "plain"}


def member(key_file: Path, member_id: str = "ana") -> Member:
    return Member(member_id, "Ana", "MD", "Chair", key=key_file.with_suffix(".pub").read_text().strip())


def test_needs_passphrase_asks_ssh_keygen(keys: dict[str, Path]) -> None:
    assert needs_passphrase(keys["protected"]) is True
    assert needs_passphrase(keys["plain"]) is False


def test_the_agent_comes_first_then_the_key_file(keys: dict[str, Path], tmp_path: Path) -> None:
    ana = member(keys["protected"])
    board = Board({"ana": ana, "bo": member(keys["plain"], "bo")})
    held = [ana.key + " comment-differs"] if ana.key else []
    assert members_in_agent(board, held) == [ana]
    chosen = signing_key(ana, None, tmp_path, held)
    assert chosen.how == "agent" and key_id(chosen.path.read_text()) == key_id(ana.key or "")
    with pytest.raises(SigningError, match="protected by a passphrase and ssh-agent does not hold it: run ssh-add"):
        signing_key(ana, keys["protected"], tmp_path, [])
    with pytest.raises(SigningError, match="no key to sign with"):
        signing_key(ana, None, tmp_path, [])
    with pytest.raises(SigningError, match="does not exist"):
        signing_key(ana, tmp_path / "missing", tmp_path, [])
    assert signing_key(ana, keys["plain"], tmp_path, []).how == "file"  # plan_review then refuses a key that is not Ana's


def test_commit_message_names_the_article_and_the_action() -> None:
    action = DeskAction("content/articles/x.md", "Is X safe?", "returned", "ana", dt.date(2026, 1, 2), "Cite the 2024 guideline.", b"")
    assert commit_message(action) == (
        "Return content/articles/x.md to the editor\n\nIs X safe?\n\n"
        "Review record: returned by ana on 2026-01-02 (medkb desk).\n\nNote: Cite the 2024 guideline.\n"
    )
