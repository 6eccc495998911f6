"""Coupons, customers, clips and POS transactions (CONTRACT 3).

State of a customer's coupon (CONTRACT 3.4) lives in ``Clip``: ``clipped`` → ``pending`` (on
one ``PosTransaction``) → ``redeemed``. ``available`` is the absence of a clip row or a
``removed`` one (unclipped: the row keeps its ``uses_count``);
``expired`` is derived, never stored: a ``clipped`` clip whose coupon's end date (hub time
zone) has passed. A coupon with uses left after a redemption goes back to ``clipped`` (its
``uses_count`` says how often it was used). Redemptions (per line) and the audit trail
(``CouponEvent``) are separate append-only tables; loyalty balances are a ledger
(``LoyaltyEntry``), the balance is its sum (``LoyaltyAccount.balance``, kept by the database
and never below zero); an optional coupon pending on a transaction holds its points there
(``LoyaltyHold``) until the commit charges them or the pending ends.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .engine import RewardKind

MONEY = {"max_digits": 12, "decimal_places": 2}
DEFAULT_RECEIPT_TEMPLATE = "You saved ${total_saved} with {coupon_count} digital coupon(s)"


class Site(models.Model):
    """A coupon site: the ``siteid`` a store's POS sends (CONTRACT 3.1)."""

    site_id = models.CharField(max_length=32, unique=True, help_text="The POS siteid setting, e.g. STO1.")
    name = models.CharField(max_length=100, blank=True, default="")
    store = models.ForeignKey(
        "items.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="coupon_sites"
    )
    self_stacking = models.BooleanField(
        default=False, help_text="Must match the POS setting com.ecrsoft.tserver.genericcoup.selfStacking."
    )
    use_external_images = models.BooleanField(
        default=False, help_text="Must match the POS setting com.ecrsoft.tserver.genericcoup.useExternalImages."
    )
    receipt_template = models.CharField(
        max_length=200,
        blank=True,
        default=DEFAULT_RECEIPT_TEMPLATE,
        help_text="Receipt line when coupons saved something; {total_saved} and {coupon_count} are "
        "replaced. Empty: no receipt line.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site_id"]

    def __str__(self):
        return f"{self.site_id} {self.name}".strip()


