from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from config.admin_scope import RoleScopedAdmin
from config.roles import scope_of
from orgdata.models import OrgBatch, OrgMapping
from orgdata.services import org_mapping_validate


class OrgMappingForm(forms.ModelForm):
    class Meta:
        model = OrgMapping
        fields = ["name", "definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"})}

    def clean_definition(self) -> str:
        text: str = self.cleaned_data["definition"]
        org_mapping_validate(text)  # every problem at once, as ValidationError messages
        return text


@admin.register(OrgMapping)
class OrgMappingAdmin(RoleScopedAdmin):
    form = OrgMappingForm
    list_display = ["name", "updated_at"]
    search_fields = ["name", "definition"]
    planner_can_delete = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrgMapping]:
        if scope_of(request.user).is_station_bound:
            return OrgMapping.objects.none()
        return super().get_queryset(request)


@admin.register(OrgBatch)
class OrgBatchAdmin(RoleScopedAdmin):
    """Written by the org import only; read here (the upload page stores and confirms)."""

    planner_can_write = False
    list_display = [
        "id",
        "file_name",
        "mapping_name",
        "status",
        "error_count",
        "effective_date",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "mode", "full_export"]
    search_fields = ["file_name", "checksum", "mapping_name"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in OrgBatch._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrgBatch]:
        # Chiefs have no business with county-wide imports (they name people of every station).
        if scope_of(request.user).is_station_bound:
            return OrgBatch.objects.none()
        return super().get_queryset(request)
