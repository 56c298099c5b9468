"""SSH signatures of approvals, namespace ``medkb-approval``.

Signing runs ``ssh-keygen -Y sign`` (it needs the member's private key or
agent). Verifying is done in process by :func:`verify_sshsig`, from the
SSHSIG format (OpenSSH's ``PROTOCOL.sshsig``) and the ``cryptography``
library: no process per approval, so nothing to remember between builds.
The tests check it against ``ssh-keygen -Y verify`` with real keys.

A successful verification is remembered by :func:`verification_key`, a
digest of the message, the signature and the member's key, in a set that
lives in one process only (the review plugin's, across ``mkdocs serve``
rebuilds); nothing about signatures is read from disk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import subprocess
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

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

    ``verified`` remembers successful checks (by :func:`verification_key`)
    within this process, so an unchanged approval is not checked twice.
    """
    if "BEGIN SSH SIGNATURE" not in signature or "END SSH SIGNATURE" not in signature:
        return "the signature is malformed or truncated"
    member = board.get(principal)
    if member is None or not member.key:
        return f"the signature does not verify as {principal}'s key"
    key = verification_key(message, signature, principal, board) if verified is not None else ""
    if verified is not None and key in verified:
        return None
    try:
        _verify(message, signature, member.key, SIGNATURE_NAMESPACE)
    except _Malformed:
        return "the signature is malformed or truncated"
    except Exception:  # _Invalid, or anything hostile input provoked
        return f"the signature does not verify as {principal}'s key"
    if verified is not None:
        verified.add(key)
    return None


def verify_sshsig(message: bytes, armored: str, public_key: str, namespace: str) -> str | None:
    """``None`` if ``armored`` is a valid SSHSIG signature of ``message`` by ``public_key`` in ``namespace``, else why not.

    ``public_key`` is an OpenSSH public key line (``ssh-ed25519 AAAA… [comment]``),
    as ``board.yml`` lists it. Supported: ``ssh-ed25519``,
    ``sk-ssh-ed25519@openssh.com``, ``ssh-rsa`` keys signing with
    ``rsa-sha2-256`` or ``rsa-sha2-512`` (SHA-1 ``ssh-rsa`` signatures are
    refused, as ``ssh-keygen`` refuses them) and ``ecdsa-sha2-nistp256/384/521``.
    Never raises on hostile input: every failure is a short reason.
    """
    try:
        _verify(message, armored, public_key, namespace)
    except (_Malformed, _Invalid) as e:
        return str(e)
    except Exception as e:  # noqa: BLE001 - hostile input must give a reason, never a traceback
        return f"the signature could not be checked ({type(e).__name__})"
    return None


class _Malformed(Exception):
    """The armor or the SSHSIG structure is not well formed."""


class _Invalid(Exception):
    """Well formed, but not a valid signature by this key in this namespace."""


_BEGIN = "-----BEGIN SSH SIGNATURE-----"
_END = "-----END SSH SIGNATURE-----"
_MAGIC = b"SSHSIG"
_MAX_ARMOR = 64 * 1024  # an RSA-16384 signature with its key armors to ~6 KB
_HASHES = {b"sha256": hashlib.sha256, b"sha512": hashlib.sha512}
_CURVES: dict[str, tuple[str, type[ec.EllipticCurve], type[hashes.HashAlgorithm]]] = {
    "ecdsa-sha2-nistp256": ("nistp256", ec.SECP256R1, hashes.SHA256),
    "ecdsa-sha2-nistp384": ("nistp384", ec.SECP384R1, hashes.SHA384),
    "ecdsa-sha2-nistp521": ("nistp521", ec.SECP521R1, hashes.SHA512),
}
_RSA_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512}
_SK_ED25519 = "sk-ssh-ed25519@openssh.com"


