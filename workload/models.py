"""Incidents and their categories: the raw material of measured workload."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stations.models import Community, Station, TimestampedModel, UnitKind


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
    follow_up_hours = models.FloatField(
        _("follow-up hours"),
        default=0,
        help_text=_("Investigation and case work after the first response, per incident; officers only."),
    )
    team = models.CharField(
        _("team"),
        max_length=16,
        choices=[(k.value, k.label) for k in (UnitKind.COMMAND, UnitKind.CASE, UnitKind.COMMUNITY)],
        default=UnitKind.COMMAND,
        help_text=_("The team whose hours this work takes: the duty crews of the command room, cases, or community."),
    )

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["group", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(group__in=CategoryGroup.values), name="category_group_valid"),
            models.CheckConstraint(condition=Q(default_handling_minutes__gt=0), name="category_minutes_positive"),
            models.CheckConstraint(condition=Q(default_crew__gte=1), name="category_crew_positive"),
            models.CheckConstraint(condition=Q(follow_up_hours__gte=0), name="category_follow_up_not_negative"),
            models.CheckConstraint(condition=Q(team__in=["command", "case", "community"]), name="category_team_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Incident(TimestampedModel):
    """One call for service (警情) as recorded by a dispatch or case system."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)  # indexed by BRIN (migration 0003)
    source = models.CharField(_("source system"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=64)
    # The references of an incident are checked by the database once per statement, set-wise, not by
    # PostgreSQL's per-row foreign-key triggers: those cost about 3 s per million imported rows and per
    # reference (docs/benchmarks.md). Migration 0004 installs the statement-level checks and the
    # guards on the referenced tables; db_constraint=False only drops the per-row kind.
    # No single-column index on station: (station, received_at) serves every station lookup, and each
    # index costs time on every imported row.
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("station"),
        db_index=False,
        db_constraint=False,
    )
    community = models.ForeignKey(
        Community,
        db_index=False,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("community or village"),
    )
    category = models.ForeignKey(
        IncidentCategory,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("category"),
        db_index=False,  # categories are few and never deleted in bulk; not worth an index per row
        db_constraint=False,
    )
    received_at = models.DateTimeField(_("received at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    handling_minutes = models.FloatField(
        _("handling minutes"), null=True, blank=True, help_text=_("Empty means: use the category's default.")
    )
    people_involved = models.PositiveSmallIntegerField(_("officers and auxiliaries involved"), null=True, blank=True)
    is_outlier = models.BooleanField(
        _("implausible handling time"), default=False, help_text=_("Under 30 seconds or over 8 hours as recorded.")
    )
    batch = models.ForeignKey(
        "ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("import batch"),
        # A batch's rows are inserted together, so they lie together in the table: a block-range
        # index (migration 0004) finds them for a rollback at a fraction of a B-tree's cost per row.
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        # No default ordering: sorting millions of incidents is a cost a query must ask for.
        indexes = [
            models.Index(fields=["station", "received_at"], name="incident_station_received"),
            # Time filters on received_at and updated_at (incremental pulls) use block-range indexes
            # on PostgreSQL, created by migration 0003: incidents arrive roughly in time order, and a
            # BRIN index costs a fraction of a B-tree on every imported row.
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


class ImportMapping(TimestampedModel):
    """A column mapping saved in the database, in the same TOML form as a mapping file."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    definition = models.TextField(
        _("definition (TOML)"), help_text=_("The mapping in the form described in docs/import-mappings.md.")
    )

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Checking")
    AWAITING_DECISION = "awaiting", _("Awaiting decision")
    STORED = "stored", _("Stored")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    CANCELLED = "cancelled", _("Cancelled")


class BatchMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("Store nothing if any row is wrong")
    VALID_ROWS = "valid", _("Store the valid rows, report the rest")
    ASK = "ask", _("Check first, then let me decide")


class ImportBatch(TimestampedModel):
    """One file brought in: who, when, what, and exactly what became of every row."""

    Status = BatchStatus
    Mode = BatchMode

    file_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("stored file"), upload_to="imports/%Y/%m/", max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    mapping_name = models.CharField(_("mapping"), max_length=255)
    mapping_text = models.TextField(_("mapping as used"))
    source = models.CharField(_("source system"), max_length=32)
    mode = models.CharField(_("mode"), max_length=8, choices=BatchMode.choices, default=BatchMode.ALL_OR_NOTHING)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "personnel.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_blank = models.PositiveIntegerField(_("blank rows"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    rows_stored = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("already stored"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_outlier = models.PositiveIntegerField(_("outliers"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    error_counts = models.JSONField(_("errors by reason"), default=dict, blank=True)
    rejected_file = models.FileField(
        _("rejected rows (CSV)"), upload_to="imports/rejected/", blank=True, max_length=255
    )
    rolled_back_at = models.DateTimeField(_("rolled back at"), null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rolled back by"),
    )

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="batch_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=BatchMode.values), name="batch_mode_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="batch_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status not in {BatchStatus.QUEUED, BatchStatus.RUNNING}


class StagedIncident(models.Model):
    """Scratch rows of a batch being checked; emptied when the batch is decided.

    On PostgreSQL the table is UNLOGGED (migration): it holds nothing that must survive a crash, and
    skipping the write-ahead log is what lets COPY fill it at full speed.
    """

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    row = models.PositiveIntegerField()
    external_id = models.CharField(max_length=200)
    station_id = models.BigIntegerField(null=True)
    community_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField(null=True)
    received_at = models.DateTimeField(null=True)
    arrived_at = models.DateTimeField(null=True)
    cleared_at = models.DateTimeField(null=True)
    handling_minutes = models.FloatField(null=True)
    people_involved = models.IntegerField(null=True)
    is_outlier = models.BooleanField(default=False)
    error = models.CharField(max_length=32, null=True)
    error_column = models.CharField(max_length=200, null=True)
    error_value = models.CharField(max_length=200, null=True)
    duplicate = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"batch {self.batch_id} row {self.row}"


class WorkloadCell(models.Model):
    """Officer-hours of one station, team and category group in one hour of the week of one month.

    Derived from incidents by workload.aggregate (in the database, GROUP BY) and refreshed for the
    station-months an import or a rollback touched, and nightly for everything. Being derived, the
    table is UNLOGGED on PostgreSQL (migration 0007): writes skip the write-ahead log, and after a
    crash the table comes back empty and `workload.recompute` rebuilds it.
    """

    pk = models.CompositePrimaryKey("station", "month", "team", "category_group", "hour_of_week")
    # Derived rows, rebuilt wholesale: no foreign-key check per row (the unique index covers lookups).
    station = models.ForeignKey(
        Station, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    team = models.CharField(max_length=16)
    category_group = models.CharField(max_length=16)
    month = models.DateField(help_text="first day of the month, local time")
    hour_of_week = models.PositiveSmallIntegerField(help_text="0 = Monday 00:00-01:00 local time, 167 = Sunday 23:00")
    incidents = models.PositiveIntegerField()
    handling_hours = models.FloatField(help_text="sum of handling hours, category defaults where missing")
    officer_hours = models.FloatField(help_text="handling hours x people involved")
    officer_only_hours = models.FloatField(help_text="officer-hours of categories auxiliaries may not handle")
    follow_up_hours = models.FloatField(help_text="case work after the response, officers only")

    class Meta:
        verbose_name = _("workload cell")
        verbose_name_plural = _("workload cells")
        constraints = [
            models.CheckConstraint(condition=Q(hour_of_week__lt=168), name="workload_cell_hour_of_week"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m} {self.team} {self.category_group} h{self.hour_of_week}"


class WorkloadMonth(models.Model):
    """The cells of one station, team and month, summed over hours of the week and category groups.

    Derived from WorkloadCell by workload.aggregate.cells_refresh in the same transaction. Need,
    windows and trends read these few thousand rows instead of summing the hundreds of thousands of
    cells of a city (bench/overview.py). UNLOGGED like the cells, and rebuilt with them.
    """

    pk = models.CompositePrimaryKey("station", "month", "team")
    station = models.ForeignKey(
        Station, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    month = models.DateField(help_text="first day of the month, local time")
    team = models.CharField(max_length=16)
    incidents = models.PositiveIntegerField()
    officer_hours = models.FloatField()
    officer_only_hours = models.FloatField()
    follow_up_hours = models.FloatField()

    class Meta:
        verbose_name = _("workload month")
        verbose_name_plural = _("workload months")
        indexes = [models.Index(fields=["month"], name="workload_month_month")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m} {self.team}"


class StandardsSet(TimestampedModel):
    """The parameters need is computed with (DOMAIN.md §2-3); the national defaults are built in."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_default = models.BooleanField(_("default set"), default=False)
    proactive_share = models.FloatField(
        _("proactive share"),
        default=0.40,
        help_text=_("Share of on-duty time kept free of calls (ICMA rule of 60: 0.40)."),
    )
    net_hours_per_person = models.FloatField(
        _("net hours per person per year"),
        default=1800,
        help_text=_("Hours a person is available after leave and training."),
    )
    admin_minutes_per_hour = models.FloatField(_("administrative minutes per committed hour"), default=10)
    residents_per_community_officer_urban = models.PositiveIntegerField(
        _("residents per community officer (urban)"), default=4000
    )
    residents_per_community_officer_town = models.PositiveIntegerField(
        _("residents per community officer (town)"), default=4500
    )
    residents_per_community_officer_rural = models.PositiveIntegerField(
        _("residents per community officer (rural)"), default=5000
    )
    min_officers_per_station = models.PositiveSmallIntegerField(_("minimum officers per station"), default=5)
    min_community_share = models.FloatField(_("minimum community officer share of a station"), default=0.40)
    min_station_share = models.FloatField(_("minimum share of the county's officers in stations"), default=0.40)
    leaders_per_station = models.PositiveSmallIntegerField(_("station leaders"), default=2)
    answer_within_minutes = models.FloatField(_("answer within (minutes)"), default=5)
    service_level = models.FloatField(
        _("share of calls answered in time"), default=0.90, help_text=_("Erlang C target for crews per hour.")
    )
    window_months = models.PositiveSmallIntegerField(_("workload window (months)"), default=12)

    class Meta:
        verbose_name = _("standards set")
        verbose_name_plural = _("standards sets")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_standards"),
            models.CheckConstraint(
                condition=Q(proactive_share__gte=0, proactive_share__lt=0.9), name="standards_proactive_share"
            ),
            models.CheckConstraint(condition=Q(net_hours_per_person__gt=0), name="standards_net_hours_positive"),
            models.CheckConstraint(
                condition=Q(admin_minutes_per_hour__gte=0, admin_minutes_per_hour__lt=60),
                name="standards_admin_minutes",
            ),
            models.CheckConstraint(
                condition=Q(min_community_share__gte=0, min_community_share__lte=1), name="standards_community_share"
            ),
            models.CheckConstraint(
                condition=Q(min_station_share__gte=0, min_station_share__lte=1), name="standards_station_share"
            ),
            models.CheckConstraint(
                condition=Q(service_level__gt=0, service_level__lt=1), name="standards_service_level"
            ),
            models.CheckConstraint(condition=Q(answer_within_minutes__gt=0), name="standards_answer_within"),
            models.CheckConstraint(condition=Q(window_months__gte=1, window_months__lte=36), name="standards_window"),
        ]

    def __str__(self) -> str:
        return self.name

    def residents_per_community_officer(self, station_kind: str) -> int:
        by_kind: dict[str, int] = {
            "urban": self.residents_per_community_officer_urban,
            "town": self.residents_per_community_officer_town,
        }
        return by_kind.get(station_kind, self.residents_per_community_officer_rural)


class PostRequirement(models.Model):
    """A fixed post every station staffs regardless of calls, e.g. the command room desk, 24/7."""

    standards = models.ForeignKey(
        StandardsSet, on_delete=models.CASCADE, related_name="posts", verbose_name=_("standards set")
    )
    name = models.CharField(_("name"), max_length=100)
    team = models.CharField(
        _("team"),
        max_length=16,
        choices=[(k.value, k.label) for k in (UnitKind.COMMAND, UnitKind.CASE, UnitKind.COMMUNITY)],
        default=UnitKind.COMMAND,
    )
    hours_per_week = models.FloatField(_("hours per week"), help_text=_("168 for a post staffed around the clock."))
    persons = models.PositiveSmallIntegerField(_("people on the post at a time"), default=1)
    officers_only = models.BooleanField(_("officers only"), default=True)
    station_kinds = models.CharField(
        _("station kinds"),
        max_length=60,
        default="urban,town,rural",
        help_text=_("Comma-separated: urban, town, rural."),
    )

    class Meta:
        verbose_name = _("fixed post")
        verbose_name_plural = _("fixed posts")
        ordering = ["standards", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=168), name="post_hours_per_week"
            ),
            models.CheckConstraint(condition=Q(persons__gte=1), name="post_persons_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, station_kind: str) -> bool:
        return station_kind in {kind.strip() for kind in self.station_kinds.split(",")}
