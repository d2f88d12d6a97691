"""Allocation runs and the proposals they produce, reviewed move by move by planners."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import County, Station, TimestampedModel


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class RunGroup(TimestampedModel):
    """Runs started together over several counties (a city): one run and one proposal per county.

    Counties do not share people, so each is its own problem, solved by whichever worker is free,
    reviewed by its own planners, and failing or succeeding alone.
    """

    name = models.CharField(_("name"), max_length=100)
    max_moves = models.PositiveIntegerField(_("maximum moves per county"))
    created_by = models.ForeignKey(
        "personnel.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("run over several counties")
        verbose_name_plural = _("runs over several counties")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"


class AllocationRun(TimestampedModel):
    """One solve of a county's allocation problem, with the inputs it saw."""

    Status = RunStatus

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="allocation_runs", verbose_name=_("county")
    )
    standards = models.ForeignKey(
        "workload.StandardsSet", on_delete=models.PROTECT, related_name="+", verbose_name=_("standards set")
    )
    max_moves = models.PositiveIntegerField(_("maximum moves"))
    parameters = models.JSONField(_("rules"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    inputs = models.JSONField(_("inputs snapshot"), default=dict, blank=True)
    fingerprint = models.CharField(_("inputs fingerprint"), max_length=64, blank=True)
    optimal = models.BooleanField(_("proven optimal"), default=False)
    solve_seconds = models.FloatField(_("solve seconds"), null=True, blank=True)
    created_by = models.ForeignKey(
        "personnel.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Written at every stage: a running run whose heartbeat is older than the task's hard time
    # limit has lost its worker (allocation.services.runs_recover).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    group = models.ForeignKey(
        RunGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="runs", verbose_name=_("started with")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="run_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="run_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.county} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPLIED = "applied", _("Applied")


class Proposal(TimestampedModel):
    """The moves a run proposes, with the county before and after, waiting for planners."""

    Status = ProposalStatus

    run = models.OneToOneField(AllocationRun, on_delete=models.CASCADE, related_name="proposal", verbose_name=_("run"))
    status = models.CharField(_("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    tradeoff = models.JSONField(_("trade-off curve"), default=list, blank=True)
    objective = models.FloatField(_("objective"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid")
        ]

    def __str__(self) -> str:
        return f"proposal of run #{self.run_id}"


class MoveStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ProposedMove(models.Model):
    """One person, from one place to another, with the reasons, decided on by a planner."""

    Status = MoveStatus

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="moves", verbose_name=_("proposal"))
    person = models.ForeignKey("personnel.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    origin = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("moves from"))
    destination = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("moves to"))
    destination_team = models.CharField(_("team"), max_length=16)
    origin_assignment = models.ForeignKey(
        "personnel.Assignment",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignment at the time of the run"),
        help_text=_("Applying refuses the move if the person's assignment has changed since."),
    )
    explanation = models.JSONField(_("explanation"), default=dict)
    status = models.CharField(_("decision"), max_length=16, choices=MoveStatus.choices, default=MoveStatus.PENDING)
    reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "personnel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # API clients pull decisions incrementally by it.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("proposed move")
        verbose_name_plural = _("proposed moves")
        ordering = ["proposal", "destination__code", "person__number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="move_once_per_proposal"),
            models.CheckConstraint(condition=~Q(origin=models.F("destination")), name="move_changes_place"),
            models.CheckConstraint(condition=Q(status__in=MoveStatus.values), name="move_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.origin_id} → {self.destination_id}"


class MoveComment(models.Model):
    """A remark on a proposed move, by a chief whose station it touches or by a planner."""

    move = models.ForeignKey(ProposedMove, on_delete=models.CASCADE, related_name="comments", verbose_name=_("move"))
    author = models.ForeignKey("personnel.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    text = models.TextField(_("comment"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment on a move")
        verbose_name_plural = _("comments on moves")
        ordering = ["move", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="move_comment_not_empty")]

    def __str__(self) -> str:
        return f"{self.author_id} on move {self.move_id}"
