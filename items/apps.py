from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "items"
    verbose_name = "Catalog"

    def ready(self):
        # Registers the push endpoints, so a replay from the admin or a command finds them.
        from . import apis  # noqa: F401
