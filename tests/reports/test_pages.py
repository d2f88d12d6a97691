"""The county overview and the station page show need, strength and gap to the right people only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from workload.aggregate import cells_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():  # type: ignore[no-untyped-def]
    row = factories.county(code="QH", name="清河县")
    busy = factories.station(county_row=row, code="QH-01", name="城关派出所")
    quiet = factories.station(county_row=row, code="QH-02", name="石门乡派出所", kind="rural")
    bureau = factories.station(county_row=row, code="QH-ZH", name="指挥中心", kind="department")
    for station, officers in ((busy, 3), (quiet, 6), (bureau, 4)):
        for _ in range(officers):
            factories.place(factories.person(), station)
        factories.jurisdiction(station, residents=12000)
    factories.incidents(busy, 600, minutes=90, months=6)
    cells_refresh()
    return {"busy": busy, "quiet": quiet, "bureau": bureau}


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_overview_lists_need_strength_gap_and_flags(county) -> None:  # type: ignore[no-untyped-def]
    response = client_for(factories.planner()).get(reverse("reports:overview"))
    assert response.status_code == 200
    rows = {row.station.code: row for row in response.context["rows"]}
    busy, quiet = rows["QH-01"], rows["QH-02"]
    assert busy.need.result.gap > quiet.need.result.gap
    assert "below_floor" in busy.flags and "short" in busy.flags
    assert "below_floor" not in quiet.flags
    assert "residents_per_officer" in quiet.flags  # 12,000 residents, no community officer
    assert rows["QH-ZH"].need.result is None and rows["QH-ZH"].flags == []
    overview = response.context["overview"]
    assert (overview.station_officers, overview.county_officers) == (9, 13)
    page = response.content.decode()
    assert "城关派出所" in page and "<svg" in page


def test_overview_filters_and_sorts(county) -> None:  # type: ignore[no-untyped-def]
    client = client_for(factories.auditor())
    rural = client.get(reverse("reports:overview"), {"kind": "rural"}).context["rows"]
    assert [r.station.code for r in rural] == ["QH-02"]
    by_gap = client.get(reverse("reports:overview"), {"sort": "gap"}).context["rows"]
    assert by_gap[0].station.code == "QH-01"
    flagged = client.get(reverse("reports:overview"), {"flag": "below_floor"}).context["rows"]
    assert [r.station.code for r in flagged] == ["QH-01"]


def test_station_page_explains_the_need(county) -> None:  # type: ignore[no-untyped-def]
    response = client_for(factories.planner()).get(reverse("reports:station", args=["QH-01"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "How the need is computed" in page
    assert page.count("<svg") == 4  # workload, saturation and crews heatmaps, monthly trend
    assert response.context["overloaded_hours"] > 0  # three officers for 600 thefts in six months
    assert response.context["peak_crews"] >= 1


def test_a_chief_lands_on_his_station_and_cannot_open_another(county) -> None:  # type: ignore[no-untyped-def]
    client = client_for(factories.chief(county["busy"]))
    response = client.get(reverse("reports:overview"))
    assert response.status_code == 302 and response.url == reverse("reports:station", args=["QH-01"])
    assert client.get(reverse("reports:station", args=["QH-01"])).status_code == 200
    assert client.get(reverse("reports:station", args=["QH-02"])).status_code == 404


def _queries_of(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("query", ["", "?county=all"])
def test_overview_is_a_constant_number_of_queries(county, django_assert_num_queries, query: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(factories.planner())
    other = factories.county(code="QJ")
    factories.place(factories.person(), factories.station(county_row=other, code="QJ-01"))
    path = reverse("reports:overview") + query
    client.get(path)  # the session and the standards are cached after the first page
    before = _queries_of(client, path)
    for index in range(5):
        station = factories.station(county_row=county["busy"].county, code=f"QH-1{index}")
        factories.place(factories.person(), station)
        factories.jurisdiction(station, residents=3000)
        factories.incidents(station, 50, months=2, prefix=f"more-{index}")
    cells_refresh()
    with django_assert_num_queries(before):
        response = client.get(path)
    assert len(response.context["rows"]) == (8 if not query else 9)
