"""The catalog in the staff API (CONTRACT 7): stores, items with their data at each store and
their supplier units, item images and price label types. CATAPULT owns all of it, so the
API only reads; money and quantities are decimal strings, exactly as stored."""

from __future__ import annotations

import django_filters
from django.db.models import OuterRef, Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from ecrs_hub.api.filters import ApiFilterSet, DateTimeFilter, IntegerFilter
from ecrs_hub.queries import count_subquery

from .models import Item, ItemImage, ItemStore, ItemSupplier, LabelChange, PriceLabelType, Store

BOOKKEEPING = ("content_hash", "record_hash")


# --- stores ---------------------------------------------------------------------------


class StoreSerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(read_only=True, help_text="Items at the store, deleted ones excluded.")

    class Meta:
        model = Store
        fields = "__all__"


class StoreBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ("id", "record_id", "number", "name")


class StoreFilter(ApiFilterSet):
    class Meta:
        model = Store
        fields = {"number": ["exact"], "record_id": ["exact"], "scale_store_id": ["exact"], "unmapped": ["exact"]}


class StoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Stores as CATAPULT, the scale integration and staff know them."""

    serializer_class = StoreSerializer
    filterset_class = StoreFilter
    search_fields = ("number", "name", "city", "record_id", "scale_store_id")
    ordering_fields = ("number", "name", "updated_at", "item_count")
    ordering = ("number", "name", "id")

    def get_queryset(self):
        active = ItemStore.objects.filter(store=OuterRef("pk"), deleted=False)
        return Store.objects.annotate(item_count=count_subquery(active))


# --- items ----------------------------------------------------------------------------


class ItemStoreSerializer(serializers.ModelSerializer):
    store = StoreBriefSerializer(read_only=True)

    class Meta:
        model = ItemStore
        exclude = ("item", "content_hash")


class ItemSupplierSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, allow_null=True)

    class Meta:
        model = ItemSupplier
        exclude = ("item", "content_hash")


class ItemSerializer(serializers.ModelSerializer):
    image_names = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The main image and health attribute images named."
    )
    at_stores = ItemStoreSerializer(many=True, read_only=True, help_text="The item at each store (prices, scale data).")
    supplier_units = ItemSupplierSerializer(many=True, read_only=True)

    class Meta:
        model = Item
        exclude = (*BOOKKEEPING, "stores")


class ItemFilter(ApiFilterSet):
    store = IntegerFilter(method="at_store", label="Store id: items at that store (not deleted there).")
    store_number = django_filters.CharFilter(
        method="at_store_number", label="Store number: items at that store (not deleted there)."
    )
    alternate = django_filters.BooleanFilter(
        field_name="base_record_id", lookup_expr="isnull", exclude=True, label="Alternate IDs (true) or base items."
    )
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = DateTimeFilter(field_name="updated_at", lookup_expr="lt")

    class Meta:
        model = Item
        fields = {
            "item_id": ["exact"],
            "record_id": ["exact"],
            "base_record_id": ["exact"],
            "dept_number": ["exact"],
            "sub_dept_number": ["exact"],
            "category_number": ["exact"],
            "brand": ["exact", "icontains"],
        }

    def at_store(self, queryset, name, value):
        return queryset.filter(pk__in=ItemStore.objects.filter(store_id=value, deleted=False).values("item_id"))

    def at_store_number(self, queryset, name, value):
        return queryset.filter(pk__in=ItemStore.objects.filter(store__number=value, deleted=False).values("item_id"))


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Items with their data at each store (``at_stores``) and their supplier units."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    search_fields = ("^item_id", "^record_id", "item_name", "receipt_alias", "brand")
    ordering_fields = ("item_id", "record_id", "item_name", "dept_number", "updated_at")
    ordering = ("item_id", "record_id")

    def get_queryset(self):
        return Item.objects.prefetch_related(
            Prefetch("at_stores", queryset=ItemStore.objects.select_related("store").order_by("store__number", "pk")),
            Prefetch("supplier_units", queryset=ItemSupplier.objects.select_related("supplier").order_by("pk")),
        )


# --- images ---------------------------------------------------------------------------


class ItemImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where staff can fetch the stored file.")

    class Meta:
        model = ItemImage
        exclude = ("file", "last_push")

    @extend_schema_field(serializers.CharField())
    def get_url(self, image: ItemImage) -> str:
        request = self.context.get("request")
        url = image.file.url
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


class ItemImageFilter(ApiFilterSet):
    unreferenced = django_filters.BooleanFilter(
        field_name="unreferenced_since",
        lookup_expr="isnull",
        exclude=True,
        label="No item names it (per prune_images).",
    )

    class Meta:
        model = ItemImage
        fields = {"name": ["exact"], "format": ["exact"], "sha256": ["exact"]}


class ItemImageViewSet(viewsets.ReadOnlyModelViewSet):
    """Item images CATAPULT sent, by the names items use."""

    queryset = ItemImage.objects.all()
    serializer_class = ItemImageSerializer
    filterset_class = ItemImageFilter
    search_fields = ("name",)
    ordering_fields = ("name", "updated_at", "size")
    ordering = ("name",)


# --- price label types ----------------------------------------------------------------


class PriceLabelTypeSerializer(serializers.ModelSerializer):
    settings = serializers.JSONField(help_text='The key/value set as sent: [{"key": ..., "value": ...}].')

    class Meta:
        model = PriceLabelType
        exclude = ("content_hash",)


class PriceLabelTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """CATAPULT price label types and their settings."""

    queryset = PriceLabelType.objects.all()
    serializer_class = PriceLabelTypeSerializer
    filterset_fields = ("record_id",)
    ordering_fields = ("record_id", "updated_at")
    ordering = ("record_id",)


# --- label changes --------------------------------------------------------------------


class LabelChangeSerializer(serializers.ModelSerializer):
    store_number = serializers.CharField(source="store.number", read_only=True, allow_null=True)
    item_id = serializers.CharField(source="item_store.item.item_id", read_only=True)
    record_id = serializers.CharField(source="item_store.item.record_id", read_only=True)
    old = serializers.JSONField(help_text="The label fields before (decimals as strings); null for a new item.")
    new = serializers.JSONField(help_text="The label fields after.")
    fields = serializers.JSONField(help_text="The names of the label fields that changed.")

    class Meta:
        model = LabelChange
        fields = (
            "id",
            "seq",
            "changed_at",
            "kind",
            "store_number",
            "item_id",
            "record_id",
            "item_store",
            "push",
            "fields",
            "old",
            "new",
        )


class LabelChangeFilter(ApiFilterSet):
    store = django_filters.CharFilter(field_name="store__number", label="Store number.")
    item = django_filters.CharFilter(field_name="item_store__item__item_id", label="itemId (UPC, PLU or SKU).")
    since = DateTimeFilter(field_name="changed_at", lookup_expr="gte", label="Changed at or after.")

    class Meta:
        model = LabelChange
        fields = {"kind": ["exact"], "push": ["exact"]}


class LabelChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """What items pushes changed of the shelf-label data of items at stores (prices,
    promotions, name, size), newest first: ``?store=<number>&item=<itemId>&since=<ISO>``."""

    serializer_class = LabelChangeSerializer
    filterset_class = LabelChangeFilter
    ordering_fields = ("seq", "changed_at")
    ordering = ("-seq",)

    def get_queryset(self):
        return LabelChange.objects.select_related("store", "item_store__item")
