"""The platform's Ed25519 signing key: where the private key comes from, and rotation.

The private key is never stored in the database. It is read from ``SHILIAN_LEDGER_KEY``
(base64 of the raw 32-byte private key) or, for a local pilot, from
``DATA_DIR/ledger_key`` (same format), generated there once with mode 0600. The public
key is registered as a ``SigningKey`` the first time it signs; ``rotate_key`` retires it
and registers the next one, keeping the history.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shilian.core.errors import DomainError
from shilian.ledger.errors import LedgerErrorCode
from shilian.ledger.models import SigningKey

ENV = "SHILIAN_LEDGER_KEY"
FILE_NAME = "ledger_key"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def encode_private(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode()


def public_b64(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id_of(public_key_b64: str) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def _decode(text: str, where: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(LedgerErrorCode.BAD_KEY, f"{where}: not base64") from None
    if len(raw) != 32:
        raise DomainError(LedgerErrorCode.BAD_KEY, f"{where}: expected a raw 32-byte Ed25519 private key, got {len(raw)} bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _write_new_file(path: Path, key: Ed25519PrivateKey) -> None:
    """Write a key file readable by its owner only; replaces ``path`` atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (encode_private(key) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def private_key(*, create: bool = True) -> Ed25519PrivateKey:
    """The private key in use: the environment's, else the key file's (made when missing)."""
    text = os.environ.get(ENV, "").strip()
    if text:
        return _decode(text, ENV)
    path = key_file()
    if not path.exists():
        if not create:
            raise DomainError(LedgerErrorCode.BAD_KEY, f"no signing key: set {ENV} or create {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new_file(path, Ed25519PrivateKey.generate())
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise DomainError(
            LedgerErrorCode.BAD_KEY, f"{path} is readable by others (mode {mode:o}): chmod 600 it, or use {ENV}"
        )
    return _decode(path.read_text(), str(path))


def current_key() -> SigningKey | None:
    return SigningKey.objects.filter(retired_at__isnull=True).first()


@transaction.atomic
def signing_key() -> tuple[Ed25519PrivateKey, SigningKey]:
    """The private key and its registered public key; registered on first use. A private
    key that is not the current registered one is refused (rotation is explicit)."""
    private = private_key()
    public = public_b64(private)
    current = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
    if current is None:
        current = SigningKey.objects.create(
            key_id=key_id_of(public), public_key=public, activated_at=timezone.now()
        )
    elif current.public_key != public:
        raise DomainError(
            LedgerErrorCode.KEY_NOT_CURRENT,
            f"the private key found is not the current signing key {current.key_id}: "
            "run `shilian ledger key rotate` to start using it",
        )
    return private, current


@transaction.atomic
def rotate_key() -> SigningKey:
    """Retire the current key and register the next: the key in ``SHILIAN_LEDGER_KEY`` (set it
    to the new key first), or a new key generated into the key file."""
    now = timezone.now()
    current = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
    from_env = bool(os.environ.get(ENV, "").strip())
    new = private_key(create=False) if from_env else Ed25519PrivateKey.generate()
    public = public_b64(new)
    if current is not None and current.public_key == public:
        raise DomainError(
            LedgerErrorCode.KEY_UNCHANGED, f"{ENV} holds the key already in use: set it to the new key first"
        )
    if SigningKey.objects.filter(public_key=public).exists():
        raise DomainError(LedgerErrorCode.KEY_UNCHANGED, "that key was used before: a retired key is not used again")
    if current is not None:
        current.retired_at = now
        current.save(update_fields=["retired_at"])
    key = SigningKey.objects.create(key_id=key_id_of(public), public_key=public, activated_at=now)
    if not from_env:
        path = key_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new_file(path, new)  # last: a failure above leaves the old key in place
    return key


def verify_signature(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        public.verify(base64.b64decode(signature_b64), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
