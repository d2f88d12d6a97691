"""Duty rosters: shift patterns, the holiday calendar, rosters with their cells, demand and shortfalls.

A roster covers one station over a period (typically a month) with one shift pattern. Its cells say who
works which shift on which day; its demand rows say how many people (officers, duty leaders) each shift
needs and why; its shortfall rows say which shifts the people could not cover. Status moves only through
rosters.services (draft → submitted → approved → published); a change after publication is a new version.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from personnel.models import Person
from stations.models import Station, TimestampedModel


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    MAKEUP = "makeup", _("Make-up working day")


class CalendarDay(TimestampedModel):
    """A day off the normal week: a public holiday (放假) or a make-up working day (调休上班).

    Ordinary days are not stored: Monday to Friday work, Saturday and Sunday rest.
    """

    Kind = CalendarDayKind

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=50, help_text=_("The holiday, e.g. 春节."))
    statutory = models.BooleanField(
        _("statutory holiday"),
        default=False,
        help_text=_("One of the statutory days (法定节假日) themselves, not a bridged weekend day."),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CalendarDayKind.values), name="calendar_day_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="holiday") | Q(statutory=False), name="calendar_day_statutory_only_holiday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name} ({self.get_kind_display()})"


class PatternKind(models.TextChoices):
    DUTY24_3 = "duty24_3", _("24-hour duty, 3 groups")
    DUTY24_4 = "duty24_4", _("24-hour duty, 4 groups")
    THREE8 = "three8", _("Three 8-hour shifts")
    TWO12 = "two12", _("Day and night, 12 hours")
    OFFICE = "office", _("Office hours")
    CUSTOM = "custom", _("Custom")


class ShiftPattern(TimestampedModel):
    """How a station's duty is cut into shifts, and the rest and hour rules those shifts obey.

    Built-in patterns have no station and serve every station; a custom pattern belongs to one station.
    """

    Kind = PatternKind

    station = models.ForeignKey(
        Station,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shift_patterns",
        verbose_name=_("station"),
        help_text=_("Empty for the built-in patterns every station may use."),
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PatternKind.choices, default=PatternKind.CUSTOM)
    teams = models.CharField(
        _("teams"),
        max_length=60,
        blank=True,
        help_text=_(
            "Comma-separated teams whose people stand these shifts (command, case, community, leadership); empty: all."
        ),
    )
    groups = models.PositiveSmallIntegerField(
        _("rotation groups"), default=0, help_text=_("Groups a 24-hour duty rotates over (3 or 4); 0: no groups.")
    )
    min_rest_hours = models.FloatField(_("minimum rest between shifts (hours)"), default=11)
    max_consecutive_days = models.PositiveSmallIntegerField(_("maximum consecutive duty days"), default=6)
    max_hours_week = models.FloatField(_("maximum hours in any 7 days"), default=48)
    max_hours_month = models.FloatField(_("maximum hours in the period"), default=200)
    forbidden_successions = models.JSONField(
        _("forbidden successions"),
        default=list,
        blank=True,
        help_text=_('Pairs of shift codes that may not follow each other on consecutive days, e.g. [["E", "D"]].'),
    )
    crew_size = models.PositiveSmallIntegerField(
        _("people per patrol crew"), default=2, help_text=_("One officer leads each crew; the rest may be auxiliaries.")
    )
    desk_persons = models.PositiveSmallIntegerField(
        _("command-room desk officers per shift"), default=1, help_text=_("The 24/7 desk; officers only.")
    )
    standby_crews = models.PositiveSmallIntegerField(
        _("first-standby crews (一备) at least"),
        default=1,
        help_text=_("Crews on duty in every shift, whatever the calls."),
    )
    leader_daily = models.BooleanField(_("a duty leader (带班领导) every day"), default=True)
    auxiliaries_allowed = models.BooleanField(
        _("auxiliaries count toward demand"),
        default=True,
        help_text=_("Untick to have every shift staffed by officers only."),
    )
    workdays_only = models.BooleanField(
        _("working days only"), default=False, help_text=_("No shifts on weekends and public holidays (office hours).")
    )
    is_builtin = models.BooleanField(_("built in"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        ordering = ["-is_builtin", "code"]
        constraints = [
            models.UniqueConstraint(fields=["station", "code"], name="pattern_code_unique_in_station"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(station__isnull=True), name="pattern_code_unique_builtin"
            ),
            models.CheckConstraint(condition=Q(kind__in=PatternKind.values), name="pattern_kind_valid"),
            models.CheckConstraint(condition=Q(min_rest_hours__gte=0, min_rest_hours__lte=96), name="pattern_rest"),
            models.CheckConstraint(condition=Q(max_consecutive_days__gte=1), name="pattern_consecutive_positive"),
            models.CheckConstraint(condition=Q(max_hours_week__gt=0), name="pattern_week_hours_positive"),
            models.CheckConstraint(condition=Q(max_hours_month__gt=0), name="pattern_month_hours_positive"),
            models.CheckConstraint(condition=Q(crew_size__gte=1), name="pattern_crew_size_positive"),
            models.CheckConstraint(condition=Q(groups=0) | Q(groups__gte=2, groups__lte=6), name="pattern_groups"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def team_list(self) -> list[str]:
        return [t.strip() for t in self.teams.split(",") if t.strip()]


class ShiftType(models.Model):
    """One shift of a pattern: its code on the grid, when it starts and how long it lasts."""

    pattern = models.ForeignKey(
        ShiftPattern, on_delete=models.CASCADE, related_name="shift_types", verbose_name=_("pattern")
    )
    code = models.CharField(_("code"), max_length=8, help_text=_("Short code shown in the grid, e.g. D, N, 值."))
    name = models.CharField(_("name"), max_length=50)
    start = models.TimeField(_("starts at"))
    hours = models.FloatField(_("length (hours)"))
    night = models.BooleanField(_("night shift"), default=False, help_text=_("Counted for the fair spread of nights."))
    leader_shift = models.BooleanField(
        _("needs the duty leader"), default=False, help_text=_("The shift the day's duty leader (带班领导) stands.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("shift type")
        verbose_name_plural = _("shift types")
        ordering = ["pattern", "order", "start"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "code"], name="shift_code_unique_in_pattern"),
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="shift_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} {self.start:%H:%M} +{self.hours:g}h"

    @property
    def start_hour(self) -> float:
        return self.start.hour + self.start.minute / 60


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class GenerationStatus(models.TextChoices):
    IDLE = "idle", _("Not generated")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Generated")
    FAILED = "failed", _("Failed")


class RosterQuerySet(models.QuerySet["Roster"]):
    def in_scope(self, station_id: int | None) -> RosterQuerySet:
        """What an account bound to `station_id` may see; None means every station."""
        return self if station_id is None else self.filter(station_id=station_id)

    def current(self) -> RosterQuerySet:
        return self.exclude(status=RosterStatus.SUPERSEDED)


class Roster(TimestampedModel):
    """One version of a station's roster for a period."""

    Status = RosterStatus
    Generation = GenerationStatus

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="rosters", verbose_name=_("station"))
    pattern = models.ForeignKey(
        ShiftPattern, on_delete=models.PROTECT, related_name="rosters", verbose_name=_("shift pattern")
    )
    start_date = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous version"),
    )
    status = models.CharField(_("status"), max_length=16, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    generation = models.CharField(
        _("generation"), max_length=16, choices=GenerationStatus.choices, default=GenerationStatus.IDLE
    )
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    objective = models.FloatField(_("objective"), null=True, blank=True)
    optimal = models.BooleanField(_("proven optimal"), default=False)
    solve_seconds = models.FloatField(_("solve seconds"), null=True, blank=True)
    penalties = models.JSONField(_("soft rule penalties"), default=dict, blank=True)
    time_limit = models.PositiveSmallIntegerField(_("solver time limit (s)"), default=20)
    created_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-start_date", "station__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "pattern", "start_date", "version"], name="roster_version_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=RosterStatus.values), name="roster_status_valid"),
            models.CheckConstraint(condition=Q(generation__in=GenerationStatus.values), name="roster_generation_valid"),
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=62), name="roster_days_range"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="roster_progress_percent"),
            # The approver is never the submitter; the database refuses it whatever path writes.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("submitted_by")),
                name="roster_approver_not_submitter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station.code} {self.start_date:%Y-%m-%d} +{self.days}d v{self.version}"

    @property
    def end_date(self) -> dt.date:
        """The last day (inclusive)."""
        return self.start_date + dt.timedelta(days=self.days - 1)

    def dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=i) for i in range(self.days)]

    @property
    def is_generating(self) -> bool:
        return self.generation in (GenerationStatus.QUEUED, GenerationStatus.RUNNING)


