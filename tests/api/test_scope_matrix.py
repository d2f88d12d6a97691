"""Who reaches what: every endpoint × role × own/other station, with the status each must answer.

"own" is the chief's station (QH-01) or an object of it, "other" one of another station. Planners and
auditors are county-wide; chiefs see their station (another station's object is a 404, never a 403
that would confirm it exists); county-wide resources (runs, proposals) refuse chiefs outright; the
audit trail is for auditors. Accounts without a role and anonymous callers get nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import World, client_for, user_for

pytestmark = pytest.mark.django_db

# endpoint -> (list URL, own object URL, other object URL); None where the endpoint has no such URL.
Url = Callable[[World], str]
ENDPOINTS: dict[str, tuple[str, Url | None, Url | None]] = {
    "counties": (
        "/api/v1/counties/",
        lambda w: f"/api/v1/counties/{w.county.code}/",
        lambda w: f"/api/v1/counties/{w.far_county.code}/",
    ),
    "stations": (
        "/api/v1/stations/",
        lambda w: f"/api/v1/stations/{w.own.code}/",
        lambda w: f"/api/v1/stations/{w.other.code}/",
    ),
    "units": (
        "/api/v1/units/",
        lambda w: f"/api/v1/units/{w.unit(w.own).pk}/",
        lambda w: f"/api/v1/units/{w.unit(w.other).pk}/",
    ),
    "communities": (
        "/api/v1/communities/",
        lambda w: f"/api/v1/communities/{w.own_community.code}/",
        lambda w: f"/api/v1/communities/{w.other_community.code}/",
    ),
    "people": (
        "/api/v1/people/",
        lambda w: f"/api/v1/people/{w.own_person.number}/",
        lambda w: f"/api/v1/people/{w.other_person.number}/",
    ),
    "assignments": (
        "/api/v1/assignments/",
        lambda w: f"/api/v1/assignments/{w.own_assignment.pk}/",
        lambda w: f"/api/v1/assignments/{w.other_assignment.pk}/",
    ),
    "incidents": (
        "/api/v1/incidents/",
        lambda w: f"/api/v1/incidents/{w.own_incident.pk}/",
        lambda w: f"/api/v1/incidents/{w.other_incident.pk}/",
    ),
    "workload": (
        "/api/v1/need/",
        lambda w: f"/api/v1/stations/{w.own.code}/workload/",
        lambda w: f"/api/v1/stations/{w.other.code}/workload/",
    ),
    "moves": (
        "/api/v1/moves/",
        lambda w: f"/api/v1/moves/{w.own_move.pk}/",
        lambda w: f"/api/v1/moves/{w.other_move.pk}/",
    ),
    "rosters": (
        "/api/v1/rosters/",
        lambda w: f"/api/v1/rosters/{w.own_roster.pk}/",
        lambda w: f"/api/v1/rosters/{w.other_roster.pk}/",
    ),
    "roster-versions": (
        "/api/v1/rosters/",
        lambda w: f"/api/v1/rosters/{w.own_roster.pk}/versions/",
        lambda w: f"/api/v1/rosters/{w.other_roster.pk}/versions/",
    ),
    "roster-entries": (
        "/api/v1/roster-entries/",
        lambda w: f"/api/v1/roster-entries/{w.own_entry.pk}/",
        lambda w: f"/api/v1/roster-entries/{w.other_entry.pk}/",
    ),
    "standards": ("/api/v1/standards/", lambda w: f"/api/v1/standards/{w.standards.pk}/", None),
    "allocation-runs": ("/api/v1/allocation-runs/", lambda w: f"/api/v1/allocation-runs/{w.run.pk}/", None),
    "proposals": ("/api/v1/proposals/", lambda w: f"/api/v1/proposals/{w.proposal.pk}/", None),
    "audit-events": ("/api/v1/audit-events/", lambda w: f"/api/v1/audit-events/{w.event.pk}/", None),
}

STATION_BOUND = [
    "counties",
    "stations",
    "units",
    "communities",
    "people",
    "assignments",
    "incidents",
    "workload",
    "moves",
    "rosters",
    "roster-versions",
    "roster-entries",
]
COUNTY_WIDE = ["allocation-runs", "proposals"]


def expected(role: str, endpoint: str, which: str) -> int:
    """The status `role` must get for the list ("list"), an own object ("own") or another's ("other")."""
    if role in ("norole", "anonymous"):
        return 403
    if endpoint == "audit-events":
        return 200 if role == "auditor" else 403
    if role in ("planner", "auditor"):
        return 200
    # chief
    if endpoint in COUNTY_WIDE:
        return 403
    if endpoint in STATION_BOUND and which == "other":
        return 404
    return 200


