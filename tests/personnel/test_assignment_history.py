"""One person can never be in two places at once; the database itself refuses it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from personnel.models import Assignment
from personnel.services import assignment_start
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def two_stations():  # type: ignore[no-untyped-def]
    county = factories.county()
    return factories.station(county_row=county), factories.station(county_row=county)


def test_database_refuses_overlapping_assignments(two_stations) -> None:  # type: ignore[no-untyped-def]
    a, b = two_stations
    officer = factories.person()
    factories.place(officer, a, start=D(2020, 1, 1), end_date=D(2022, 1, 1))
    with pytest.raises(IntegrityError, match="assignment_no_overlap"), transaction.atomic():
        factories.place(officer, b, start=D(2021, 6, 1))


def test_database_refuses_a_second_open_assignment(two_stations) -> None:  # type: ignore[no-untyped-def]
    a, b = two_stations
    officer = factories.person()
    factories.place(officer, a, start=D(2020, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.place(officer, b, start=D(2024, 1, 1))


def test_database_refuses_an_update_that_creates_an_overlap(two_stations) -> None:  # type: ignore[no-untyped-def]
    a, b = two_stations
    officer = factories.person()
    first = factories.place(officer, a, start=D(2020, 1, 1), end_date=D(2021, 1, 1))
    factories.place(officer, b, start=D(2021, 1, 1))
    first.end_date = D(2021, 2, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save(update_fields=["end_date"])


def test_back_to_back_assignments_and_other_people_are_fine(two_stations) -> None:  # type: ignore[no-untyped-def]
    a, b = two_stations
    officer, colleague = factories.person(), factories.person()
    factories.place(officer, a, start=D(2020, 1, 1), end_date=D(2021, 1, 1))
    factories.place(officer, b, start=D(2021, 1, 1))
    factories.place(colleague, b, start=D(2020, 6, 1))
    assert Assignment.objects.count() == 3


def test_end_before_start_is_refused(two_stations) -> None:  # type: ignore[no-untyped-def]
    a, _b = two_stations
    with pytest.raises(IntegrityError, match="assignment_end_after_start"), transaction.atomic():
        factories.place(factories.person(), a, start=D(2021, 1, 1), end_date=D(2021, 1, 1))


@pytest.mark.postgres
def test_postgres_enforces_it_with_an_exclusion_constraint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contype FROM pg_constraint WHERE conname = 'assignment_no_overlap'")
        assert cursor.fetchone() == ("x",)


class TestAssignmentStart:
    def test_a_move_closes_the_assignment_in_force(self, two_stations) -> None:  # type: ignore[no-untyped-def]
        a, b = two_stations
        officer = factories.person()
        first = factories.place(officer, a, start=D(2019, 1, 1))
        moved = assignment_start(person=officer, unit=b.units.get(kind="community"), start_date=D(2025, 3, 1))
        first.refresh_from_db()
        assert first.end_date == D(2025, 3, 1)
        assert moved.end_date is None
        assert list(Assignment.objects.current(D(2025, 2, 28)).filter(person=officer)) == [first]
        assert list(Assignment.objects.current(D(2025, 3, 1)).filter(person=officer)) == [moved]

    def test_placing_someone_where_they_are_changes_nothing(self, two_stations) -> None:  # type: ignore[no-untyped-def]
        a, _b = two_stations
        officer = factories.person()
        first = factories.place(officer, a, start=D(2019, 1, 1))
        again = assignment_start(person=officer, unit=first.unit, start_date=D(2025, 3, 1))
        assert again.pk == first.pk
        assert Assignment.objects.filter(person=officer).count() == 1

    def test_history_before_the_latest_assignment_is_not_rewritten(self, two_stations) -> None:  # type: ignore[no-untyped-def]
        a, b = two_stations
        officer = factories.person()
        factories.place(officer, a, start=D(2019, 1, 1))
        with pytest.raises(ValidationError, match="history cannot be rewritten"):
            assignment_start(person=officer, unit=b.units.get(kind="case"), start_date=D(2018, 1, 1))
        assert Assignment.objects.filter(person=officer).count() == 1
