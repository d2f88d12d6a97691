"""What every API endpoint shares: role-based permissions, the key's scope, pagination, throttling,
conditional GET, and one shape for every error.

Scoping is the queryset's job (ScopedViewSet.scope): each viewset narrows its rows to the caller's
station before any filter runs, so another station's object is a 404, never a 403 that confirms it
exists. The permissions here decide only whether the caller's role reaches the endpoint at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import conditional_page
from django_filters import rest_framework as filters
from rest_framework import exceptions, permissions, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from config.api_defaults import Pages
from config.api_renderers import CsvRenderer, XlsxRenderer
from config.roles import Role, Scope, scope_of

# --- Permissions ---------------------------------------------------------------------------------


def key_may_write(request: Request) -> bool:
    """A read-only API key never writes, whatever its owner's role allows; sessions are not limited."""
    return bool(getattr(request.auth, "can_write", True))


class ReadScope(permissions.BasePermission):
    """Any role may read (chiefs within their station, enforced by each view's queryset)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return scope_of(request.user).can_read


class CountyWideRead(permissions.BasePermission):
    """Reads that span the county: planners and auditors."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope = scope_of(request.user)
        return scope.can_read and not scope.is_station_bound


class PlannerWrite(permissions.BasePermission):
    """Reads like CountyWideRead; writes for planners only, and never with a read-only key."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope = scope_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return scope.can_read and not scope.is_station_bound
        if scope.can_write and not key_may_write(request):
            self.message = _("This API key is read-only.")
            return False
        return scope.can_write


class ReadOrPlannerWrite(permissions.BasePermission):
    """Any role reads (scoped by the queryset); planners write, never with a read-only key."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope = scope_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return scope.can_read
        if scope.can_write and not key_may_write(request):
            self.message = _("This API key is read-only.")
            return False
        return scope.can_write


class Conflict(exceptions.APIException):
    """The request is well-formed but the object's state refuses it (decided meanwhile, stale...)."""

    status_code = 409
    default_code = "conflict"
    default_detail = _("The object's current state does not allow this.")


class AuditorRead(permissions.BasePermission):
    """The audit trail: auditors (and superusers, who operate the system) read it; nobody writes."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        scope = scope_of(user)
        return (
            request.method in permissions.SAFE_METHODS
            and scope.can_read
            and (getattr(user, "role", "") == Role.AUDITOR or user.is_superuser)
        )


# --- Filtering, viewsets ------------------------------------------------------------------------


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 time with any offset Python accepts, compared in UTC: PostgreSQL refuses offsets
    beyond ±15:59, which Python (and so a client's request) allows up to ±23:59."""

    def filter(self, qs: Any, value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return super().filter(qs, value)


class UpdatedSinceFilterSet(filters.FilterSet):
    """Every list answers `updated_since` (ISO 8601, inclusive): what changed since the last pull."""

    updated_since = UtcDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO 8601)"
    )


TABULAR_RENDERERS = [JSONRenderer, BrowsableAPIRenderer, CsvRenderer, XlsxRenderer]


class ScopedViewSet(viewsets.GenericViewSet):
    """Read endpoints over one model: scoped rows, filters, ordering, pages, CSV/XLSX and ETags.

    Subclasses set `queryset` (with the joins their serializer needs) and `scope()`.
    """

    permission_classes = [ReadScope]
    pagination_class = Pages
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    renderer_classes = TABULAR_RENDERERS
    #: file name (without extension) of CSV and XLSX downloads
    export_name = "export"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        """Narrow the rows to what the caller's role and station may see. Deny by default."""
        return queryset.none()

    def get_queryset(self) -> QuerySet[Any]:
        scope = scope_of(self.request.user)
        queryset = super().get_queryset()
        if not scope.can_read:
            return queryset.none()
        return self.scope(queryset, scope)

    def decorate(self, rows: Sequence[Any]) -> None:
        """Add what is costly to compute to the rows actually shown (the page, or the one object).

        Done after paging, so counting and skipping to a deep page never pay for it, and in a fixed
        number of queries whatever the page size."""

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.decorate(page)
        return page

    def get_object(self) -> Any:
        obj = super().get_object()
        self.decorate([obj])
        return obj

    @classmethod
    def as_view(cls, actions: Any = None, **initkwargs: Any) -> Any:
        # An ETag from the rendered body, and 304 when If-None-Match matches it. The body already
        # reflects the caller's scope and language, so two callers never share a tag by accident.
        return conditional_page(super().as_view(actions, **initkwargs))

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Any:
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), CsvRenderer | XlsxRenderer
        ):
            # Errors keep their one JSON shape, whatever format the caller asked the data in.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        # Caches between client and server must not serve one caller's page to another.
        patch_vary_headers(response, ["Accept", "Accept-Language", "Authorization", "Cookie"])
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(renderer, CsvRenderer | XlsxRenderer) and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{self.export_name}.{renderer.format}"'
        return response


class ScopedReadViewSet(ScopedViewSet, viewsets.ReadOnlyModelViewSet):
    pass


# --- Errors --------------------------------------------------------------------------------------


def error_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every 4xx as {"code": ..., "message": ..., "errors": {...}}: one shape for clients to parse."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = exc.get_codes() if not isinstance(exc.detail, dict | list) else getattr(exc, "default_code", "invalid")
    body: dict[str, Any] = {"code": code if isinstance(code, str) else "invalid", "message": _message(exc.detail)}
    if isinstance(exc.detail, dict | list):
        body["errors"] = exc.detail
    response.data = body
    return response


def _message(detail: Any) -> str:
    """The first problem as one line, with where it is: "incidents: 4: category: This field may not be null."

    A list of rows has an empty entry for each row that passed, so the first row with a problem is
    named by its position (from 0, as in the request)."""
    if isinstance(detail, dict):
        for field, problems in detail.items():
            text = _message(problems)
            if text:
                return f"{field}: {text}"
        return ""
    if isinstance(detail, list):
        for index, item in enumerate(detail):
            text = _message(item)
            if text:
                return f"{index}: {text}" if isinstance(item, dict) else text
        return ""
    return str(detail)
