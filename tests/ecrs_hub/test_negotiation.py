"""The browsable API reaches a person with a browser, never a machine (ecrs_hub.negotiation).

The endpoint tests (/ecrs/, /pos/) check the same headers end to end; these check the rule
itself on a view with a JSON, a browsable and a CSV renderer."""

import pytest
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from ecrs_hub.negotiation import BrowserOnlyNegotiation

JAVA_DEFAULT = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"


RENDERERS = [JSONRenderer(), BrowsableAPIRenderer(), CsvRenderer()]


def chosen(query: str = "", accept: str | None = None, renderers=RENDERERS) -> str:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/somewhere/" + query, **headers))
    renderer, media_type = BrowserOnlyNegotiation().select_renderer(request, renderers)
    assert media_type == renderer.media_type
    return renderer.format


@pytest.mark.parametrize(
    "accept",
    [JAVA_DEFAULT, "*/*", None, "", "application/json", "text/html", "text/csv", "application/xml", "nonsense;;"],
)
def test_a_machine_gets_json_whatever_it_accepts(accept):
    assert chosen(accept=accept) == "json"


@pytest.mark.parametrize("accept", [FIREFOX, CHROME, "application/xhtml+xml", "APPLICATION/XHTML+XML;q=0.5"])
def test_a_browser_gets_the_browsable_api(accept):
    assert chosen(accept=accept) == "api"


def test_a_browser_that_refuses_xhtml_is_not_taken_for_one():
    assert chosen(accept="text/html, application/xhtml+xml;q=0") == "json"


def test_format_names_a_renderer_whatever_the_accept_header():
    assert chosen("?format=api") == "api"
    assert chosen("?format=api", accept=JAVA_DEFAULT) == "api"
    assert chosen("?format=csv") == "csv"
    assert chosen("?format=csv", accept=FIREFOX) == "csv"
    assert chosen("?format=json", accept=FIREFOX) == "json"


def test_an_unknown_format_falls_back_to_the_machine_renderer_for_the_view_to_answer():
    assert chosen("?format=xml") == "json"
    assert chosen("?format=xml", accept=FIREFOX) == "api"


def test_a_view_without_a_browsable_renderer_answers_a_browser_with_json():
    assert chosen(accept=FIREFOX, renderers=[JSONRenderer()]) == "json"
    assert chosen("?format=api", renderers=[JSONRenderer(), CsvRenderer()]) == "json"
