"""The audit trail: an append-only record of every decision and every access that matters.

Rows are only ever inserted. The model refuses updates and deletes, and on PostgreSQL a trigger refuses
them in the database too, except a retention purge that announces itself (see audit.services).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit trail is append-only; retention is applied by audit.services.audit_purge")

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit trail is append-only")


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")
        DENIED = "denied", _("denied")
        REFUSED = "refused", _("refused by a rule")  # allowed to ask, but the rules said no (e.g. leave)

    at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # the record outlives the account; keep the name below
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    api_key = models.CharField(_("API key"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    station_id = models.IntegerField(_("station id"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.TextField(_("detail"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit trail is append-only")
