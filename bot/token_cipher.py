"""Encryption of OAuth tokens at rest: Fernet with a list of keys for rotation.

`TOWNHALL_ENCRYPTION_KEY` holds comma-separated Fernet keys, newest first. New values are
encrypted with the first; any listed key decrypts. To rotate: put a new key in front,
run `townhall db encrypt-tokens` (re-encrypts every row with it), then drop the old key.

A value that is not a Fernet token at all (a row saved before encryption was switched
on) is read as plaintext, so turning encryption on needs no downtime; `townhall db
encrypt-tokens` then encrypts those rows too.

`check_stored_tokens` tries every stored token with the keys: `townhall serve` and
`socket` refuse to start, and `/readyz` reports not ready, when some open with none of
them (a key removed too early, or the wrong key), instead of every request from those
workspaces failing.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from catalog.services.oauth_tokens import reencrypt_tokens
from catalog.settings import Settings

if TYPE_CHECKING:  # annotations only: the queries are the catalog's
    from sqlalchemy import Engine

KEY_VARIABLE = "TOWNHALL_ENCRYPTION_KEY"
HOW_TO_MAKE_ONE = "make one with `townhall keygen`"
#: Fernet tokens are URL-safe base64 of a version byte 0x80 and a timestamp: "gAAAAA…".
_FERNET_PREFIX = "gAAAAA"


class EncryptionKeyError(ValueError):
    """`TOWNHALL_ENCRYPTION_KEY` is missing, malformed, or does not open a stored token."""


def generate_key() -> str:
    """A new random Fernet key (32 bytes, URL-safe base64), for `townhall keygen`."""
    return Fernet.generate_key().decode("ascii")


def looks_encrypted(value: str) -> bool:
    """Whether `value` has the shape of a Fernet token (Slack tokens never do)."""
    if not value.startswith(_FERNET_PREFIX):
        return False
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return len(raw) >= 57 and raw[0] == 0x80  # version, time, IV, one block, HMAC


class TokenCipher:
    """Encrypts with the newest key, decrypts with any, reads legacy plaintext as is."""

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        if not keys:
            raise EncryptionKeyError(
                f"{KEY_VARIABLE} is not set: OAuth tokens are encrypted at rest; "
                f"{HOW_TO_MAKE_ONE} and set it (comma-separated keys, newest first)."
            )
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, binascii.Error, UnicodeEncodeError):
                raise EncryptionKeyError(
                    f"{KEY_VARIABLE}: key {position} of {len(keys)} is not a Fernet key "
                    f"(32 bytes in URL-safe base64, 44 characters); {HOW_TO_MAKE_ONE}."
                ) from None
        self._fernet = MultiFernet(fernets)
        self._newest = fernets[0]

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(settings.encryption_keys)

    def encrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, value: str | None) -> str | None:
        """The plaintext of a stored value; plaintext rows are returned unchanged."""
        if value is None or not looks_encrypted(value):
            return value
        try:
            return self._fernet.decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise EncryptionKeyError(
                f"a stored token does not open with any key in {KEY_VARIABLE}: "
                "was the key it was encrypted with removed from the list?"
            ) from None

    def is_current(self, value: str | None) -> bool:
        """Whether a stored value is already encrypted with the newest key."""
        if value is None:
            return True
        if not looks_encrypted(value):
            return False
        try:
            self._newest.decrypt(value.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def reencrypt(self, value: str | None) -> str | None:
        """A stored value (plaintext or under any listed key) encrypted with the newest key."""
        return self.encrypt(self.decrypt(value))


class _KeyProbe:
    """A token codec that writes nothing: it reports every stored value current (so the
    catalog's re-encryption pass rewrites none) after trying to open it with the keys,
    and counts the encrypted values that open with none of them."""

    def __init__(self, cipher: TokenCipher) -> None:
        self.cipher = cipher
        self.encrypted = 0
        self.unreadable = 0

    def is_current(self, value: str | None) -> bool:
        if value is not None and looks_encrypted(value):
            self.encrypted += 1
            try:
                self.cipher.decrypt(value)
            except EncryptionKeyError:
                self.unreadable += 1
        return True

    def encrypt(self, value: str | None) -> str | None:
        raise AssertionError("the key probe never writes a token")

    decrypt = reencrypt = encrypt


def check_stored_tokens(engine: Engine, cipher: TokenCipher) -> int:
    """How many stored tokens were tried; raise `EncryptionKeyError` naming the variable
    when any of them opens with none of the cipher's keys. Reads only: the catalog's
    re-encryption pass (`reencrypt_tokens`) walks the rows and this probe rewrites none.
    """
    probe = _KeyProbe(cipher)
    reencrypt_tokens(engine, probe)
    if probe.unreadable:
        raise EncryptionKeyError(
            f"{probe.unreadable} of the {probe.encrypted} stored OAuth token"
            f"{' opens' if probe.encrypted == 1 else 's open'} with none of the keys in "
            f"{KEY_VARIABLE}: the key they were encrypted with is missing from the list (or "
            "the list is another deployment's). Put that key back after the newest one, run "
            "`townhall db encrypt-tokens`, then drop it."
        )
    return probe.encrypted
