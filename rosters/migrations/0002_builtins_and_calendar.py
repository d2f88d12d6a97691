"""Install the built-in shift patterns and the official 2025 and 2026 holiday calendar."""

import datetime as dt

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rosters.builtins import BUILTIN_PATTERNS
    from rosters.holidays import OFFICIAL, calendar_rows

    ShiftPattern = apps.get_model("rosters", "ShiftPattern")
    ShiftType = apps.get_model("rosters", "ShiftType")
    CalendarDay = apps.get_model("rosters", "CalendarDay")
    for spec in BUILTIN_PATTERNS:
        fields = {k: v for k, v in spec.items() if k not in ("shifts", "forbidden")}
        pattern, created = ShiftPattern.objects.get_or_create(
            station=None, code=spec["code"], defaults={**fields, "forbidden_successions": spec["forbidden"], "is_builtin": True}
        )
        if not created:
            continue
        for order, (code, start, hours, name, night, leader) in enumerate(spec["shifts"]):
            ShiftType.objects.create(
                pattern=pattern,
                code=code,
                name=name,
                start=dt.time.fromisoformat(start),
                hours=hours,
                night=night,
                leader_shift=leader,
                order=order,
            )
    for year in OFFICIAL:
        for day, kind, name, statutory in calendar_rows(year):
            CalendarDay.objects.get_or_create(date=day, defaults={"kind": kind, "name": name, "statutory": statutory})


class Migration(migrations.Migration):
    dependencies = [("rosters", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
