"""Reads for the admin dashboard (the admin index): how the integrations are doing, how much
data the hub holds, what is pending at the registers, and pushes and redemptions per day.

A handful of aggregate queries whatever the volume; every section tolerates empty tables.
Each section is read only for a user allowed to see its model (the admin's view permission),
and the chart geometry is computed here so the template draws plain SVG (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import CharField, Count, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from coupons.models import Clip, Coupon, Customer, Redemption
from ecrs_hub.models import Integration, Push
from items.models import Item
from scales.models import ScaleItem

CHART_DAYS = 30


@dataclass(frozen=True)
class IntegrationHealth:
    integration: Integration
    last_ok_at: datetime | None
    failures_24h: int


@dataclass(frozen=True)
class Bar:
    day: date
    values: tuple[int, ...]
    # SVG geometry: x, and (y, height) of each stacked segment, bottom first.
    x: float
    segments: tuple[tuple[float, float], ...]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    maximum: int
    width: int
    height: int
    bar_width: float

    @property
    def total(self) -> int:
        return sum(bar.total for bar in self.bars)

    @property
    def ticks(self) -> tuple[tuple[date, float, str], ...]:
        """The axis labels: the first, middle and last days, as (day, x, SVG text-anchor)."""
        if not self.bars:
            return ()
        first, middle, last = self.bars[0], self.bars[len(self.bars) // 2], self.bars[-1]
        half = self.bar_width / 2
        return (
            (first.day, first.x, "start"),
            (middle.day, middle.x + half, "middle"),
            (last.day, last.x + self.bar_width, "end"),
        )


@dataclass
class Dashboard:
    integrations: list[IntegrationHealth] | None = None
    counts: dict[str, int] = field(default_factory=dict)
    pending_count: int | None = None
    pending_oldest_since: datetime | None = None
    charts: list[Chart] = field(default_factory=list)

    @property
    def pending_oldest_age(self) -> timedelta | None:
        if self.pending_oldest_since is None:
            return None
        return timezone.now() - self.pending_oldest_since


def integration_health(*, now: datetime) -> list[IntegrationHealth]:
    """Per CATAPULT integration: the last push stored in full and the pushes not OK in 24 h.
    One query; both are correlated subqueries that walk the (integration, received_at) index
    from the newest push, so a long push log costs nothing."""
    pushes = Push.objects.filter(integration=OuterRef("pk")).order_by()
    last_ok = pushes.filter(status=Push.Status.OK).order_by("-received_at").values("received_at")[:1]
    # Shopper apps call the hub but never push: they have no place here.
    rows = (
        Integration.objects.exclude(kind=Integration.Kind.SHOPPER)
        .with_recent_failures(now=now)
        .annotate(last_ok_at=Subquery(last_ok))
        .order_by("name")
    )
    return [IntegrationHealth(row, row.last_ok_at, row.failures_24h) for row in rows]


def per_day(queryset, field_name: str, *, since: datetime, **counts) -> list[dict[date, int]]:
    """For each of ``counts`` (name → aggregate), its value per local calendar day of
    ``field_name`` since ``since``, in the order given. One query."""
    rows = (
        queryset.filter(**{f"{field_name}__gte": since})
        .annotate(day=TruncDate(field_name, tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(**counts)
        .order_by("day")
    )
    series: list[dict[date, int]] = [{} for _ in counts]
    for row in rows:
        for index, name in enumerate(counts):
            series[index][row["day"]] = row[name]
    return series


def chart(
    title: str, series: tuple[str, ...], days: list[date], data: list[dict[date, int]], *, height: int = 120
) -> Chart:
    """A stacked bar per day; the tallest day fills ``height``."""
    bar_width, gap = 10.0, 3.0
    totals = [sum(values.get(day, 0) for values in data) for day in days]
    maximum = max(totals, default=0)
    bars = []
    for index, day in enumerate(days):
        values = tuple(values.get(day, 0) for values in data)
        segments, bottom = [], float(height)
        for value in values:
            part = (value / maximum * height) if maximum else 0.0
            bottom -= part
            segments.append((round(bottom, 2), round(part, 2)))
        bars.append(Bar(day, values, round(index * (bar_width + gap), 2), tuple(segments)))
    width = int(len(days) * (bar_width + gap))
    return Chart(title, series, tuple(bars), maximum, width, height, bar_width)


def dashboard_for(user) -> Dashboard:
    """The dashboard sections ``user`` may see."""
    now = timezone.now()
    board = Dashboard()
    today = timezone.localdate(now)
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(days[0], datetime.min.time()))

    if user.has_perm("ecrs_hub.view_push"):
        board.integrations = integration_health(now=now)
        stored = Q(status=Push.Status.OK)
        pushes = per_day(
            Push.objects.all(),
            "received_at",
            since=since,
            ok=Count("pk", filter=stored),
            not_ok=Count("pk", filter=~stored),
        )
        board.charts.append(chart("Pushes per day", ("stored", "not OK"), days, pushes))

    for label, model, perm in (
        ("Items", Item, "items.view_item"),
        ("Scale items", ScaleItem, "scales.view_scaleitem"),
        ("Coupons", Coupon, "coupons.view_coupon"),
        ("Customers", Customer, "coupons.view_customer"),
    ):
        if user.has_perm(perm):
            board.counts[label] = model.objects.count()

    if user.has_perm("coupons.view_clip"):
        pending = Clip.objects.filter(state=Clip.State.PENDING).aggregate(n=Count("pk"), oldest=Min("pending_since"))
        board.pending_count, board.pending_oldest_since = pending["n"], pending["oldest"]
    if user.has_perm("coupons.view_redemption"):
        # A redemption row is one line; a redeemed coupon is one (transaction, coupon).
        redeemed_coupon = Concat(
            Cast("transaction_id", CharField()), Value(":"), Cast("coupon_id", CharField()), output_field=CharField()
        )
        redeemed = per_day(Redemption.objects.all(), "created_at", since=since, n=Count(redeemed_coupon, distinct=True))
        board.charts.append(chart("Redemptions per day", ("redeemed coupons",), days, redeemed))
    return board
