"""Creating, checking and revoking API keys. Each change is atomic and audited.

Why SHA-256 and not the password hasher (Argon2): a key is 256 random bits, so there is nothing for a
slow hash to protect against (no dictionary, no guessing); Argon2 would add tens of milliseconds to
every API request instead. The stored SHA-256 digest cannot be turned back into a usable key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apikeys.models import ApiKey, KeyScope
from audit.services import audit_record
from config.roles import scope_of

KEY_MARK = "jk"
PREFIX_LENGTH = 8
# Writing the last use on every request would turn every read into a write; once a minute is enough
# to tell a live key from a forgotten one.
LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def apikey_validate(*, name: str, owner: Any, scope: str) -> None:
    """Refuse a key that could not work as asked, with the reason (the admin form shows it)."""
    if not name.strip():
        raise ValidationError(_("Give the key a name: the system that will use it."))
    if scope not in KeyScope.values:
        raise ValidationError(_("Unknown scope %(scope)s.") % {"scope": scope})
    owner_scope = scope_of(owner)
    if not owner_scope.can_read:
        raise ValidationError(_("%(user)s has no role, so a key acting as them could read nothing.") % {"user": owner})
    if scope == KeyScope.READ_WRITE and not owner_scope.can_write:
        raise ValidationError(
            _("%(user)s may not change anything, so a key acting as them can only be read-only.") % {"user": owner}
        )


def apikey_create(*, name: str, owner: Any, scope: str = KeyScope.READ, by: Any = None) -> tuple[ApiKey, str]:
    """Make a key acting as `owner`; returns the row and the plaintext, which is never stored."""
    apikey_validate(name=name, owner=owner, scope=scope)
    name = name.strip()
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        plaintext = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    name=name[:100],
                    prefix=prefix,
                    hashed_key=_digest(plaintext),
                    owner=owner,
                    scope=scope,
                    created_by=by if getattr(by, "pk", None) else None,
                )
                audit_record(
                    action="apikey.create",
                    obj=key,
                    by=by,
                    after={"name": key.name, "prefix": prefix, "owner": owner.get_username(), "scope": scope},
                )
        except IntegrityError:
            continue  # the random prefix is taken (one chance in four billion): draw another
        return key, plaintext
    raise RuntimeError("could not draw a free key prefix")


def apikey_revoke(*, key: ApiKey, by: Any = None) -> ApiKey:
    """Revoke a key for good; revoking a revoked key changes nothing."""
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = by if getattr(by, "pk", None) else None
            locked.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(action="apikey.revoke", obj=locked, by=by, after={"prefix": locked.prefix})
    return locked


def apikey_parse(presented: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    mark, _sep, rest = presented.partition("_")
    prefix, sep, secret = rest.partition("_")
    if mark != KEY_MARK or len(prefix) != PREFIX_LENGTH or not sep or len(secret) < 20:
        return None
    return prefix


class KeyRefused(Exception):
    """A genuine key that may not be used any more: revoked, or its owner account is disabled."""


def apikey_check(*, presented: str, address: str | None = None) -> ApiKey | None:
    """The key `presented` stands for (with its owner loaded), recording its use; None if no such key.

    Raises KeyRefused for a revoked key or one whose owner is disabled."""
    prefix = apikey_parse(presented)
    if prefix is None:
        return None
    key = ApiKey.objects.select_related("owner").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.hashed_key, _digest(presented)):
        return None
    if key.revoked_at is not None:
        raise KeyRefused(_("This API key was revoked."))
    if not key.owner.is_active:
        raise KeyRefused(_("The account this API key acts as is disabled."))
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USE_RESOLUTION or key.last_used_from != address:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_from=address)
        key.last_used_at, key.last_used_from = now, address
    return key