CASES = [
    (role, endpoint, which)
    for role in ("planner", "auditor", "chief", "norole", "anonymous")
    for endpoint, (_list, own, other) in ENDPOINTS.items()
    for which, url in (("list", _list), ("own", own), ("other", other))
    if url is not None
]


@pytest.mark.parametrize(("role", "endpoint", "which"), CASES, ids=["-".join(c) for c in CASES])
def test_status_by_role_endpoint_and_station(world: World, role: str, endpoint: str, which: str) -> None:
    list_url, own, other = ENDPOINTS[endpoint]
    url = {"list": lambda w: list_url, "own": own, "other": other}[which]
    assert url is not None
    response = client_for(user_for(role, world)).get(url(world))
    assert response.status_code == expected(role, endpoint, which), response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"code", "message"} and body["message"]


@pytest.mark.parametrize("endpoint", STATION_BOUND)
def test_a_chief_lists_only_his_station(world: World, endpoint: str) -> None:
    """Scoping happens before filtering: asking for another station by filter finds nothing."""
    list_url = ENDPOINTS[endpoint][0]
    chief = client_for(user_for("chief", world))
    body = chief.get(list_url).json()
    text = str(body)
    assert world.own.code in text or endpoint in ("counties", "people", "assignments")
    assert world.other.code not in text and world.far.code not in text
    if endpoint not in ("workload", "counties"):
        param = "code" if endpoint == "stations" else "station"
        filtered = chief.get(list_url, {param: world.other.code}).json()
        assert filtered["count"] == 0 and filtered["results"] == []


def test_chiefs_get_no_personal_data_planners_and_auditors_do(world: World) -> None:
    url = f"/api/v1/people/{world.own_person.number}/"
    chief = client_for(user_for("chief", world)).get(url).json()
    assert chief["birth_date"] is None and chief["hire_date"] is None
    assert chief["name"] == world.own_person.name and chief["station"] == world.own.code
    for role in ("planner", "auditor"):
        body = client_for(user_for(role, world)).get(url).json()
        assert body["birth_date"] == world.own_person.birth_date.isoformat()
        assert body["hire_date"] == world.own_person.hire_date.isoformat()
    csv = client_for(user_for("chief", world)).get("/api/v1/people/", {"format": "csv"}).content.decode("utf-8-sig")
    assert world.own_person.birth_date.isoformat() not in csv


@pytest.mark.parametrize("role", ["chief", "auditor", "norole"])
def test_only_planners_write(world: World, role: str) -> None:
    client = client_for(user_for(role, world))
    writes = [
        (f"/api/v1/moves/{world.own_move.pk}/accept/", {}),
        (f"/api/v1/moves/{world.own_move.pk}/reject/", {"reason": "no"}),
        (f"/api/v1/proposals/{world.proposal.pk}/approve/", {"effective_date": "2026-12-01"}),
        (f"/api/v1/proposals/{world.proposal.pk}/reject/", {"reason": "no"}),
        ("/api/v1/allocation-runs/", {"county": "QH", "max_moves": 2}),
        ("/api/v1/incidents/batch/", {"incidents": [{"external_id": "1"}]}),
    ]
    for url, data in writes:
        response = client.post(url, data, format="json")
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] in ("permission_denied", "not_authenticated")
    world.own_move.refresh_from_db()
    assert world.own_move.status == "pending"
