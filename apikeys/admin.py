"""API keys in the admin: planners create and revoke them; auditors see them; nobody sees a key twice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apikeys.models import ApiKey
from apikeys.services import apikey_create, apikey_revoke, apikey_validate
from config.roles import Role, scope_of
from personnel.models import User


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "owner", "scope"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("owner") is not None and data.get("name") and data.get("scope"):
            try:
                apikey_validate(name=data["name"], owner=data["owner"], scope=data["scope"])
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "owner", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "owner__username"]
    readonly_fields = [
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "last_used_from",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        return super().get_queryset(request).select_related("owner", "created_by", "revoked_by")

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if obj is None:
            return ["name", "owner", "scope"]
        return ["name", "owner", "scope", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # A key's owner and scope are what it was handed out with; a different need gets a new key.
        return ["name", "owner", "scope", *self.readonly_fields] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "owner":
            kwargs["queryset"] = User.objects.filter(is_active=True).exclude(role="").order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- who may do what: county-wide readers look, planners create and revoke, nobody deletes ---

    def _reads(self, request: HttpRequest) -> bool:
        scope = scope_of(request.user)
        user: Any = request.user
        return scope.can_read and not scope.is_station_bound and (user.is_superuser or user.role in Role.values)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._reads(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._reads(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return scope_of(request.user).can_write

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # revoked keys stay listed: the audit trail names them

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return scope_of(request.user).can_write

    # --- creating: through the service, the plaintext shown on the next page and nowhere else ---

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return
        key, plaintext = apikey_create(name=obj.name, owner=obj.owner, scope=obj.scope, by=request.user)
        obj.pk = key.pk
        obj.prefix = key.prefix
        obj._plaintext = plaintext  # type: ignore[attr-defined]  # lives for this response only

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("API key created"),
            "key": obj,
            "plaintext": getattr(obj, "_plaintext", ""),
            "opts": self.opts,
        }
        response = TemplateResponse(request, "apikeys/created.html", context)
        response["Cache-Control"] = "no-store"  # the page holds the only copy of the key
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            apikey_revoke(key=key, by=request.user)
            count += 1
        self.message_user(
            request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count}, messages.SUCCESS
        )
