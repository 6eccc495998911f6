from django.apps import AppConfig


class CognitionConfig(AppConfig):
    name = "cognition"
    verbose_name = "Cognition"
