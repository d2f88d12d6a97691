"""Who may see and change what: roles and the station scope every read is filtered by.

Deny by default: an account without a role sees nothing, whatever Django permissions it holds; only
superusers bypass the roles (they are operators, not planners).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLANNER = "planner", _("County planner")
    CHIEF = "chief", _("Station chief")
    AUDITOR = "auditor", _("Auditor")


@dataclass(frozen=True)
class Scope:
    """What an account may reach: `station_id` None means every station."""

    can_read: bool
    can_write: bool
    station_id: int | None

    @property
    def is_station_bound(self) -> bool:
        return self.station_id is not None


NO_ACCESS = Scope(can_read=False, can_write=False, station_id=None)


def scope_of(user: Any) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    if user.is_superuser:
        return Scope(can_read=True, can_write=True, station_id=None)
    role = getattr(user, "role", "")
    if role == Role.PLANNER:
        return Scope(can_read=True, can_write=True, station_id=None)
    if role == Role.AUDITOR:
        return Scope(can_read=True, can_write=False, station_id=None)
    if role == Role.CHIEF and user.station_id is not None:
        return Scope(can_read=True, can_write=False, station_id=user.station_id)
    return NO_ACCESS
