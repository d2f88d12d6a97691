from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.admin_scope import RoleScopedAdmin
from config.roles import scope_of
from stations.admin_filters import StationInScopeFilter
from workload.importer import ImportRefused, batch_rollback, mapping_validate
from workload.models import ImportBatch, ImportMapping, Incident, IncidentCategory, PostRequirement, StandardsSet


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(RoleScopedAdmin):
    list_display = [
        "code", "name_zh", "name_en", "group", "team", "default_handling_minutes", "default_crew", "follow_up_hours",
        "officer_only",
    ]  # fmt: skip
    list_filter = ["group", "team", "officer_only"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Incident)
class IncidentAdmin(RoleScopedAdmin):
    station_lookup = "station_id"
    planner_can_write = False  # incidents arrive through imports, never typed in
    list_display = [
        "received_at",
        "source",
        "external_id",
        "station",
        "category",
        "community",
        "handling_minutes",
        "people_involved",
    ]
    list_filter = [("received_at", admin.DateFieldListFilter), "source", "category__group", StationInScopeFilter]
    search_fields = ["external_id", "station__name", "category__name_zh", "category__name_en"]
    list_select_related = ["station", "category", "community"]
    # No date_hierarchy: its SELECT DISTINCT over every incident costs more than the page itself.
    ordering = ["-id"]  # newest first through the primary key: no sort over millions of rows
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is not worth it


class ImportMappingForm(forms.ModelForm):
    class Meta:
        model = ImportMapping
        fields = ["name", "definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"})}

    def clean_definition(self) -> str:
        text: str = self.cleaned_data["definition"]
        mapping_validate(text)  # every problem at once, as ValidationError messages
        return text


@admin.register(ImportMapping)
class ImportMappingAdmin(RoleScopedAdmin):
    form = ImportMappingForm
    list_display = ["name", "updated_at"]
    search_fields = ["name", "definition"]
    planner_can_delete = True


@admin.register(ImportBatch)
class ImportBatchAdmin(RoleScopedAdmin):
    """Batches are written by the import pipeline only; here planners read them and may roll back."""

    planner_can_write = False
    list_display = [
        "id", "file_name", "mapping_name", "status", "rows_read", "rows_stored", "rows_duplicate", "rows_rejected",
        "created_by", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "mode", "mapping_name"]
    search_fields = ["file_name", "checksum", "mapping_name"]
    list_select_related = ["created_by"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
    actions = ["roll_back"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportBatch]:
        # Chiefs have no business with county-wide import batches.
        if scope_of(request.user).is_station_bound:
            return ImportBatch.objects.none()
        return super().get_queryset(request)

    @admin.action(description=_("Roll back the selected batches"))
    def roll_back(self, request: HttpRequest, queryset: QuerySet[ImportBatch]) -> None:
        if not scope_of(request.user).can_write:
            raise PermissionDenied
        for batch in queryset:
            try:
                removed = batch_rollback(batch=batch, by=request.user)
            except ImportRefused as exc:
                self.message_user(request, f"#{batch.pk}: {exc}", level=messages.ERROR)
            else:
                self.message_user(request, _("#%(id)d: %(n)d incidents removed.") % {"id": batch.pk, "n": removed})


class PostRequirementInline(admin.TabularInline):
    model = PostRequirement
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return scope_of(request.user).can_write

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return scope_of(request.user).can_write

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return scope_of(request.user).can_write


@admin.register(StandardsSet)
class StandardsSetAdmin(RoleScopedAdmin):
    list_display = [
        "name",
        "is_default",
        "proactive_share",
        "net_hours_per_person",
        "min_officers_per_station",
        "min_community_share",
        "min_station_share",
    ]
    inlines = [PostRequirementInline]
    fieldsets = [
        (None, {"fields": ["name", "description", "is_default", "window_months"]}),
        (_("Workload"), {"fields": ["proactive_share", "net_hours_per_person", "admin_minutes_per_hour"]}),
        (
            _("Floors and shares"),
            {
                "fields": [
                    "min_officers_per_station",
                    "leaders_per_station",
                    "min_community_share",
                    "min_station_share",
                    "residents_per_community_officer_urban",
                    "residents_per_community_officer_town",
                    "residents_per_community_officer_rural",
                ]  # fmt: skip
            },
        ),
        (_("Response"), {"fields": ["answer_within_minutes", "service_level"]}),
    ]
