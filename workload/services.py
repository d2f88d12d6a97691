"""State changes of the workload app that are not imports (those live in workload.importer)."""

from __future__ import annotations

from personnel.models import Qualification
from workload.categories import CATEGORIES, FOLLOW_UP_HOURS, QUALIFICATIONS
from workload.models import IncidentCategory, PostRequirement, StandardsSet


def catalogue_ensure() -> None:
    """The standard categories, qualifications and standards sets, where missing."""
    categories_ensure()
    standards_ensure()


def categories_ensure() -> None:
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
                follow_up_hours=FOLLOW_UP_HOURS.get(c.code, 0.0),
            )
            for c in CATEGORIES
        ],
        ignore_conflicts=True,
    )
    Qualification.objects.bulk_create(
        [Qualification(code=code, name=zh, name_en=en, officer_only=only) for code, zh, en, only in QUALIFICATIONS],
        ignore_conflicts=True,
    )


def standards_ensure() -> None:
    """The national defaults (DOMAIN.md §2-3) and a stricter provincial example, if absent."""
    if not StandardsSet.objects.filter(name="national").exists():
        national = StandardsSet.objects.create(
            name="national",
            description="全国基准：公安部派出所警力配置底线 / national floors (MPS)",
            is_default=not StandardsSet.objects.filter(is_default=True).exists(),
        )
        _default_posts(national)
    if not StandardsSet.objects.filter(name="provincial-example").exists():
        provincial = StandardsSet.objects.create(
            name="provincial-example",
            description="省级细则示例：派出所警力占比 50%，社区民警 3000/4000 人 / stricter provincial example",
            min_station_share=0.50,
            residents_per_community_officer_urban=3000,
            residents_per_community_officer_town=3500,
            residents_per_community_officer_rural=4000,
            min_officers_per_station=6,
        )
        _default_posts(provincial)


def _default_posts(standards: StandardsSet) -> None:
    PostRequirement.objects.bulk_create(
        [
            PostRequirement(
                standards=standards, name="综合指挥室值班台 command room desk", team="command", hours_per_week=168
            ),
            PostRequirement(
                standards=standards,
                name="户籍窗口 household registration window",
                team="community",
                hours_per_week=40,
                officers_only=False,
                station_kinds="urban,town",
            ),
        ]
    )
