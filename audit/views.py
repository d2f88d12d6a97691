"""The audit trail for auditors (and planners) outside the admin: browse, filter, export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.forms import TrailForm
from audit.models import AuditEvent
from audit.selectors import events_filtered
from audit.services import audit_record
from config.access import scope_required
from config.spreadsheet import csv_bytes, xlsx_bytes

PAGE_SIZE = 100
#: An export is a document for a reviewer, not a copy of the database; narrow the filter for more.
EXPORT_MAX_ROWS = 100_000
COLUMNS = ["at", "username", "role", "address", "api_key", "channel", "action", "object_type", "object_id",
           "object_repr", "station_id", "outcome", "before", "after", "detail"]  # fmt: skip


@scope_required(county_wide=True)
def trail(request: HttpRequest) -> HttpResponse:
    """Planners, auditors and operators read the whole trail; station chiefs do not."""
    form = TrailForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/trail.html", {"form": form, "page": None}, status=400)
    events = events_filtered(form.criteria())
    export = request.GET.get("export", "")
    if export in {"csv", "xlsx"}:
        return _export(request, events, export)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "audit/trail.html", {"form": form, "page": page, "query": query.urlencode()})


def _export(request: HttpRequest, events: QuerySet[AuditEvent], kind: str) -> HttpResponse:
    rows = ([getattr(event, c) for c in COLUMNS] for event in events[:EXPORT_MAX_ROWS].iterator(chunk_size=2000))
    header = ["at (UTC)", *COLUMNS[1:]]
    filters = {key: value for key, value in request.GET.items() if key not in {"export", "page"} and value}
    # The export itself is on record, before the file leaves: who took which part of the trail.
    audit_record(action="audit.export", detail=f"{kind} {filters}")
    if kind == "csv":
        body, content_type = csv_bytes(header, rows), "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(header, rows, title=_("Audit trail"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{kind}"'
    return response
