"""What every API endpoint shares: role-based permissions and one shape for every error."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from config.roles import scope_of


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
    """Reads like CountyWideRead; writes for planners only."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        scope = scope_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return scope.can_read and not scope.is_station_bound
        return scope.can_write


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
    if isinstance(detail, dict):
        field, problems = next(iter(detail.items()))
        return f"{field}: {_message(problems)}"
    if isinstance(detail, list):
        return _message(detail[0]) if detail else ""
    return str(detail)
