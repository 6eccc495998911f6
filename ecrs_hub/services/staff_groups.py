"""The staff groups (``create_staff_groups``): what store staff and coupon managers may see
and change, from the models installed now."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

STORE_STAFF = "Store staff"
COUPON_MANAGERS = "Coupon managers"
# Store staff see every model of these apps (and the push log), release pending redemptions
# (coupons/admin/pos.py asks for change_clip) and map scale stores (scales/admin.py asks for
# change_scalestore). Coupon managers also edit what the hub owns for coupons, and the scale defaults.
STAFF_VIEW_APPS = ("items", "scales", "coupons", "cognition")
STAFF_VIEW_MODELS = ("ecrs_hub.push", "ecrs_hub.refusedrequest", "ecrs_hub.integration")
STORE_STAFF_EXTRA = ("coupons.change_clip", "scales.change_scalestore")
COUPON_MANAGER_MODELS = (
    "coupons.coupon",
    "coupons.customer",
    "coupons.customerphone",
    "coupons.customeremail",
    "coupons.site",
    "coupons.poscredential",
)
# add as well as change: the scale defaults page offers "add" until its one row exists.
COUPON_MANAGER_EXTRA = ("scales.add_scaledefaults", "scales.change_scaledefaults")


class StaffGroupError(Exception):
    pass


@dataclass(frozen=True)
class StaffGroupResult:
    group: Group
    created: bool
    permissions: list[Permission]  # what the group holds now
    added: list[Permission]  # what this run gave it


def staff_group_definitions() -> dict[str, list[str]]:
    """Each group's ``app_label.codename`` permissions, from the models installed now (so a
    model a later migration adds is covered by running the command again)."""
    view = [
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for label in STAFF_VIEW_APPS
        for model in apps.get_app_config(label).get_models()
        if "view" in model._meta.default_permissions
    ]
    view += [f"{label.split('.')[0]}.view_{label.split('.')[1]}" for label in STAFF_VIEW_MODELS]
    store_staff = [*view, *STORE_STAFF_EXTRA]
    managed = [
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label in COUPON_MANAGER_MODELS
        for action in ("add", "change", "delete")
    ]
    return {STORE_STAFF: store_staff, COUPON_MANAGERS: [*store_staff, *managed, *COUPON_MANAGER_EXTRA]}


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".")) for name in names}
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _codename in wanted},
            codename__in={codename for _app, codename in wanted},
        )
    }
    missing = sorted(".".join(key) for key in wanted - set(found))
    if missing:
        raise StaffGroupError(f"These permissions do not exist (run migrate first?): {', '.join(missing)}")
    return sorted((found[key] for key in wanted), key=lambda perm: (perm.content_type.app_label, perm.codename))


@transaction.atomic
def staff_groups_create() -> list[StaffGroupResult]:
    """Create the staff groups, or give existing ones what they lack. Re-runnable: it only
    adds, so permissions an operator granted a group by hand stay."""
    for label in ("auth", *STAFF_VIEW_APPS, "ecrs_hub"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    results = []
    for name, names in staff_group_definitions().items():
        permissions = _permissions(names)
        group, created = Group.objects.get_or_create(name=name)
        held = set(group.permissions.values_list("pk", flat=True))
        added = [perm for perm in permissions if perm.pk not in held]
        group.permissions.add(*added)
        results.append(StaffGroupResult(group=group, created=created, permissions=permissions, added=added))
    return results
