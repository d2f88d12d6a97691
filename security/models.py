"""What the security app keeps: failed logins (for lockout), sessions per account, second factors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """One failed login. Lockout counts these per account and per address over a sliding window."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_user_at"),
            models.Index(fields=["address", "at"], name="loginfailure_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.address or ''}"


class AccountSession(models.Model):
    """A session opened by a login, so every session of an account can be ended at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account session")
        verbose_name_plural = _("account sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class SecondFactor(models.Model):
    """An account's TOTP authenticator, and whether the account must use one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor", verbose_name=_("user")
    )
    required = models.BooleanField(
        _("second factor required"),
        default=False,
        help_text=_("The account cannot use Jingli until it has enrolled an authenticator app."),
    )
    secret = models.CharField(_("secret"), max_length=64, blank=True)
    confirmed_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last code step used"), null=True, blank=True)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_enrolled(self) -> bool:
        return self.confirmed_at is not None and bool(self.secret)
