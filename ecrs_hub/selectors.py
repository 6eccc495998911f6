"""Reads of the shared core: whose key was presented."""

from __future__ import annotations

from .machine_secrets import hash_matches, key_hashes
from .models import Integration


def integration_by_key(key: str) -> Integration | None:
    """The integration (of any kind, enabled or not) whose key is ``key``, or None. The key's
    keyed hash is looked up through its unique index (with the hashes a row stored before
    may still have: plain SHA-256, an old hash key) and the final comparison is
    constant-time, so response timing tells nothing about a key. A row found by an old hash
    has ``key_hash_outdated`` set: the caller stores it again
    (``services.integration_key_hash_upgrade``). Both the push endpoints and the shopper API
    find their caller with it."""
    integration = Integration.objects.filter(key_hash__in=key_hashes(key)).first()
    if integration is None:
        return None
    matched, outdated = hash_matches(integration.key_hash, key)
    if not matched:
        return None
    integration.key_hash_outdated = outdated
    return integration


def kind_name(kind: str) -> str:
    """An integration kind as staff name it, quoted: "“Instant Item Detail”"."""
    try:
        return "“" + str(Integration.Kind(kind).label).split(" (")[0] + "”"
    except ValueError:
        return repr(str(kind))


def integration_check(*, key: str | None, kind: str) -> tuple[Integration | None, str]:
    """The enabled integration of ``kind`` whose key was presented, or None and why not, in
    the words a refused push is answered with (CONTRACT 2.1)."""
    if not key:
        return None, "no API key (send X-Api-Key, Authorization: Bearer or ?key=)"
    integration = integration_by_key(key)
    if integration is None:
        return None, "unknown API key"
    if not integration.enabled:
        return None, f"integration {integration.name!r} is disabled"
    if integration.kind != kind:
        return None, (
            f"integration {integration.name!r} is a {kind_name(integration.kind)} integration; "
            f"this endpoint needs the key of a {kind_name(kind)} integration"
        )
    return integration, ""
