"""State changes of the workload app that are not imports (those live in workload.importer)."""

from __future__ import annotations

from personnel.models import Qualification
from workload.categories import CATEGORIES, QUALIFICATIONS
from workload.models import IncidentCategory


def catalogue_ensure() -> None:
    """Add the standard incident categories and qualifications that are missing; never overwrite."""
    IncidentCategory.objects.bulk_create(
        [
            IncidentCategory(
                code=c.code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                group=c.group,
                team=c.team,
                default_handling_minutes=c.minutes,
                default_crew=c.crew,
                officer_only=c.officer_only,
            )
            for c in CATEGORIES
        ],
        ignore_conflicts=True,
    )
    Qualification.objects.bulk_create(
        [Qualification(code=code, name=zh, name_en=en, officer_only=only) for code, zh, en, only in QUALIFICATIONS],
        ignore_conflicts=True,
    )
