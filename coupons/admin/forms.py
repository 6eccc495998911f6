"""Admin forms: the coupon form checks the same rules as ``import_coupons`` (the parsers of
``coupons.services.coupon_rules``), the credential form takes a password and never shows a
hash, the site form takes the site id rule of ``create_site``."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from ecrs_hub.coercion import CoercionError

from ..engine import RewardKind
from ..models import Coupon, CustomerEmail, CustomerPhone, PosCredential, Site
from ..pos_wire import digits_last10
from ..services.coupon_rules import (
    COUPON_ID_MAX,
    ItemError,
    dept_parser,
    image_check,
    list_parser,
    reward_rule,
    upc_parser,
)
from ..services.sites import SetupError, password_check, site_id_check

SEPARATORS = re.compile(r"[\s,;]+")


def _split(text: str) -> list[str]:
    return [part for part in SEPARATORS.split(text or "") if part]


class CodeListField(forms.CharField):
    """A list typed as text, one value per line or separated by commas; each value goes
    through the import's parser, so the admin and the import accept the same codes."""

    def __init__(self, parser, *, noun: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 40}))
        super().__init__(**kwargs)
        self.parse, self.noun = list_parser(parser), noun

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        try:
            return self.parse(_split(text))
        except ItemError as exc:
            raise ValidationError(f"{exc.value!r} {exc.rule}.") from None
        except CoercionError as exc:
            raise ValidationError(f"{self.noun} {exc.rule}.") from None


class CouponForm(forms.ModelForm):
    requirement_upcs = CodeListField(
        upc_parser,
        noun="UPCs",
        label="Requirement UPCs",
        help_text="One per line or comma-separated; stored as GTIN-14 keys (check digit added when missing).",
    )
    reward_upcs = CodeListField(
        upc_parser,
        noun="UPCs",
        label="Reward UPCs",
        help_text="Buy X get Y: the lines rewarded. Empty: the qualifying lines.",
    )
    requirement_depts = CodeListField(
        dept_parser,
        noun="departments",
        label="Requirement departments",
        help_text="Department numbers, comma-separated.",
        widget=forms.TextInput(attrs={"size": 40}),
    )
    image = forms.ImageField(
        required=False, help_text="JPEG, PNG or GIF; the POS gets it as images/NAME (CONTRACT 3.2)."
    )

    class Meta:
        model = Coupon
        widgets = {
            "requirement_description": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "long_description": forms.Textarea(attrs={"rows": 4, "cols": 80}),
        }
        fields = (
            "coupon_id",
            "short_description",
            "requirement_description",
            "long_description",
            "category",
            "brand",
            "start_date",
            "end_date",
            "enabled",
            "featured",
            "image",
            "external_image_url",
            "requirement_upcs",
            "requirement_depts",
            "min_quantity",
            "min_spend",
            "reward_kind",
            "reward_value",
            "reward_upcs",
            "limit_units",
            "uses_per_customer",
            "loyalty_cost",
            "loyalty_program",
            "reduces_tax",
            "type",
            "external_id",
            "receipt_alias",
            "sites",
            "targeted",
            "targeted_customers",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As in the import: a free item needs no value; the others are checked in clean().
        self.fields["reward_value"].required = False

    def clean_coupon_id(self):
        coupon_id = self.cleaned_data["coupon_id"]
        if not coupon_id.strip():
            raise ValidationError("The id must not be blank.")
        if len(coupon_id) > COUPON_ID_MAX and (self.instance.pk is None or coupon_id != self.instance.coupon_id):
            raise ValidationError(f"At most {COUPON_ID_MAX} characters (the POS commit request's limit).")
        return coupon_id

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and hasattr(upload, "read") and upload != self.instance.image:
            upload.seek(0)
            try:
                image_check(upload.read())
            except CoercionError as exc:
                raise ValidationError(f"The file {exc.rule}.") from None
            upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("reward_kind"), cleaned.get("reward_value")
        if kind == RewardKind.FREE:
            cleaned["reward_value"] = 0
        elif rule := reward_rule(kind, value):
            self.add_error("reward_value", f"The reward value {rule}.")
        for name in ("reward_value", "min_spend", "min_quantity"):
            if cleaned.get(name) is not None and cleaned[name] < 0:
                self.add_error(name, "Must not be negative.")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", f"The end date is before the start date {start.isoformat()}.")
        if cleaned.get("limit_units") == 0:
            self.add_error("limit_units", "At least 1, or empty for no limit.")
        return cleaned


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ("site_id", "name", "store", "self_stacking", "use_external_images", "receipt_template")

    def clean_site_id(self):
        try:
            return site_id_check(self.cleaned_data["site_id"])
        except SetupError as exc:
            raise ValidationError(f"{str(exc).capitalize()}.") from None


class PosCredentialForm(forms.ModelForm):
    """The hash is never shown; a password typed here replaces it."""

    new_password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The POS password setting. Stored hashed; leave empty to keep the current one.",
    )
    new_password_again = forms.CharField(
        required=False,
        strip=False,
        label="New password (again)",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = PosCredential
        fields = ("username", "active", "all_sites", "sites")

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if ":" in username:
            raise ValidationError("Must not contain ':' (HTTP Basic separates it from the password with one).")
        return username

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("new_password") or "", cleaned.get("new_password_again") or ""
        if not password and self.instance.pk is None:
            self.add_error("new_password", "A new credential needs a password.")
        elif password:
            try:
                password_check(password)
            except SetupError as exc:
                self.add_error("new_password", f"{str(exc).capitalize()}.")
            if password != again:
                self.add_error("new_password_again", "The two passwords differ.")
        if not cleaned.get("all_sites") and not cleaned.get("sites"):
            self.add_error("sites", "Choose the sites it may act for, or tick 'all sites'.")
        return cleaned


class CustomerPhoneForm(forms.ModelForm):
    class Meta:
        model = CustomerPhone
        fields = ("number",)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not 7 <= len(re.sub(r"\D", "", number)) <= 15:
            raise ValidationError("A phone number has 7 to 15 digits.")
        self.instance.last10 = digits_last10(number)
        return number


class CustomerEmailForm(forms.ModelForm):
    class Meta:
        model = CustomerEmail
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"size": 40})}

    def clean_email(self):
        address = self.cleaned_data["email"].strip().lower()
        forms.EmailField().clean(address)
        return address
