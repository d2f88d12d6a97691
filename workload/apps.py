from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_standard_catalogue(sender: AppConfig, **kwargs: Any) -> None:
    from workload.services import catalogue_ensure

    catalogue_ensure()


class WorkloadConfig(AppConfig):
    name = "workload"
    verbose_name = _("Workload")

    def ready(self) -> None:
        # Every database, including each test database, starts with the standard categories.
        post_migrate.connect(_load_standard_catalogue, sender=self, dispatch_uid="workload-standard-catalogue")
