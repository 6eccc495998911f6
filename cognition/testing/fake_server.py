"""A fake CATAPULT Cognition server for tests and demos: a real HTTP server on loopback
(stdlib ``ThreadingHTTPServer``) answering the documented endpoints with deterministic
generated data.

It checks ``X-ECRS-Auth-Acct`` / ``X-ECRS-APIKEY`` (401 wrong key, 403 wrong account),
compresses with gzip (or deflate) when asked, answers transaction history as JSON or CSV
(``Accept: text/csv``; a 400 is JSON either way), applies the exclusive ingestion bounds,
the 26-hour limit and the TransactionStatus / AllVoid filters, and streams large answers in
chunks. Switches for tests: ``fail_next`` (e.g. 429 with Retry-After, 500, 400 with a
message), ``fail_request`` (the Nth request), ``delay`` (slow answers), ``requests`` (what
was asked).

The data (``FakeData``) is generated deterministically: see ``cognition.testing.fake_data``.
"""

from __future__ import annotations

import csv
import io
import json
import random
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from .fake_data import ALL_FIELDS, FakeData, big

__all__ = ["FakeCognition", "FakeData", "big"]

MAX_RANGE = timedelta(hours=26)


@dataclass
class Failure:
    status: int
    retry_after: str | None = None
    message: str | None = None
    path: str | None = None


class FakeCognition:
    """The server. ``start()`` binds a free loopback port (or ``port``) and serves in a
    thread; ``url`` is the base URL to give the client (ends in ``/api/v1``)."""

    def __init__(self, *, account: str = "24723", api_key: str = "fake-key", data: FakeData | None = None):
        self.account = account
        self.api_key = api_key
        self.data = data or FakeData()
        self.delay = 0.0
        self.cut_after_rows: int | None = None  # drop the connection mid-body after this many rows
        self.requests: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # status, content type and encoding of each answer
        self._failures: list[Failure] = []
        self._failures_at: dict[int, Failure] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- switches ---------------------------------------------------------------------------

    def fail_next(
        self, status: int, *, times: int = 1, retry_after: str | None = None, message: str | None = None, path=None
    ) -> None:
        """The next ``times`` requests (to ``path`` if given) answer ``status``."""
        with self._lock:
            self._failures.extend(Failure(status, retry_after, message, path) for _ in range(times))

    def fail_request(self, number: int, status: int = 500, *, message: str | None = None) -> None:
        """Request number ``number`` (1-based, counted from the start) answers ``status``."""
        with self._lock:
            self._failures_at[number] = Failure(status, None, message)

    def _failure_for(self, number: int, path: str) -> Failure | None:
        with self._lock:
            if number in self._failures_at:
                return self._failures_at.pop(number)
            for index, failure in enumerate(self._failures):
                if failure.path is None or path.endswith(failure.path):
                    return self._failures.pop(index)
        return None

    # --- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v1"

    def start(self, *, host: str = "127.0.0.1", port: int = 0) -> FakeCognition:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-cognition", daemon=True)
        self._thread.start()
        return self

    def wait(self) -> None:
        """Block until stopped (the demo command)."""
        self._thread.join()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeCognition:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class BadRequest(Exception):
    pass


