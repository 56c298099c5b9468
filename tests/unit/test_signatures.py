"""The in-process SSHSIG verifier against ``ssh-keygen -Y verify``, with real keys.

Every key is made by ``ssh-keygen`` and every signature by ``ssh-keygen -Y
sign`` unless a case needs a signature ``ssh-keygen`` does not make (SHA-1
``ssh-rsa``, ``rsa-sha2-256``, the ``sha256`` hash, a security key): those
are made with ``cryptography`` from the same private keys, and
``ssh-keygen -Y verify`` is still the judge.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from medkb.review.board import SIGNATURE_NAMESPACE, parse_board
from medkb.review.signatures import ssh_verify, verify_sshsig

MESSAGE = b"medkb-approval-v1\0approved\0bob\0" + b"2025-01-05\0sha256:abc\0"
KINDS = {"ed25519": ["-t", "ed25519"], "rsa": ["-t", "rsa", "-b", "2048"], "ecdsa256": ["-t", "ecdsa", "-b", "256"], "ecdsa384": ["-t", "ecdsa", "-b", "384"]}
PEOPLE = ("alice", "bob", "mallory")  # alice and bob are on the board, mallory is not


@dataclass
class Keys:
    folder: Path
    kind: str

    def private(self, who: str) -> Path:
        return self.folder / f"{self.kind}-{who}"

    def public(self, who: str) -> str:
        return " ".join(self.private(who).with_suffix(".pub").read_text().split()[:2])

    def signers(self) -> Path:
        """The board as an ``allowed_signers`` file, as ssh-keygen reads it."""
        path = self.folder / f"{self.kind}-allowed_signers"
        path.write_text("".join(f'{m} namespaces="{SIGNATURE_NAMESPACE}" {self.public(m)}\n' for m in ("alice", "bob")))
        return path

    def board_yaml(self) -> str:
        return "members:\n" + "".join(
            f"  - id: {m}\n    name: {m.title()}\n    credentials: MD\n    role: Reviewer\n    key: {self.public(m)}\n" for m in ("alice", "bob")
        )


@pytest.fixture(scope="session")
def key_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sigkeys")
    for kind, args in KINDS.items():
        for who in PEOPLE:
            subprocess.run(["ssh-keygen", "-q", *args, "-N", "", "-C", who, "-f", str(folder / f"{kind}-{who}")], check=True)
    return folder


# -- SSH wire format, written here independently of the code under test -----------------


def string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def read_strings(data: bytes, start: int) -> list[bytes]:
    out, pos = [], start
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 4], "big")
        out.append(data[pos + 4 : pos + 4 + n])
        pos += 4 + n
    return out


def dearmor(armored: str) -> bytes:
    lines = armored.strip().splitlines()
    return base64.b64decode("".join(lines[1:-1]))


def armor(blob: bytes) -> str:
    text = base64.b64encode(blob).decode()
    return "-----BEGIN SSH SIGNATURE-----\n" + "\n".join(text[i : i + 70] for i in range(0, len(text), 70)) + "\n-----END SSH SIGNATURE-----\n"


def fields(armored: str) -> list[bytes]:
    """publickey, namespace, reserved, hash_algorithm, signature of an SSHSIG blob."""
    blob = dearmor(armored)
    assert blob[:6] == b"SSHSIG" and blob[6:10] == b"\0\0\0\1"
    return read_strings(blob, 10)


def compose(publickey: bytes, namespace: bytes, reserved: bytes, hash_alg: bytes, signature: bytes, trailing: bytes = b"") -> str:
    return armor(b"SSHSIG" + (1).to_bytes(4, "big") + string(publickey) + string(namespace) + string(reserved) + string(hash_alg) + string(signature) + trailing)


def signed_data(message: bytes, hash_alg: str = "sha512", namespace: bytes = SIGNATURE_NAMESPACE.encode()) -> bytes:
    digest = hashlib.new(hash_alg, message).digest()
    return b"SSHSIG" + string(namespace) + string(b"") + string(hash_alg.encode()) + string(digest)


# -- the two verifiers -------------------------------------------------------------------


def keygen_sign(keys: Keys, who: str, message: bytes = MESSAGE, namespace: str = SIGNATURE_NAMESPACE) -> str:
    result = subprocess.run(["ssh-keygen", "-Y", "sign", "-q", "-f", str(keys.private(who)), "-n", namespace], input=message, capture_output=True, check=True)
    return result.stdout.decode()


def keygen_verdict(keys: Keys, message: bytes, armored: str, principal: str) -> bool:
    sig = keys.folder / f"{keys.kind}-case.sig"
    sig.write_text(armored)
    result = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(keys.signers()), "-I", principal, "-n", SIGNATURE_NAMESPACE, "-s", str(sig)],
        input=message, capture_output=True, check=False,
    )
    return result.returncode == 0


def our_verdict(keys: Keys, message: bytes, armored: str, principal: str) -> bool:
    why = verify_sshsig(message, armored, keys.public(principal), SIGNATURE_NAMESPACE)
    assert why is None or (isinstance(why, str) and why), why
    # ssh_verify, as the build calls it, agrees with verify_sshsig.
    board = parse_board(keys.board_yaml(), "board.yml", True)
    assert (ssh_verify(message, armored, principal, board) is None) == (why is None)
    return why is None


# -- the cases: (message, armored signature, principal it claims), and whether it is valid ---

Case = Callable[[Keys], tuple[bytes, str, str]]


def valid(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, keygen_sign(keys, "bob"), "bob"


def changed_message(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE.replace(b"2025-01-05", b"2025-01-06"), keygen_sign(keys, "bob"), "bob"


def wrong_namespace(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, keygen_sign(keys, "bob", namespace="git"), "bob"


def another_members_key(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, keygen_sign(keys, "alice"), "bob"


def non_member_key(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, keygen_sign(keys, "mallory"), "bob"


def truncated_armor(keys: Keys) -> tuple[bytes, str, str]:
    lines = keygen_sign(keys, "bob").strip().splitlines()
    return MESSAGE, "\n".join([lines[0], *lines[1 : len(lines) // 2], lines[-1]]) + "\n", "bob"


def missing_end_line(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, keygen_sign(keys, "bob").replace("-----END SSH SIGNATURE-----", ""), "bob"


def garbled_armor(keys: Keys) -> tuple[bytes, str, str]:
    text = keygen_sign(keys, "bob")
    at = len(text) // 2
    while not text[at].isalnum():
        at += 1
    return MESSAGE, text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :], "bob"


def garbled_signature_bytes(keys: Keys) -> tuple[bytes, str, str]:
    blob = bytearray(dearmor(keygen_sign(keys, "bob")))
    blob[-5] ^= 0x01
    return MESSAGE, armor(bytes(blob)), "bob"


def trailing_bytes(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, armor(dearmor(keygen_sign(keys, "bob")) + b"\0\0\0\0"), "bob"


def trailing_bytes_in_signature_blob(keys: Keys) -> tuple[bytes, str, str]:
    pk, ns, reserved, alg, sig = fields(keygen_sign(keys, "bob"))
    return MESSAGE, compose(pk, ns, reserved, alg, sig + b"\0"), "bob"


def swapped_embedded_key(keys: Keys) -> tuple[bytes, str, str]:
    # Mallory's signature, presented under bob's public key.
    _, ns, reserved, alg, sig = fields(keygen_sign(keys, "mallory"))
    bob_key = fields(keygen_sign(keys, "bob"))[0]
    return MESSAGE, compose(bob_key, ns, reserved, alg, sig), "bob"


def another_embedded_key(keys: Keys) -> tuple[bytes, str, str]:
    # Bob's own signature, naming mallory's public key: the blob must name the key that signed.
    pk, ns, reserved, alg, sig = fields(keygen_sign(keys, "bob"))
    mallory_key = fields(keygen_sign(keys, "mallory"))[0]
    return MESSAGE, compose(mallory_key, ns, reserved, alg, sig), "bob"


def unknown_hash_algorithm(keys: Keys) -> tuple[bytes, str, str]:
    pk, ns, reserved, _, sig = fields(keygen_sign(keys, "bob"))
    return MESSAGE, compose(pk, ns, reserved, b"sha1", sig), "bob"


def sshsig_version_2(keys: Keys) -> tuple[bytes, str, str]:
    blob = dearmor(keygen_sign(keys, "bob"))
    return MESSAGE, armor(blob[:6] + (2).to_bytes(4, "big") + blob[10:]), "bob"


def empty_signature(keys: Keys) -> tuple[bytes, str, str]:
    pk, ns, reserved, alg, _ = fields(keygen_sign(keys, "bob"))
    return MESSAGE, compose(pk, ns, reserved, alg, b""), "bob"


def not_base64(keys: Keys) -> tuple[bytes, str, str]:
    return MESSAGE, "-----BEGIN SSH SIGNATURE-----\n%%%% not base64 ****\n-----END SSH SIGNATURE-----\n", "bob"


CASES: dict[str, tuple[Case, bool]] = {
    "valid": (valid, True),
    "changed message": (changed_message, False),
    "wrong namespace": (wrong_namespace, False),
    "another member's key": (another_members_key, False),
    "non-member's key": (non_member_key, False),
    "truncated armor": (truncated_armor, False),
    "no END line": (missing_end_line, False),
    "garbled armor": (garbled_armor, False),
    "garbled signature bytes": (garbled_signature_bytes, False),
    "trailing bytes after the blob": (trailing_bytes, False),
    "trailing bytes in the signature": (trailing_bytes_in_signature_blob, False),
    "member's key, another key's signature": (swapped_embedded_key, False),
    "member's signature, another key named": (another_embedded_key, False),
    "unknown hash algorithm": (unknown_hash_algorithm, False),
    "SSHSIG version 2": (sshsig_version_2, False),
    "empty signature": (empty_signature, False),
    "not base64": (not_base64, False),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("case", list(CASES))
def test_our_verifier_agrees_with_ssh_keygen(key_folder: Path, kind: str, case: str) -> None:
    keys = Keys(key_folder, kind)
    make, expected = CASES[case]
    message, armored, principal = make(keys)
    ours = our_verdict(keys, message, armored, principal)
    theirs = keygen_verdict(keys, message, armored, principal)
    assert theirs is expected, f"ssh-keygen says {theirs} for {case} ({kind})"
    assert ours is expected, verify_sshsig(message, armored, keys.public(principal), SIGNATURE_NAMESPACE)
    assert ours == theirs


def test_another_key_type_is_not_the_member(key_folder: Path) -> None:
    ed, rsa_keys = Keys(key_folder, "ed25519"), Keys(key_folder, "rsa")
    armored = keygen_sign(ed, "bob")
    assert our_verdict(rsa_keys, MESSAGE, armored, "bob") is False
    assert keygen_verdict(rsa_keys, MESSAGE, armored, "bob") is False


# -- RSA signatures ssh-keygen -Y sign does not make, from the same private key ------------


def rsa_signature(keys: Keys, sig_alg: str, digest: hashes.HashAlgorithm, hash_alg: str = "sha512") -> str:
    private = serialization.load_ssh_private_key(keys.private("bob").read_bytes(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    raw = private.sign(signed_data(MESSAGE, hash_alg), padding.PKCS1v15(), digest)
    pk = fields(keygen_sign(keys, "bob"))[0]
    return compose(pk, SIGNATURE_NAMESPACE.encode(), b"", hash_alg.encode(), string(sig_alg.encode()) + string(raw))


@pytest.mark.parametrize(
    ("sig_alg", "digest", "hash_alg", "expected"),
    [
        ("rsa-sha2-512", hashes.SHA512(), "sha512", True),  # what ssh-keygen makes, rebuilt: the helpers are right
        ("rsa-sha2-256", hashes.SHA256(), "sha512", True),
        ("rsa-sha2-512", hashes.SHA512(), "sha256", True),  # SSHSIG's other hash of the message
        ("ssh-rsa", hashes.SHA1(), "sha512", False),  # SHA-1: refused by both
        ("rsa-sha2-256", hashes.SHA512(), "sha512", False),  # the name says SHA-256, the signature is SHA-512
    ],
)
def test_rsa_signature_algorithms(key_folder: Path, sig_alg: str, digest: hashes.HashAlgorithm, hash_alg: str, expected: bool) -> None:
    keys = Keys(key_folder, "rsa")
    armored = rsa_signature(keys, sig_alg, digest, hash_alg)
    assert keygen_verdict(keys, MESSAGE, armored, "bob") is expected
    assert our_verdict(keys, MESSAGE, armored, "bob") is expected
    if sig_alg == "ssh-rsa":
        assert "SHA-1" in (verify_sshsig(MESSAGE, armored, keys.public("bob"), SIGNATURE_NAMESPACE) or "")


# -- a security key (sk-ssh-ed25519): made as an authenticator would, judged by ssh-keygen --


def test_security_key_signatures(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    point = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kind = b"sk-ssh-ed25519@openssh.com"
    key_blob = string(kind) + string(point) + string(b"ssh:")
    public = f"{kind.decode()} {base64.b64encode(key_blob).decode()}"
    keys = Keys(tmp_path, "sk")
    signers = tmp_path / "signers"
    signers.write_text(f'bob namespaces="{SIGNATURE_NAMESPACE}" {public}\n')

    def sign(message: bytes, flags: int = 1, counter: int = 7, application: bytes = b"ssh:") -> str:
        counter_bytes = counter.to_bytes(4, "big")
        data = signed_data(message)
        raw = private.sign(hashlib.sha256(application).digest() + bytes([flags]) + counter_bytes + hashlib.sha256(data).digest())
        return compose(key_blob, SIGNATURE_NAMESPACE.encode(), b"", b"sha512", string(kind) + string(raw) + bytes([flags]) + counter_bytes)

    def both(message: bytes, armored: str) -> tuple[bool, bool]:
        (tmp_path / "s.sig").write_text(armored)
        result = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "bob", "-n", SIGNATURE_NAMESPACE, "-s", str(tmp_path / "s.sig")],
            input=message, capture_output=True, check=False,
        )
        return verify_sshsig(message, armored, public, SIGNATURE_NAMESPACE) is None, result.returncode == 0

    assert keys.kind == "sk"
    assert both(MESSAGE, sign(MESSAGE)) == (True, True)
    assert both(MESSAGE + b"x", sign(MESSAGE)) == (False, False)
    assert both(MESSAGE, sign(MESSAGE, application=b"ssh:other")) == (False, False)
    # Flags and counter are signed: changing them afterwards breaks the signature.
    blob = bytearray(dearmor(sign(MESSAGE)))
    blob[-5] ^= 0x04
    assert both(MESSAGE, armor(bytes(blob))) == (False, False)


# -- where ours is stricter or never raises ------------------------------------------------


def test_reserved_field_is_part_of_the_signed_data(key_folder: Path) -> None:
    # PROTOCOL.sshsig signs the reserved field; OpenSSH writes it empty (and
    # its verifier ignores what a blob carries there). A filled-in reserved
    # field on a signature made over an empty one is refused here.
    keys = Keys(key_folder, "ed25519")
    pk, ns, _, alg, sig = fields(keygen_sign(keys, "bob"))
    assert our_verdict(keys, MESSAGE, compose(pk, ns, b"extension", alg, sig), "bob") is False


@pytest.mark.parametrize(
    "armored",
    [
        "",
        "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----",
        "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----",  # "SSHSIG" and nothing else
        armor(b"SSHSIG\0\0\0\1\xff\xff\xff\xff"),  # a length past the end
        armor(b"SSHSIG\0\0\0\1" + string(b"\xff\xfe") + string(b"medkb-approval")),
        armor(b"NOTSIG" + b"\0" * 40),
        "-----BEGIN SSH SIGNATURE-----\n" + "A" * 100_000 + "\n-----END SSH SIGNATURE-----",
        "-----BEGIN SSH SIGNATURE-----\nwqk=\u00e9\n-----END SSH SIGNATURE-----",
    ],
)
def test_hostile_armor_gives_a_reason_never_an_exception(key_folder: Path, armored: str) -> None:
    keys = Keys(key_folder, "ed25519")
    why = verify_sshsig(MESSAGE, armored, keys.public("bob"), SIGNATURE_NAMESPACE)
    assert isinstance(why, str) and why


@pytest.mark.parametrize("member_key", ["", "ssh-ed25519", "ssh-ed25519 !!!", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIK/HUwACtbPzJnKWE3NeHfDv/0lanUX3fhTP3wTkfgrg", "ssh-dss AAAAB3NzaC1kc3MAAAAA"])
def test_a_broken_member_key_is_a_reason(key_folder: Path, member_key: str) -> None:
    armored = keygen_sign(Keys(key_folder, "ed25519"), "bob")
    why = verify_sshsig(MESSAGE, armored, member_key, SIGNATURE_NAMESPACE)
    assert isinstance(why, str) and why


def test_ssh_verify_messages(key_folder: Path) -> None:
    keys = Keys(key_folder, "ed25519")
    board = parse_board(keys.board_yaml(), "board.yml", True)
    good = keygen_sign(keys, "bob")
    assert ssh_verify(MESSAGE, good, "bob", board) is None
    assert ssh_verify(MESSAGE, good, "alice", board) == "the signature does not verify as alice's key"
    assert ssh_verify(MESSAGE, good, "nobody", board) == "the signature does not verify as nobody's key"
    assert ssh_verify(MESSAGE, good.replace("-----END SSH SIGNATURE-----", ""), "bob", board) == "the signature is malformed or truncated"
    assert ssh_verify(MESSAGE, armor(dearmor(good)[:-3]), "bob", board) == "the signature is malformed or truncated"
    # The in-process memo: a success is remembered, a failure is not.
    verified: set[str] = set()
    assert ssh_verify(MESSAGE, good, "bob", board, verified) is None and len(verified) == 1
    assert ssh_verify(MESSAGE + b"x", good, "bob", board, verified) is not None and len(verified) == 1
    # A remembered check does not survive a change of the member's key.
    rekeyed = parse_board(keys.board_yaml().replace(keys.public("bob"), keys.public("mallory")), "board.yml", True)
    assert ssh_verify(MESSAGE, good, "bob", rekeyed, verified) == "the signature does not verify as bob's key"