class PosCredential(models.Model):
    """HTTP Basic credentials a POS (Transaction Server) sends. The password is hashed."""

    username = models.CharField(max_length=150, unique=True)
    password = models.CharField(max_length=128, help_text="Hashed with Django's make_password.")
    sites = models.ManyToManyField(Site, blank=True, related_name="credentials")
    all_sites = models.BooleanField(default=False, help_text="May act for every site.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["username"]
        verbose_name = "POS credential"

    def __str__(self):
        return self.username


class Customer(models.Model):
    """A loyalty card holder. ``customer_id`` is what the POS sends (the card's barcode)."""

    customer_id = models.CharField(
        max_length=255,
        unique=True,
        help_text="Card id as the POS sends it (ECRS sets no limit; 255 fits a unique index).",
    )
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    last_seen_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["customer_id"]
        constraints = [models.CheckConstraint(condition=~Q(customer_id=""), name="customer_id_not_empty")]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{self.customer_id} {name}".strip()


class CustomerPhone(models.Model):
    """A phone number of a customer; matched on its last 10 digits."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=32, help_text="As given.")
    last10 = models.CharField(max_length=10, db_index=True, help_text="Its last 10 digits.")

    class Meta:
        ordering = ["customer", "pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "last10"], name="customer_phone_unique")]

    def __str__(self):
        return self.number


class CustomerEmail(models.Model):
    """An email address of a customer, stored lower-cased."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(max_length=320, db_index=True, help_text="Lower-cased.")

    class Meta:
        ordering = ["customer", "pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "email"], name="customer_email_unique")]

    def __str__(self):
        return self.email


class LoyaltyAccount(models.Model):
    """A loyalty account of a customer. Its balance is the sum of its ``LoyaltyEntry`` rows,
    kept in ``balance`` by the database itself (a trigger adds each new entry's points, see
    migration 0004), so that a CHECK constraint can refuse any entry that would take it below
    zero, whoever writes it. The ledger is append-only: entries are never changed or deleted
    (except with their account)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="loyalty_accounts")
    loyalty_id = models.CharField(max_length=64, unique=True, help_text="The id the POS shows (loyaltyId).")
    program = models.CharField(
        max_length=64, blank=True, default="", help_text="Which points a coupon's loyalty_program spends."
    )
    balance = models.IntegerField(
        default=0, editable=False, help_text="Points: the sum of the ledger, written by the database only."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["customer", "loyalty_id"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_non_negative")]

    def __str__(self):
        return self.loyalty_id


class Coupon(models.Model):
    """A digital coupon: what the POS shows (CONTRACT 3.2) and its rules (3.3)."""

    coupon_id = models.CharField(max_length=16, unique=True, help_text="The id the POS sees (1-15 chars on import).")
    short_description = models.CharField(max_length=255, blank=True, default="")
    requirement_description = models.TextField(blank=True, default="")
    long_description = models.TextField(blank=True, default="")
    category = models.CharField(max_length=100, blank=True, default="")
    brand = models.CharField(max_length=100, blank=True, default="")
    start_date = models.DateField(null=True, blank=True, help_text="Inclusive, hub time zone; empty: open.")
    end_date = models.DateField(null=True, blank=True, db_index=True, help_text="Inclusive; empty: open.")
    image = models.ImageField(upload_to="coupon-images/", max_length=255, blank=True, default="")
    external_image_url = models.URLField(
        max_length=1000, blank=True, default="", help_text="Used as is only where the site uses external images."
    )
    enabled = models.BooleanField(default=True)
    featured = models.BooleanField(default=False)
    targeted = models.BooleanField(default=False, help_text="Only the targeted customers see it.")
    requirement_upcs = models.JSONField(default=list, blank=True, help_text="Canonical GTIN-14 keys.")
    requirement_depts = models.JSONField(default=list, blank=True, help_text="Department numbers.")
    min_quantity = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal(1))
    min_spend = models.DecimalField(**MONEY, null=True, blank=True, help_text="On qualifying lines.")
    reward_kind = models.CharField(max_length=16, choices=[(k.value, k.value) for k in RewardKind])
    reward_value = models.DecimalField(
        **MONEY, default=Decimal(0), help_text="Percent (10 = 10 %), amount or price; ignored for free."
    )
    reward_upcs = models.JSONField(default=list, blank=True, help_text="Canonical keys; empty: qualifying lines.")
    limit_units = models.PositiveIntegerField(null=True, blank=True, help_text="Rewarded units per transaction.")
    uses_per_customer = models.PositiveIntegerField(default=1)
    sites = models.ManyToManyField(Site, blank=True, related_name="coupons", help_text="None: every site.")
    loyalty_cost = models.PositiveIntegerField(default=0, help_text="Points; > 0 makes the coupon optional.")
    loyalty_program = models.CharField(
        max_length=64, blank=True, default="", help_text="The loyalty account program whose points it costs."
    )
    reduces_tax = models.BooleanField(default=True)
    type = models.CharField(max_length=64, default="Store Discount")
    external_id = models.CharField(max_length=64, blank=True, default="")
    receipt_alias = models.CharField(max_length=100, blank=True, default="")
    targeted_customers = models.ManyToManyField(Customer, blank=True, related_name="targeted_coupons")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["coupon_id"]
        constraints = [
            models.CheckConstraint(condition=~Q(coupon_id=""), name="coupon_id_not_empty"),
            models.CheckConstraint(condition=Q(reward_value__gte=0), name="coupon_reward_value_non_negative"),
            models.CheckConstraint(
                condition=~Q(reward_kind=RewardKind.PERCENT.value) | Q(reward_value__lte=100),
                name="coupon_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(reward_kind__in=[k.value for k in RewardKind]), name="coupon_reward_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_spend__isnull=True) | Q(min_spend__gte=0), name="coupon_min_spend_non_negative"
            ),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="coupon_min_quantity_non_negative"),
            models.CheckConstraint(condition=Q(uses_per_customer__gte=1), name="coupon_uses_per_customer_positive"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="coupon_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.coupon_id} {self.short_description}".strip()


class PosTransaction(models.Model):
    """A POS transaction as the hub saw it: opened by its first update, closed by its commit."""

    class Status(models.TextChoices):
        OPEN = "open"
        COMMITTED = "committed"
        CANCELLED = "cancelled"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="transactions")
    transaction_id = models.CharField(max_length=255)  # ECRS sets no limit (CONTRACT 2.4)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions"
    )
    terminal = models.IntegerField(null=True, blank=True)
    cashier = models.IntegerField(null=True, blank=True)
    time = models.DateTimeField(null=True, blank=True, help_text="The terminal's time of the last update.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    tenders = models.JSONField(null=True, blank=True, help_text="As the commit sent them (signs kept).")
    committed_coupons = models.JSONField(null=True, blank=True, help_text="The coupon ids the commit listed.")
    commit_answer = models.JSONField(null=True, blank=True, help_text="Repeated commits answer the same.")
    committed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "POS transaction"
        constraints = [
            models.UniqueConstraint(fields=["site", "transaction_id"], name="pos_transaction_unique_per_site"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "committed", "cancelled"]), name="pos_transaction_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.site_id}/{self.transaction_id}"


class Clip(models.Model):
    """A customer's coupon. ``pending`` holds one use of it on ``pending_transaction``;
    a clip row holds at most one pending use (one foreign key), and a transaction holds a
    coupon at most once (partial unique constraint)."""

    class State(models.TextChoices):
        CLIPPED = "clipped"
        PENDING = "pending"
        REDEEMED = "redeemed"
        # Unclipped: the coupon is available again; the row stays so that ``uses_count``
        # survives an unclip and re-clip (uses per customer) and the audit keeps its clip.
        REMOVED = "removed"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="clips")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="clips")
    state = models.CharField(max_length=16, choices=State.choices, default=State.CLIPPED)
    uses_count = models.PositiveIntegerField(default=0, help_text="Redemptions so far.")
    pending_transaction = models.ForeignKey(
        PosTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="pending_clips"
    )
    pending_since = models.DateTimeField(null=True, blank=True)
    clipped_at = models.DateTimeField(default=timezone.now)
    redeemed_at = models.DateTimeField(null=True, blank=True, help_text="Last redemption.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["customer", "coupon"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "coupon"], name="clip_unique_per_customer"),
            models.CheckConstraint(
                condition=Q(state__in=["clipped", "pending", "redeemed", "removed"]), name="clip_state_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(state="pending", pending_transaction__isnull=False, pending_since__isnull=False)
                    | (~Q(state="pending") & Q(pending_transaction__isnull=True, pending_since__isnull=True))
                ),
                name="clip_pending_iff_transaction",
            ),
            models.UniqueConstraint(
                fields=["pending_transaction", "coupon"],
                condition=Q(pending_transaction__isnull=False),
                name="clip_coupon_pending_once_per_transaction",
            ),
        ]

    def __str__(self):
        return f"{self.customer_id}:{self.coupon_id} {self.state}"


class PosTransactionUpdate(models.Model):
    """One transaction update as received and answered."""

    transaction = models.ForeignKey(PosTransaction, on_delete=models.CASCADE, related_name="updates")
    transient = models.BooleanField(default=False)
    request = models.JSONField(help_text="The basket as sent.")
    answer = models.JSONField(help_text="What the hub answered.")
    warnings = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["transaction", "at", "pk"]
        verbose_name = "POS transaction update"

    def __str__(self):
        return f"{self.transaction} update at {self.at:%Y-%m-%d %H:%M:%S}"


class Redemption(models.Model):
    """A redeemed coupon's discount on one line of a committed transaction."""

    clip = models.ForeignKey(Clip, null=True, blank=True, on_delete=models.SET_NULL, related_name="redemptions")
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transaction = models.ForeignKey(PosTransaction, on_delete=models.PROTECT, related_name="redemptions")
    line_id = models.CharField(max_length=64, blank=True, default="", help_text="Empty: the lines were not known.")
    discount = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["transaction", "coupon", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["transaction", "coupon", "line_id"], name="redemption_unique_line"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="redemption_discount_non_negative"),
        ]

    def __str__(self):
        return f"{self.coupon_id} on {self.transaction_id} line {self.line_id or '?'}: {self.discount}"


class LoyaltyEntry(models.Model):
    """A change of a loyalty balance; the balance is the sum of an account's entries."""

    class Reason(models.TextChoices):
        IMPORT = "import"
        ADJUSTMENT = "adjustment"
        REDEMPTION = "redemption"

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="entries")
    points = models.IntegerField(help_text="Positive: earned or set; negative: spent.")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=200, blank=True, default="")
    transaction = models.ForeignKey(
        PosTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="loyalty_entries"
    )
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["account", "created_at", "pk"]
        verbose_name_plural = "loyalty entries"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "transaction", "coupon"],
                condition=Q(reason="redemption"),
                name="loyalty_redemption_charged_once",
            ),
        ]

    def __str__(self):
        return f"{self.points:+d} {self.reason}"


