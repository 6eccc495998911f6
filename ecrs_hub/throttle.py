"""Counting failed authentications in Django's cache, to refuse a flood of wrong secrets with
429 and ``Retry-After`` (CONTRACT 3.1) before it costs the database anything.

Counts live in the ``default`` cache: the shared Redis cache when ``REDIS_URL`` is set, so
every node sees every failure; otherwise each process's local memory, so each worker process
counts on its own (an attacker gets the limit once per process). Windows are fixed
(``window`` seconds, aligned on the clock): a count is forgotten when its window ends, so
no lock lasts longer than one window after the failures stop.

A cache that fails (Redis down) never refuses anyone: the throttle then counts nothing.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _part(value: str) -> str:
    # Any text (a username is what the client sent) as a short, cache-safe key part.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class FailureThrottle:
    """Failures of ``scope`` counted per subject (an address, a username) in fixed windows."""

    scope: str
    window: int  # seconds

    def _bucket(self, now: float) -> int:
        return int(now // self.window)

    def _key(self, kind: str, subject: str, bucket: int) -> str:
        return f"authfail:{self.scope}:{kind}:{_part(subject)}:{bucket}"

    def retry_after(self, now: float | None = None) -> int:
        """Seconds until the current window ends (at least 1)."""
        now = time.time() if now is None else now
        return max(1, math.ceil((self._bucket(now) + 1) * self.window - now))

    def counts(self, subjects: dict[str, str]) -> dict[str, int]:
        """The failures in this window of each ``{kind: subject}``; one cache round trip."""
        bucket = self._bucket(time.time())
        keys = {kind: self._key(kind, subject, bucket) for kind, subject in subjects.items() if subject}
        try:
            found = cache.get_many(list(keys.values())) if keys else {}
        except Exception:  # a cache outage must not lock anyone out
            logger.warning("throttle %s: the cache is unavailable; counting nothing", self.scope, exc_info=True)
            return {}
        return {kind: int(found.get(key) or 0) for kind, key in keys.items()}

    def fail(self, subjects: dict[str, str]) -> None:
        """Count one failure against each ``{kind: subject}``."""
        bucket = self._bucket(time.time())
        try:
            for kind, subject in subjects.items():
                if not subject:
                    continue
                key = self._key(kind, subject, bucket)
                if not cache.add(key, 1, timeout=self.window + 1):
                    try:
                        cache.incr(key)
                    except ValueError:  # expired between add and incr
                        cache.add(key, 1, timeout=self.window + 1)
        except Exception:
            logger.warning("throttle %s: the cache is unavailable; counting nothing", self.scope, exc_info=True)

    # --- who has authenticated from where: let the real client through a lock ---------

    def trusted(self, username: str, address: str) -> bool:
        try:
            return bool(address and cache.get(f"authok:{self.scope}:{_part(username)}:{_part(address)}"))
        except Exception:
            return False

    def trust(self, username: str, address: str, seconds: int) -> None:
        """Remember that ``username`` authenticated from ``address`` (for ``seconds``)."""
        if not address or seconds <= 0:
            return
        try:
            cache.add(f"authok:{self.scope}:{_part(username)}:{_part(address)}", 1, timeout=seconds)
        except Exception:
            logger.warning("throttle %s: the cache is unavailable", self.scope, exc_info=True)
