"""Framework signals the security rules hang on: logins, logouts, failures, account changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from audit.context import client_address, current_actor
from security.services import (
    SESSION_LOGIN_AT,
    SESSION_SECOND_FACTOR,
    SESSION_SEEN_AT,
    current_session_key,
    login_failure_record,
    login_failures_clear,
    second_factor_state,
    session_closed,
    session_opened,
    sessions_end,
)


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    address = client_address(request) if request is not None else None
    login_failure_record(username=str(credentials.get("username", ""))[:150], address=address)


@receiver(user_logged_in)
def _opened(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    login_failures_clear(username=user.get_username())
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now().timestamp()
    session[SESSION_LOGIN_AT] = now
    session[SESSION_SEEN_AT] = now
    # The login form marks the request when it checked a code (security.forms.LoginForm).
    session[SESSION_SECOND_FACTOR] = second_factor_state(
        user, verified=getattr(request, "security_code_verified", False)
    )
    if session.session_key:
        session_opened(user=user, session_key=session.session_key)


@receiver(user_logged_out)
def _closed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session_closed(session_key=session.session_key)


# --- Disabled accounts and new passwords end every session ----------------------------------------

_WATCHED = {"is_active", "password"}


@receiver(pre_save, sender=get_user_model())
def _remember_previous(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    instance._security_previous = None
    if instance.pk is None or (update_fields is not None and not _WATCHED & set(update_fields)):
        return  # a new account, or a save that cannot touch what we watch (last_login on every login)
    instance._security_previous = sender.objects.filter(pk=instance.pk).values("is_active", "password").first()


@receiver(post_save, sender=get_user_model())
def _end_sessions_if_needed(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    previous = getattr(instance, "_security_previous", None)
    if created or previous is None:
        return
    keep = None
    if previous["is_active"] and not instance.is_active:
        reason = "account disabled"
    elif previous["password"] != instance.password:
        reason = "password changed"
        # Whoever changes their own password stays logged in where they did it; every other session ends.
        acting = current_actor().user
        if acting is not None and getattr(acting, "pk", None) == instance.pk:
            keep = current_session_key.get()
    else:
        return
    # After commit: a rolled-back change must not have logged anyone out.
    transaction.on_commit(lambda: sessions_end(user=instance, reason=reason, keep=keep))
