"""Forms of the allocation pages: start a run, decide a move, approve or reject a proposal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allocation.models import MoveStatus
from stations.models import County, Unit
from workload.models import StandardsSet
from workload.selectors import standards_default


class RunForm(forms.Form):
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.none(), empty_label=None)
    whole_city = forms.BooleanField(
        label=_("Every county (one run and one proposal per county, solved in parallel)"), required=False
    )
    max_moves = forms.IntegerField(label=_("Maximum moves"), min_value=0, max_value=500, initial=30)
    standards = forms.ModelChoiceField(label=_("Standards set"), queryset=StandardsSet.objects.none(), empty_label=None)
    recent_move_months = forms.IntegerField(
        label=_("People moved within this many months stay"), min_value=0, max_value=120, initial=12
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = County.objects.filter(stations__isnull=False).distinct().order_by("code")  # type: ignore[attr-defined]
        self.fields["standards"].queryset = StandardsSet.objects.order_by("name")  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["standards"].initial = standards_default().pk


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


def first_of_next_month() -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


class ApproveForm(forms.Form):
    effective_date = forms.DateField(
        label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}), initial=first_of_next_month
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why the proposal is rejected"), max_length=300)


class MoveFilterForm(forms.Form):
    station = forms.ChoiceField(label=_("Station"), required=False)
    team = forms.ChoiceField(
        label=_("Team"), required=False, choices=[("", _("all"))] + [(k, v) for k, v in Unit.Kind.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("all")), ("officer", _("officers")), ("auxiliary", _("auxiliaries"))],
    )
    status = forms.ChoiceField(label=_("Decision"), required=False, choices=[("", _("all")), *MoveStatus.choices])

    def __init__(self, *args: Any, stations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [("", _("all")), *stations]  # type: ignore[attr-defined]
