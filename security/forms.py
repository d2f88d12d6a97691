"""The login form every login goes through (pages and admin): lockout first, then password, then code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.context import client_address
from audit.models import AuditEvent
from audit.services import audit_record
from security.services import lockout_until, login_failure_record, second_factor_of, totp_check


class LoginForm(AuthenticationForm):
    otp_code = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=10,
        help_text=_("Only for accounts with a second factor: the 6 digits your authenticator app shows."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else None
        until = lockout_until(username=username, address=address)
        if until is not None:
            audit_record(
                action="auth.login_refused_locked",
                username=username,
                outcome=AuditEvent.Outcome.DENIED,
                detail=f"locked until {until:%Y-%m-%d %H:%M:%S} UTC",
            )
            raise forms.ValidationError(self._locked_message(until), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            # The failure was counted by the user_login_failed receiver; say so if it locked the account.
            until = lockout_until(username=username, address=address)
            if until is not None:
                raise forms.ValidationError(self._locked_message(until), code="locked") from None
            raise
        user = self.get_user()
        factor = second_factor_of(user)
        if factor is not None and factor.is_enrolled:
            code = self.cleaned_data.get("otp_code") or ""
            if not code.strip():
                raise forms.ValidationError(
                    gettext("This account uses a second factor: enter the code from your authenticator app."),
                    code="otp_missing",
                )
            if not totp_check(user=user, code=code):
                audit_record(
                    action="auth.login_failed",
                    username=username,
                    outcome=AuditEvent.Outcome.FAILURE,
                    detail="wrong or reused authenticator code",
                )
                until = login_failure_record(username=username, address=address)
                if until is not None:
                    raise forms.ValidationError(self._locked_message(until), code="locked")
                raise forms.ValidationError(
                    gettext("The authenticator code is wrong or was already used; wait for the next one."),
                    code="otp_wrong",
                )
            if self.request is not None:
                self.request.security_code_verified = True  # type: ignore[attr-defined]  # read at login
        return cleaned

    @staticmethod
    def _locked_message(until: Any) -> str:
        return gettext(
            "Too many failed logins for this account or from this address. Logging in is blocked until "
            "%(time)s; try again then, or ask an administrator."
        ) % {"time": timezone.localtime(until).strftime("%H:%M")}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
