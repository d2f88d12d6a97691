"""Pages of the workload app: importing incidents and following a batch."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from config.access import scope_required
from config.roles import scope_of
from workload.forms import ImportForm
from workload.importer import ImportRefused, batch_decide, batch_rollback, batch_submit
from workload.mapping import MappingError
from workload.models import BatchStatus, ImportBatch


@scope_required(county_wide=True)
def import_list(request: HttpRequest) -> HttpResponse:
    batches = ImportBatch.objects.select_related("created_by").order_by("-created_at")[:100]
    return render(request, "workload/import_list.html", {"batches": batches})


@scope_required(write=True, county_wide=True)
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = batch_submit(
                upload=upload,
                file_name=upload.name,
                mapping_name=form.cleaned_data["mapping"],
                mode=form.cleaned_data["mode"],
                by=request.user,
            )
        except (ImportRefused, MappingError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("workload:import_detail", pk=batch.pk)
    return render(request, "workload/import_new.html", {"form": form})


@scope_required(county_wide=True)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "rolled_back_by"), pk=pk)
    return render(
        request,
        "workload/import_detail.html",
        {"batch": batch, "can_write": scope_of(request.user).can_write, "statuses": BatchStatus},
    )


@scope_required(county_wide=True)
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    return JsonResponse(
        {
            "status": batch.status,
            "status_display": batch.get_status_display(),
            "progress": batch.progress,
            "message": batch.message,
            "finished": batch.is_finished,
        }
    )


@scope_required(county_wide=True)
def import_rejected_file(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not batch.rejected_file:
        raise Http404
    # The rejected rows are officers' incident records as filed: who downloads them is on record.
    audit_record(action="export.import_rejected_rows", obj=batch)
    return FileResponse(batch.rejected_file.open("rb"), as_attachment=True, filename=f"batch-{batch.pk}-rejected.csv")


@require_POST
@scope_required(write=True, county_wide=True)
def import_decide(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    choice = request.POST.get("choice")
    if choice not in {"store", "reject"}:
        raise PermissionDenied
    try:
        batch_decide(batch=batch, store_valid=choice == "store", by=request.user)
    except ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("workload:import_detail", pk=pk)


@require_POST
@scope_required(write=True, county_wide=True)
def import_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        removed = batch_rollback(batch=batch, by=request.user)
    except ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)d incidents removed.") % {"n": removed})
    return redirect("workload:import_detail", pk=pk)
