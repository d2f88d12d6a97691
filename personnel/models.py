"""People (officers and auxiliaries), where they are assigned, their absences, and user accounts."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.roles import Role
from stations.models import Station, TimestampedModel, Unit


class User(AbstractUser):
    """An account. What it may see and do follows from its role; chiefs are bound to one station."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chiefs",
        verbose_name=_("station"),
        help_text=_("Required for station chiefs, empty for every other role."),
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.CHIEF, station__isnull=False) | (~Q(role=Role.CHIEF) & Q(station__isnull=True)),
                name="user_station_iff_chief",
            ),
            models.CheckConstraint(condition=Q(role__in=["", *Role.values]), name="user_role_valid"),
        ]


class Qualification(models.Model):
    """A qualification beyond the law-enforcement level: driver, household registration, forensics..."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    officer_only = models.BooleanField(_("officers only"), default=False)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet["Person"]):
    def officers(self) -> PersonQuerySet:
        return self.filter(kind=Person.Kind.OFFICER)

    def auxiliaries(self) -> PersonQuerySet:
        return self.exclude(kind=Person.Kind.OFFICER)

    def on_books(self) -> PersonQuerySet:
        """Nominal strength: everyone still employed, including seconded and long-absent people."""
        return self.exclude(status=Person.Status.LEFT)

    def at_post(self) -> PersonQuerySet:
        """Effective strength: people actually working at their post (在岗)."""
        return self.filter(status=Person.Status.ACTIVE)

    def assigned_to(self, station: Station | int, on: dt.date | None = None) -> PersonQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gt=on),
            assignments__unit__station=station,
            assignments__start_date__lte=on,
        )


class PersonKind(models.TextChoices):
    OFFICER = "officer", _("Officer")
    AUXILIARY_DUTY = "aux_duty", _("Auxiliary (duty)")
    AUXILIARY_CLERICAL = "aux_clerical", _("Auxiliary (clerical)")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Rank(models.TextChoices):
    # 警衔, lowest first; auxiliaries carry none.
    CONSTABLE_2 = "constable_2", _("Constable, 2nd class")
    CONSTABLE_1 = "constable_1", _("Constable, 1st class")
    SERGEANT_3 = "sergeant_3", _("Sergeant, 3rd class")
    SERGEANT_2 = "sergeant_2", _("Sergeant, 2nd class")
    SERGEANT_1 = "sergeant_1", _("Sergeant, 1st class")
    INSPECTOR_3 = "inspector_3", _("Inspector, 3rd class")
    INSPECTOR_2 = "inspector_2", _("Inspector, 2nd class")
    INSPECTOR_1 = "inspector_1", _("Inspector, 1st class")
    SUPERINTENDENT_3 = "superintendent_3", _("Superintendent, 3rd class")
    SUPERINTENDENT_2 = "superintendent_2", _("Superintendent, 2nd class")


class Post(models.TextChoices):
    CHIEF = "chief", _("Station chief")
    INSTRUCTOR = "instructor", _("Political instructor")
    DEPUTY_CHIEF = "deputy_chief", _("Deputy chief")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    VILLAGE_OFFICER = "village_officer", _("Village officer")
    CASE_OFFICER = "case_officer", _("Case officer")
    COMMAND_OFFICER = "command_officer", _("Command room officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    AUX_PATROL = "aux_patrol", _("Patrol auxiliary")
    AUX_COMMUNITY = "aux_community", _("Community auxiliary")
    AUX_DESK = "aux_desk", _("Desk auxiliary")
    AUX_CLERK = "aux_clerk", _("Clerical auxiliary")


OFFICER_POSTS = (
    Post.CHIEF,
    Post.INSTRUCTOR,
    Post.DEPUTY_CHIEF,
    Post.COMMUNITY_OFFICER,
    Post.VILLAGE_OFFICER,
    Post.CASE_OFFICER,
    Post.COMMAND_OFFICER,
    Post.DEPARTMENT_HEAD,
    Post.DEPARTMENT_OFFICER,
)
LEADER_POSTS = (Post.CHIEF, Post.INSTRUCTOR, Post.DEPUTY_CHIEF, Post.DEPARTMENT_HEAD)
COMMUNITY_POSTS = (Post.COMMUNITY_OFFICER, Post.VILLAGE_OFFICER)


class LawEnforcementLevel(models.TextChoices):
    # 执法资格等级
    NONE = "none", _("None")
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active at post")
    SECONDED = "seconded", _("Seconded out")
    LONG_LEAVE = "long_leave", _("Long leave")
    TRAINING = "training", _("Training")
    LEFT = "left", _("Left the force")


class Person(TimestampedModel):
    """A sworn officer (民警) or an auxiliary (辅警)."""

    Kind = PersonKind
    Sex = Sex
    Rank = Rank
    Post = Post
    LawEnforcementLevel = LawEnforcementLevel
    Status = PersonStatus
    OFFICER_POSTS = OFFICER_POSTS
    LEADER_POSTS = LEADER_POSTS
    COMMUNITY_POSTS = COMMUNITY_POSTS

    number = models.CharField(
        _("police or auxiliary number"),
        max_length=32,
        unique=True,
        help_text=_("Police number for officers, auxiliary number for auxiliaries."),
    )
    name = models.CharField(_("full name"), max_length=50, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PersonKind.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, blank=True)
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    law_enforcement_level = models.CharField(
        _("law-enforcement qualification"),
        max_length=16,
        choices=LawEnforcementLevel.choices,
        default=LawEnforcementLevel.NONE,
        help_text=_("Level of the law-enforcement qualification examination passed."),
    )
    is_investigator = models.BooleanField(_("investigator"), default=False)
    qualifications = models.ManyToManyField(
        Qualification, blank=True, related_name="people", verbose_name=_("other qualifications")
    )
    status = models.CharField(_("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    seconded_to = models.CharField(
        _("seconded to"), max_length=100, blank=True, help_text=_("Where a seconded person actually works.")
    )
    hire_date = models.DateField(_("hire date"))
    post_since = models.DateField(_("in current post since"))
    movable = models.BooleanField(
        _("movable"), default=True, help_text=_("Unticked people are never proposed for a move.")
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PersonKind.values), name="person_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PersonStatus.values), name="person_status_valid"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="person_sex_valid"),
            # Auxiliaries have no law-enforcement status: no rank, no qualification level, no officer post.
            models.CheckConstraint(
                condition=Q(kind="officer", post__in=[p.value for p in OFFICER_POSTS], rank__in=Rank.values)
                | (
                    ~Q(kind="officer")
                    & ~Q(post__in=[p.value for p in OFFICER_POSTS])
                    & Q(post__in=Post.values, rank="", law_enforcement_level="none", is_investigator=False)
                ),
                name="person_officer_fields_match_kind",
            ),
            models.CheckConstraint(condition=Q(hire_date__gt=models.F("birth_date")), name="person_hired_after_birth"),
            models.CheckConstraint(
                condition=Q(post_since__gte=models.F("hire_date")), name="person_post_since_after_hire"
            ),
            models.CheckConstraint(
                condition=Q(status="seconded") | Q(seconded_to=""), name="person_seconded_to_only_when_seconded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    @property
    def is_officer(self) -> bool:
        return self.kind == self.Kind.OFFICER

    @property
    def is_leader(self) -> bool:
        return self.post in self.LEADER_POSTS


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def current(self, on: dt.date | None = None) -> AssignmentQuerySet:
        """Assignments in force on a date (today by default); at most one per person."""
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on)


class Assignment(models.Model):
    """Where a person works from `start_date` (inclusive) until `end_date` (exclusive, open if empty).

    The history is never rewritten: a move closes the open assignment and opens a new one. No person can
    hold two assignments over the same days; PostgreSQL enforces it with an exclusion constraint and
    SQLite with a trigger (migration 0002).
    """

    class Source(models.TextChoices):
        INITIAL = "initial", _("Initial load")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Manual")
        ALLOCATION = "allocation", _("Allocation proposal")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("person"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until (exclusive)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Set when the assignment is closed (its end date); API clients pull changes by it.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignment history")
        ordering = ["person_id", "start_date"]
        indexes = [models.Index(fields=["unit", "start_date", "end_date"], name="assignment_unit_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="assignment_end_after_start",
            ),
            models.UniqueConstraint(fields=["person", "start_date"], name="assignment_person_start_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.unit} ({self.start_date}–{self.end_date or ''})"


class LeaveKind(models.TextChoices):
    ANNUAL = "annual", _("Annual leave")
    SICK = "sick", _("Sick leave")
    MATERNITY = "maternity", _("Maternity or paternity leave")
    FAMILY = "family", _("Marriage or bereavement leave")
    TRAINING = "training", _("Training")
    COMPENSATORY = "compensatory", _("Compensatory time off")
    OTHER = "other", _("Other absence")


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Leave(TimestampedModel):
    """A period of leave or absence (inclusive dates)."""

    Kind = LeaveKind
    Status = LeaveStatus

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=16, choices=LeaveKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=16, choices=LeaveStatus.choices, default=LeaveStatus.REQUESTED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leave or absence")
        verbose_name_plural = _("leave and absence")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["person", "start_date"], name="leave_person_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="leave_end_not_before_start"
            ),
            models.CheckConstraint(condition=Q(kind__in=LeaveKind.values), name="leave_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=LeaveStatus.values), name="leave_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.start_date}–{self.end_date}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1
