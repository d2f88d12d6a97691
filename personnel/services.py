"""State changes of people and accounts. Each function is atomic and validates before it writes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.roles import Role
from personnel.models import Assignment, Person, User
from stations.models import Station, Unit


@transaction.atomic
def assignment_start(
    *,
    person: Person,
    unit: Unit,
    start_date: dt.date,
    source: str = Assignment.Source.MANUAL,
    reason: str = "",
    by: User | None = None,
) -> Assignment:
    """Place `person` in `unit` from `start_date`, closing the assignment in force that day.

    Idempotent: placing someone where they already are changes nothing. History is append-only, so a
    start date before the person's latest assignment is refused rather than rewriting the past.
    """
    # Lock the person so two concurrent moves of the same person serialise instead of interleaving.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if unit.station.is_department != (unit.kind == Unit.Kind.DEPARTMENT):
        raise ValidationError(_("Unit %(unit)s does not belong to a place of its kind.") % {"unit": unit})
    latest = person.assignments.order_by("-start_date").first()
    if latest is not None and latest.start_date > start_date:
        raise ValidationError(
            _("%(person)s already has an assignment from %(date)s; history cannot be rewritten.")
            % {"person": person, "date": latest.start_date}
        )
    if latest is not None and (latest.end_date is None or latest.end_date > start_date):
        if latest.unit_id == unit.pk:
            return latest
        if latest.start_date == start_date:
            raise ValidationError(
                _("%(person)s already starts another assignment on %(date)s.") % {"person": person, "date": start_date}
            )
        latest.end_date = start_date
        latest.save(update_fields=["end_date", "updated_at"])
    return Assignment.objects.create(
        person=person, unit=unit, start_date=start_date, source=source, reason=reason, created_by=by
    )


@transaction.atomic
def user_set_role(*, user: User, role: str, station: Station | None = None, by: User | None = None) -> User:
    """Give an account its role. Chiefs need a station; nobody else may have one."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    if (role == Role.CHIEF) != (station is not None):
        raise ValidationError(_("A station chief needs exactly one station; other roles have none."))
    if station is not None and station.is_department:
        raise ValidationError(_("A station chief must be bound to a police station, not a bureau department."))
    before = {"role": user.role, "station": user.station_id, "is_staff": user.is_staff}
    user.role = role
    user.station = station
    # Everyone with a role works in the admin as well as in the pages; what they see there is scoped.
    user.is_staff = True
    user.save(update_fields=["role", "station", "is_staff"])
    audit_record(
        action="account.role_set",
        obj=user,
        by=by,
        before=before,
        after={"role": role, "station": user.station_id, "is_staff": True},
    )
    return user