class _Reader:
    """SSH wire format (RFC 4251 §5) over bytes; running short is malformed."""

    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _Malformed(f"{self.what} is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uint32(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def string(self) -> bytes:
        return self.take(self.uint32())

    def name(self) -> str:
        raw = self.string()
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise _Malformed(f"{self.what} holds a name that is not ASCII") from None

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise _Malformed(f"{self.what} holds a negative number")
        return int.from_bytes(raw, "big")

    def end(self) -> None:
        if self.pos != len(self.data):
            raise _Malformed(f"{self.what} has {len(self.data) - self.pos} trailing bytes")


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _dearmor(armored: str) -> bytes:
    if len(armored) > _MAX_ARMOR:
        raise _Malformed("the signature is too long")
    lines = [line.strip() for line in armored.strip().splitlines()]
    if len(lines) < 3 or lines[0] != _BEGIN or lines[-1] != _END:
        raise _Malformed(f"the signature must start with {_BEGIN} and end with {_END}")
    body = "".join("".join(line.split()) for line in lines[1:-1])
    try:
        return base64.b64decode(body.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise _Malformed("the signature is not valid base64") from None


def _key_blob(public_key: str) -> tuple[str, bytes]:
    parts = public_key.split()
    if len(parts) < 2:
        raise _Invalid("the member's key is not an OpenSSH public key")
    try:
        blob = base64.b64decode(parts[1].encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise _Invalid("the member's key is not valid base64") from None
    try:
        key_type = _Reader(blob, "the member's key").name()
    except _Malformed as e:
        raise _Invalid(str(e)) from None
    if key_type != parts[0]:
        raise _Invalid(f"the member's key says {parts[0]} but holds a {key_type} key")
    return key_type, blob


def _verify(message: bytes, armored: str, public_key: str, namespace: str) -> None:
    """Return if valid; raise :class:`_Malformed` or :class:`_Invalid` with the reason."""
    reader = _Reader(_dearmor(armored), "the signature")
    if reader.take(len(_MAGIC)) != _MAGIC:
        raise _Malformed("not an SSHSIG signature")
    version = reader.uint32()
    if version != 1:
        raise _Malformed(f"unsupported SSHSIG version {version}")
    embedded_key = reader.string()
    got_namespace = reader.string()
    reserved = reader.string()
    hash_alg = reader.string()
    signature = reader.string()
    reader.end()
    if got_namespace != namespace.encode():
        shown = got_namespace.decode("utf-8", errors="replace")
        raise _Invalid(f"the signature is for the namespace {shown!r}, not {namespace!r}")
    if hash_alg not in _HASHES:
        raise _Invalid(f"unsupported hash algorithm {hash_alg.decode('ascii', errors='replace')!r}")
    key_type, key_blob = _key_blob(public_key)
    # The key is the member's from board.yml; the copy inside the signature
    # must be byte for byte the same (a signature by another key names that key).
    if embedded_key != key_blob:
        raise _Invalid("the signature was made with another key")
    # PROTOCOL.sshsig: the signed data repeats the namespace, the reserved
    # field and the hash algorithm, then the message's hash.
    signed = _MAGIC + _string(namespace.encode()) + _string(reserved) + _string(hash_alg) + _string(_HASHES[hash_alg](message).digest())
    _check(key_type, key_blob, signature, signed)


def _check(key_type: str, key_blob: bytes, signature: bytes, signed: bytes) -> None:
    key = _Reader(key_blob, "the member's key")
    key.name()
    sig = _Reader(signature, "the signature blob")
    sig_alg = sig.name()
    raw = sig.string()
    expected = {"ssh-rsa": tuple(_RSA_HASHES)}.get(key_type, (key_type,))
    if sig_alg not in expected:
        if key_type == "ssh-rsa" and sig_alg == "ssh-rsa":
            raise _Invalid("RSA signatures with SHA-1 (ssh-rsa) are refused; sign with rsa-sha2-512")
        raise _Invalid(f"a {sig_alg} signature cannot be made by a {key_type} key")
    try:
        if key_type == "ssh-ed25519":
            point = key.string()
            key.end()
            sig.end()
            if len(point) != 32 or len(raw) != 64:
                raise _Malformed("an Ed25519 key is 32 bytes and its signature 64")
            Ed25519PublicKey.from_public_bytes(point).verify(raw, signed)
        elif key_type == _SK_ED25519:
            # PROTOCOL.u2f: the authenticator signs SHA-256 of the application,
            # its flags and counter, and SHA-256 of the data.
            point, application = key.string(), key.string()
            key.end()
            flags, counter = sig.take(1), sig.take(4)
            sig.end()
            if len(point) != 32 or len(raw) != 64:
                raise _Malformed("an Ed25519 key is 32 bytes and its signature 64")
            data = hashlib.sha256(application).digest() + flags + counter + hashlib.sha256(signed).digest()
            Ed25519PublicKey.from_public_bytes(point).verify(raw, data)
        elif key_type == "ssh-rsa":
            e, n = key.mpint(), key.mpint()
            key.end()
            sig.end()
            if not 1024 <= n.bit_length() <= 16384:
                raise _Invalid(f"an RSA key of {n.bit_length()} bits is not accepted (1024 to 16384)")
            size = (n.bit_length() + 7) // 8
            if len(raw) > size:
                raise _Malformed("the RSA signature is longer than the key")
            # Some agents drop leading zero bytes; OpenSSH restores them too.
            public = rsa.RSAPublicNumbers(e, n).public_key()
            public.verify(raw.rjust(size, b"\0"), signed, padding.PKCS1v15(), _RSA_HASHES[sig_alg]())
        elif key_type in _CURVES:
            curve_name, curve, digest = _CURVES[key_type]
            if key.name() != curve_name:
                raise _Invalid(f"the member's {key_type} key is not on {curve_name}")
            point = key.string()
            key.end()
            sig.end()
            if not point or point[0] != 4:
                raise _Invalid("the member's ECDSA key is not an uncompressed point")
            inner = _Reader(raw, "the ECDSA signature")
            r, s = inner.mpint(), inner.mpint()
            inner.end()
            public_ec = ec.EllipticCurvePublicKey.from_encoded_point(curve(), point)
            public_ec.verify(encode_dss_signature(r, s), signed, ec.ECDSA(digest()))
        else:
            raise _Invalid(f"unsupported key type {key_type}")
    except InvalidSignature:
        raise _Invalid("the signature does not match the message and key") from None
    except (ValueError, UnsupportedAlgorithm) as e:
        raise _Invalid(f"the member's key or the signature is not usable ({e})") from None
