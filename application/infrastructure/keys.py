"""One AES key per data subject (a customer), kept in the event store's database (SPEC §9, PIPL).

The library's `AESCipher` works with one key per application; this key ring builds the per-customer
layer around it: each subject's key lives in its own row of `inscribe_personal_keys` and gets its own
`AESCipher`. Shredding sets the key to NULL in the transaction of the event that records it (see
`application.infrastructure.recorders`), so the stored events, and the hash chain over their bytes, never change.

Each subject's key is stored wrapped by the library's AES cipher under the key-encryption key
(INSCRIBE_KEY_ENCRYPTION_KEY, or on the embedded default var/key-encryption-key generated once; see
`Settings.wrapping_key`). A key stored bare (32 bytes, written by an older version or with
INSCRIBE_ALLOW_UNWRAPPED_KEYS=true) is still read, so existing databases keep working.

Ciphers are cached, so a replay does not ask the database once per event. A cached key outlives its
shredding only in another process, and only for `ttl` seconds or until that process reads the event
that records the shredding (`forget`); the read side does not rely on it (it scrubs its copies).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Protocol

from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

KEY_BYTES = 32
#: The table of the subjects' keys, in the event store's database (application.infrastructure.recorders).
KEYS_TABLE = "inscribe_personal_keys"


class KeyTable(Protocol):
    """What the recorders provide (application.infrastructure.recorders)."""

    def select_key(self, subject: str) -> tuple[bool, bytes | None]: ...

    def insert_key(self, subject: str, key: bytes) -> None: ...

    def select_keys(self, subjects: Sequence[str]) -> dict[str, bytes | None]: ...


class SubjectErased(Exception):
    """Personal data of a subject whose key was destroyed cannot be written again."""


def cipher_for(key: bytes) -> AESCipher:
    """The library's AES-GCM cipher over one subject's key: the one on the `cryptography` package
    (OpenSSL), which writes and reads the very bytes the PyCryptodome one did (nonce, tag, text)
    and opens a seal some 50 times faster (tests/unit/test_cipher.py reads one sealed by the old)."""
    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: base64.b64encode(key).decode()}))


class KeyRing:
    """The subjects' ciphers: created on first use, None once shredded."""

    def __init__(self, table: KeyTable, ttl: float = 60.0, wrapping_key: bytes | None = None) -> None:
        self.table = table
        self.ttl = ttl
        self._wrapper = None if wrapping_key is None else cipher_for(wrapping_key)
        self._cache: dict[str, tuple[AESCipher | None, float]] = {}
        self._lock = threading.Lock()

    def cipher(self, subject: str) -> AESCipher | None:
        """The subject's cipher for reading; None if its key was shredded (or it never had one)."""
        cached = self._cache.get(subject)
        if cached is not None and time.monotonic() < cached[1]:
            return cached[0]
        exists, key = self._select(subject)
        found = cipher_for(key) if key is not None else None
        if exists:  # a missing row may be created by the next write: do not remember its absence
            self._remember(subject, found)
        return found

    def cipher_to_write(self, subject: str) -> AESCipher:
        """The subject's cipher, creating its key on first use; SubjectErased once shredded."""
        found = self.cipher(subject)
        if found is not None:
            return found
        exists, _ = self.table.select_key(subject)
        if not exists:
            fresh = AESCipher.random_bytes(KEY_BYTES)
            self.table.insert_key(subject, fresh if self._wrapper is None else self._wrapper.encrypt(fresh))
        exists, stored = self._select(subject)  # a racing insert may have won: use what is stored
        if stored is None:
            raise SubjectErased(f"the personal data of {subject} was erased and cannot be written again")
        found = cipher_for(stored)
        self._remember(subject, found)
        return found

    def prefetch(self, subjects: Iterable[str]) -> None:
        """Read the keys of many subjects in one query (a batch of events about to be decoded), so decoding
        them asks the database once, not once per subject."""
        now = time.monotonic()
        wanted = sorted({s for s in subjects if (c := self._cache.get(s)) is None or now >= c[1]})
        if not wanted:
            return
        for subject, stored in self.table.select_keys(wanted).items():
            key = self._unwrap(stored)
            self._remember(subject, cipher_for(key) if key is not None else None)

    def _select(self, subject: str) -> tuple[bool, bytes | None]:
        """(whether the subject has a row, its key unwrapped or None once shredded)."""
        exists, stored = self.table.select_key(subject)
        return exists, self._unwrap(stored)

    def _unwrap(self, stored: bytes | None) -> bytes | None:
        if stored is None or len(stored) == KEY_BYTES:
            return stored
        if self._wrapper is None:
            raise RuntimeError("the personal-data keys are wrapped: set INSCRIBE_KEY_ENCRYPTION_KEY")
        try:
            return self._wrapper.decrypt(bytes(stored))
        except Exception as e:  # the library's AES-GCM refuses a key wrapped under another KEK
            raise RuntimeError(
                "a personal-data key cannot be unwrapped: INSCRIBE_KEY_ENCRYPTION_KEY (or "
                "var/key-encryption-key) is not the key the database was written with"
            ) from e

    def is_shredded(self, subject: str) -> bool:
        exists, key = self.table.select_key(subject)
        return exists and key is None

    def forget(self, subject: str) -> None:
        """Drop a cached key (after shredding it, or on reading the event that records that)."""
        with self._lock:
            self._cache.pop(subject, None)

    def _remember(self, subject: str, found: AESCipher | None) -> None:
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[subject] = (found, time.monotonic() + self.ttl)
