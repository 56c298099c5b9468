"""Which key signs a member's approval: their key in ``ssh-agent``, else a key file chosen once.

``ssh-keygen -Y sign -f FILE`` signs through the agent when the agent holds
the key whose public half ``FILE`` holds, so a passphrase-protected key added
with ``ssh-add`` signs without the desk ever seeing the passphrase: the desk
passes the member's public key from ``board.yml``. A key file not in the
agent must be usable without a passphrase (the desk has no terminal to ask
for one); a protected one is refused with the ``ssh-add`` command to run.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from medkb.review.board import Board, Member


class SigningError(ValueError):
    """No key can sign, in plain words with what to do."""


@dataclass(frozen=True)
class SigningKey:
    """What :func:`medkb.review.actions.plan_review` is given as ``key``, and how the reviewer is told."""

    path: Path
    how: str
    """``"agent"`` or ``"file"``."""


def key_id(public_key: str) -> tuple[str, str]:
    """A public key line's type and base64 body (its comment left out)."""
    parts = public_key.split()
    return (parts[0], parts[1]) if len(parts) >= 2 else ("", "")


def agent_public_keys(env: dict[str, str] | None = None) -> list[str]:
    """The public keys ``ssh-agent`` holds (``ssh-add -L``); empty without an agent or keys."""
    env = dict(os.environ if env is None else env)
    if not env.get("SSH_AUTH_SOCK"):
        return []
    try:
        found = subprocess.run(["ssh-add", "-L"], capture_output=True, text=True, timeout=10, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return []
    if found.returncode != 0:
        return []
    return [line.strip() for line in found.stdout.splitlines() if line.strip().count(" ") >= 1]


def members_in_agent(board: Board, agent_keys: list[str]) -> list[Member]:
    """The board members whose key the agent holds."""
    held = {key_id(k) for k in agent_keys}
    return [m for m in board.members.values() if m.key and key_id(m.key) in held]


def needs_passphrase(key_file: Path) -> bool:
    """Whether a private key file is protected by a passphrase (``ssh-keygen -y`` with an empty one fails)."""
    try:
        found = subprocess.run(
            ["ssh-keygen", "-y", "-P", "", "-f", str(key_file)], capture_output=True, text=True, timeout=30,
            stdin=subprocess.DEVNULL, start_new_session=True,  # no terminal to prompt on
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode != 0 and "passphrase" in found.stderr.lower()


def signing_key(member: Member, key_file: Path | None, workdir: Path, agent_keys: list[str]) -> SigningKey:
    """The key that signs ``member``'s approval; :class:`SigningError` when none can.

    The agent comes first: its key is used through the member's public key
    from ``board.yml``, written to ``workdir``. Then ``key_file``. The
    signature is still checked against ``board.yml`` by ``plan_review``, so a
    key file that is not the member's is refused there.
    """
    if member.key and key_id(member.key) in {key_id(k) for k in agent_keys}:
        public = workdir / f"{member.id}.pub"
        public.write_text(member.key.strip() + "\n", encoding="utf-8")
        return SigningKey(public, "agent")
    if key_file is None:
        raise SigningError(
            f"no key to sign with: ssh-agent does not hold {member.id}'s key from board.yml. "
            "Add your key to the agent (ssh-add ~/.ssh/id_ed25519) or choose your key file under Your key, then approve again"
        )
    if not key_file.is_file():
        raise SigningError(f"the key file {key_file} does not exist; choose your private key file under Your key")
    if needs_passphrase(key_file):
        raise SigningError(
            f"the key {key_file} is protected by a passphrase and ssh-agent does not hold it: "
            f"run ssh-add {key_file} in a terminal (the agent then signs without asking here), then approve again"
        )
    return SigningKey(key_file, "file")
