"""The shopper-facing clip API, mounted at /api/shopper/: a retailer's shopper app (web or
phone) lists the coupons a customer can see and clips or unclips them.

An app authenticates with the key of an integration of kind *shopper* (created like the
CATAPULT ones: admin or ``create_integration NAME --kind shopper``), sent as
``X-Shopper-Key: <key>`` or ``Authorization: Bearer <key>``; only its SHA-256 is stored and
the comparison is constant-time. Each app key is throttled (``SHOPPER_API_RATE``, default
120 requests a minute; the count lives in Django's cache, so with several server processes
configure a shared cache). Clipping goes through the same service as the POS
(:func:`coupons.services.clips_change`), so the rules are the POS's: unknown, unavailable or
not-clipped ids are left out of the answer, never an error.

- ``GET  /api/shopper/customers/<customer>/coupons/?site=<site id>``
- ``POST /api/shopper/customers/<customer>/clips/?site=<site id>`` ``{"add": [...], "remove": [...]}``

``site`` is optional: without it, coupons offered at any site are listed and may be clipped.
An unknown customer id is learned on first sight, as at the POS (CONTRACT 3.1).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from ecrs_hub.apis import IntegrationClient
from ecrs_hub.models import Integration
from ecrs_hub.selectors import integration_by_key
from ecrs_hub.services import integration_key_hash_upgrade

from .models import Coupon, Customer, Site
from .pos_wire import coupon_json, customer_coupons_json, image_url
from .selectors import customer_coupon_lists
from .services import clips_change, customer_learn

KEY_HEADER = Integration.SHOPPER_KEY_HEADER
CUSTOMER_ID_MAX = Customer._meta.get_field("customer_id").max_length
COUPON_ID_MAX = 16
MAX_IDS = 100
STATES = ("available", "clipped", "pending", "redeemed", "expired")


# --- authentication, permission, throttling --------------------------------------------


class ShopperApp(IntegrationClient):
    """The caller: a shopper app, known by its integration. Not a Django user."""

    def __str__(self) -> str:
        return f"shopper app {self.integration.name}"


class ShopperKeyAuthentication(BaseAuthentication):
    """``X-Shopper-Key: <key>`` or ``Authorization: Bearer <key>`` of an enabled integration
    of kind *shopper*, found as every integration's key is
    (:func:`ecrs_hub.selectors.integration_by_key`: its hash through the unique index,
    compared in constant time)."""

    def authenticate(self, request):
        key = request.headers.get(KEY_HEADER, "").strip()
        if not key:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else ""
        if not key:
            return None
        integration = integration_by_key(key)
        if integration is None:
            raise exceptions.AuthenticationFailed("Unknown shopper app key.")
        if integration.kind != Integration.Kind.SHOPPER:
            raise exceptions.AuthenticationFailed(f"The key is of an integration of kind {integration.kind!r}.")
        if not integration.enabled:
            raise exceptions.AuthenticationFailed(f"The shopper app {integration.name!r} is disabled.")
        if integration.key_hash_outdated:
            integration_key_hash_upgrade(integration=integration, key=key)
        return ShopperApp(integration), integration

    def authenticate_header(self, request) -> str:
        return f'Key header="{KEY_HEADER}"'


class ShopperKeyScheme(OpenApiAuthenticationExtension):
    target_class = ShopperKeyAuthentication
    name = "ShopperKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": KEY_HEADER, "description": "A shopper app's key."}


class IsShopperApp(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, ShopperApp)


class ShopperAppThrottle(SimpleRateThrottle):
    """Requests per app key (``SHOPPER_API_RATE``), read when a request is throttled so a
    changed setting applies at once."""

    scope = "shopper_app"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not isinstance(request.user, ShopperApp):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.integration.pk}


class ShopperApi(APIView):
    authentication_classes = (ShopperKeyAuthentication,)
    permission_classes = (IsShopperApp,)
    throttle_classes = (ShopperAppThrottle,)

    def customer_and_site(self, request, customer_id: str) -> tuple[Customer, Site | None]:
        if not 1 <= len(customer_id) <= CUSTOMER_ID_MAX or not customer_id.strip() or "\x00" in customer_id:
            raise exceptions.ValidationError(
                {"customer": [f"must be 1 to {CUSTOMER_ID_MAX} characters, without NUL characters"]}
            )
        site = None
        site_id = request.query_params.get("site")
        if site_id and "\x00" in site_id:
            raise exceptions.ValidationError({"site": ["must not contain NUL characters"]})
        if site_id:
            site = Site.objects.filter(site_id=site_id).first()
            if site is None:
                raise exceptions.ValidationError({"site": [f"no coupon site {site_id[:40]!r}"]})
        return customer_learn(customer_id=customer_id), site


SITE_PARAMETER = OpenApiParameter(
    "site", str, description="The coupon site id (e.g. STO1); without it, coupons offered at any site."
)


# --- list --------------------------------------------------------------------------------


class ShopperCouponSerializer(serializers.Serializer):
    id = serializers.CharField()
    state = serializers.ChoiceField(choices=STATES)
    shortDescription = serializers.CharField()  # the POS's coupon JSON names (CONTRACT 3.2)
    requirementDescription = serializers.CharField()
    longDescription = serializers.CharField()
    category = serializers.CharField()
    brand = serializers.CharField()
    startDate = serializers.DateField(allow_null=True)
    endDate = serializers.DateField(allow_null=True)
    imageUrl = serializers.CharField(help_text="Absolute URL, or empty when the coupon has no image.")
    targeted = serializers.BooleanField()
    enabled = serializers.BooleanField(help_text="False only for a pending or redeemed coupon since disabled.")
    featured = serializers.BooleanField()
    requirementUpcs = serializers.ListField(child=serializers.IntegerField())
    rewardUpcs = serializers.ListField(child=serializers.IntegerField())


class ShopperCouponListSerializer(serializers.Serializer):
    customer = serializers.CharField()
    site = serializers.CharField(allow_null=True)
    coupons = ShopperCouponSerializer(many=True)


# A shopper sees an external image wherever it is; a stored one at the public /pos/images/.
EXTERNAL_IMAGES = SimpleNamespace(use_external_images=True)


class ShopperCouponsApi(ShopperApi):
    @extend_schema(
        operation_id="shopper_customer_coupons",
        summary="The coupons a customer can see, with their state",
        tags=["Shopper app"],
        parameters=[SITE_PARAMETER],
        responses=ShopperCouponListSerializer,
    )
    def get(self, request, customer_id: str):
        customer, site = self.customer_and_site(request, customer_id)
        lists = customer_coupons_json(customer_coupon_lists(site=site, customer=customer))
        state_of = {coupon_id: state for state in STATES for coupon_id in lists[state]}
        coupons = []
        for coupon in Coupon.objects.filter(coupon_id__in=state_of).order_by("coupon_id"):
            entry = coupon_json(coupon, site or EXTERNAL_IMAGES)
            url = image_url(coupon, EXTERNAL_IMAGES)
            entry["imageUrl"] = request.build_absolute_uri(f"/pos/{url}") if url.startswith("images/") else url
            entry["state"] = state_of[coupon.coupon_id]
            coupons.append(entry)
        return Response({"customer": customer.customer_id, "site": site.site_id if site else None, "coupons": coupons})


# --- clip and unclip -----------------------------------------------------------------------


def coupon_ids():
    return serializers.ListField(
        child=serializers.CharField(max_length=COUPON_ID_MAX, allow_blank=False),
        max_length=MAX_IDS,
        required=False,
        default=list,
    )


class ClipRequestSerializer(serializers.Serializer):
    add = coupon_ids()
    remove = coupon_ids()


class ClipAnswerSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.CharField(), help_text="Only the ids actually clipped.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="Only the ids actually unclipped.")


class ShopperClipsApi(ShopperApi):
    @extend_schema(
        operation_id="shopper_customer_clips",
        summary="Clip and unclip a customer's coupons",
        tags=["Shopper app"],
        parameters=[SITE_PARAMETER],
        request=ClipRequestSerializer,
        responses=ClipAnswerSerializer,
    )
    def post(self, request, customer_id: str):
        body = ClipRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer, site = self.customer_and_site(request, customer_id)
        result = clips_change(
            customer=customer, site=site, add=body.validated_data["add"], remove=body.validated_data["remove"]
        )
        return Response({"added": result.added, "removed": result.removed})


urlpatterns = [
    path("customers/<str:customer_id>/coupons/", ShopperCouponsApi.as_view(), name="shopper-coupons"),
    path("customers/<str:customer_id>/clips/", ShopperClipsApi.as_view(), name="shopper-clips"),
]
