from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.admin_scope import RoleScopedAdmin
from config.roles import scope_of
from personnel.selectors import stations_with_strength
from stations.models import Community, County, PoliceArea, Station, StationAlias, Unit


@admin.register(County)
class CountyAdmin(RoleScopedAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        return queryset.filter(stations=station_id)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["kind", "name"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return scope_of(request.user).can_write

    has_change_permission = has_add_permission

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Station)
class StationAdmin(RoleScopedAdmin):
    station_lookup = "pk"
    list_display = [
        "code",
        "name",
        "kind",
        "county",
        "establishment_quota",
        "nominal_officers",
        "effective_officers",
        "community_share",
        "effective_auxiliaries",
    ]
    list_filter = ["kind", ("county", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "name_en", "address"]
    list_select_related = ["county"]
    inlines = [UnitInline]
    fieldsets = [
        (None, {"fields": ["county", "code", "name", "name_en", "kind"]}),
        (_("Location"), {"fields": ["address", "latitude", "longitude"]}),
        (_("Quotas"), {"fields": ["establishment_quota", "auxiliary_quota"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Station]:
        return stations_with_strength(super().get_queryset(request))

    @admin.display(description=_("officers on the books"), ordering="nominal_officers")
    def nominal_officers(self, station: Any) -> int:
        return int(station.nominal_officers)

    @admin.display(description=_("officers at post"), ordering="effective_officers")
    def effective_officers(self, station: Any) -> int:
        return int(station.effective_officers)

    @admin.display(description=_("auxiliaries at post"), ordering="effective_auxiliaries")
    def effective_auxiliaries(self, station: Any) -> int:
        return int(station.effective_auxiliaries)

    @admin.display(description=_("community officers share"))
    def community_share(self, station: Any) -> str:
        if station.is_department or not station.effective_officers:
            return "–"
        return f"{100 * station.community_officers / station.effective_officers:.0f} %"


@admin.register(Unit)
class UnitAdmin(RoleScopedAdmin):
    station_lookup = "station_id"
    list_display = ["name", "kind", "station"]
    list_filter = ["kind", "station__kind"]
    search_fields = ["name", "station__name", "station__code"]
    list_select_related = ["station"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(RoleScopedAdmin):
    station_lookup = "station_id"
    list_display = ["code", "name", "station"]
    search_fields = ["code", "name", "station__name"]
    list_select_related = ["station"]
    autocomplete_fields = ["station"]


@admin.register(Community)
class CommunityAdmin(RoleScopedAdmin):
    station_lookup = "station_id"
    list_display = ["code", "name", "kind", "station", "police_area", "resident_population", "households", "area_km2"]
    list_filter = ["kind", "station__kind", ("station", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "station__name"]
    list_select_related = ["station", "police_area"]
    autocomplete_fields = ["station", "police_area"]


@admin.register(StationAlias)
class StationAliasAdmin(RoleScopedAdmin):
    station_lookup = "station_id"
    list_display = ["alias", "station"]
    search_fields = ["alias", "station__name", "station__code"]
    list_select_related = ["station"]
    autocomplete_fields = ["station"]
