"""Filters the staff API's filtersets share."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField


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
