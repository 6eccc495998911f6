"""The staff API (/api/), its OpenAPI schema and docs (CONTRACT 7).

Every data endpoint needs a staff session or token and the model's Django permission;
``/api/schema/`` and ``/api/docs/`` are public (they describe, they disclose no data) and are
served from the project (drf-spectacular-sidecar), never from a CDN."""

from django.urls import include, path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from coupons.staff_api import (
    ClipViewSet,
    CouponViewSet,
    CustomerViewSet,
    PosCredentialViewSet,
    SiteViewSet,
    TransactionViewSet,
)
from ecrs_hub.staff_api import IntegrationViewSet, PushViewSet
from items.staff_api import ItemImageViewSet, ItemViewSet, LabelChangeViewSet, PriceLabelTypeViewSet, StoreViewSet
from labels.staff_api import LabelBatchViewSet, PriceDiscrepancyViewSet
from scales.staff_api import ScaleItemViewSet

SCHEMA_CACHE_SECONDS = 15 * 60

router = DefaultRouter()
router.register("stores", StoreViewSet, basename="store")
router.register("items", ItemViewSet, basename="item")
router.register("images", ItemImageViewSet, basename="image")
router.register("price-label-types", PriceLabelTypeViewSet, basename="price-label-type")
router.register("label-changes", LabelChangeViewSet, basename="label-change")
router.register("label-batches", LabelBatchViewSet, basename="label-batch")
router.register("price-discrepancies", PriceDiscrepancyViewSet, basename="price-discrepancy")
router.register("scale-items", ScaleItemViewSet, basename="scale-item")
router.register("coupons", CouponViewSet, basename="coupon")
router.register("customers", CustomerViewSet, basename="customer")
router.register("clips", ClipViewSet, basename="clip")
router.register("transactions", TransactionViewSet, basename="transaction")
router.register("pushes", PushViewSet, basename="push")
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("sites", SiteViewSet, basename="site")
router.register("pos-credentials", PosCredentialViewSet, basename="pos-credential")

urlpatterns = [
    # Public and about half a second of CPU to build: cached, since only a deployment changes it.
    path("schema/", cache_page(SCHEMA_CACHE_SECONDS)(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("auth/", include("rest_framework.urls")),
    path("shopper/", include("coupons.shopper_api")),
    # The address of a batch's tags, without the router's trailing slash.
    path(
        "label-batches/<int:pk>/tags.pdf",
        LabelBatchViewSet.as_view({"get": "tags_pdf"}, schema=None),
        name="label-batch-pdf",
    ),
    path("", include(router.urls)),
]
