"""Admin list filters shared by every app whose rows belong to a station."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.roles import scope_of
from stations.models import Station


class StationInScopeFilter(admin.SimpleListFilter):
    """Filter by station, offering only the stations the viewer may see.

    Lists stations from their own small table instead of a DISTINCT over the (large) filtered model.
    """

    title = _("station")
    parameter_name = "station"
    lookup = "station_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        stations = Station.objects.order_by("code")
        scope = scope_of(request.user)
        if scope.station_id is not None:
            stations = stations.filter(pk=scope.station_id)
        return [(str(pk), f"{code} {name}") for pk, code, name in stations.values_list("pk", "code", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return queryset.filter(**{self.lookup: int(value)})
