"""Pages for planners: upload an organisation file, see the differences, store them, confirm departures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from config.access import scope_required
from config.roles import scope_of
from orgdata.forms import OrgImportForm
from orgdata.mapping import MappingError
from orgdata.models import OrgBatch, OrgBatchStatus
from orgdata.plan import REASONS
from orgdata.selectors import org_batches_recent
from orgdata.services import (
    OrgImportRefused,
    org_export_bytes,
    orgbatch_check,
    orgbatch_confirm_missing,
    orgbatch_rollback,
    orgbatch_store,
)

KIND_LABELS = {
    "stations": gettext_lazy("Stations and departments"),
    "units": gettext_lazy("Units"),
    "communities": gettext_lazy("Communities and villages"),
    "people": gettext_lazy("People"),
    "history": gettext_lazy("Assignment history"),
    "leaves": gettext_lazy("Leave and absence"),
}


@scope_required(write=True, county_wide=True)
def org_import_new(request: HttpRequest) -> HttpResponse:
    form = OrgImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = orgbatch_check(
                upload=upload,
                file_name=upload.name,
                mapping_name=form.cleaned_data["mapping"],
                mode=form.cleaned_data["mode"],
                update_existing=form.cleaned_data["update_existing"],
                full_export=form.cleaned_data["full_export"],
                effective_date=form.cleaned_data["effective_date"],
                by=request.user,
            )
        except MappingError as exc:
            form.add_error("mapping", "; ".join(exc.problems))
        except OrgImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("orgdata:batch", pk=batch.pk)
    return render(request, "orgdata/import.html", {"form": form, "batches": org_batches_recent(limit=30)})


def _errors_shown(batch: OrgBatch) -> list[dict[str, Any]]:
    # The reason in the reader's language, whatever language the file was checked in.
    return [{**e, "message": str(REASONS.get(e["reason"], e["reason"]))} for e in batch.errors[:300]]


@scope_required(county_wide=True)
def org_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(OrgBatch.objects.select_related("created_by", "stored_by"), pk=pk)
    kinds = [
        {"name": kind, "label": KIND_LABELS.get(kind, kind), "counts": counts, "diff": batch.differences.get(kind, {})}
        for kind, counts in batch.counts.items()
    ]
    return render(
        request,
        "orgdata/batch.html",
        {
            "batch": batch,
            "kinds": kinds,
            "errors": _errors_shown(batch),
            "can_write": scope_of(request.user).can_write,
            "statuses": OrgBatchStatus,
        },
    )


@require_POST
@scope_required(write=True, county_wide=True)
def org_batch_store(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(OrgBatch, pk=pk)
    try:
        orgbatch_store(batch=batch, by=request.user)
    except OrgImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The changes are stored."))
    return redirect("orgdata:batch", pk=pk)


@require_POST
@scope_required(write=True, county_wide=True)
def org_batch_departures(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(OrgBatch, pk=pk)
    numbers = request.POST.getlist("number") or None
    try:
        count = orgbatch_confirm_missing(batch=batch, by=request.user, numbers=numbers)
    except OrgImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)d people marked as left.") % {"n": count})
    return redirect("orgdata:batch", pk=pk)


@require_POST
@scope_required(write=True, county_wide=True)
def org_batch_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(OrgBatch, pk=pk)
    try:
        orgbatch_rollback(batch=batch, by=request.user)
    except OrgImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The import is rolled back."))
    return redirect("orgdata:batch", pk=pk)


@scope_required(county_wide=True)
def org_batch_errors(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(OrgBatch, pk=pk)
    if not batch.rejected_file:
        raise Http404
    return FileResponse(batch.rejected_file.open("rb"), as_attachment=True, filename=f"org-import-{pk}-errors.csv")


@scope_required(county_wide=True)
def org_export_download(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    content, name = org_export_bytes(fmt=fmt, by=request.user)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "application/zip"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