class RosterMember(models.Model):
    """A person on a roster's grid, as they were when the roster was made."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="members", verbose_name=_("roster"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    officer = models.BooleanField(_("officer"))
    leader = models.BooleanField(_("may lead the duty"))
    team = models.CharField(_("team"), max_length=16, blank=True)
    group = models.PositiveSmallIntegerField(_("group"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("row"), default=0)

    class Meta:
        verbose_name = _("roster member")
        verbose_name_plural = _("roster members")
        ordering = ["roster", "position"]
        constraints = [models.UniqueConstraint(fields=["roster", "person"], name="roster_member_once")]

    def __str__(self) -> str:
        return f"{self.roster_id}: {self.person_id}"


class RosterCell(models.Model):
    """One person working one shift on one day of a roster (at most one shift a day)."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="cells", verbose_name=_("roster"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    day = models.DateField(_("day"))
    shift = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+", verbose_name=_("shift"))

    class Meta:
        verbose_name = _("roster cell")
        verbose_name_plural = _("roster cells")
        ordering = ["roster", "day", "person"]
        constraints = [models.UniqueConstraint(fields=["roster", "person", "day"], name="roster_cell_one_shift_a_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.person_id} {self.shift_id}"


class ShiftDemand(models.Model):
    """How many people one shift on one day needs: computed from workload, possibly overridden."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="demand", verbose_name=_("roster"))
    day = models.DateField(_("day"))
    shift = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+", verbose_name=_("shift"))
    computed = models.PositiveSmallIntegerField(_("computed people"))
    officers = models.PositiveSmallIntegerField(_("officers at least"))
    leaders = models.PositiveSmallIntegerField(_("duty leaders"), default=0)
    crews = models.PositiveSmallIntegerField(_("crews (Erlang C)"), default=0)
    override = models.PositiveSmallIntegerField(_("override"), null=True, blank=True)
    override_reason = models.CharField(_("reason for the override"), max_length=300, blank=True)
    overridden_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )

    class Meta:
        verbose_name = _("shift demand")
        verbose_name_plural = _("shift demand")
        ordering = ["roster", "day", "shift__order"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "day", "shift"], name="demand_once_per_shift"),
            models.CheckConstraint(
                condition=Q(override__isnull=True) | ~Q(override_reason=""), name="demand_override_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(override__isnull=True) | Q(override__gte=1), name="demand_override_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.shift_id}: {self.required}"

    @property
    def required(self) -> int:
        """People the shift needs: the override when the chief set one, else the computed figure."""
        return self.override if self.override is not None else self.computed


class ShortfallKind(models.TextChoices):
    PEOPLE = "people", _("people")
    OFFICERS = "officers", _("officers")
    LEADERS = "leaders", _("duty leaders")


class RosterShortfall(models.Model):
    """A shift the people could not cover, and by how many."""

    Kind = ShortfallKind

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shortfalls", verbose_name=_("roster"))
    day = models.DateField(_("day"))
    shift = models.ForeignKey(ShiftType, on_delete=models.PROTECT, related_name="+", verbose_name=_("shift"))
    kind = models.CharField(_("short of"), max_length=16, choices=ShortfallKind.choices)
    required = models.PositiveSmallIntegerField(_("required"))
    assigned = models.PositiveSmallIntegerField(_("assigned"))

    class Meta:
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")
        ordering = ["roster", "day", "shift__order", "kind"]
        constraints = [models.UniqueConstraint(fields=["roster", "day", "shift", "kind"], name="shortfall_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.shift_id} {self.kind}: {self.missing}"

    @property
    def missing(self) -> int:
        return self.required - self.assigned


class ShiftRequest(TimestampedModel):
    """A person's wish for a day or a shift on or off, weighed by the generator (a soft rule)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="shift_requests", verbose_name=_("person")
    )
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+", verbose_name=_("station"))
    day = models.DateField(_("day"))
    shift_code = models.CharField(_("shift"), max_length=8, blank=True, help_text=_("Empty: the whole day."))
    want = models.BooleanField(_("wants to work"), default=False, help_text=_("Ticked: wants it on; unticked: off."))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shift request")
        verbose_name_plural = _("shift requests")
        ordering = ["day", "person"]
        constraints = [
            models.UniqueConstraint(fields=["person", "day", "shift_code"], name="shift_request_once"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=10), name="shift_request_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day} {self.shift_code or '*'} {'on' if self.want else 'off'}"


class FeedToken(models.Model):
    """A secret link to one person's calendar of published shifts, for a phone to subscribe to without
    logging in. Only the SHA-256 of the token is stored: the link is shown once when it is made, and a
    stolen database does not give the links away. Revoked tokens stay, for the record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feed_tokens", verbose_name=_("person"))
    digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("calendar subscription link")
        verbose_name_plural = _("calendar subscription links")
        constraints = [
            # At most one live link per person: making a new one revokes the old one.
            models.UniqueConstraint(
                fields=["person"], condition=Q(revoked_at__isnull=True), name="feedtoken_one_live_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {'revoked' if self.revoked_at else 'live'}"
