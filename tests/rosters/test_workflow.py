"""draft → submitted → approved → published; the approver is never the submitter; a change after
publication is a new version with a visible difference; chiefs reach only their own station, planners
and auditors read."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from personnel.models import User
from rosters.models import Roster, RosterStatus, ShiftPattern
from rosters.problem import cells_of
from rosters.services import (
    RosterRefused,
    cell_set,
    roster_approve,
    roster_publish,
    roster_return,
    roster_revise,
    roster_submit,
)
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START, make_roster

pytestmark = pytest.mark.django_db


def publish(roster: Roster, chief: User, second: User) -> Roster:
    roster_submit(roster=roster, by=chief)
    roster_approve(roster=roster, by=second)
    return roster_publish(roster=roster, by=chief)


def add_one_night(roster: Roster, chief: User) -> int:
    cells = cells_of(roster)
    for member in roster.members.filter(officer=True).order_by("position"):
        for index in range(roster.days - 1, -1, -1):
            if (member.person_id, index) in cells:
                continue
            try:
                cell_set(roster=roster, person_id=member.person_id, day=roster.dates()[index], shift_code="N", by=chief)
            except RosterRefused:
                continue
            return member.person_id
    raise AssertionError("no officer may take an extra night shift")


def test_the_submitter_cannot_approve_another_chief_can(roster: Roster, chief: User, second_chief: User) -> None:
    roster_submit(roster=roster, by=chief)
    with pytest.raises(RosterRefused, match="another chief of the station must approve"):
        roster_approve(roster=roster, by=chief)
    roster_approve(roster=roster, by=second_chief)
    roster.refresh_from_db()
    assert (roster.status, roster.submitted_by, roster.approved_by) == ("approved", chief, second_chief)


def test_the_database_refuses_an_approver_who_submitted(roster: Roster, chief: User) -> None:
    roster_submit(roster=roster, by=chief)
    with pytest.raises(IntegrityError), transaction.atomic():
        Roster.objects.filter(pk=roster.pk).update(approved_by=chief)


def test_each_step_only_from_its_state_and_the_second_click_is_told(
    roster: Roster, chief: User, second_chief: User
) -> None:
    with pytest.raises(RosterRefused, match="is Draft, not Submitted"):
        roster_approve(roster=roster, by=second_chief)
    with pytest.raises(RosterRefused, match="is Draft, not Approved"):
        roster_publish(roster=roster, by=chief)
    roster_submit(roster=roster, by=chief)
    with pytest.raises(RosterRefused, match="is Submitted, not Draft"):
        roster_submit(roster=roster, by=second_chief)
    roster_approve(roster=roster, by=second_chief)
    with pytest.raises(RosterRefused, match="is Approved, not Submitted"):
        roster_approve(roster=roster, by=second_chief)


def test_sending_back_needs_a_reason_and_reopens_the_draft(roster: Roster, chief: User, second_chief: User) -> None:
    roster_submit(roster=roster, by=chief)
    with pytest.raises(RosterRefused, match="Say why"):
        roster_return(roster=roster, by=second_chief, reason="")
    roster_return(roster=roster, by=second_chief, reason="夜班太集中")
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT and roster.submitted_by is None
    assert AuditEvent.objects.get(action="roster.return_reason").detail == "夜班太集中"


def test_an_empty_roster_is_not_submitted(station: Station, three8: ShiftPattern, chief: User) -> None:
    with pytest.raises(RosterRefused, match="The roster is empty"):
        roster_submit(roster=make_roster(station, three8, by=chief), by=chief)


def test_every_transition_is_audited_with_who_and_the_state_change(
    roster: Roster, chief: User, second_chief: User
) -> None:
    publish(roster, chief, second_chief)
    events = list(
        AuditEvent.objects.filter(object_type="rosters.roster").order_by("pk").values_list("action", "username")
    )
    assert events == [
        ("roster.create", chief.username),
        ("roster.generated", ""),
        ("roster.submit", chief.username),
        ("roster.approve", second_chief.username),
        ("roster.publish", chief.username),
    ]
    approve = AuditEvent.objects.get(action="roster.approve")
    assert approve.before == {"status": "submitted"} and approve.after["status"] == "approved"


def test_a_change_after_publication_is_a_new_version_with_its_difference(
    client,
    roster: Roster,
    chief: User,
    second_chief: User,  # type: ignore[no-untyped-def]
) -> None:
    publish(roster, chief, second_chief)
    with pytest.raises(RosterRefused, match="make a new version"):
        cell_set(roster=roster, person_id=roster.members.first().person_id, day=START, shift_code=None, by=chief)  # type: ignore[union-attr]
    revision = roster_revise(roster=roster, by=chief)
    assert (revision.version, revision.status, revision.previous_id) == (2, RosterStatus.DRAFT, roster.pk)
    assert cells_of(revision) == cells_of(roster)
    with pytest.raises(RosterRefused, match="Version 2 is already being prepared"):
        roster_revise(roster=roster, by=chief)
    # One change the rules allow: the first officer who may take an extra night shift takes one.
    free = add_one_night(revision, chief)
    client.force_login(second_chief)
    page = client.get(f"/rosters/{revision.pk}/diff/")
    assert page.status_code == 200 and "1 cell changed." in page.text
    assert page.context["changes"][0].person.pk == free and page.context["changes"][0].after == "N"
    # The published version stays in force until the new one is published, then it is superseded.
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED
    publish(revision, chief, second_chief)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.SUPERSEDED
    assert list(Roster.objects.current().values_list("version", flat=True)) == [2]


def test_another_stations_roster_is_not_there_for_a_chief(client, roster: Roster, other_station: Station) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.chief(other_station))
    for path in ("", "status/", "demand/", "diff/", "roster.xlsx", "print/"):
        assert client.get(f"/rosters/{roster.pk}/{path}").status_code == 404, path
    assert client.post(f"/rosters/{roster.pk}/submit/").status_code == 404
    assert client.post(f"/rosters/{roster.pk}/cell/", {"person": 1, "day": "2026-11-02"}).status_code == 404
    assert roster.pk not in [r.pk for r in client.get("/rosters/").context["rosters"]]


def test_planners_see_every_roster_read_only_and_auditors_read(client, roster: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    for reader in (factories.planner(), factories.auditor()):
        client.force_login(reader)
        page = client.get(f"/rosters/{roster.pk}/")
        assert page.status_code == 200 and not page.context["editable"]
        assert "Submit for approval" not in page.text
        assert roster.pk in [r.pk for r in client.get("/rosters/").context["rosters"]]
        assert client.post(f"/rosters/{roster.pk}/submit/").status_code == 403
        member = roster.members.first()
        assert member is not None
        response = client.post(f"/rosters/{roster.pk}/cell/", {"person": member.person_id, "day": "2026-11-02"})
        assert response.status_code == 403
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT
    with pytest.raises(RosterRefused, match="Only a chief"):
        roster_submit(roster=roster, by=factories.planner())


def test_the_page_walks_the_workflow(client, roster: Roster, chief: User, second_chief: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(chief)
    client.post(f"/rosters/{roster.pk}/submit/")
    response = client.post(f"/rosters/{roster.pk}/approve/", follow=True)
    assert "another chief of the station must approve" in response.text
    client.force_login(second_chief)
    client.post(f"/rosters/{roster.pk}/approve/")
    client.post(f"/rosters/{roster.pk}/publish/")
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED
    response = client.post(f"/rosters/{roster.pk}/revise/")
    revision = Roster.objects.get(version=2)
    assert response.status_code == 302 and response.url == f"/rosters/{revision.pk}/"
