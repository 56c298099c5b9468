"""Approval signatures: ``ssh-keygen -Y verify`` per signature against the in-process verifier, one run.

    python bench/signatures.py [-n 200] [--kinds ed25519 rsa ecdsa]

Makes a key of each kind with ``ssh-keygen`` in a temporary folder, signs an
approval message with ``ssh-keygen -Y sign`` and verifies it N times both
ways: a ``ssh-keygen -Y verify`` process each time (what medkb did, with the
allowed_signers and signature files it wrote), and
:func:`medkb.review.signatures.verify_sshsig` in this process. Prints the
time per verification and the ratio, measured in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from medkb.review.board import SIGNATURE_NAMESPACE
from medkb.review.signatures import verify_sshsig

KINDS = {"ed25519": ["-t", "ed25519"], "rsa": ["-t", "rsa", "-b", "3072"], "ecdsa": ["-t", "ecdsa", "-b", "256"]}
MESSAGE = b"medkb-approval-v1\0approved\0bob\x002025-01-05\0sha256:" + b"0" * 64 + b"\0"


def keygen_verify(folder: Path, signers_text: str, signature: str) -> bool:
    # As the subprocess verifier did: write the roster and the signature, run ssh-keygen.
    signers, sig = folder / "allowed_signers", folder / "approval.sig"
    signers.write_text(signers_text)
    sig.write_text(signature)
    result = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "bob", "-n", SIGNATURE_NAMESPACE, "-s", str(sig)],
        input=MESSAGE, capture_output=True, check=False,
    )
    return result.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="verifications of each kind, each way")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    args = parser.parse_args()
    print(f"{'key':<8} {'ssh-keygen ms':>14} {'in process ms':>14} {'ratio':>8}")
    with tempfile.TemporaryDirectory(prefix="medkb-bench-sig-") as tmp:
        folder = Path(tmp)
        for kind in args.kinds:
            key = folder / kind
            subprocess.run(["ssh-keygen", "-q", *KINDS[kind], "-N", "", "-f", str(key)], check=True)
            public = " ".join(key.with_suffix(".pub").read_text().split()[:2])
            signature = subprocess.run(
                ["ssh-keygen", "-Y", "sign", "-q", "-f", str(key), "-n", SIGNATURE_NAMESPACE], input=MESSAGE, capture_output=True, check=True
            ).stdout.decode()
            signers = f'bob namespaces="{SIGNATURE_NAMESPACE}" {public}\n'
            start = time.perf_counter()
            for _ in range(args.n):
                assert keygen_verify(folder, signers, signature)
            external = (time.perf_counter() - start) / args.n
            start = time.perf_counter()
            for _ in range(args.n):
                assert verify_sshsig(MESSAGE, signature, public, SIGNATURE_NAMESPACE) is None
            internal = (time.perf_counter() - start) / args.n
            print(f"{kind:<8} {external * 1000:>14.3f} {internal * 1000:>14.3f} {external / internal:>7.0f}x")


if __name__ == "__main__":
    main()
