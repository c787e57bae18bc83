"""AES-GCM for Spotify tokens at rest: a random 96-bit nonce per write, the username as
associated data (a ciphertext moved to another user's record fails to decrypt)."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12


def derive_key(secret: str) -> bytes:
    """A 256-bit key from ENCORE_TOKEN_KEY or the app's secret key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"encore-token-key-v1", info=b"spotify-tokens"
    ).derive(secret.encode())


class TokenCipher:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, owner: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), owner.encode())

    def decrypt(self, blob: bytes, owner: str) -> str:
        """Raises cryptography's InvalidTag when the blob was altered or belongs to another."""
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], owner.encode()).decode()
