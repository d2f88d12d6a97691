"""Logging in (pages and admin alike) and enrolling an authenticator app."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from security import totp
from security.forms import CodeForm, LoginForm
from security.services import (
    SESSION_SECOND_FACTOR,
    second_factor_of,
    sessions_end,
    totp_enrol_confirm,
    totp_enrol_start,
)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin logs in through the same form, so lockout and the second factor apply there too."""
    if request.user.is_authenticated:
        # Logged in but not allowed in the admin; sending them to the login page would loop.
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or "/admin/")


def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR code and text); the first correct code from the app completes enrolment."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    factor = second_factor_of(request.user)
    if factor is not None and factor.is_enrolled:
        return render(request, "security/totp_enrolled.html", {"factor": factor})
    factor = totp_enrol_start(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_enrol_confirm(user=request.user, code=form.cleaned_data["code"]):
            request.session[SESSION_SECOND_FACTOR] = "ok"
            # Sessions elsewhere never showed a code of the new authenticator: they end.
            sessions_end(user=request.user, reason="second factor enrolled", keep=request.session.session_key)
            messages.success(request, _("Your authenticator app is enrolled; logins now ask for its code."))
            return redirect("home")
        form.add_error("code", _("That code does not match; check the app's clock and type the newest code."))
    uri = totp.provisioning_uri(factor.secret, account=request.user.get_username(), issuer="Jingli")
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    secret_groups = " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4))
    return render(request, "security/totp_enrol.html", {"form": form, "qr_svg": qr_svg, "secret": secret_groups})
