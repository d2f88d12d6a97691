"""Request-level security: session time limits, the second factor, no caching of personal data, and a
clean answer when the database goes away mid-request."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from audit.services import audit_record
from security.services import (
    SESSION_LOGIN_AT,
    SESSION_SECOND_FACTOR,
    SESSION_SEEN_AT,
    current_session_key,
    second_factor_state,
)

log = logging.getLogger(__name__)

#: Seen-at is written at most this often, so a busy page does not write its session on every request.
SEEN_RESOLUTION_SECONDS = 60

#: Paths reachable while the second factor is still owed: logging in and out, enrolling, static files.
_OPEN_PREFIXES = ("/accounts/", "/security/", "/static/", "/i18n/", "/favicon.ico", "/admin/login/", "/admin/logout/")


class SessionSecurityMiddleware:
    """Idle and absolute session limits, then the second factor. After AuthenticationMiddleware.

    Reads only the session (no query of its own): what the second factor asks of a session is decided
    at login, and whatever changes it later (enrolling, being required to) ends the other sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_session_key.set(getattr(request, "session", None) and request.session.session_key)
        try:
            refused = self._check(request)
            return refused if refused is not None else self.get_response(request)
        finally:
            current_session_key.reset(token)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        session = request.session
        now = timezone.now().timestamp()
        login_at = session.get(SESSION_LOGIN_AT)
        seen_at = session.get(SESSION_SEEN_AT)
        if login_at is None or seen_at is None:
            session[SESSION_LOGIN_AT] = login_at = login_at or now
            session[SESSION_SEEN_AT] = seen_at = now
        idle = now - seen_at > settings.JINGLI_SESSION_IDLE_MINUTES * 60
        expired = now - login_at > settings.JINGLI_SESSION_ABSOLUTE_HOURS * 3600
        if idle or expired:
            reason = "idle" if idle else "absolute"
            audit_record(action="auth.session_expired", by=user, detail=reason)
            logout(request)
            messages.info(
                request,
                _("You were logged out after %(minutes)d minutes without activity; please log in again.")
                % {"minutes": settings.JINGLI_SESSION_IDLE_MINUTES}
                if idle
                else _("Your session reached its limit of %(hours)d hours; please log in again.")
                % {"hours": settings.JINGLI_SESSION_ABSOLUTE_HOURS},
            )
            return redirect_to_login(request.get_full_path())
        if now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SESSION_SEEN_AT] = now
        state = session.get(SESSION_SECOND_FACTOR)
        if state is None:  # a session from before this check existed: decide once, keep it
            session[SESSION_SECOND_FACTOR] = state = second_factor_state(user, verified=False)
        if state == "ok" or request.path.startswith(_OPEN_PREFIXES):
            return None
        if state == "verify":
            # The account has an authenticator this session never showed a code of: log in again.
            logout(request)
            return redirect_to_login(request.get_full_path())
        return redirect("security:totp_enrol")


class NoStoreMiddleware:
    """Pages for a logged-in user carry personal data: no browser or proxy may keep a copy. The API
    decides its own caching (it serves machines that revalidate with ETags)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            return response  # machine clients: the API sets its own caching (ETag, conditional GET)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith(("/accounts/", "/security/")):
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response


class DatabaseUnavailableMiddleware:
    """A lost database connection fails the one request with a plain 503; Django reconnects for the next
    (CONN_HEALTH_CHECKS), so nothing else is needed to recover."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.error("database unavailable during %s %s: %s", request.method, request.path, exception)
        # Rendered without the request: its context processors would ask the database again.
        return HttpResponse(render_to_string("security/unavailable.html"), status=503, headers={"Retry-After": "5"})


class RequestSizeLimitMiddleware:
    """Refuse a request body over JINGLI_REQUEST_MAX_BYTES before anything reads it: one limit for every
    upload path (pages, admin, API), on top of each import's own limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(_("The request has a malformed Content-Length."), status=400)
        if length > settings.JINGLI_REQUEST_MAX_BYTES:
            return HttpResponse(
                _("The upload is larger than the limit of %(mb)d MB.") % {"mb": settings.JINGLI_IMPORT_MAX_MB},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Behind a reverse proxy every request comes from the proxy's address, which would make the
    per-address lockout lock everyone out and the trail name the proxy. When the socket peer is one of
    JINGLI_TRUSTED_PROXIES, the client is the right-most X-Forwarded-For address that is not itself a
    trusted proxy (the left part of that header is whatever the client chose to send)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = frozenset(settings.JINGLI_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted and request.META.get("REMOTE_ADDR") in self.trusted:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            for hop in reversed(hops):
                if hop not in self.trusted:
                    request.META["REMOTE_ADDR"] = hop
                    break
        return self.get_response(request)
