"""Second factors in the admin: operators require them of accounts and reset lost ones; failed logins
are readable by whoever reads the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from config.roles import scope_of
from security.models import LoginFailure, SecondFactor
from security.services import sessions_end, totp_reset


def _county_reader(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.can_read and not scope.is_station_bound


@admin.register(SecondFactor)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "required", "enrolled", "confirmed_at"]
    list_filter = ["required"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "required", "confirmed_at"]
    readonly_fields = ["confirmed_at"]
    autocomplete_fields = ["user"]
    actions = ["reset"]

    @admin.display(boolean=True, description=_("enrolled"))
    def enrolled(self, factor: SecondFactor) -> bool:
        return factor.is_enrolled

    @admin.action(description=_("Reset the authenticator (the account enrols again)"))
    def reset(self, request: HttpRequest, queryset: QuerySet[SecondFactor]) -> None:
        for factor in queryset.select_related("user"):
            totp_reset(user=factor.user, by=request.user)
        messages.success(request, _("Authenticators reset."))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user", "confirmed_at"] if obj is not None else ["confirmed_at"]

    def save_model(self, request: HttpRequest, obj: SecondFactor, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(action="auth.2fa_required_set", obj=obj.user, after={"required": obj.required})
        if obj.required and "required" in form.changed_data and not obj.is_enrolled:
            # Open sessions were let in without it; they end, and the next login asks to enrol.
            sessions_end(user=obj.user, reason="second factor required", by=request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _county_reader(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _county_reader(request)

    # Only operators (superusers) manage accounts, as in the user admin.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "address"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _county_reader(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _county_reader(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
