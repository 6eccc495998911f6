"""Keyed hashing of machine secrets: integration keys, staff API tokens and POS credential
passwords.

A machine secret is long and random (a generated key, a POS password from
``create_pos_credential``), so a slow hash protects nothing and costs every request its
CPU (PBKDF2: ~0.4 s a check, an attacker's cheapest flood). Machine secrets are stored as
HMAC-SHA-256 under the server's hash key (``ECRS_SECRET_HASH_KEY``, by default derived
from ``SECRET_KEY``): a stolen database alone does not allow checking guesses, and a check
costs microseconds. People's passwords (staff logins) keep Django's PBKDF2.

- Integration keys and API tokens: ``hash_key(key)`` is the hex HMAC (64 characters, the
  size of the SHA-256 stored before), looked up through its unique index. Rows stored
  before keep working: ``key_hashes(key)`` also gives their plain SHA-256 (and the hashes
  under the fallback keys), and the caller upgrades a row found by an old hash.
- POS passwords: ``hmac_sha256$<salt>$<hex>``, with a random salt per credential. A
  password stored with one of Django's hashers (PBKDF2, before) is still checked with it,
  and ``secret_check`` says it should be stored again.

Every comparison is constant-time. Changing the hash key invalidates every stored secret:
put the old key in ``ECRS_SECRET_HASH_KEY_FALLBACKS`` (or, for the derived key, the old
``SECRET_KEY`` in ``SECRET_KEY_FALLBACKS``) until each has been used once and upgraded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher

ALGORITHM = "hmac_sha256"
_DERIVATION = b"ecrs-hub machine secret hash key v1"
# Compared against when no stored secret exists, so that an unknown name costs what a known one does.
_DUMMY = f"{ALGORITHM}$AAAAAAAAAAAAAAAAAAAAAA${'0' * 64}"


def _derived(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _DERIVATION, hashlib.sha256).digest()


def hash_keys() -> list[bytes]:
    """The current hash key first, then the fallbacks that stored hashes may still use."""
    explicit = getattr(settings, "ECRS_SECRET_HASH_KEY", "") or ""
    keys = [explicit.encode()] if explicit else [_derived(settings.SECRET_KEY)]
    keys += [key.encode() for key in getattr(settings, "ECRS_SECRET_HASH_KEY_FALLBACKS", ()) if key]
    if not explicit:
        keys += [_derived(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", ()) if key]
    return keys


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


# --- integration keys and API tokens (found by their hash) ------------------------------


def hash_key(key: str) -> str:
    """The hash under which a key is stored now (hex HMAC-SHA-256 under the current key)."""
    return _mac(hash_keys()[0], key)


def legacy_hash_key(key: str) -> str:
    """The plain SHA-256 that keys were stored under before they were keyed."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def key_hashes(key: str) -> list[str]:
    """Every hash a stored row of ``key`` may have: the current one first (then the fallback
    keys' and the plain SHA-256 of rows not upgraded yet)."""
    return [_mac(hash_key, key) for hash_key in hash_keys()] + [legacy_hash_key(key)]


def hash_matches(stored: str, key: str) -> tuple[bool, bool]:
    """(does ``stored`` hash ``key``, should it be stored again under the current key),
    every candidate compared in constant time."""
    matched, current = False, False
    for index, candidate in enumerate(key_hashes(key)):
        if hmac.compare_digest(stored.encode(), candidate.encode()):
            matched, current = True, index == 0
    return matched, matched and not current


# --- POS passwords (found by their username, salted) ------------------------------------


def secret_make(secret: str) -> str:
    """What is stored of a machine password: ``hmac_sha256$<salt>$<hex>``."""
    salt = secrets.token_urlsafe(16)
    return f"{ALGORITHM}${salt}${_mac(hash_keys()[0], salt + '$' + secret)}"


@dataclass(frozen=True, slots=True)
class SecretCheck:
    ok: bool
    needs_upgrade: bool  # right, but stored with a slow hasher or an old key: store it again


def secret_check(secret: str, stored: str | None) -> SecretCheck:
    """Whether ``secret`` is the machine password ``stored`` holds. ``stored`` None (no such
    credential) costs the same as a wrong password."""
    stored = stored or _DUMMY
    algorithm, _, rest = stored.partition("$")
    if algorithm == ALGORITHM:
        salt, _, digest = rest.partition("$")
        ok, current = False, False
        for index, key in enumerate(hash_keys()):
            if hmac.compare_digest(digest.encode(), _mac(key, salt + "$" + secret).encode()):
                ok, current = True, index == 0
        return SecretCheck(ok=ok and stored is not _DUMMY, needs_upgrade=ok and not current)
    try:
        identify_hasher(stored)
    except ValueError:
        return SecretCheck(ok=False, needs_upgrade=False)
    ok = check_password(secret, stored)  # a password stored before (PBKDF2): slow, once
    return SecretCheck(ok=ok, needs_upgrade=ok)


def secret_generate() -> str:
    """A strong machine password: 24 URL-safe characters (144 random bits), nothing a POS
    setting or a shell would mangle."""
    return secrets.token_urlsafe(18)
