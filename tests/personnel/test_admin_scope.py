"""The admin shows a chief only his own station; auditors read everything and change nothing;
an account without a role sees nothing, whatever it has been given elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from personnel.models import Person
from stations.models import Station
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():  # type: ignore[no-untyped-def]
    row = factories.county()
    station_a = factories.station(county_row=row, name="甲派出所")
    station_b = factories.station(county_row=row, name="乙派出所")
    ours = [factories.person(name=f"甲所民警{i}") for i in range(3)]
    theirs = [factories.person(name=f"乙所民警{i}") for i in range(2)]
    for p in ours:
        factories.place(p, station_a)
    for p in theirs:
        factories.place(p, station_b)
    return {"a": station_a, "b": station_b, "ours": ours, "theirs": theirs}


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_chief_lists_only_his_own_people(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.chief(county["a"]))
    response = client.get(reverse("admin:personnel_person_changelist"))
    assert response.status_code == 200
    shown = {p.pk for p in response.context["cl"].result_list}
    assert shown == {p.pk for p in county["ours"]}
    assert "乙所民警" not in response.content.decode()


def test_chief_lists_only_his_own_station(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.chief(county["a"]))
    response = client.get(reverse("admin:stations_station_changelist"))
    assert [s.pk for s in response.context["cl"].result_list] == [county["a"].pk]


def test_chief_cannot_open_another_stations_person_or_station(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.chief(county["a"]))
    # The admin answers an object outside the queryset as missing: back to the index, nothing shown.
    for url in (
        reverse("admin:personnel_person_change", args=[county["theirs"][0].pk]),
        reverse("admin:stations_station_change", args=[county["b"].pk]),
    ):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, reverse("admin:index"))


def test_chief_reads_his_people_but_cannot_change_them(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.chief(county["a"]))
    own = county["ours"][0]
    url = reverse("admin:personnel_person_change", args=[own.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "改名"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.name != "改名"


def test_auditor_reads_every_station_and_changes_nothing(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.auditor())
    response = client.get(reverse("admin:personnel_person_changelist"))
    assert response.context["cl"].result_count == 5
    url = reverse("admin:stations_station_change", args=[county["b"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"name": "x"}).status_code == 403
    assert client.get(reverse("admin:stations_station_add")).status_code == 403
    assert (
        client.post(reverse("admin:stations_station_delete", args=[county["b"].pk]), {"post": "yes"}).status_code == 403
    )
    assert Station.objects.filter(pk=county["b"].pk, name="乙派出所").exists()


def test_planner_sees_and_edits_everything(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.planner())
    response = client.get(reverse("admin:personnel_person_changelist"))
    assert response.context["cl"].result_count == 5
    page = client.get(reverse("admin:stations_station_change", args=[county["b"].pk]))
    assert 'name="_save"' in page.content.decode()


def test_staff_account_without_a_role_sees_nothing(county) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.user(is_staff=True))
    assert client.get(reverse("admin:personnel_person_changelist")).status_code == 403
    assert client.get(reverse("admin:index")).context["app_list"] == []


def test_planner_person_list_is_a_constant_number_of_queries(county, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.planner())
    url = reverse("admin:personnel_person_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)
    for _ in range(10):
        factories.place(factories.person(), county["b"])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.context["cl"].result_count == 15
    assert Person.objects.count() == 15
