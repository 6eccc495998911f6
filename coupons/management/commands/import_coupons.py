import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coupons.services.coupon_import import ImportRejected, coupons_import, json_records

MAX_SHOWN = 50


def read_input(path: str) -> bytes:
    """The bytes of FILE, or of standard input for ``-``."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def rejected(what: str, exc: ImportRejected) -> CommandError:
    lines = exc.problems[:MAX_SHOWN]
    if len(exc.problems) > MAX_SHOWN:
        lines.append(f"… and {len(exc.problems) - MAX_SHOWN} more.")
    return CommandError(f"Nothing imported: {len(exc.problems)} problem(s) in the {what}:\n  " + "\n  ".join(lines))


class Command(BaseCommand):
    help = (
        "Upsert coupons from a JSON array (the coupon import schema of CONTRACT 6); '-' reads standard input. "
        "All or nothing: any bad record rejects the file, naming each record index and field."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A JSON file, or - for standard input.")
        parser.add_argument(
            "--images",
            help="The folder relative imageUrl paths are read from (default: the file's folder; "
            "the current folder for standard input).",
        )

    def handle(self, *args, file, images, **options):
        data = read_input(file)
        image_dir = Path(images) if images else (Path.cwd() if file == "-" else Path(file).resolve().parent)
        if not image_dir.is_dir():
            raise CommandError(f"--images {images}: not a folder.")
        try:
            result = coupons_import(records=json_records(data, "coupons"), image_dir=image_dir)
        except ImportRejected as exc:
            raise rejected("coupons", exc) from None
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        extra = []
        if result.customers_created:
            extra.append(f"{result.customers_created} targeted customers not seen before were added by id")
        if result.images_stored:
            extra.append(f"{result.images_stored} images stored from {image_dir}")
        self.stdout.write(
            f"Coupons: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
            + "".join(f"; {line}" for line in extra)
            + "."
        )
