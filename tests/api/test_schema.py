"""The OpenAPI schema is valid, its documentation pages use no outside assets, and the API keeps to
it: a property-based run of schemathesis over every operation finds no 5xx and no response that
differs from the schema."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from apikeys.services import apikey_create
from config.wsgi import application
from personnel.models import User
from tests import factories
from tests.api.conftest import World

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_and_complete(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    # --validate checks it against the OpenAPI 3 specification; --fail-on-warn refuses a schema the
    # generator had to guess any part of.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=io.StringIO())
    text = out.read_text()
    for path in ("/api/v1/people/", "/api/v1/moves/{id}/accept/", "/api/v1/incidents/batch/", "/api/v1/audit-events/"):
        assert f"  {path}:" in text
    assert "ApiKey:" in text  # the key scheme is documented


def test_the_documentation_pages_load_nothing_from_outside(client: Client) -> None:
    # Deny by default: the schema and its page need an account with a role.
    assert client.get("/api/v1/schema/").status_code in (401, 403)
    assert client.get("/api/v1/docs/").status_code in (401, 403)
    client.force_login(factories.user())
    assert client.get("/api/v1/schema/").status_code == 403
    client.force_login(factories.planner())
    for url in ("/api/v1/docs/",):
        page = client.get(url).content.decode()
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert assets and all(a.startswith("/") for a in assets), assets
        for asset in assets:
            if asset.startswith("/static/"):
                assert finders.find(asset.removeprefix("/static/")), asset


@pytest.fixture
def api_schema(world: World, superuser_key: str) -> Iterator[Any]:
    # The app is called straight through WSGI, not through Django's test client, so the signal that
    # closes database connections at the end of each request must be held off as the test client
    # does: closing would end the test's transaction (and its data) on PostgreSQL.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        # The schema is served to accounts with a role only (deny by default).
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/schema/?format=json", application, headers={"Authorization": f"Api-Key {superuser_key}"}
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def superuser_key(world: World) -> str:
    # A superuser reaches every operation, the audit trail included; a read-write key lets the run
    # try every write too.
    owner = User.objects.create_superuser(username="fuzz", password="not used by the run")
    return apikey_create(name="schemathesis", owner=owner, scope="read_write")[1]


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_to_its_schema(case: Any, superuser_key: str) -> None:
    response = case.call(headers={"Authorization": f"Api-Key {superuser_key}", "Accept": "application/json"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
