"""Query pieces every app's reads use."""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_subquery(queryset: QuerySet) -> Coalesce:
    """``COUNT(*)`` of a correlated queryset (one using ``OuterRef``) as an annotation.

    A correlated subquery counts only the rows of the page being shown, through the
    referencing column's index, where ``Count()`` over a join would group the whole table
    before the page is cut."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
