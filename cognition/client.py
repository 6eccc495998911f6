"""HTTP client for the CATAPULT Cognition API (CONTRACT 4, ECRS document 004).

Every request sends ``X-ECRS-Auth-Acct`` and ``X-ECRS-APIKEY``, asks for gzip and JSON (or
CSV for transaction history), times out, and retries 429 and 5xx answers (and connection
failures) with exponential backoff, honouring ``Retry-After``. 400, 401 and 403 raise an
exception carrying the server's own message. Transaction history is streamed: rows are
yielded one at a time as the (gunzipped) body arrives, never the whole body at once.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings

log = logging.getLogger(__name__)


class CognitionError(Exception):
    """Any failure talking to Cognition. ``status`` is the HTTP status, if there was one."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class CognitionBadRequest(CognitionError):
    """400: Cognition refused the parameters; the message is the server's."""


class CognitionAuthError(CognitionError):
    """401: the API key or account was refused."""


class CognitionForbidden(CognitionError):
    """403: the account has no access (e.g. no DF3 or Artemis subscription)."""


class CognitionUnavailable(CognitionError):
    """429/5xx or no connection, still so after every retry."""


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    account: str
    api_key: str
    timeout: float = 60.0
    retries: int = 5
    backoff: float = 1.0
    backoff_max: float = 60.0
    df3_path: str = "/predictive/df3"

    @classmethod
    def from_settings(cls) -> ClientConfig:
        return cls(
            base_url=settings.COGNITION_BASE_URL,
            account=settings.COGNITION_ACCOUNT or "",
            api_key=settings.COGNITION_API_KEY or "",
            timeout=settings.COGNITION_TIMEOUT,
            retries=settings.COGNITION_RETRIES,
            backoff=settings.COGNITION_BACKOFF,
            backoff_max=settings.COGNITION_BACKOFF_MAX,
            df3_path=settings.COGNITION_DF3_PATH,
        )


_ERRORS = {400: CognitionBadRequest, 401: CognitionAuthError, 403: CognitionForbidden}