class LoyaltyHold(models.Model):
    """Points an optional (loyalty-cost) coupon pending on an open transaction holds
    (CONTRACT 3.5.5): offered by a non-transient update, the coupon's cost is held on that
    transaction until the coupon drops out of a later update, the transaction is cancelled,
    the pending is abandoned (``released``) or the commit redeems it (``charged``: a
    ``redemption`` entry of the ledger). An update offers an optional coupon only if the
    balance minus the live holds of *other* transactions covers it. A hold is created and
    ended with the pending of its clip, under that clip's row lock; ``created_at`` is the
    clip's ``pending_since``, so a hold older than the abandonment time no longer counts."""

    class State(models.TextChoices):
        HELD = "held"
        RELEASED = "released"
        CHARGED = "charged"

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="holds")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="loyalty_holds")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="+")
    transaction = models.ForeignKey(PosTransaction, on_delete=models.PROTECT, related_name="loyalty_holds")
    points = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.HELD)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Released or charged at.")
    note = models.CharField(max_length=200, blank=True, default="", help_text="Why it ended.")

    class Meta:
        ordering = ["account", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_hold_points_positive"),
            models.CheckConstraint(
                condition=Q(state__in=["held", "released", "charged"]), name="loyalty_hold_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="held", ended_at__isnull=True) | (~Q(state="held") & Q(ended_at__isnull=False)),
                name="loyalty_hold_ended_iff_not_held",
            ),
            models.UniqueConstraint(
                fields=["transaction", "coupon"], condition=Q(state="held"), name="loyalty_hold_once_per_transaction"
            ),
            models.UniqueConstraint(fields=["clip"], condition=Q(state="held"), name="loyalty_hold_once_per_clip"),
            models.UniqueConstraint(
                fields=["transaction", "coupon"], condition=Q(state="charged"), name="loyalty_hold_charged_once"
            ),
        ]
        indexes = [
            models.Index(fields=["account"], condition=Q(state="held"), name="loyalty_hold_live_by_account"),
        ]

    def __str__(self):
        return f"{self.points} points {self.state} on {self.transaction_id} for {self.coupon_id}"


