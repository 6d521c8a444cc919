"""Encryption at rest for the Slack tokens of each installation: Fernet (AES-CBC + HMAC), several keys allowed.

The first key encrypts; every key decrypts, so keys rotate by listing the new one first and the old one after
it until every installation has been saved again (each token rotation or reinstall saves it).
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class WrongTokenKey(Exception):
    """A stored token does not decrypt with any key of SLACK_TOKEN_ENCRYPTION_KEY."""

    def __init__(self, what: str = "a stored Slack installation") -> None:
        super().__init__(f"SLACK_TOKEN_ENCRYPTION_KEY does not decrypt {what}: set the key the installations were "
                         "saved with (or list it after the new key, to rotate keys)")


def is_token_key(key: str) -> bool:
    """A Fernet key: 32 bytes in URL-safe base64."""
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (binascii.Error, ValueError):
        return False


class TokenCipher:
    """Encrypts and decrypts token strings; None stays None."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, value: str | None) -> str | None:
        """Encrypt `value`, unless it already is ciphertext of ours (saving a row read back stays idempotent)."""
        if value is None or self.is_sealed(value):
            return value
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise WrongTokenKey() from None

    def is_sealed(self, value: str) -> bool:
        try:
            self._fernet.decrypt(value.encode())
        except InvalidToken:
            return False
        return True
