"""Play CATAPULT's Instant Item Detail client against a running hub, over real HTTP."""

import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import orjson
from django.core.management.base import BaseCommand, CommandError

from demo import catalog


class Command(BaseCommand):
    help = (
        "Post realistic item pages (and images, price label settings) to a running hub as CATAPULT does. "
        "Exits non-zero if any request is not answered 200."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The hub's base URL.")
        parser.add_argument("--key", required=True, help="An integration key of kind items.")
        parser.add_argument("--items", type=int, default=1000)
        parser.add_argument("--page-size", type=int, default=5000, help="Items per request (CATAPULT: 5,000).")
        parser.add_argument("--stores", type=int, default=2, help="Store entries per item.")
        parser.add_argument("--start", type=int, default=0, help="First item number (recordIDs follow from it).")
        parser.add_argument(
            "--images",
            type=int,
            default=0,
            help="Post this many item images first, 10 a request: those the items name (product images, "
            "health attribute icons), then spare ones.",
        )
        parser.add_argument("--price-labels", action="store_true", help="Post the price label type settings too.")
        parser.add_argument(
            "--changed",
            type=float,
            default=None,
            metavar="FRACTION",
            help="After the pages, re-send them with this fraction of the items changed (0.1 = 10 %%).",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--header-mode", choices=["header", "bearer", "query"], default="header")
        parser.add_argument("--timeout", type=float, default=300, help="Seconds to wait for each answer.")

    def handle(self, *args, **options):
        self.options = options
        self.failures = 0
        if options["items"] < 0 or options["page_size"] < 1 or options["stores"] < 0 or options["images"] < 0:
            raise CommandError("--items, --stores and --images must be 0 or more and --page-size at least 1")
        if options["changed"] is not None and not 0 <= options["changed"] <= 1:
            raise CommandError("--changed is a fraction between 0 and 1")
        items = catalog.generate_items(
            options["items"], stores=options["stores"], seed=options["seed"], start=options["start"]
        )
        if options["images"]:
            self.post_images(items, options["images"])
        if options["price_labels"]:
            self.post("/ecrs/price-label-settings/", orjson.dumps(catalog.price_label_settings()), "application/json")
        self.post_pages(items)
        if options["changed"] is not None:
            self.post_pages(catalog.mutate_items(items, options["changed"], seed=options["seed"] + 1))
        if self.failures:
            raise CommandError(f"{self.failures} request(s) were not answered 200")

    def post_images(self, items: list[dict], count: int) -> None:
        labels = {item["image"]: item["itemName"] for item in items if item.get("image")}
        names = catalog.referenced_image_names(items)[:count]
        spare = self.options["start"] + self.options["items"]
        names += [catalog.image_name(spare + n) for n in range(count - len(names))]
        for start in range(0, len(names), 10):
            files = [
                (name, catalog.demo_image_bytes(name, label=labels.get(name))) for name in names[start : start + 10]
            ]
            body, content_type = catalog.multipart_body(files)
            self.post("/ecrs/images/", body, content_type)

    def post_pages(self, items: list[dict]) -> None:
        size = self.options["page_size"]
        for start in range(0, len(items), size):
            self.post("/ecrs/items/", orjson.dumps(items[start : start + size]), "application/json")

    def post(self, path: str, body: bytes, content_type: str) -> None:
        key, mode = self.options["key"], self.options["header_mode"]
        url = self.options["url"].rstrip("/") + path
        headers = {"Content-Type": content_type}
        if mode == "header":
            headers["X-Api-Key"] = key
        elif mode == "bearer":
            headers["Authorization"] = f"Bearer {key}"
        else:
            url += "?" + urlencode({"key": key})
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.options["timeout"]) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, exc.read()
        except urllib.error.URLError as exc:
            raise CommandError(f"cannot reach {url}: {exc.reason}") from None
        except OSError as exc:  # reset connection, timeout
            raise CommandError(f"POST {path} failed after {time.perf_counter() - started:.1f}s: {exc}") from None
        seconds = time.perf_counter() - started
        try:
            message = json.loads(answer).get("message", "")
        except (ValueError, AttributeError):
            message = answer[:200].decode(errors="replace")
        self.stdout.write(f"{path:30s} {status} {seconds:7.2f}s {len(body) / 1e6:6.1f} MB  {message}")
        if status != 200:
            self.failures += 1
