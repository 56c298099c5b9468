"""SSH signatures of approvals: ``ssh-keygen -Y sign`` and ``-Y verify``, namespace ``medkb-approval``.

A successful verification is remembered by :func:`verification_key`, a
digest of the message, the signature and the member's key (the review
plugin keeps these between builds in ``.cache/medkb``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

from medkb.review.board import SIGNATURE_NAMESPACE, Board


class SignatureError(ValueError):
    """Signing failed (no key, no ssh-keygen, a key ssh-keygen refuses)."""


def ssh_sign(message: bytes, key_file: Path) -> str:
    """Sign with ``ssh-keygen -Y sign``; the armored signature text."""
    try:
        key_bytes = key_file.read_bytes()
    except OSError as e:
        raise SignatureError(f"cannot read the signing key {key_file} ({e.strerror})") from None
    with tempfile.TemporaryDirectory(prefix="medkb-sign-") as tmp:
        # ssh-keygen refuses a key other users can read; a checkout (git
        # keeps no modes but the executable bit) makes such copies.
        private = Path(tmp, "key")
        private.touch(mode=0o600)
        private.write_bytes(key_bytes)
        try:
            result = subprocess.run(
                ["ssh-keygen", "-Y", "sign", "-f", str(private), "-n", SIGNATURE_NAMESPACE, "-q"],
                input=message,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise SignatureError("ssh-keygen is not installed (Debian: apt-get install openssh-client)") from None
    if result.returncode != 0 or b"BEGIN SSH SIGNATURE" not in result.stdout:
        detail = result.stderr.decode(errors="replace").strip() or "no signature produced"
        raise SignatureError(f"signing with {key_file} failed: {detail}")
    return result.stdout.decode().strip()


def verification_key(message: bytes, signature: str, principal: str, board: Board) -> str:
    """A digest of everything a verification depends on, to remember its result."""
    member = board.get(principal)
    h = hashlib.sha256(b"medkb-verify-v1\0" + message + b"\0" + signature.strip().encode() + b"\0")
    h.update(f"{principal}\0{member.key if member else ''}".encode())
    return h.hexdigest()


def ssh_verify(
    message: bytes, signature: str, principal: str, board: Board, verified: set[str] | None = None
) -> str | None:
    """``None`` if ``signature`` is ``principal``'s over ``message``, else why not.

    ``verified`` remembers successful checks (by :func:`verification_key`), so
    an unchanged approval is not checked again by ``ssh-keygen``.
    """
    if "BEGIN SSH SIGNATURE" not in signature or "END SSH SIGNATURE" not in signature:
        return "the signature is malformed or truncated"
    key = verification_key(message, signature, principal, board) if verified is not None else ""
    if verified is not None and key in verified:
        return None
    why = _ssh_keygen_verify(message, signature, principal, board)
    if why is None and verified is not None:
        verified.add(key)
    return why


def _ssh_keygen_verify(message: bytes, signature: str, principal: str, board: Board) -> str | None:
    with tempfile.TemporaryDirectory(prefix="medkb-verify-") as tmp:
        signers = Path(tmp, "allowed_signers")
        signers.write_text(board.allowed_signers())
        sig = Path(tmp, "approval.sig")
        sig.write_text(signature.strip() + "\n")
        try:
            result = subprocess.run(
                ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", principal, "-n", SIGNATURE_NAMESPACE, "-s", str(sig)],
                input=message,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            return "ssh-keygen is not installed (Debian: apt-get install openssh-client)"
    if result.returncode == 0:
        return None
    return f"the signature does not verify as {principal}'s key"


def load_verified(file: Path) -> set[str]:
    """Verification keys remembered from earlier builds (JSON list); an unreadable file is an empty memory."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {item for item in data if isinstance(item, str)} if isinstance(data, list) else set()


def save_verified(file: Path, verified: set[str]) -> None:
    """Write the memory atomically (JSON)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(sorted(verified)), encoding="utf-8")
    os.replace(tmp, file)