def _server_message(response: httpx.Response) -> str:
    """The message in an error body: JSON ``message``/``error``/``detail``/``title`` or the
    text itself (shortened)."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("message", "Message", "error", "detail", "title", "errors"):
            if body.get(key):
                value = body[key]
                return value if isinstance(value, str) else json.dumps(value)
    text = response.text.strip()
    return text[:500] if text else response.reason_phrase


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def iso_z(moment: datetime) -> str:
    """The API's time format, yyyy-MM-dd'T'HH:mm:ss.sss'Z' (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class CognitionClient:
    def __init__(self, config: ClientConfig | None = None, *, sleep: Callable[[float], None] = time.sleep):
        self.config = config or ClientConfig.from_settings()
        if not self.config.account or not self.config.api_key:
            raise CognitionError("COGNITION_ACCOUNT and COGNITION_API_KEY must be set")
        self.sleep = sleep
        self.http = httpx.Client(
            base_url=self.config.base_url.rstrip("/"),
            headers={
                "X-ECRS-Auth-Acct": self.config.account,
                "X-ECRS-APIKEY": self.config.api_key,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "application/json",
                "User-Agent": "ecrs-hub",
            },
            timeout=httpx.Timeout(self.config.timeout, connect=min(self.config.timeout, 10.0)),
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CognitionClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the retry loop -------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        """Send with retries; the response is returned unread (streamed) and must be closed
        by the caller. Raises for errors after the retries are spent."""
        attempt = 0
        while True:
            request = self.http.build_request(method, path, **kwargs)
            try:
                response = self.http.send(request, stream=True)
            except httpx.TransportError as exc:
                if attempt >= self.config.retries:
                    raise CognitionUnavailable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
                self._wait(attempt, None, f"{exc.__class__.__name__}")
                attempt += 1
                continue
            status = response.status_code
            if status < 400:
                return response
            response.read()
            response.close()
            if status == 429 or status >= 500:
                if attempt >= self.config.retries:
                    raise CognitionUnavailable(
                        f"{method} {path}: HTTP {status} after {attempt + 1} attempts: {_server_message(response)}",
                        status=status,
                    )
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.config.backoff_max:
                    raise CognitionUnavailable(
                        f"{method} {path}: HTTP {status}, asked to retry after {retry_after:.0f} s "
                        f"(more than COGNITION_BACKOFF_MAX {self.config.backoff_max:.0f} s): "
                        f"{_server_message(response)}",
                        status=status,
                    )
                self._wait(attempt, retry_after, f"HTTP {status}")
                attempt += 1
                continue
            message = _server_message(response)
            kind = _ERRORS.get(status, CognitionError)
            raise kind(f"Cognition answered {status} to {method} {path}: {message}", status=status)

    def _wait(self, attempt: int, retry_after: float | None, reason: str) -> None:
        """Exponential backoff, never shorter than the server's Retry-After."""
        delay = min(self.config.backoff * (2**attempt), self.config.backoff_max)
        if retry_after is not None:
            delay = max(delay, retry_after)
        log.warning("Cognition: %s, retrying in %.2f s (attempt %d)", reason, delay, attempt + 1)
        self.sleep(delay)

    def _json(self, method: str, path: str, **kwargs) -> Any:
        response = self._send(method, path, **kwargs)
        try:
            body = response.read()
        except httpx.HTTPError as exc:
            raise CognitionUnavailable(f"{method} {path}: body interrupted: {exc}") from exc
        finally:
            response.close()
        try:
            return json.loads(body) if body.strip() else None
        except ValueError as exc:
            raise CognitionError(f"{method} {path}: the answer is not JSON: {exc}") from exc

    # --- endpoints --------------------------------------------------------------------------

    def transaction_history(
        self, *, start: datetime, end: datetime, status: int = 0, all_void: int = 0, fmt: str = "json"
    ) -> Iterator[dict[str, Any]]:
        """The rows (one per transaction line) ingested after ``start`` and before ``end``,
        streamed. ``fmt`` is ``json`` or ``csv``; CSV values arrive as text (``""`` is
        null) and are typed by the same coercion."""
        params = {
            "ingestionStartTime": iso_z(start),
            "ingestionEndTime": iso_z(end),
            "TransactionStatus": status,
            "AllVoid": all_void,
        }
        accept = "text/csv" if fmt == "csv" else "application/json"
        response = self._send("GET", "/transactionhistory", params=params, headers={"Accept": accept})
        try:
            text = _iter_text(response)
            is_csv = "csv" in response.headers.get("Content-Type", accept)
            yield from (iter_csv_rows(text) if is_csv else iter_json_array(text))
        except httpx.HTTPError as exc:
            raise CognitionUnavailable(f"GET /transactionhistory: body interrupted: {exc}") from exc
        finally:
            response.close()

    def df3(self, *, store: int, start: str, end: str, items: list[int]) -> Any:
        body = {"store": store, "start": start, "end": end, "items": items}
        return self._json("POST", self.config.df3_path, json=body)

    def recommendations(self, kind: str, *, page: int | None = None, size: int | None = None, **ids: int) -> Any:
        """One page of ``/predictive/recsys/<kind>``. The document lists ``customer``,
        ``store``, ``worksheet``, ``page`` and ``size`` as header parameters (its curl
        samples send them as headers), so they go as headers."""
        headers = {name: str(value) for name, value in ids.items() if value is not None}
        if page is not None:
            headers["page"] = str(page)
        if size is not None:
            headers["size"] = str(size)
        return self._json("GET", f"/predictive/recsys/{kind}", headers=headers)


def _iter_text(response: httpx.Response) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(response.encoding or "utf-8")(errors="replace")
    for chunk in response.iter_bytes(chunk_size=256 * 1024):
        text = decoder.decode(chunk)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


_WHITESPACE = " \t\r\n"


def iter_json_array(chunks: Iterator[str]) -> Iterator[Any]:
    """The elements of a top-level JSON array of objects, decoded one at a time as text
    arrives (the C decoder does the work; only the current element's text is held)."""
    decoder = json.JSONDecoder()
    buffer = ""
    position = 0
    started = False
    finished = False
    chunks = iter(chunks)
    exhausted = False

    def more() -> bool:
        nonlocal buffer, position, exhausted
        if exhausted:
            return False
        try:
            chunk = next(chunks)
        except StopIteration:
            exhausted = True
            return False
        buffer = buffer[position:] + chunk
        position = 0
        return True

    while True:
        while position < len(buffer) and buffer[position] in _WHITESPACE:
            position += 1
        if position >= len(buffer):
            if not more():
                break
            continue
        char = buffer[position]
        if not started:
            if char != "[":
                raise CognitionError(f"transaction history: expected a JSON array, got {buffer[position:][:40]!r}")
            started = True
            position += 1
            continue
        if finished:
            raise CognitionError("transaction history: text after the end of the JSON array")
        if char == "]":
            finished = True
            position += 1
            continue
        if char == ",":
            position += 1
            continue
        try:
            value, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError as exc:
            if more():
                continue
            raise CognitionError(f"transaction history: truncated or invalid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise CognitionError("transaction history: each element must be a JSON object")
        position = end
        yield value
    if not finished:
        raise CognitionError("transaction history: the JSON array is incomplete")


def _iter_lines(chunks: Iterator[str]) -> Iterator[str]:
    pending = ""
    for chunk in chunks:
        pending += chunk
        lines = pending.splitlines(keepends=True)
        pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
        yield from lines
    if pending:
        yield pending


def iter_csv_rows(chunks: Iterator[str]) -> Iterator[dict[str, Any]]:
    """Rows of a CSV body with a header line; empty cells are null."""
    reader = csv.reader(_iter_lines(chunks))
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip().lstrip("\ufeff") for name in header]
    for values in reader:
        if not values:
            continue
        yield {name: (value if value != "" else None) for name, value in zip(header, values)}
