"""HTTP Basic authentication of POS credentials and their site permission (CONTRACT 3.1):
``authenticate`` (the credential a request names), ``PosBasicAuthentication`` (the same for
the DRF views of /pos/) and ``site_for`` (the site a credential may act for).

A POS password is a machine secret, stored as a salted HMAC-SHA-256 under the server's hash
key (``ecrs_hub.machine_secrets``): a check costs microseconds, the first after a worker
starts as much as the rest, so nothing is remembered between requests and the row is read
on every request (a disabled or changed credential is refused by every node at once). A
password stored before with PBKDF2 is checked with it once and stored again.

Failed checks are counted per client address and per username (``POS_AUTH_*`` settings,
``ecrs_hub.throttle``); past either limit a request answers 429 ``TOO_MANY_REQUESTS`` with
``Retry-After`` without its password being checked, unless that username authenticated
from that address before (``POS_AUTH_TRUST_SECONDS``): the store's Transaction Server keeps
working while a flood or a guesser elsewhere, or one guessing another username, is refused.
A lock ends with its window (``POS_AUTH_FAILURE_WINDOW``) once the failures stop.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.db.models import Exists, OuterRef
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from ecrs_hub.apis import MachineClient, remote_addr
from ecrs_hub.machine_secrets import secret_check
from ecrs_hub.throttle import FailureThrottle

from .models import PosCredential, Site
from .pos_wire import PosError
from .services.sites import pos_credential_password_upgrade

CHALLENGE = 'Basic realm="ECRS Hub POS", charset="UTF-8"'
USERNAME_MAX = PosCredential._meta.get_field("username").max_length


def _unauthorized(details: str) -> PosError:
    return PosError("UNAUTHORIZED", details, 401, **{"WWW-Authenticate": CHALLENGE})


def _throttle() -> FailureThrottle:
    return FailureThrottle(scope="pos", window=settings.POS_AUTH_FAILURE_WINDOW)


def _too_many(throttle: FailureThrottle) -> PosError:
    wait = throttle.retry_after()
    return PosError(
        "TOO_MANY_REQUESTS",
        f"too many failed logins from this address or for this username; try again in {wait} s",
        429,
        **{"Retry-After": str(wait)},
    )


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


def _credential_named(username: str) -> PosCredential | None:
    if not username or len(username) > USERNAME_MAX or "\x00" in username:
        return None  # no credential can have that name (PostgreSQL text cannot even hold a NUL)
    return PosCredential.objects.filter(username=username).first()


def authenticate(request) -> PosCredential:
    """The active credential the request's Basic header names, or ``UNAUTHORIZED`` (401), or
    ``TOO_MANY_REQUESTS`` (429) past the failure limits."""
    pair = _basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
    if pair is None:
        raise _unauthorized("HTTP Basic credentials (the POS username and password settings) are required")
    username, password = pair
    address = remote_addr(request) or ""
    throttle = _throttle()
    subjects = {"address": address, "username": username}
    counts = throttle.counts(subjects)
    locked = (
        counts.get("address", 0) >= settings.POS_AUTH_FAILURES_PER_ADDRESS
        or counts.get("username", 0) >= settings.POS_AUTH_FAILURES_PER_USERNAME
    )
    if locked and not throttle.trusted(username, address):
        raise _too_many(throttle)
    credential = _credential_named(username)
    # An unknown or disabled credential is checked against nothing, at the same cost.
    check = secret_check(password, credential.password if credential is not None and credential.active else None)
    if not check.ok:
        throttle.fail(subjects)
        raise _too_many(throttle) if locked else _unauthorized("wrong username or password")
    if check.needs_upgrade:
        pos_credential_password_upgrade(credential=credential, password=password)
    throttle.trust(username, address, settings.POS_AUTH_TRUST_SECONDS)
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
                if error.status != 401:
                    raise  # 429: answered as it is, with its Retry-After
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
