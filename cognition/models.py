"""What the hub pulls from ECRS Cognition: transaction history (transactions and their
lines), DF3 demand forecasts and Artemis recommendations; the pull runs and their windows
(progress saved per window, so an interrupted pull resumes); the sync lock; and the saved
reconciliation reports. Pulled data is owned by Cognition and read-only for staff."""

from django.db import models
from django.utils import timezone

from . import wire

TransactionWire = wire.TRANSACTION.abstract_model("TransactionWire", __name__, exclude=("trn_pk",))
LineWire = wire.LINE.abstract_model("LineWire", __name__, exclude=("tli_pk",))


class Transaction(TransactionWire):
    """One Cognition transaction (``TRN_PK``, a 64-bit id, is the primary key)."""

    trn_pk = models.BigIntegerField(primary_key=True, verbose_name="TRN_PK")
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True, db_index=True, help_text="TRN_EndTime: the sale's time.")
    upload_time = models.DateTimeField(null=True, blank=True)
    cognition_upload_time = models.DateTimeField(null=True, blank=True, db_index=True)
    pulled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-end_time", "-trn_pk"]
        indexes = [models.Index(fields=["store_number", "end_time"], name="cognition_trn_store_end")]

    def __str__(self):
        return f"Transaction {self.trn_pk}"


class TransactionLine(LineWire):
    """One line of a transaction, unique by (transaction, ``TLI_PK``)."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="lines")
    tli_pk = models.BigIntegerField(verbose_name="TLI_PK")
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    coupon_expiration = models.DateField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Non-empty fields without a typed column.")

    class Meta:
        ordering = ["transaction", "tli_pk"]
        constraints = [models.UniqueConstraint(fields=["transaction", "tli_pk"], name="cognition_line_unique")]
        indexes = [models.Index(fields=["line_type", "coupon_entry_method"], name="cognition_line_type_entry")]

    def __str__(self):
        return f"Line {self.tli_pk} of {self.transaction_id}"


class PullRun(models.Model):
    """One requested ingestion-time range, pulled window by window."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "Manual (--start/--end)"
        SYNC = "sync", "Hourly sync"

    class Status(models.TextChoices):
        RUNNING = "running"
        FAILED = "failed"
        DONE = "done"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    start = models.DateTimeField(help_text="Ingestion start (exclusive, as the API reads it).")
    end = models.DateTimeField(help_text="Ingestion end (exclusive).")
    transaction_status = models.PositiveSmallIntegerField(default=0)
    all_void = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    transactions = models.PositiveIntegerField(default=0, help_text="Transaction rows received (with overlaps).")
    lines = models.PositiveIntegerField(default=0, help_text="Line rows received (with overlaps).")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="cognition_run_start_before_end")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M} → {self.end:%Y-%m-%d %H:%M}"


class PullWindow(models.Model):
    """At most 26 hours of one run; consecutive windows overlap by one second."""

    class Status(models.TextChoices):
        PENDING = "pending"
        FAILED = "failed"
        DONE = "done"

    run = models.ForeignKey(PullRun, on_delete=models.CASCADE, related_name="windows")
    index = models.PositiveIntegerField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    transactions = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="cognition_window_unique")]

    def __str__(self):
        return f"Window {self.index}: {self.start:%Y-%m-%d %H:%M:%S} → {self.end:%Y-%m-%d %H:%M:%S}"


class SyncLock(models.Model):
    """A lease row: ``cognition_sync`` holds it while it runs (on SQLite; PostgreSQL uses
    an advisory lock, released by the server if the process dies)."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=80, blank=True, default="")
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class Forecast(models.Model):
    """One DF3 demand prediction: an item at a store on a date."""

    store = models.BigIntegerField(help_text="Store id (64-bit).")
    item = models.BigIntegerField(help_text="Item id (64-bit).")
    date = models.DateField()
    quantity = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="The prediction as Cognition sent it.")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["store", "item", "date"]
        constraints = [models.UniqueConstraint(fields=["store", "item", "date"], name="cognition_forecast_unique")]

    def __str__(self):
        return f"{self.item} at {self.store} on {self.date}"


class Recommendation(models.Model):
    """One ranked recommendation: for a subject (an item or a customer) a recommended item,
    coupon or customer. ``scope`` is the store (promotion) or worksheet (eCircular), else 0."""

    class Kind(models.TextChoices):
        SIMILAR = "similar"
        RELATED = "related"
        CUSTOMER = "customer"
        PROMOTION = "promotion"
        ECIRCULAR = "ecircular", "eCircular"
        COUPON = "coupon"
        ALL_CUSTOMER_COUPON = "allcustomercoupon", "All-customer coupon"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    scope = models.BigIntegerField(default=0, help_text="Store (promotion) or worksheet (eCircular) id; 0 otherwise.")
    subject = models.BigIntegerField(help_text="Item id (similar, related) or customer id (the others).")
    recommended = models.BigIntegerField(help_text="Recommended item id, or coupon id for coupon kinds.")
    rank = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=20, decimal_places=8, null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    targeted_at = models.DateTimeField(null=True, blank=True, help_text="When the hub targeted the coupon.")

    class Meta:
        ordering = ["kind", "scope", "subject", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope", "subject", "recommended"], name="cognition_recommendation_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject} → {self.recommended} (#{self.rank})"


class ReconciliationReport(models.Model):
    """A saved run of the redemption reconciliation (also printed by cognition_reconcile)."""

    start = models.DateField()
    end = models.DateField()
    matched = models.PositiveIntegerField(default=0)
    hub_only = models.PositiveIntegerField(default=0, help_text="Redeemed in the hub, no vendor coupon line.")
    cognition_only = models.PositiveIntegerField(default=0, help_text="Third-party coupon line, no hub redemption.")
    rows = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Reconciliation {self.start} – {self.end}"
