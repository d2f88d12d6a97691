"""Incidents and their categories: the raw material of measured workload."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stations.models import Community, Station, TimestampedModel


class CategoryGroup(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal")
    PUBLIC_ORDER = "public_order", _("Public order")
    TRAFFIC = "traffic", _("Traffic")
    DISPUTE = "dispute", _("Dispute")
    ASSISTANCE = "assistance", _("Assistance")
    DISASTER = "disaster", _("Fire and disaster")
    REPORT = "report", _("Report or complaint")
    OTHER = "other", _("Other")


class IncidentCategory(TimestampedModel):
    """A kind of incident (警情类别), with the defaults used when a record lacks handling time or crew."""

    Group = CategoryGroup

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    default_handling_minutes = models.PositiveIntegerField(_("default handling minutes"))
    default_crew = models.PositiveSmallIntegerField(_("default crew"), default=2)
    officer_only = models.BooleanField(
        _("officers only"), default=False, help_text=_("Work that auxiliaries may not do (e.g. evidence, coercion).")
    )

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["group", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(group__in=CategoryGroup.values), name="category_group_valid"),
            models.CheckConstraint(condition=Q(default_handling_minutes__gt=0), name="category_minutes_positive"),
            models.CheckConstraint(condition=Q(default_crew__gte=1), name="category_crew_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Incident(TimestampedModel):
    """One call for service (警情) as recorded by a dispatch or case system."""

    source = models.CharField(_("source system"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=64)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("station"))
    community = models.ForeignKey(
        Community,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("community or village"),
    )
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("category")
    )
    received_at = models.DateTimeField(_("received at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    handling_minutes = models.FloatField(
        _("handling minutes"), null=True, blank=True, help_text=_("Empty means: use the category's default.")
    )
    people_involved = models.PositiveSmallIntegerField(_("officers and auxiliaries involved"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["station", "received_at"], name="incident_station_received"),
            models.Index(fields=["-received_at"], name="incident_received_desc"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="incident_external_id_unique_per_source"),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("received_at")),
                name="incident_arrived_after_received",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(cleared_at__gte=F("received_at")),
                name="incident_cleared_after_received",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(arrived_at__isnull=True) | Q(cleared_at__gte=F("arrived_at")),
                name="incident_cleared_after_arrived",
            ),
            models.CheckConstraint(
                condition=Q(handling_minutes__isnull=True) | Q(handling_minutes__gte=0),
                name="incident_handling_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(people_involved__isnull=True) | Q(people_involved__gte=1),
                name="incident_people_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
