"""Organisation imports: saved mappings and one batch per file brought in (or checked)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.models import TimestampedModel


class OrgMapping(TimestampedModel):
    """An org mapping saved in the database, in the TOML form of a mapping file (docs/org-import.md)."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    definition = models.TextField(
        _("definition (TOML)"), help_text=_("The mapping in the form described in docs/org-import.md.")
    )

    class Meta:
        verbose_name = _("organisation mapping")
        verbose_name_plural = _("organisation mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgBatchStatus(models.TextChoices):
    CHECKED = "checked", _("Checked, awaiting confirmation")
    REJECTED = "rejected", _("Rejected")
    STORED = "stored", _("Stored")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class OrgBatchMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("Store nothing if any row is wrong")
    VALID_ROWS = "valid", _("Store the valid rows, report the rest")


class OrgBatch(TimestampedModel):
    """One organisation file (CSV, workbook or ZIP of CSVs): who brought it, what it holds, what it changed."""

    Status = OrgBatchStatus
    Mode = OrgBatchMode

    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("stored file"), upload_to="org-imports/%Y/%m/", max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    mapping_name = models.CharField(_("mapping"), max_length=255)
    mapping_text = models.TextField(_("mapping as used"))
    mode = models.CharField(_("mode"), max_length=8, choices=OrgBatchMode.choices, default=OrgBatchMode.ALL_OR_NOTHING)
    update_existing = models.BooleanField(
        _("update stored rows"), default=True, help_text=_("Unticked: only rows new to Jingli are added.")
    )
    full_export = models.BooleanField(
        _("full export"), default=False, help_text=_("The file lists every person: report the others as missing.")
    )
    effective_date = models.DateField(_("effective date"), help_text=_("The day moves and departures take effect."))
    status = models.CharField(_("status"), max_length=16, choices=OrgBatchStatus.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    counts = models.JSONField(_("counts per kind"), default=dict)
    differences = models.JSONField(_("differences"), default=dict)
    fingerprint = models.CharField(_("fingerprint of the differences"), max_length=64, blank=True)
    errors = models.JSONField(_("first errors"), default=list)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    rejected_file = models.FileField(_("errors with reasons"), upload_to="org-imports/rejected/", blank=True)
    applied = models.JSONField(
        _("what was stored"),
        default=dict,
        help_text=_("Rows added and the values changed rows had before, kept for the record and for undoing."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("brought by"),
    )  # fmt: skip
    stored_at = models.DateTimeField(_("stored at"), null=True, blank=True)
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("stored by"),
    )  # fmt: skip
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("rolled back by"),
    )  # fmt: skip
    missing_confirmed_at = models.DateTimeField(_("departures confirmed at"), null=True, blank=True)
    missing_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("departures confirmed by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OrgBatchStatus.values), name="orgbatch_status_valid"),
            models.CheckConstraint(condition=models.Q(mode__in=OrgBatchMode.values), name="orgbatch_mode_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.file_name

    @property
    def missing_people(self) -> list[dict[str, str]]:
        return list(self.differences.get("missing", []))
