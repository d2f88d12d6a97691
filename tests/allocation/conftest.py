"""A small county for allocation tests: a busy station short of people, a quiet one, a bureau department."""

from __future__ import annotations

import pytest

from personnel.models import Person
from tests import factories
from workload.aggregate import cells_refresh


@pytest.fixture
def county():  # type: ignore[no-untyped-def]
    """A busy station short of people, a quiet one with spare people, and a bureau department."""
    row = factories.county(code="QH")
    busy = factories.station(county_row=row, code="QH-01", name="城关派出所")
    quiet = factories.station(county_row=row, code="QH-02", name="石门乡派出所", kind="rural")
    bureau = factories.station(county_row=row, code="QH-ZH", name="指挥中心", kind="department")
    factories.place(
        factories.person(post=Person.Post.CHIEF, rank=Person.Rank.INSPECTOR_3), busy, unit_kind="leadership"
    )
    for _n in range(6):
        factories.place(factories.person(post=Person.Post.COMMUNITY_OFFICER), busy, unit_kind="community")
    for n in range(12):
        factories.place(
            factories.person(post=Person.Post.COMMUNITY_OFFICER if n < 5 else Person.Post.CASE_OFFICER),
            quiet,
            unit_kind="community" if n < 5 else "case",
        )
    for _n in range(20):
        factories.place(factories.person(post=Person.Post.DEPARTMENT_OFFICER), bureau)
    factories.jurisdiction(busy, residents=8000)
    factories.jurisdiction(quiet, residents=3000)
    factories.incidents(busy, 3000, category="ZA01", months=10)
    cells_refresh()
    return row
