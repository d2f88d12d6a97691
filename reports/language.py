"""The interface language: chosen by the user, remembered per user, applied at each login.

Django's set_language view keeps the choice in a cookie, which is per browser. Jingli also stores it
on the account (reports.models.LanguagePreference); at login the stored choice is activated and put
back in the cookie by LanguageCookieMiddleware, so a planner who chose English gets English on any
machine. Without a stored choice the cookie, then the browser, then LANGUAGE_CODE decide, as Django does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from reports.models import LanguagePreference

_PENDING = "_jingli_language_at_login"


def language_of(user: Any) -> str | None:
    return LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()


@receiver(user_logged_in)
def _apply_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    language = language_of(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
        setattr(request, _PENDING, language)


class LanguageCookieMiddleware:
    """Writes the language chosen at login into Django's language cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, _PENDING, None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
