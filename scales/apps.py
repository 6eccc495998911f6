from django.apps import AppConfig


class ScalesConfig(AppConfig):
    name = "scales"
    verbose_name = "Scales"

    def ready(self):
        # Registers the push endpoint, so a replay from the admin or a command finds it.
        from . import apis  # noqa: F401
