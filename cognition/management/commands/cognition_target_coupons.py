"""Target hub coupons to customers from the stored coupon recommendations."""

from django.core.management.base import BaseCommand

from cognition.models import Recommendation
from cognition.services.targeting import COUPON_KINDS, recommendations_target

from .cognition_fetch_recommendations import _target_summary


class Command(BaseCommand):
    help = (
        "Mark the hub coupons named by stored coupon recommendations (coupon, allcustomercoupon) as targeted to "
        "the recommended customers. Coupons map by external id, then coupon id; customers by the account number "
        "seen in transaction history, then the id itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, action="append", help="only this Cognition customer id")

    def handle(self, *args, **options):
        recommendations = Recommendation.objects.filter(kind__in=COUPON_KINDS).order_by("pk")
        if options["customer"]:
            recommendations = recommendations.filter(subject__in=options["customer"])
        self.stdout.write(_target_summary(recommendations_target(recommendations=recommendations)))
