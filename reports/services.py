"""The reports app's one state change: a user's remembered interface language."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_record
from reports.models import LANGUAGE_CODES, LanguagePreference


class UnknownLanguage(ValueError):
    pass


def language_preference_set(*, user: Any, language: str) -> LanguagePreference:
    """Remember `language` for `user` (audited when it changes)."""
    if language not in LANGUAGE_CODES:
        raise UnknownLanguage(language)
    with transaction.atomic():
        preference, created = LanguagePreference.objects.select_for_update().get_or_create(
            user=user, defaults={"language": language}
        )
        before = None if created else preference.language
        if not created and preference.language != language:
            preference.language = language
            preference.save(update_fields=["language", "updated_at"])
        if before != language:
            audit_record(action="account.language", obj=preference, by=user, before=before, after=language)
    return preference
