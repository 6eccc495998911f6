"""``{% hub_dashboard as board %}``: the admin index's dashboard for the user viewing it
(reads in :mod:`config.dashboard`)."""

from django import template
from django.urls import NoReverseMatch, reverse

from config.dashboard import Dashboard, dashboard_for

register = template.Library()


@register.simple_tag(takes_context=True)
def hub_dashboard(context) -> Dashboard | None:
    request = context.get("request")
    if request is None or not request.user.is_active or not request.user.is_staff:
        return None
    return dashboard_for(request.user)


@register.simple_tag
def admin_link(name: str, query: str = "") -> str:
    """The admin URL ``name`` (with ``query``), or "" where that admin page does not exist."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url
