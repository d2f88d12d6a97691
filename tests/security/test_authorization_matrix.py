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

from allocation.models import AllocationRun, Proposal, ProposedMove
from audit.models import AuditEvent
from audit.services import audit_record
from personnel.models import Leave, Person
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
    ProposedMove.objects.create(
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
    return {"a": a, "b": b, "batch": batch, "users": users}


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


PUBLIC = {"login", "favicon.ico", "set_language", "home"}


def _every_url(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every URL of the project outside the admin, with sample arguments: (name, path)."""
    samples = {"pk": world["batch"].pk, "code": world["a"].code, "id": world["batch"].pk}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if getattr(entry, "app_name", None) == "admin":
                    continue
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}{entry.name}"
                kwargs = {key: samples.get(key, 1) for key in entry.pattern.converters}
                try:
                    yield name, reverse(name, kwargs=kwargs)
                except Exception:  # noqa: BLE001 - a pattern our samples cannot fill is reported below
                    yield name, ""

    yield from walk(get_resolver().url_patterns, "/", "")


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
# Written only through workflows (import pipeline, runs, review actions), never edited in the admin.
WORKFLOW_MODELS = {"workload.importbatch", "allocation.allocationrun", "allocation.proposal", "allocation.proposedmove",
                   "workload.incident"}  # fmt: skip
PLANNER_DELETES = {"workload.importmapping"}
STATION_BOUND = {"stations.station", "stations.unit", "stations.policearea", "stations.community",
                 "stations.stationalias", "personnel.person", "personnel.assignment", "personnel.leave",
                 "workload.incident", "allocation.proposedmove"}  # fmt: skip


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
    if label == "auth.group" or (label in ACCOUNT_MODELS | TRAIL_MODELS and role.startswith("chief")):
        return 403
    if role.startswith("chief"):
        if not reads:
            return 403
        if view == "change" and label in STATION_BOUND | {"allocation.proposal"} and not own:
            return 302  # another station's object is "not found" (the admin redirects to its index)
        if label in {"workload.importbatch"} and view == "change":
            return 302  # chiefs see no import batches at all
        return 200
    if role == "auditor":
        return 200 if reads else 403
    # planner
    if reads:
        return 200
    if label in ACCOUNT_MODELS | TRAIL_MODELS | WORKFLOW_MODELS:
        return 403
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
    assert not AuditEvent.objects.filter(user_id=user.pk).exclude(action__startswith="auth.").exists()


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
