"""Workload cells equal an independent pandas computation over the same incidents."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from tests import factories
from workload.aggregate import cells_refresh
from workload.models import Incident, IncidentCategory, WorkloadCell

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def incidents() -> list[Incident]:
    county = factories.county()
    stations = [factories.station(county_row=county) for _ in range(3)]
    categories = list(IncidentCategory.objects.order_by("code"))
    rng = np.random.default_rng(7)
    rows = []
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for number in range(2_000):
        received = start + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 120)))
        rows.append(
            Incident(
                source="test",
                external_id=str(number),
                station=stations[int(rng.integers(0, 3))],
                category=categories[int(rng.integers(0, len(categories)))],
                received_at=received,
                handling_minutes=None if rng.random() < 0.2 else float(rng.integers(1, 200)),
                people_involved=None if rng.random() < 0.2 else int(rng.integers(1, 4)),
            )
        )
    return Incident.objects.bulk_create(rows)


def pandas_cells() -> pd.DataFrame:
    """The same aggregation, written independently: local time by zoneinfo, defaults by hand."""
    categories = pd.DataFrame.from_records(
        IncidentCategory.objects.values(
            "id", "team", "group", "default_handling_minutes", "default_crew", "officer_only", "follow_up_hours"
        )
    ).set_index("id")
    frame = pd.DataFrame.from_records(
        Incident.objects.values("station_id", "category_id", "received_at", "handling_minutes", "people_involved")
    ).join(categories, on="category_id")
    local = frame["received_at"].map(lambda t: t.astimezone(SHANGHAI))
    frame["month"] = local.map(lambda t: dt.date(t.year, t.month, 1))
    frame["hour_of_week"] = local.map(lambda t: t.weekday() * 24 + t.hour)
    minutes = frame["handling_minutes"].fillna(frame["default_handling_minutes"]).astype(float)
    people = frame["people_involved"].fillna(frame["default_crew"]).astype(float)
    frame["handling_hours"] = minutes / 60
    frame["officer_hours"] = minutes * people / 60
    frame["officer_only_hours"] = frame["officer_hours"].where(frame["officer_only"], 0.0)
    grouped = frame.groupby(["station_id", "team", "group", "month", "hour_of_week"]).agg(
        incidents=("category_id", "size"),
        handling_hours=("handling_hours", "sum"),
        officer_hours=("officer_hours", "sum"),
        officer_only_hours=("officer_only_hours", "sum"),
        follow_up_hours=("follow_up_hours", "sum"),
    )
    return grouped.sort_index()


def stored_cells() -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        WorkloadCell.objects.values(
            "station_id",
            "team",
            "category_group",
            "month",
            "hour_of_week",
            "incidents",
            "handling_hours",
            "officer_hours",
            "officer_only_hours",
            "follow_up_hours",
        )
    ).rename(columns={"category_group": "group"})
    return frame.set_index(["station_id", "team", "group", "month", "hour_of_week"]).sort_index()


def test_cells_equal_an_independent_pandas_computation(incidents: list[Incident]) -> None:
    cells_refresh()
    expected, stored = pandas_cells(), stored_cells()
    assert len(stored) == len(expected) > 100
    assert list(stored.index) == list(expected.index)
    for column in expected.columns:
        np.testing.assert_allclose(
            stored[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-9, err_msg=column
        )
    assert stored["incidents"].sum() == 2_000


def test_refreshing_some_station_months_leaves_the_rest_alone(incidents: list[Incident]) -> None:
    cells_refresh()
    before = stored_cells()
    station = incidents[0].station_id
    # New incidents in one station-month, then a partial refresh of exactly that pair.
    category = IncidentCategory.objects.get(code="XS01")
    Incident.objects.create(
        source="test",
        external_id="late",
        station_id=station,
        category=category,
        received_at=dt.datetime(2026, 2, 10, 3, 0, tzinfo=SHANGHAI),
        handling_minutes=60,
        people_involved=2,
    )
    cells_refresh([(station, dt.date(2026, 2, 1))])
    after, expected = stored_cells(), pandas_cells()
    assert list(after.index) == list(expected.index)
    np.testing.assert_allclose(after.to_numpy(float), expected.to_numpy(float), rtol=1e-9)
    untouched = before.drop(index=[i for i in before.index if i[0] == station and i[3] == dt.date(2026, 2, 1)])
    pd.testing.assert_frame_equal(after.loc[untouched.index], untouched)


def test_local_time_decides_the_month_and_the_hour() -> None:
    station = factories.station()
    category = IncidentCategory.objects.get(code="XS01")
    # 2026-01-31 23:30 in Shanghai is still January there, though it is 15:30 UTC.
    Incident.objects.create(
        source="t",
        external_id="1",
        station=station,
        category=category,
        received_at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI),
    )
    # 2026-02-01 00:30 in Shanghai is February (and a Sunday: hour of week 6 × 24 + 0).
    Incident.objects.create(
        source="t",
        external_id="2",
        station=station,
        category=category,
        received_at=dt.datetime(2026, 2, 1, 0, 30, tzinfo=SHANGHAI),
    )
    cells_refresh()
    cells = sorted(WorkloadCell.objects.values_list("month", "hour_of_week"))
    assert cells == [(dt.date(2026, 1, 1), 5 * 24 + 23), (dt.date(2026, 2, 1), 6 * 24)]
    cell = WorkloadCell.objects.get(month=dt.date(2026, 1, 1))
    assert cell.officer_hours == pytest.approx(90 * 2 / 60)  # category defaults: 90 minutes, crew of 2
    assert cell.officer_only_hours == cell.officer_hours  # theft is officers-only work
    assert cell.follow_up_hours == category.follow_up_hours > 0


def _monthly_from_cells() -> dict[tuple[int, dt.date, str], tuple[int, float]]:
    from django.db.models import Sum

    return {
        (row["station_id"], row["month"], row["team"]): (row["n"], round(row["h"], 6))
        for row in WorkloadCell.objects.values("station_id", "month", "team").annotate(
            n=Sum("incidents"), h=Sum("officer_hours")
        )
    }


def _monthly_rows() -> dict[tuple[int, dt.date, str], tuple[int, float]]:
    from workload.models import WorkloadMonth

    return {
        (m.station_id, m.month, m.team): (m.incidents, round(m.officer_hours, 6)) for m in WorkloadMonth.objects.all()
    }


@pytest.mark.django_db
def test_monthly_rows_are_the_cells_summed_after_full_and_partial_refreshes() -> None:
    from tests import factories

    station = factories.station()
    factories.incidents(station, 300, months=3, minutes=30)
    cells_refresh()
    assert _monthly_rows() == _monthly_from_cells() and len(_monthly_rows()) >= 3
    february_before = _monthly_rows()[(station.pk, dt.date(2026, 2, 1), "case")][0]
    factories.incidents(station, 40, first_month=2, months=1, minutes=90, prefix="late")
    cells_refresh([(station.pk, dt.date(2026, 2, 1))])
    assert _monthly_rows() == _monthly_from_cells()
    assert _monthly_rows()[(station.pk, dt.date(2026, 2, 1), "case")][0] == february_before + 40
