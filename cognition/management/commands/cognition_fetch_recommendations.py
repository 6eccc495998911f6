"""Fetch one kind of Artemis recommendations (every page) and store them."""

from django.core.management.base import BaseCommand, CommandError

from cognition.client import CognitionError
from cognition.models import Recommendation
from cognition.services.predictions import DEFAULT_PAGE_SIZE, recommendations_fetch
from cognition.services.targeting import COUPON_KINDS, recommendations_target

from .._common import make_client


class Command(BaseCommand):
    help = (
        "Fetch recommendations: similar, related, customer (--customer), promotion (--customer --store), "
        "ecircular (--worksheet), coupon (--customer), allcustomercoupon. --target marks the recommended hub "
        "coupons as targeted to the customers (coupon kinds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Recommendation.Kind.values)
        parser.add_argument("--customer", type=int)
        parser.add_argument("--store", type=int)
        parser.add_argument("--worksheet", type=int)
        parser.add_argument("--size", type=int, default=DEFAULT_PAGE_SIZE, help="page size (default 32)")
        parser.add_argument("--target", action="store_true", help="target hub coupons (coupon kinds only)")

    def handle(self, *args, **options):
        if options["size"] < 1:
            raise CommandError("--size must be 1 or more")
        client = make_client()
        try:
            result = recommendations_fetch(
                client=client,
                kind=options["kind"],
                customer=options["customer"],
                store=options["store"],
                worksheet=options["worksheet"],
                size=options["size"],
            )
        except (CognitionError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            client.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {result.stored} {result.kind} recommendations for {result.subjects} subjects "
                f"({result.pages} pages)."
            )
        )
        if options["target"]:
            if options["kind"] not in COUPON_KINDS:
                raise CommandError("--target works with the coupon and allcustomercoupon kinds only")
            call = {"kind": options["kind"]}
            if options["customer"] is not None:
                call["subject"] = options["customer"]
            target = recommendations_target(recommendations=Recommendation.objects.filter(**call).order_by("pk"))
            self.stdout.write(_target_summary(target))


def _target_summary(target) -> str:
    text = f"Targeted {target.newly_targeted} new customer(s) across {target.coupons} coupon(s)."
    if target.unknown_coupons:
        text += f" No hub coupon for Cognition coupon(s) {', '.join(map(str, sorted(target.unknown_coupons)))}."
    if target.unknown_customers:
        text += f" No hub customer for Cognition customer(s) {', '.join(map(str, sorted(target.unknown_customers)))}."
    return text
