"""The medical advisory board: ``board.yml``, validated.

Each member has an id (used in approvals and URLs), a name, credentials, a
role, optional specialties and bio, and the SSH public key their approvals
are signed with. Ids are plain names (no wildcards, no spaces): they
name the signer in every approval record.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from medkb.articles.frontmatter import FrontMatterError, Value, decode_source, parse_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# A plain address: one '@', no spaces or angle brackets, a dot in the domain.
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")
_KEY = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]+(?: .*)?$")
# Bidirectional controls can make a name render as someone else's.
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"}
SIGNATURE_NAMESPACE = "medkb-approval"


class BoardError(FrontMatterError):
    """A problem in ``board.yml``, located by path and line."""


@dataclass(frozen=True)
class Member:
    """A board member."""

    id: str
    name: str
    credentials: str
    role: str
    specialties: tuple[str, ...] = ()
    bio: str = ""
    key: str | None = None
    emails: tuple[str, ...] = ()
    """Addresses that name this member in a history ``by:`` (e.g. ``medkb new``'s git user.email)."""
    affiliation: str = ""
    """Where the member works (shown on the board page)."""
    disclosures: tuple[str, ...] | None = None
    """Declared conflicts of interest; ``()`` declared none; ``None`` when board.yml records no declaration."""

    @property
    def display(self) -> str:
        """``Name, credentials``."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass
class Board:
    """The roster, by member id."""

    members: dict[str, Member] = field(default_factory=dict)
    path: str = "board.yml"
    approvals: list[dict[str, Value]] = field(default_factory=list)
    """Approvals of this roster itself (see ``medkb verify``)."""

    def get(self, member_id: str) -> Member | None:
        """The member with this id, or ``None``."""
        return self.members.get(member_id)

    def member_for(self, who: str) -> Member | None:
        """The member a history ``by:`` names: their id, or one of their e-mails (any case)."""
        who = who.strip()
        member = self.members.get(who)
        if member is None and "@" in who:
            address = who.casefold()
            member = next((m for m in self.members.values() if address in (e.casefold() for e in m.emails)), None)
        return member

    def digest(self) -> str:
        """SHA-256 of the roster's content (ids, names, credentials, roles, keys; e-mails where listed, so a roster without them keeps its digest)."""
        data = [
            [m.id, m.name, m.credentials, m.role, list(m.specialties), m.bio, m.key] + ([list(m.emails)] if m.emails else [])
            for m in self.members.values()
        ]
        return "sha256:" + hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _text(value: Value, key: str, path: str, line: int | None, *, required: bool) -> str:
    if value is None:
        if required:
            raise BoardError(path, line, f"member is missing '{key}'")
        return ""
    if not isinstance(value, str):
        raise BoardError(path, line, f"'{key}' must be text")
    text = value.strip()
    if required and not text:
        raise BoardError(path, line, f"'{key}' is empty")
    bad = [c for c in text if c in _BIDI or (unicodedata.category(c) == "Cc" and c not in "\n\t")]
    if bad:
        raise BoardError(
            path, line, f"'{key}' contains the control character U+{ord(bad[0]):04X}; names must read as written"
        )
    return text


def parse_board(text: str, path: str = "board.yml", require_keys: bool = True) -> Board:
    """Validate ``board.yml`` text; errors name the file, line and value."""
    fm = parse_yaml(text, path)
    members_raw = fm.data.get("members")
    # An empty list is a board with no members yet (a new knowledge base):
    # nothing can be approved until members are added.
    if not isinstance(members_raw, list):
        raise BoardError(path, fm.line_of("members") or 1, "board.yml needs a 'members:' list ('members: []' while the board has no members)")
    board = Board(path=path)
    for index, raw in enumerate(members_raw):
        prefix = f"members[{index}]"
        line = _member_line(fm.lines, index)
        if not isinstance(raw, dict):
            raise BoardError(path, line, f"{prefix} must be a mapping with id, name, credentials, role and key")
        member_id = _text(raw.get("id"), "id", path, line, required=True)
        if not _ID.match(member_id):
            raise BoardError(
                path,
                line,
                f"member id {member_id!r} must be lowercase letters, digits, '.', '_' or '-' (no wildcards or spaces)",
            )
        if member_id in board.members:
            raise BoardError(path, line, f"duplicate member id '{member_id}'")
        key = raw.get("key")
        if key is not None:
            key = _text(key, "key", path, line, required=True)
            if not _KEY.match(key):
                raise BoardError(path, line, f"member '{member_id}': 'key' is not an SSH public key line (ssh-ed25519 AAAA...)")
        elif require_keys:
            raise BoardError(path, line, f"member '{member_id}' has no 'key' (the SSH public key approvals are signed with)")
        if key is not None:
            # One member, one key: a key listed twice would let one person
            # count as two approvers.
            material = " ".join(key.split()[:2])
            owner = next((m.id for m in board.members.values() if m.key and " ".join(m.key.split()[:2]) == material), None)
            if owner is not None:
                raise BoardError(path, line, f"member '{member_id}' has the same key as '{owner}'; each member signs with a key of their own")
        specialties = raw.get("specialties") or []
        if not isinstance(specialties, list) or not all(isinstance(s, str) for s in specialties):
            raise BoardError(path, line, f"member '{member_id}': 'specialties' must be a list of text")
        disclosures = raw.get("disclosures")
        if disclosures is not None and (not isinstance(disclosures, list) or not all(isinstance(d, str) for d in disclosures)):
            raise BoardError(
                path, line, f"member '{member_id}': 'disclosures' is {disclosures!r}; it must be a list of text "
                "(one line per interest declared; [] when the member declared none)",
            )
        board.members[member_id] = Member(
            id=member_id,
            name=_text(raw.get("name"), "name", path, line, required=True),
            credentials=_text(raw.get("credentials"), "credentials", path, line, required=False),
            role=_text(raw.get("role"), "role", path, line, required=False),
            specialties=tuple(_text(s, "specialties", path, line, required=True) for s in specialties),  # type: ignore[arg-type]
            bio=_text(raw.get("bio"), "bio", path, line, required=False),
            key=key,
            emails=_emails(raw.get("emails"), member_id, board, path, line),
            affiliation=_text(raw.get("affiliation"), "affiliation", path, line, required=False),
            disclosures=None if disclosures is None else tuple(_text(d, "disclosures", path, line, required=True) for d in disclosures),
        )
    approvals = fm.data.get("approvals") or []
    if not isinstance(approvals, list) or not all(isinstance(a, dict) for a in approvals):
        raise BoardError(path, fm.line_of("approvals"), "'approvals' must be a list of approval records")
    board.approvals = approvals  # type: ignore[assignment]
    return board


def _emails(value: Value, member_id: str, board: Board, path: str, line: int | None) -> tuple[str, ...]:
    """A member's ``emails:``: addresses, none listed twice on the board (any case)."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(e, str) for e in value):
        raise BoardError(path, line, f"member '{member_id}': 'emails' must be a list of e-mail addresses, e.g. emails: [name@example.org]")
    taken = {e.casefold(): m.id for m in board.members.values() for e in m.emails}
    emails: list[str] = []
    for raw in value:
        email = _text(raw, "emails", path, line, required=True)
        if not _EMAIL.match(email):
            raise BoardError(path, line, f"member '{member_id}': {email!r} in 'emails' is not an e-mail address (name@example.org)")
        owner = taken.get(email.casefold())
        if owner is not None:
            whose = "twice for this member" if owner == member_id else f"also for member '{owner}'"
            raise BoardError(path, line, f"member '{member_id}': e-mail {email!r} is listed {whose}; an address names one member")
        taken[email.casefold()] = member_id
        emails.append(email)
    return tuple(emails)


def _member_line(lines: dict[str, int], index: int) -> int | None:
    key = f"members[{index}]"
    found = [line for path, line in lines.items() if path.startswith(key + ".")]
    return min(found) if found else lines.get("members")


def load_board(file: Path, display: str | None = None, require_keys: bool = True) -> Board:
    """Read and validate a board file."""
    path = display or str(file)
    try:
        raw = file.read_bytes()
    except OSError as e:
        raise BoardError(path, None, f"cannot read the board roster ({e.strerror})") from None
    return parse_board(decode_source(raw, path), path, require_keys)
