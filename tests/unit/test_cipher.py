"""The subjects' cipher reads what was sealed before it changed library: the stored format is a contract."""

from __future__ import annotations

import base64

import pytest

from application.infrastructure.keys import cipher_for

#: Sealed on 2026-12-05 by eventsourcing.cipher.AESCipher (PyCryptodome) under bytes 0…31: nonce, tag, text.
KEY = bytes(range(32))
SEALED_BY_PYCRYPTODOME = "+HG58CZIVf9hpEssG2RWOoFxkwCANVA4O3fLe6F9eKJOtdXAb1y2wCBE9stMtKPoHtFIPM7BemOWgsrMtPIseg=="
PLAIN = b'{"contacts":{"phone":"13800138000"}}'


def test_a_seal_written_by_the_pycryptodome_cipher_opens() -> None:
    assert cipher_for(KEY).decrypt(base64.b64decode(SEALED_BY_PYCRYPTODOME)) == PLAIN


def test_a_new_seal_has_the_same_layout_and_opens() -> None:
    sealed = cipher_for(KEY).encrypt(PLAIN)

    assert len(sealed) == 12 + 16 + len(PLAIN)  # nonce, tag, then the text
    assert cipher_for(KEY).decrypt(sealed) == PLAIN


def test_a_changed_seal_or_another_key_is_refused() -> None:
    sealed = bytearray(base64.b64decode(SEALED_BY_PYCRYPTODOME))
    sealed[-1] ^= 1

    with pytest.raises(ValueError, match=r"(?i)damaged|invalid"):
        cipher_for(KEY).decrypt(bytes(sealed))
    with pytest.raises(ValueError, match=r"(?i)damaged|invalid"):
        cipher_for(bytes(32)).decrypt(base64.b64decode(SEALED_BY_PYCRYPTODOME))
