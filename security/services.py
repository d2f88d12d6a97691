"""Lockout, session ending and second factors. Each function owns its transaction and audit record."""

from __future__ import annotations

import contextvars
import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from security import totp
from security.models import AccountSession, LoginFailure, SecondFactor

SESSION_LOGIN_AT = "security.login_at"
SESSION_SEEN_AT = "security.seen_at"
#: The session's standing on the second factor, decided at login: "ok", "enrol" (must enrol before
#: anything else) or "verify" (the account has a factor this login never showed).
SESSION_SECOND_FACTOR = "security.second_factor"

#: The session of the request being served (set by security.middleware), so that changing one's own
#: password ends every other session but not the one that made the change.
current_session_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "jingli_session_key",
    default=None,  # noqa: B039  (immutable default)
)


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.JINGLI_LOCKOUT_MINUTES)


def _locked_until(failures: Any, now: dt.datetime) -> dt.datetime | None:
    """Locked while the last N failures all fall inside the window: until the oldest of them leaves it."""
    attempts = settings.JINGLI_LOCKOUT_ATTEMPTS
    times = list(failures.filter(at__gt=now - _window()).order_by("-at").values_list("at", flat=True)[:attempts])
    if len(times) < attempts:
        return None
    return times[-1] + _window()


def lockout_until(*, username: str, address: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """When logging in as `username` from `address` becomes possible again; None if it is possible now."""
    now = now or timezone.now()
    found = [_locked_until(LoginFailure.objects.filter(username=username), now)] if username else []
    if address:
        found.append(_locked_until(LoginFailure.objects.filter(address=address), now))
    times = [t for t in found if t is not None]
    return max(times) if times else None


def login_failure_record(*, username: str, address: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """Count one failed login; when it completes a lockout, record the lockout. Returns its end, if any."""
    now = now or timezone.now()
    with transaction.atomic():
        LoginFailure.objects.create(at=now, username=username[:150], address=address)
        until = lockout_until(username=username, address=address, now=now)
        if until is not None:
            audit_record(
                action="auth.lockout",
                username=username,
                outcome=AuditEvent.Outcome.DENIED,
                detail=f"{settings.JINGLI_LOCKOUT_ATTEMPTS} failed logins; locked until {until:%Y-%m-%d %H:%M:%S} UTC",
            )
        # Old failures only matter for the window; drop them as we go instead of in a periodic job.
        LoginFailure.objects.filter(at__lt=now - 4 * _window()).delete()
    return until


def login_failures_clear(*, username: str) -> None:
    """A successful login forgives the account's earlier failures (not the address's)."""
    LoginFailure.objects.filter(username=username).delete()


def session_opened(*, user: Any, session_key: str) -> None:
    AccountSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
    # Sessions never outlive the absolute limit; forget the rows of those that are gone.
    AccountSession.objects.filter(
        user=user, created_at__lt=timezone.now() - dt.timedelta(hours=settings.JINGLI_SESSION_ABSOLUTE_HOURS)
    ).delete()


def session_closed(*, session_key: str) -> None:
    AccountSession.objects.filter(session_key=session_key).delete()


def sessions_end(*, user: Any, reason: str, by: Any = None, keep: str | None = None) -> int:
    """End every session of an account (disabled, password changed), but `keep`. Returns how many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        sessions = AccountSession.objects.filter(user=user).exclude(session_key=keep or "")
        keys = list(sessions.values_list("session_key", flat=True))
        for key in keys:
            store(session_key=key).delete()
        sessions.delete()
        audit_record(action="auth.sessions_ended", obj=user, by=by, detail=f"{reason}: {len(keys)} sessions ended")
    return len(keys)


# --- Second factor -------------------------------------------------------------------------------


def second_factor_of(user: Any) -> SecondFactor | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return SecondFactor.objects.filter(user_id=user.pk).first()


def second_factor_required(user: Any) -> bool:
    """A setting requires it of whole roles (JINGLI_2FA_REQUIRED_ROLES); a flag requires it of one account."""
    if getattr(user, "role", "") in settings.JINGLI_2FA_REQUIRED_ROLES:
        return True
    if getattr(user, "is_superuser", False) and "superuser" in settings.JINGLI_2FA_REQUIRED_ROLES:
        return True
    factor = second_factor_of(user)
    return factor is not None and factor.required


def second_factor_state(user: Any, *, verified: bool) -> str:
    """What a new session owes, computed once at login so that requests need no query for it."""
    factor = second_factor_of(user)
    if factor is not None and factor.is_enrolled:
        return "ok" if verified else "verify"
    return "enrol" if second_factor_required(user) else "ok"


def totp_enrol_start(*, user: Any) -> SecondFactor:
    """The unconfirmed secret to show (made on first use); an enrolled account keeps its authenticator."""
    with transaction.atomic():
        factor, _created = SecondFactor.objects.select_for_update().get_or_create(user=user)
        if not factor.is_enrolled and not factor.secret:
            factor.secret = totp.secret_new()
            factor.save(update_fields=["secret"])
    return factor


def totp_enrol_confirm(*, user: Any, code: str) -> bool:
    """The first code from the app proves it holds the secret; only then does the account use it."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None or not factor.secret or factor.is_enrolled:
            return False
        step = totp.verify(factor.secret, code)
        if step is None:
            audit_record(action="auth.2fa_enrol", obj=user, by=user, outcome=AuditEvent.Outcome.FAILURE)
            return False
        factor.confirmed_at = timezone.now()
        factor.last_step = step
        factor.save(update_fields=["confirmed_at", "last_step"])
        audit_record(action="auth.2fa_enrol", obj=user, by=user)
    return True


def totp_check(*, user: Any, code: str) -> bool:
    """Is `code` the account's current code, not used before? Marks it used."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None or not factor.is_enrolled:
            return False
        step = totp.verify(factor.secret, code, after_step=factor.last_step)
        if step is None:
            return False
        factor.last_step = step
        factor.save(update_fields=["last_step"])
    return True


def totp_reset(*, user: Any, by: Any = None) -> None:
    """An operator removes a lost authenticator; the account enrols again at its next login."""
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).update(secret="", confirmed_at=None, last_step=None)
        audit_record(action="auth.2fa_reset", obj=user, by=by)
