"""Who may use the staff API: an active staff user holding the Django permission for the
model and the method (``view`` for reads, ``add``/``change``/``delete`` for writes)."""

from __future__ import annotations

from rest_framework.permissions import DjangoModelPermissions


class StaffModelPermissions(DjangoModelPermissions):
    """Staff only, AND the model permission: a staff user without ``view_<model>`` gets 403
    on reads, like the admin hides that model from them. Anonymous requests are refused
    before the model is looked at (401 with a token challenge, see the settings)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        return super().has_permission(request, view)
