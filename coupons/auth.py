"""HTTP Basic authentication of POS credentials and their site permission (CONTRACT 3.1):
``authenticate`` (the credential a request names), ``PosBasicAuthentication`` (the same for
the DRF views of /pos/) and ``site_for`` (the site a credential may act for).

Passwords are stored with Django's password hashers (PBKDF2 by default: ~0.5 s per check
by design). A POS sends the same credentials with every request, and the POS aborts after
5 s, so a successful check is remembered in this process, keyed by the credential and an
HMAC of (the password sent, the stored hash): a changed password changes the stored hash
and a deactivated credential is refused, because the row is read on every request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections import OrderedDict
from threading import Lock

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Exists, OuterRef
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from ecrs_hub.apis import MachineClient

from .models import PosCredential, Site
from .pos_wire import PosError

_VERIFIED: OrderedDict[int, bytes] = OrderedDict()
_VERIFIED_MAX = 1024
_LOCK = Lock()
CHALLENGE = 'Basic realm="ECRS Hub POS", charset="UTF-8"'


def _unauthorized(details: str) -> PosError:
    return PosError("UNAUTHORIZED", details, 401, **{"WWW-Authenticate": CHALLENGE})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("latin-1")
        except (binascii.Error, ValueError):
            return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def _fingerprint(password: str, stored_hash: str) -> bytes:
    message = password.encode("utf-8", "surrogatepass") + b"\x00" + stored_hash.encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


def authenticate(request) -> PosCredential:
    """The active credential the request's Basic header names, or ``UNAUTHORIZED``."""
    pair = _basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
    if pair is None:
        raise _unauthorized("HTTP Basic credentials (the POS username and password settings) are required")
    username, password = pair
    known = username and "\x00" not in username  # no database holds a NUL: no such credential
    credential = PosCredential.objects.filter(username=username, active=True).first() if known else None
    if credential is None:
        make_password(password)  # same work as a real check: no username oracle by timing
        raise _unauthorized("wrong username or password")
    fingerprint = _fingerprint(password, credential.password)
    with _LOCK:
        known = _VERIFIED.get(credential.pk)
    if known is not None and hmac.compare_digest(known, fingerprint):
        return credential
    if not check_password(password, credential.password):
        raise _unauthorized("wrong username or password")
    with _LOCK:
        _VERIFIED[credential.pk] = fingerprint
        _VERIFIED.move_to_end(credential.pk)
        while len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return credential


class PosClient(MachineClient):
    """The caller of a /pos/ view: a POS (or a person trying the API with its credential),
    known by its credential."""

    def __init__(self, credential: PosCredential):
        self.credential = credential

    def __str__(self) -> str:
        return self.credential.username


class PosBasicAuthentication(BaseAuthentication):
    """``authenticate`` for the DRF views: ``request.auth`` is the credential. A request the
    /pos/ dispatcher authenticated already (to log an unknown path) carries its credential
    in ``pos_credential``; it is not checked twice."""

    def authenticate(self, request):
        credential = getattr(request._request, "pos_credential", None)
        if credential is None:
            try:
                credential = authenticate(request._request)
            except PosError as error:
                raise exceptions.AuthenticationFailed(error.details) from None
        return PosClient(credential), credential

    def authenticate_header(self, request) -> str:
        return CHALLENGE


class PosBasicScheme(OpenApiAuthenticationExtension):
    target_class = PosBasicAuthentication
    name = "PosBasic"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic", "description": "A POS credential (username and password)."}


def site_for(credential: PosCredential, site_id: str | None) -> Site:
    """The site ``site_id`` if the credential may act for it, else ``INVALID_SITE``."""
    if not site_id:
        raise PosError("INVALID_SITE", "site: required (the POS siteid setting)", 400)
    allowed = Exists(PosCredential.sites.through.objects.filter(site_id=OuterRef("pk"), poscredential_id=credential.pk))
    site = Site.objects.filter(site_id=site_id).annotate(allowed=allowed).first()
    if site is None:
        raise PosError("INVALID_SITE", f"site: no coupon site {site_id!r}", 400)
    if not (credential.all_sites or site.allowed):
        raise PosError("INVALID_SITE", f"site: this credential may not act for site {site_id!r}", 400)
    return site
