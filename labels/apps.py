from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "labels"
    verbose_name = "Shelf labels"

    def ready(self):
        # Items cannot import labels: labels listens to the items push's label changes.
        from items.hooks import label_changes_hook_register

        from .services.batches import label_changes_batch

        label_changes_hook_register(label_changes_batch)
