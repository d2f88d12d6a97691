from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_reference(sender: AppConfig, **kwargs: Any) -> None:
    from rosters.reference import reference_ensure

    reference_ensure()


class RostersConfig(AppConfig):
    name = "rosters"
    verbose_name = _("Duty rosters")

    def ready(self) -> None:
        # Every database, each test database included (flushed ones too), starts with the built-in
        # patterns and the official 2025-2026 holiday calendar.
        post_migrate.connect(_install_reference, sender=self, dispatch_uid="rosters-reference-data")
