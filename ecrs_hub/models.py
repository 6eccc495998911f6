"""The shared push machinery: who may push (integrations and their keys) and what arrived
(the push log, kept raw before parsing so nothing is lost)."""

import zlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone

from .machine_secrets import hash_key
from .queries import count_subquery

__all__ = ["ApiToken", "Integration", "Push", "RefusedRequest", "hash_key"]


class IntegrationQuerySet(models.QuerySet):
    def with_recent_failures(self, *, now: datetime | None = None) -> "IntegrationQuerySet":
        """Each integration annotated with ``failures_24h``: its pushes not OK in the failure
        window (a correlated count through the (integration, received_at) index)."""
        pushes = Push.objects.filter(integration=OuterRef("pk")).recent_failures(now=now)
        return self.annotate(failures_24h=count_subquery(pushes))


class Integration(models.Model):
    """A CATAPULT client allowed to push to the hub. Only the keyed hash of the key is stored
    (``ecrs_hub.machine_secrets``); the key itself is shown once, when it is created or rotated."""

    # The header a shopper app sends its key in (kind *shopper*, /api/shopper/).
    SHOPPER_KEY_HEADER = "X-Shopper-Key"

    class Kind(models.TextChoices):
        ITEMS = "items", "Instant Item Detail (items, images, price label settings)"
        SCALES = "scales", "Price Computing Scale (scale items, scale export)"
        SHOPPER = "shopper", "Shopper app (coupon list and clipping, /api/shopper/)"
        LABELS = "labels", "Label provider / ESL (label export)"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    key_prefix = models.CharField(
        max_length=8, editable=False, help_text="The first characters of the key, to tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    key_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_push_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True)

    objects = IntegrationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.kind})"

    hash_key = staticmethod(hash_key)


class PushQuerySet(models.QuerySet):
    def recent_failures(self, *, now: datetime | None = None) -> "PushQuerySet":
        """The pushes not stored in full (:attr:`Push.NOT_OK`) within :attr:`Push.FAILURE_WINDOW`
        before ``now``: what the admin, the dashboard and the staff API count as failures. A
        push still "received" past ``ECRS_PUSH_INTERRUPTED_AFTER`` counts too, whether or not
        a sweep has marked it interrupted yet."""
        now = now or timezone.now()
        stale = now - timedelta(seconds=settings.ECRS_PUSH_INTERRUPTED_AFTER)
        return self.filter(
            Q(status__in=Push.NOT_OK) | Q(status=Push.Status.RECEIVED, received_at__lt=stale),
            received_at__gte=now - Push.FAILURE_WINDOW,
        )


class Push(models.Model):
    """One authenticated request to a push endpoint, stored before it is parsed."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received (not processed yet)"
        OK = "ok", "Stored"
        PARTIAL = "partial", "Some records rejected"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed (transient, client retries)"
        INTERRUPTED = "interrupted", "Interrupted (processing died mid-push; replay it)"

    # What counts as a failure, and for how long it is shown as recent.
    NOT_OK = (Status.PARTIAL, Status.REJECTED, Status.FAILED, Status.INTERRUPTED)
    FAILURE_WINDOW = timedelta(hours=24)

    class Endpoint(models.TextChoices):
        ITEMS = "items", "Items"
        IMAGES = "images", "Item images"
        PRICE_LABEL_SETTINGS = "price-label-settings", "Price label settings"
        SCALE_ITEMS = "scale-items", "Scale items"

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="pushes")
    endpoint = models.CharField(max_length=32, choices=Endpoint.choices, db_index=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0, help_text="Bytes in the request body.")
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    body_compressed = models.BinaryField(null=True, blank=True, editable=False)
    files = models.JSONField(
        default=list, blank=True, help_text="Uploaded files kept in file storage: name, path, size, sha256."
    )
    body_pruned_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    records = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    objects = PushQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["integration", "-received_at"])]

    def __str__(self):
        return f"{self.get_endpoint_display()} push #{self.pk} ({self.status})"

    @property
    def body(self) -> bytes | None:
        if self.body_compressed is None:
            return None
        return zlib.decompress(bytes(self.body_compressed))

    @staticmethod
    def compress(body: bytes) -> bytes:
        # Level 1: pages are highly repetitive JSON, so even the fastest level shrinks them
        # about tenfold, and a 30 MB page must not spend a second compressing.
        return zlib.compress(body, 1)


class RefusedRequest(models.Model):
    """A request to a push endpoint that did not authenticate: counted, body not kept."""

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    endpoint = models.CharField(max_length=200)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.endpoint} from {self.remote_addr}: {self.reason}"


class ApiToken(models.Model):
    """A staff user's key for the staff API (``Authorization: Token <key>``). Like an
    integration's key, only its SHA-256 is stored; the key is shown once, when issued. It is
    found by its first characters (``key_prefix``) and the hash compared in constant time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the script or machine using it.")
    key_prefix = models.CharField(
        max_length=8, db_index=True, editable=False, help_text="The first characters of the key, to tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the token does not expire.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
                name="apitoken_expires_after_created",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    hash_key = staticmethod(hash_key)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
