"""Auxiliaries have no law-enforcement status, and the database keeps it that way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from personnel.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"post": Person.Post.CASE_OFFICER},
        {"rank": Person.Rank.SERGEANT_1},
        {"law_enforcement_level": Person.LawEnforcementLevel.BASIC},
        {"is_investigator": True},
    ],
)
def test_auxiliary_cannot_hold_officer_attributes(fields: dict[str, object]) -> None:
    with pytest.raises(IntegrityError, match="person_officer_fields_match_kind"), transaction.atomic():
        factories.person(kind=Person.Kind.AUXILIARY_DUTY, **fields)


def test_officer_needs_an_officer_post_and_a_rank() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.person(post=Person.Post.AUX_PATROL)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.person(rank="")


def test_police_number_is_unique() -> None:
    factories.person(number="330101")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.person(number="330101")


def test_dates_must_make_sense() -> None:
    with pytest.raises(IntegrityError, match="person_hired_after_birth"), transaction.atomic():
        factories.person(birth_date=dt.date(2012, 1, 1))
    with pytest.raises(IntegrityError, match="person_post_since_after_hire"), transaction.atomic():
        factories.person(post_since=dt.date(2009, 1, 1))


def test_only_seconded_people_have_a_secondment_place() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.person(status=Person.Status.ACTIVE, seconded_to="市局专案组")
    assert factories.person(status=Person.Status.SECONDED, seconded_to="市局专案组").pk
