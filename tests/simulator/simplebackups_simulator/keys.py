"""SSH key pairs the simulated service uses to reach SSH-key servers."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True)
class KeyPair:
    private_openssh: str  # "-----BEGIN OPENSSH PRIVATE KEY-----..." (unencrypted)
    public_line: str  # "ssh-ed25519 AAAA... COMMENT", as for authorized_keys


def generate_keypair(comment: str) -> KeyPair:
    """A fresh ed25519 key pair; the public line ends with ``comment``."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.OpenSSH,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        encoding=serialization.Encoding.OpenSSH,
        format=serialization.PublicFormat.OpenSSH,
    ).decode("ascii")
    return KeyPair(private, f"{public} {comment}")


def worker_comment(team_id: int) -> str:
    """The key comment the service puts on its keys, e.g. ``SB-WORKER-T007``."""
    return f"SB-WORKER-T{team_id:03d}"
