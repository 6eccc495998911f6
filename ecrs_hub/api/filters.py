"""Filters the staff API's filtersets share."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django.db import models
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, as UTC. PostgreSQL refuses UTC offsets beyond ±15:59 that
    Python accepts (up to ±23:59), and a date at the edge of the calendar may not exist in
    UTC: both are the client's bad value (400), never a database error (500)."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a date and time within years 1 to 9999 in UTC.") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


INT64 = 2**63 - 1


class IntegerFilter(django_filters.NumberFilter):
    """A whole number a database column can hold: a bigger one (``1e300``) is a 400, where
    a decimal filter would pass it on and the database driver would overflow (500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -INT64)
        kwargs.setdefault("max_value", INT64)
        super().__init__(*args, **kwargs)


INTEGER_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)


class ApiFilterSet(django_filters.FilterSet):
    """The staff API's filtersets: integer columns filter through :class:`IntegerFilter`."""

    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        **{field: {"filter_class": IntegerFilter} for field in INTEGER_FIELDS},
    }


class ApiFilterBackend(DjangoFilterBackend):
    """Builds ``filterset_fields`` filtersets on :class:`ApiFilterSet` too."""

    filterset_base = ApiFilterSet
