"""Reads of the shared core: whose key was presented."""

from __future__ import annotations

import hmac

from .models import Integration


def integration_by_key(key: str) -> Integration | None:
    """The integration (of any kind, enabled or not) whose key is ``key``, or None. The key's
    hash is looked up through its unique index and the final comparison is constant-time,
    so response timing tells nothing about a key. Both the push endpoints and the shopper
    API find their caller with it."""
    digest = Integration.hash_key(key)
    integration = Integration.objects.filter(key_hash=digest).first()
    if integration is None or not hmac.compare_digest(integration.key_hash.encode(), digest.encode()):
        return None
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