class CouponEvent(models.Model):
    """Append-only audit of every change of a customer's coupon state."""

    class Kind(models.TextChoices):
        CLIP = "clip"
        UNCLIP = "unclip"
        TARGET = "target"
        PEND = "pend"
        RELEASE = "release"
        RECLAIM = "reclaim"
        REDEEM = "redeem"
        CANCEL = "cancel"
        ABANDON = "abandon"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    clip = models.ForeignKey(Clip, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_state = models.CharField(max_length=16, blank=True, default="")
    to_state = models.CharField(max_length=16, blank=True, default="")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    terminal = models.IntegerField(null=True, blank=True)
    transaction = models.ForeignKey(
        PosTransaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    credential = models.ForeignKey(PosCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.kind} {self.coupon_id} {self.from_state}->{self.to_state}"


class UnknownCouponInCommit(models.Model):
    """A coupon a commit listed that the hub did not redeem (CONTRACT 3.6): no update of this
    transaction applied it, it is pending elsewhere, no longer valid, or its points are no
    longer free. The customer kept whatever discount the POS gave; staff see it here."""

    class Reason(models.TextChoices):
        UNKNOWN = "unknown", "unknown coupon or not clipped by this customer"
        NOT_APPLIED = "not_applied", "no update of this transaction applied it"
        PENDING_ELSEWHERE = "pending_elsewhere", "pending on another transaction"
        USED = "used", "already redeemed or unclipped"
        NOT_VALID = "not_valid", "no longer valid for this customer at this site"
        POINTS_NOT_FREE = "points_not_free", "its loyalty points are not free"
        NO_ACCOUNT = "no_account", "no loyalty account to charge"

    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transaction = models.ForeignKey(
        PosTransaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="unknown_coupons"
    )
    coupon_code = models.CharField(max_length=16, help_text="The id as the commit listed it.")
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=32, choices=Reason.choices)
    credential = models.ForeignKey(PosCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "unknown coupon in a commit"
        verbose_name_plural = "unknown coupons in commits"
        constraints = [
            models.CheckConstraint(condition=~Q(coupon_code=""), name="unknown_coupon_code_not_empty"),
            models.CheckConstraint(
                condition=Q(
                    reason__in=[
                        "unknown",
                        "not_applied",
                        "pending_elsewhere",
                        "used",
                        "not_valid",
                        "points_not_free",
                        "no_account",
                    ]
                ),
                name="unknown_coupon_reason_valid",
            ),
        ]

    def __str__(self):
        return f"{self.coupon_code} in the commit of {self.transaction_id}: {self.get_reason_display()}"


class UnknownPosRequest(models.Model):
    """A request to a /pos/ path the hub does not know (CONTRACT 5.1c)."""

    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query_keys = models.JSONField(default=list, blank=True)
    body_keys = models.JSONField(default=list, blank=True)
    routed_to = models.CharField(max_length=32, blank=True, default="", help_text="Empty: answered NOT_FOUND.")
    credential = models.ForeignKey(PosCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "unknown POS request"

    def __str__(self):
        return f"{self.method} {self.path}"
