"""Who reaches what: every page and every admin view and action, by role, with the status expected.

Roles: anonymous, an account with no role, the chief of station A (own station) and of station B
(another station's objects), a planner, an auditor and an operator (superuser). Deny by default: a
page not listed here must still refuse anonymous users and accounts without a role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from allocation.models import AllocationRun, MoveComment, Proposal, ProposedMove
from apikeys.services import apikey_create
from audit.models import AuditEvent
from audit.services import audit_record
from orgdata.models import OrgBatch, OrgMapping
from personnel.models import Leave, Person
from reports.catalogue import CATALOGUE
from rosters.models import CalendarDay, FeedToken, RosterCell, ShiftPattern, ShiftRequest
from rosters.services import roster_create
from security.models import LoginFailure, SecondFactor
from stations.models import StationAlias
from tests import factories
from workload.models import ImportBatch, ImportMapping
from workload.selectors import standards_default

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "chief_own", "chief_other", "planner", "auditor", "superuser"]


@pytest.fixture
def world() -> dict[str, Any]:
    county = factories.county(code="MX")
    a = factories.station(county_row=county, code="MX-A")
    b = factories.station(county_row=county, code="MX-B")
    c = factories.station(county_row=county, code="MX-C")  # the destination of the proposed move
    people = {}
    for station in (a, b):
        person = factories.person()
        people[station.code] = (person, factories.place(person, station))
        Leave.objects.create(person=person, kind="annual", start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 1, 9))
        StationAlias.objects.create(station=station, alias=f"{station.code}所")
        factories.jurisdiction(station, residents=5000)
    factories.incidents(a, 3)
    planner = factories.planner()
    batch = ImportBatch.objects.create(
        file_name="x.csv", checksum="0" * 64, size_bytes=1, mapping_name="m", mapping_text="", source="t",
        created_by=planner, status="stored",
    )  # fmt: skip
    batch.rejected_file.save("rejected.csv", ContentFile(b"row,reason\n"), save=True)
    ImportMapping.objects.create(name="matrix", definition="")
    run = AllocationRun.objects.create(county=county, standards=standards_default(), max_moves=1, created_by=planner)
    proposal = Proposal.objects.create(run=run, objective=0)
    person, assignment = people["MX-A"]
    move = ProposedMove.objects.create(
        proposal=proposal, person=person, origin=a, destination=c, destination_team="case", origin_assignment=assignment
    )
    audit_record(action="matrix.seed")
    LoginFailure.objects.create(username="someone", address="10.9.9.9")
    users = {
        "no_role": factories.user(),
        "chief_own": factories.chief(a),
        "chief_other": factories.chief(b),
        "planner": planner,
        "auditor": factories.auditor(),
        "superuser": factories.user(is_superuser=True, is_staff=True),
    }
    SecondFactor.objects.create(user=users["auditor"], required=False)
    Group.objects.create(name="matrix")
    # The later apps: a comment on the move, a roster of station A (built-in pattern) with its demand, a
    # custom pattern, a shift request and a calendar link of station A, a leave waiting for a decision, an org
    # import and its mapping, an API key.
    MoveComment.objects.create(move=move, author=planner, text="matrix")
    builtin = ShiftPattern.objects.filter(is_builtin=True, active=True).order_by("pk").first()
    assert builtin is not None, "the built-in shift patterns are missing"
    roster = roster_create(station=a, pattern=builtin, start_date=dt.date(2026, 2, 2), days=7, by=users["chief_own"])
    RosterCell.objects.create(
        roster=roster, person=person, day=dt.date(2026, 2, 2), shift=builtin.shift_types.order_by("pk").first()
    )
    ShiftPattern.objects.create(station=a, code="MXA", name="matrix A")
    ShiftRequest.objects.create(person=person, station=a, day=dt.date(2026, 2, 3), reason="matrix")
    FeedToken.objects.create(person=person, digest="0" * 64, created_by=planner)
    assert CalendarDay.objects.exists(), "the holiday calendar is seeded by the rosters migrations"
    leave = Leave.objects.create(
        person=person, kind="annual", start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 3),
        status=Leave.Status.REQUESTED,
    )  # fmt: skip
    org_batch = OrgBatch.objects.create(
        file_name="org.csv", checksum="1" * 64, size_bytes=1, mapping_name="m", mapping_text="",
        effective_date=dt.date(2026, 1, 1), status="stored", created_by=planner,
    )  # fmt: skip
    org_batch.rejected_file.save("errors.csv", ContentFile(b"row,reason\n"), save=True)
    OrgMapping.objects.create(name="matrix", definition="")
    apikey_create(name="matrix", owner=planner, by=users["superuser"])
    return {
        "a": a, "b": b, "batch": batch, "users": users, "person": person, "assignment": assignment,
        "run": run, "proposal": proposal, "move": move, "roster": roster, "leave": leave, "org_batch": org_batch,
    }  # fmt: skip


def client_for(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


# --- Pages ---------------------------------------------------------------------------------------

LOGIN = "login"  # a redirect to the login page
DENY = {"anonymous": LOGIN, "no_role": 403}
READ_ALL = {**DENY, "chief_own": 200, "chief_other": 200, "planner": 200, "auditor": 200, "superuser": 200}
COUNTY = {**DENY, "chief_own": 403, "chief_other": 403, "planner": 200, "auditor": 200, "superuser": 200}
PLANNER_PAGE = {**COUNTY, "auditor": 403}
PLANNER_POST = {**PLANNER_PAGE, "planner": 302, "superuser": 302}


def page_matrix(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    a, batch = world["a"], world["batch"]
    return [
        ("GET", reverse("reports:overview"), {**READ_ALL, "chief_own": 302, "chief_other": 302}),
        ("GET", reverse("reports:station", args=[a.code]), {**READ_ALL, "chief_other": 404}),
        ("GET", reverse("workload:imports"), COUNTY),
        ("GET", reverse("workload:import_new"), PLANNER_PAGE),
        ("GET", reverse("workload:import_detail", args=[batch.pk]), COUNTY),
        ("GET", reverse("workload:import_status", args=[batch.pk]), COUNTY),
        ("GET", reverse("workload:import_rejected", args=[batch.pk]), COUNTY),
        ("POST", reverse("workload:import_decide", args=[batch.pk]), PLANNER_POST),
        ("POST", reverse("workload:import_rollback", args=[batch.pk]), PLANNER_POST),
        ("GET", reverse("audit:trail"), COUNTY),
        ("GET", reverse("security:totp_enrol"), {**{r: 200 for r in ROLES}, "anonymous": LOGIN}),
    ]


def _matches(response: Any, expected: Any) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and "/login/" in response["Location"]
    return response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role_as_the_matrix_says(world: dict[str, Any], role: str) -> None:
    client = client_for(world, role)
    wrong = []
    for method, url, expected in page_matrix(world):
        response = client.post(url, {"choice": "reject"}) if method == "POST" else client.get(url)
        if not _matches(response, expected[role]):
            wrong.append(f"{method} {url}: expected {expected[role]}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


# The iCalendar token feed is public by design: the token in the URL is the secret, a wrong one is a 404.
# language_set is set_language that also remembers the choice on the account.
PUBLIC = {"login", "favicon.ico", "set_language", "language_set", "home", "rosters:token_feed"}


def _sample_kwargs(world: dict[str, Any], name: str, keys: list[str]) -> dict[str, Any]:
    """Arguments naming real objects of the world, so each URL reaches its view rather than a 404."""
    a, move, person = world["a"], world["move"], world["person"]
    # `pk` names a different model in each family of URLs: the longest matching name prefix decides.
    pk_of = {
        "workload:": world["batch"],
        "api:import-": world["batch"],
        "api:org-import-": world["org_batch"],
        "orgdata:": world["org_batch"],
        "rosters:": world["roster"],
        "rosters:leave_decide": world["leave"],
        "api:roster-": world["roster"],
        "api:roster-entry-": world["roster"].cells.order_by("pk").first(),
        "api:unit-": world["assignment"].unit,
        "api:assignment-": world["assignment"],
        "api:incident-": a.incidents.first(),
        "api:standards-": world["run"].standards,
        "api:allocation-run-": world["run"],
        "allocation:run": world["run"],
        "api:proposal-": world["proposal"],
        "allocation:proposal": world["proposal"],
        "api:move-": move,
        "allocation:move": move,
        "api:audit-event-": AuditEvent.objects.order_by("pk").first(),
    }
    code_of = {"api:community-": a.communities.first().code, "api:county-": a.county.code}
    others = {
        "number": person.number,
        "station_code": a.code,
        "person_id": person.pk,
        "token": "not-a-token",
        "slug": next(iter(CATALOGUE)),
        "action": "submit",
        "demand_id": world["roster"].demand.order_by("pk").first().pk,
        "proposal_pk": world["proposal"].pk,
    }

    def by_prefix(table: dict[str, Any]) -> Any:
        matches = [prefix for prefix in table if name.startswith(prefix)]
        if not matches:
            raise LookupError(name)
        return table[max(matches, key=len)]

    kwargs: dict[str, Any] = {}
    for key in keys:
        if key == "pk":
            kwargs[key] = by_prefix(pk_of).pk
        elif key == "code":
            kwargs[key] = by_prefix(code_of) if name.startswith(tuple(code_of)) else a.code
        else:
            kwargs[key] = others[key]
    return kwargs


def _every_url(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every URL of the project outside the admin, with sample arguments: (name, path)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if getattr(entry, "app_name", None) == "admin":
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}{entry.name}"
                # path() patterns list their converters; the API router's re_path() ones their named groups.
                keys = list(entry.pattern.converters) or list(entry.pattern.regex.groupindex)
                try:
                    yield name, reverse(name, kwargs=_sample_kwargs(world, name, keys))
                except Exception:  # noqa: BLE001 - a pattern our samples cannot fill is reported below
                    yield name, ""

    yield from walk(get_resolver().url_patterns, "")


@pytest.mark.parametrize("role", ["anonymous", "no_role"])
def test_every_page_refuses_those_without_a_role_by_default(world: dict[str, Any], role: str) -> None:
    client = client_for(world, role)
    reached = []
    for name, path in _every_url(world):
        assert path, f"cannot build a sample URL for {name}"
        if name in PUBLIC or name == "security:totp_enrol" and role == "no_role":
            continue
        for response in (client.get(path), client.post(path)):
            if response.status_code < 300 or (
                response.status_code in (301, 302) and "/login" not in response["Location"]
            ):
                reached.append(f"{name} {path}: {response.request['REQUEST_METHOD']} {response.status_code}")
    assert not reached, "\n".join(reached)


# --- Admin ---------------------------------------------------------------------------------------

ACCOUNT_MODELS = {"personnel.user", "security.secondfactor", "auth.group"}
TRAIL_MODELS = {"audit.auditevent", "security.loginfailure"}
# Written only through workflows (import pipelines, runs, review actions, roster pages), never edited in the admin.
WORKFLOW_MODELS = {"workload.importbatch", "allocation.allocationrun", "allocation.proposal", "allocation.proposedmove",
                   "allocation.movecomment", "workload.incident", "rosters.roster", "orgdata.orgbatch",
                   "rosters.feedtoken"}  # fmt: skip
# Planners add keys (the plaintext is shown once) and revoke them by an action; a key is never edited nor deleted.
ADD_ONLY_MODELS = {"apikeys.apikey"}
# County-wide things chiefs do not see at all: the admin answers 403 (no module) or "not found" (empty list).
COUNTY_ONLY = {"apikeys.apikey"}
CHIEFS_SEE_NONE = {"workload.importbatch", "orgdata.orgbatch", "orgdata.orgmapping"}
PLANNER_DELETES = {"workload.importmapping", "orgdata.orgmapping", "rosters.calendarday"}
STATION_BOUND = {"stations.station", "stations.unit", "stations.policearea", "stations.community",
                 "stations.stationalias", "personnel.person", "personnel.assignment", "personnel.leave",
                 "workload.incident", "allocation.proposedmove", "allocation.movecomment", "rosters.roster",
                 "rosters.shiftpattern", "rosters.shiftrequest", "rosters.feedtoken"}  # fmt: skip
# Chiefs see the runs and proposals whose moves touch their station (the world's move leaves station A).
MOVE_BOUND = {"allocation.allocationrun", "allocation.proposal"}


def expected_admin(role: str, label: str, view: str, own: bool) -> int | str:
    """The policy, view by view: changelist, change (GET), add, delete, post_change."""
    if role in ("anonymous", "no_role"):
        return "admin_login"
    reads = view in ("changelist", "change")
    if role == "superuser":
        # Operators manage accounts (never deleted: disabled) and otherwise write what planners write.
        if reads or label == "auth.group":
            return 200
        if label in TRAIL_MODELS:
            return 403  # nobody edits the trail
        if label in ACCOUNT_MODELS:
            return 403 if view == "delete" else 200
        role = "planner"
    if label == "auth.group" or (label in ACCOUNT_MODELS | TRAIL_MODELS | COUNTY_ONLY and role.startswith("chief")):
        return 403
    if role.startswith("chief"):
        if not reads:
            return 403
        if view == "change" and label in STATION_BOUND | MOVE_BOUND and not own:
            return 302  # another station's object is "not found" (the admin redirects to its index)
        if label in CHIEFS_SEE_NONE and view == "change":
            return 302  # chiefs see no county-wide imports or mappings at all
        return 200
    if role == "auditor":
        return 200 if reads else 403
    # planner
    if reads:
        return 200
    if label == "allocation.allocationrun" and view == "add":
        return 200  # the add form starts a run through allocation.services.run_create
    if label in ACCOUNT_MODELS | TRAIL_MODELS | WORKFLOW_MODELS:
        return 403
    if label in ADD_ONLY_MODELS:
        return 200 if view == "add" else 403
    if view == "delete":
        return 200 if label in PLANNER_DELETES else 403
    if label == "personnel.assignment" and view == "post_change":
        return 403  # history is appended, never edited
    return 200


def _object_for(model: type[Model], role: str, world: dict[str, Any]) -> Model | None:
    """For chiefs: `chief_own` gets an object of station A, `chief_other` the same object (so: not theirs)."""
    label = model._meta.label_lower
    objects = model._default_manager.all()
    if label == "stations.station":
        return world["a"]
    if label in STATION_BOUND:
        lookups = {
            "stations.unit": "station",
            "stations.policearea": "station",
            "stations.community": "station",
            "stations.stationalias": "station",
            "personnel.person": "assignments__unit__station",
            "personnel.assignment": "unit__station",
            "personnel.leave": "person__assignments__unit__station",
            "workload.incident": "station",
            "allocation.proposedmove": "origin",
            "allocation.movecomment": "move__origin",
            "rosters.roster": "station",
            "rosters.shiftpattern": "station",
            "rosters.shiftrequest": "station",
            "rosters.feedtoken": "person__assignments__unit__station",
        }
        return objects.filter(**{lookups[label]: world["a"]}).first()
    if label == "personnel.user":
        return world["users"]["no_role"]
    return objects.first()


@pytest.mark.parametrize("role", ROLES)
def test_admin_views_answer_each_role_as_the_policy_says(world: dict[str, Any], role: str) -> None:
    client = client_for(world, role)
    own = role != "chief_other"
    wrong = []
    for model, _model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = _object_for(model, role, world)
        assert obj is not None, f"the matrix world has no {label}"
        urls = {
            "changelist": ("GET", reverse(f"{base}_changelist")),
            "add": ("GET", reverse(f"{base}_add")),
            "change": ("GET", reverse(f"{base}_change", args=[obj.pk])),
            "post_change": ("POST", reverse(f"{base}_change", args=[obj.pk])),
            "delete": ("GET", reverse(f"{base}_delete", args=[obj.pk])),
        }
        for view, (method, url) in urls.items():
            expected = expected_admin(role, label, view, own)
            if view == "post_change" and expected == 200:
                continue  # a valid edit needs a full form; the write paths are tested by their apps
            response = client.post(url, {}) if method == "POST" else client.get(url)
            if expected == "admin_login":
                ok = response.status_code == 302 and "login" in response["Location"]
            elif view == "post_change" and expected == 403:
                ok = response.status_code in (403, 302) and response.status_code != 200
            else:
                ok = response.status_code == expected
            if not ok:
                wrong.append(f"{role} {view} {label}: expected {expected}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label_lower: list(model._default_manager.order_by("pk").values())
        for model in admin.site._registry
        if model is not AuditEvent
    }


@pytest.mark.parametrize("role", ["auditor", "chief_own", "chief_other", "no_role"])
def test_admin_actions_change_nothing_for_those_who_may_not_write(world: dict[str, Any], role: str) -> None:
    """Every admin action, including delete, posted on every object: nothing changes."""
    client = client_for(world, role)
    before = _snapshot()
    last_event = AuditEvent.objects.order_by("pk").last()
    for model, model_admin in admin.site._registry.items():
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        actions = [*(model_admin.actions or []), "delete_selected"]
        selected = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
        for action in actions:
            client.post(
                reverse(f"{base}_changelist"),
                {"action": action, "_selected_action": selected, "post": "yes", "select_across": "0", "index": "0"},
            )
    assert _snapshot() == before
    user = world["users"][role]
    done = AuditEvent.objects.filter(user_id=user.pk, pk__gt=last_event.pk if last_event else 0)
    assert not done.exclude(action__startswith="auth.").exists()


def test_everyone_may_read_people_but_only_in_scope_and_auditors_write_nothing_anywhere(world: dict[str, Any]) -> None:
    """The write paths outside the admin refuse auditors too: imports, decisions, roll-backs."""
    client = client_for(world, "auditor")
    before = _snapshot()
    batch = world["batch"]
    assert client.post(reverse("workload:import_rollback", args=[batch.pk])).status_code == 403
    assert client.post(reverse("workload:import_decide", args=[batch.pk]), {"choice": "store"}).status_code == 403
    assert client.post(reverse("workload:import_new"), {}).status_code == 403
    assert _snapshot() == before
    assert Person.objects.count() == 2
