"""Content negotiation for the machine endpoints (/ecrs/, /pos/): JSON for every machine, the
browsable API only for a person with a browser.

DRF's default negotiation follows the Accept header, and the Transaction Server is Java, whose
default ``Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2`` prefers text/html: a
register would get an HTML page mid-sale. Browsers are told apart by what no machine client
sends: ``application/xhtml+xml`` in their Accept header (Firefox, Chrome, Safari, Edge all
send it on a page load). ``?format=`` still picks a renderer by name (``?format=api`` for the
page, ``?format=csv`` for the exports).
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

BROWSER_MEDIA_TYPE = "application/xhtml+xml"


def is_browser_renderer(renderer: BaseRenderer) -> bool:
    """A renderer that writes a page for a person (the browsable API, any HTML renderer)."""
    return renderer.media_type.split(";")[0].strip().lower() == "text/html"


class BrowserOnlyNegotiation(DefaultContentNegotiation):
    """Pick the renderer without trusting Accept, except to recognise a browser.

    - ``?format=<name>`` (or a format suffix) naming one of the view's renderers: that one;
    - otherwise an Accept header naming ``application/xhtml+xml`` (with q > 0), when the view
      has an HTML renderer: that one (the browsable API);
    - otherwise the view's first machine renderer (JSON): for Java's default Accept, ``*/*``,
      ``application/json``, no Accept at all, or anything else. An unknown ``?format=`` falls
      back to it as well, so the view answers in its own shape (never DRF's 404 or 406).

    Parsers are selected as DRF does by default.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        renderers = list(renderers)
        machine = [renderer for renderer in renderers if not is_browser_renderer(renderer)]
        browser = [renderer for renderer in renderers if is_browser_renderer(renderer)]
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        chosen = None
        if wanted:
            chosen = next((renderer for renderer in renderers if renderer.format == wanted), None)
        if chosen is None and browser and self.from_browser(request):
            chosen = browser[0]
        if chosen is None:
            chosen = (machine or renderers)[0]
        return chosen, chosen.media_type

    def from_browser(self, request) -> bool:
        """Whether the Accept header names application/xhtml+xml with a quality above 0."""
        for token in self.get_accept_list(request):
            media_type, *params = (part.strip() for part in token.split(";"))
            if media_type.lower() != BROWSER_MEDIA_TYPE:
                continue
            quality = next((value for key, _, value in (p.partition("=") for p in params) if key.strip() == "q"), "1")
            try:
                if float(quality) > 0:
                    return True
            except ValueError:
                return True
        return False
