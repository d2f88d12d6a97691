from __future__ import annotations

from django.contrib import admin

from config.admin_scope import RoleScopedAdmin
from stations.admin_filters import StationInScopeFilter
from workload.models import Incident, IncidentCategory


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(RoleScopedAdmin):
    list_display = ["code", "name_zh", "name_en", "group", "default_handling_minutes", "default_crew", "officer_only"]
    list_filter = ["group", "officer_only"]
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
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is not worth it
