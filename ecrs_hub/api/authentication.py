"""Staff API tokens: ``Authorization: Token <key>`` (or ``Bearer <key>``) of an
:class:`~ecrs_hub.models.ApiToken`. Only the key's keyed hash is stored
(``ecrs_hub.machine_secrets``): the token is found by the key's first characters and the hash
compared in constant time, so neither a database read nor response timing discloses a key. A
token stored before under its plain SHA-256 still works and is stored again on use."""

from __future__ import annotations

import re

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ecrs_hub.machine_secrets import hash_matches
from ecrs_hub.models import ApiToken
from ecrs_hub.services import API_TOKEN_KEY_PREFIX, api_token_key_hash_upgrade, api_token_touch

KEYWORDS = ("token", "bearer")
# What key_issue() makes (URL-safe base64). Anything else cannot be a key and is refused
# before it reaches the database (a NUL, say, which PostgreSQL text cannot hold).
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def api_token_for_key(key: str) -> ApiToken | None:
    """The token whose key is ``key`` (revoked and expired ones included), or None."""
    if not KEY_SHAPE.fullmatch(key):
        return None
    candidates = ApiToken.objects.select_related("user").filter(key_prefix=key[:API_TOKEN_KEY_PREFIX])
    for token in candidates:
        matched, outdated = hash_matches(token.key_hash, key)
        if matched:
            if outdated:
                api_token_key_hash_upgrade(token=token, key=key)
            return token
    return None


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` or ``Authorization: Bearer <key>``. Refuses (401) an
    unknown, revoked or expired token and a token of an inactive user; the permission class
    then asks for staff and the model permission."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: send 'Authorization: Token <key>'.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str):
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.revoked:
            raise exceptions.AuthenticationFailed("The token was revoked.")
        if token.expired(now):
            raise exceptions.AuthenticationFailed("The token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        api_token_touch(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular how :class:`ApiTokenAuthentication` authenticates, so the schema
    (and Swagger UI's *Authorize*) describes it."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A staff API token with the prefix "Token": `Authorization: Token <key>` '
            "(`Bearer <key>` is accepted too). Staff create one in the admin (API tokens) or with "
            "`manage.py create_api_token <username>`.",
        }
