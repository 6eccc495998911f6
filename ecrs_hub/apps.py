from django.apps import AppConfig


class EcrsHubConfig(AppConfig):
    name = "ecrs_hub"
    verbose_name = "Integrations and pushes"
