from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from audit.selectors import TrailFilter


class TrailForm(forms.Form):
    # The field is called `object` (the audit record's column); the type hints below say builtins.object.
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64, help_text=_("e.g. auth. or import."))
    object = forms.CharField(label=_("Object"), required=False, max_length=200)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("any")), *AuditEvent.Outcome.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return cleaned

    def criteria(self) -> TrailFilter:
        """Dates are days in the local time zone; the end day is included."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        since = until = None
        if data.get("date_from"):
            since = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=zone)
        if data.get("date_to"):
            until = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return TrailFilter(
            user=data.get("user", "").strip(),
            action=data.get("action", "").strip(),
            object=data.get("object", "").strip(),
            outcome=data.get("outcome", ""),
            since=since,
            until=until,
        )