def _parse_time(value: str | None, name: str) -> datetime:
    if not value:
        raise BadRequest(f"{name} is required.")
    text = value.strip().replace(" ", "+") if "T" in value else value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name} '{value}' is not a valid ISO 8601 date-time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int_param(value: str | None, name: str, default: int | None = None, *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            raise BadRequest(f"{name} is required.")
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be an integer.") from None


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeCognition
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    # --- plumbing ---------------------------------------------------------------------------

    def _param(self, query: dict, name: str) -> str | None:
        value = self.headers.get(name)
        if value is None:
            values = query.get(name)
            value = values[0] if values else None
        return value

    def _encoding(self) -> str | None:
        accepted = self.headers.get("Accept-Encoding", "").lower()
        if "gzip" in accepted:
            return "gzip"
        if "deflate" in accepted:
            return "deflate"
        return None

    def _send(self, status: int, body: Any, *, content_type="application/json", headers: dict | None = None):
        payload = orjson.dumps(body) if content_type == "application/json" else body
        self._stream(status, [payload], content_type, headers)

    def _stream(self, status: int, chunks: Iterable[bytes], content_type: str, headers: dict | None = None) -> None:
        encoding = self._encoding()
        with self.server_fake._lock:
            self.server_fake.responses.append({"status": status, "content_type": content_type, "encoding": encoding})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31 if encoding == "gzip" else 15) if encoding else None
        buffered: list[bytes] = []
        size = 0

        def emit(data: bytes, *, flush: bool = False) -> None:
            if compressor is not None:
                data = compressor.compress(data) + (compressor.flush(zlib.Z_SYNC_FLUSH) if flush else b"")
            if data:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

        try:
            for chunk in chunks:
                buffered.append(chunk)
                size += len(chunk)
                if size >= 256 * 1024:
                    emit(b"".join(buffered))
                    buffered, size = [], 0
        except _Cut:
            # What was produced reaches the client, then the connection drops mid-body.
            emit(b"".join(buffered), flush=True)
            self.wfile.flush()
            self.close_connection = True
            return
        if buffered:
            emit(b"".join(buffered))
        if compressor is not None:
            tail = compressor.flush()
            if tail:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(tail), tail))
        self.wfile.write(b"0\r\n\r\n")

    def _handle(self, method: str) -> None:
        fake = self.server_fake
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with fake._lock:
            fake.requests.append(
                {"method": method, "path": parts.path, "query": query, "headers": dict(self.headers.items())}
            )
            number = len(fake.requests)
        if fake.delay:
            time.sleep(fake.delay)
        failure = fake._failure_for(number, parts.path)
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
            message = failure.message or {429: "Too many requests.", 500: "Internal server error."}.get(
                failure.status, "Error."
            )
            self._send(failure.status, {"message": message}, headers=headers)
            return
        if self.headers.get("X-ECRS-APIKEY") != fake.api_key:
            self._send(401, {"message": "Unauthorized: missing or invalid X-ECRS-APIKEY."})
            return
        if self.headers.get("X-ECRS-Auth-Acct") != fake.account:
            self._send(403, {"message": "Forbidden: the API key is not valid for this X-ECRS-Auth-Acct."})
            return
        path = parts.path.rstrip("/")
        if not path.startswith("/api/v1/"):
            self._send(404, {"message": "Not found."})
            return
        route = path[len("/api/v1") :]
        try:
            if method == "GET" and route == "/transactionhistory":
                self._transaction_history(query)
            elif method == "POST" and route == "/predictive/df3":
                self._df3(body)
            elif method == "GET" and route.startswith("/predictive/recsys/"):
                self._recsys(route.rsplit("/", 1)[1], query)
            else:
                self._send(404, {"message": f"No endpoint {method} {parts.path}."})
        except BadRequest as exc:
            self._send(400, {"message": str(exc)})

    def _handle_quietly(self, method: str) -> None:
        try:
            self._handle(method)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True

    def do_GET(self):
        self._handle_quietly("GET")

    def do_POST(self):
        self._handle_quietly("POST")

    # --- endpoints --------------------------------------------------------------------------

    def _transaction_history(self, query: dict) -> None:
        data = self.server_fake.data
        start = _parse_time((query.get("ingestionStartTime") or [None])[0], "ingestionStartTime")
        end_text = (query.get("ingestionEndTime") or [None])[0]
        end = _parse_time(end_text, "ingestionEndTime") if end_text else datetime.now(UTC)
        if end <= start:
            raise BadRequest("ingestionEndTime must be after ingestionStartTime.")
        if end - start > MAX_RANGE:
            raise BadRequest(
                "The maximum time range between ingestionStartTime and ingestionEndTime can only be 26 hours."
            )
        status = _int_param((query.get("TransactionStatus") or [None])[0], "TransactionStatus", 0)
        all_void = _int_param((query.get("AllVoid") or [None])[0], "AllVoid", 0)
        if all_void not in (0, 1):
            raise BadRequest("AllVoid must be 0 or 1.")
        rows = data.rows_between(start, end, status=status, all_void=all_void)
        if self.server_fake.cut_after_rows is not None:
            rows = _cut_after(rows, self.server_fake.cut_after_rows)
            self.server_fake.cut_after_rows = None
        if "text/csv" in self.headers.get("Accept", ""):
            self._stream(200, _csv_chunks(rows), "text/csv; charset=utf-8")
        else:
            self._stream(200, _json_chunks(rows), "application/json")

    def _df3(self, body: bytes) -> None:
        try:
            request = json.loads(body or b"null")
        except ValueError:
            raise BadRequest("The request body must be JSON.") from None
        if not isinstance(request, dict):
            raise BadRequest("The request body must be a JSON object.")
        for name in ("store", "start", "end", "items"):
            if request.get(name) in (None, ""):
                raise BadRequest(f"{name} is required.")
        try:
            first, last = date.fromisoformat(request["start"]), date.fromisoformat(request["end"])
        except (TypeError, ValueError):
            raise BadRequest("start and end must be dates (yyyy-MM-dd).") from None
        if last < first:
            raise BadRequest("end must not be before start.")
        items = request["items"]
        if not isinstance(items, list) or not all(isinstance(item, int) for item in items):
            raise BadRequest("items must be an array of integers.")
        store = request["store"]
        answer = []
        for item in items:
            rng = random.Random(f"{store}:{item}")
            days = (last - first).days + 1
            predictions = [
                {"date": (first + timedelta(days=d)).isoformat(), "quantity": round(rng.uniform(0, 40), 3)}
                for d in range(days)
            ]
            answer.append({"id": item, "store": store, "predictions": predictions})
        self._send(200, {"items": answer})

    def _recsys(self, kind: str, query: dict) -> None:
        data = self.server_fake.data
        page = _int_param(self._param(query, "page"), "page", 0)
        size = _int_param(self._param(query, "size"), "size", 32)
        if page < 0 or size < 1:
            raise BadRequest("page must be 0 or more and size 1 or more.")

        def paged(values: list) -> list:
            return values[page * size : (page + 1) * size]

        def ranked(ids: Iterable[int], salt: str) -> list[dict]:
            rng = random.Random(salt)
            ordered = sorted(ids, key=lambda value: rng.random())
            return [
                {"id": value, "rank": rank, "score": round(1 - rank / 100, 4)} for rank, value in enumerate(ordered, 1)
            ]

        def coupons_for(customer: int) -> list[dict]:
            if customer in data.coupon_recommendations:
                ids = data.coupon_recommendations[customer]
                return [{"id": value, "rank": rank, "score": None} for rank, value in enumerate(ids, 1)]
            return ranked(data.coupons, f"coupon:{customer}")[:3]

        if kind in ("similar", "related"):
            items = [
                {"id": item, "recommendations": ranked([i for i in data.items if i != item], f"{kind}:{item}")[:5]}
                for item in sorted(data.items)
            ]
            self._send(200, {"items": items})
        elif kind == "customer":
            customer = _int_param(self._param(query, "customer"), "customer", required=True)
            self._send(200, {"predictions": paged(ranked(data.items, f"customer:{customer}"))})
        elif kind == "promotion":
            customer = _int_param(self._param(query, "customer"), "customer", required=True)
            store = _int_param(self._param(query, "store"), "store", required=True)
            self._send(200, {"predictions": paged(ranked(data.items[::2], f"promotion:{customer}:{store}"))})
        elif kind == "ecircular":
            worksheet = _int_param(self._param(query, "worksheet"), "worksheet", required=True)
            customers = [
                {"id": customer, "items": ranked(data.items[::3], f"ecircular:{worksheet}:{customer}")[:4]}
                for customer in data.customers
            ]
            self._send(200, {"customer": paged(customers)})
        elif kind == "coupon":
            customer = _int_param(self._param(query, "customer"), "customer", required=True)
            self._send(200, {"customer": [{"id": customer, "coupons": paged(coupons_for(customer))}]})
        elif kind == "allcustomercoupon":
            customers = sorted(set(data.customers) | set(data.coupon_recommendations))
            entries = [{"id": customer, "coupons": coupons_for(customer)} for customer in customers]
            self._send(200, {"customer": paged(entries)})
        else:
            self._send(404, {"message": f"No recommendation endpoint {kind}."})


class _Cut(Exception):
    pass


def _cut_after(rows: Iterator[dict], count: int) -> Iterator[dict]:
    for number, row in enumerate(rows):
        if number == count:
            raise _Cut
        yield row


def _json_chunks(rows: Iterator[dict]) -> Iterator[bytes]:
    yield b"["
    first = True
    for row in rows:
        if first:
            first = False
            yield orjson.dumps(row)
        else:
            yield b"," + orjson.dumps(row)
    yield b"]"


def _csv_chunks(rows: Iterator[dict]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ALL_FIELDS)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in ALL_FIELDS])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
