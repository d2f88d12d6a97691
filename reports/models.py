"""What the reports app stores: each user's interface language, remembered across browsers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class LanguagePreference(models.Model):
    """The language a user last chose; applied at each login (the cookie alone is per browser)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=16)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")
        constraints = [models.CheckConstraint(condition=Q(language__in=LANGUAGE_CODES), name="language_known")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
